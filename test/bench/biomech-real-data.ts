/**
 * Checks the pose biomechanics core against labelled video, and prints the figures. Not a test:
 * the data sets live outside the repository (research terms: /work/shared/datasets/README.md), so
 * CI cannot rely on them, and nothing here asserts.
 *
 *   npx tsx test/bench/biomech-real-data.ts [path/to/datasets/pose]
 *
 * Without an argument it looks for shared/datasets/pose and ../shared/datasets/pose from the
 * repository root, and ../../shared (a worktree beside the main checkout).
 *
 * - Penn Action squat 1760 (ground-truth 2D joints, 119 frames, no frame rate given: 30 fps
 *   assumed): its README puts the knee angle at about 176° → 73° (frame 64) → 176°, i.e. knee flexion
 *   about 4° → 107° → 4°.
 * - JHMDB goalkeeper catch (40 frames, 30 fps, puppet labels, 320 × 240): angles per frame, the
 *   degenerate frames (coincident joints) and a window through the streaming accumulator.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  elbowFlexion,
  hipFlexion,
  type Keypoint,
  kneeFlexion,
  kneeFppa,
  type Skeleton,
  trunkLean,
} from "../../lambdas/core/pose/angles.js";
import { applyPoseChunk, newBiomechState } from "../../lambdas/core/pose/biomech-windows.js";
import { maskKeypoints, zeroPhaseLowpass } from "../../lambdas/core/pose/signal.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CANDIDATES = [
  process.argv[2],
  join(ROOT, "shared/datasets/pose"),
  join(ROOT, "../shared/datasets/pose"),
  join(ROOT, "../../shared/datasets/pose"),
].filter((p): p is string => typeof p === "string");
const DIR = CANDIDATES.find((p) => existsSync(join(p, "penn-action/keypoints.json")));
if (DIR === undefined) {
  console.log(`no pose data sets found (looked in ${CANDIDATES.join(", ")}): nothing to check`);
  process.exit(0);
}

const fmt = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? "null" : v.toFixed(digits));
const out = (name: string, value: string | number) => console.log(`${name} ${value}`);

interface PennClip {
  action: string;
  view: string;
  frames: { frame: number; keypoints: [number, number, number][] }[];
}
interface Penn {
  coco17_from_penn_index: (number | null)[];
  clips: PennClip[];
}

/** Penn Action joints to COCO-17; the visibility flag (1 / 0) becomes the score. */
function pennSkeleton(p: Penn, kps: [number, number, number][]): Keypoint[] {
  return p.coco17_from_penn_index.map((i) => {
    if (i === null) return null;
    const [x, y, v] = kps[i]!;
    return [x, y, v] as const;
  });
}

function series(skeletons: readonly Skeleton[], f: (s: Skeleton) => number | null): (number | null)[] {
  return skeletons.map(f);
}

function argmax(v: readonly (number | null)[]): number {
  let best = -1;
  for (let i = 0; i < v.length; i++) if (v[i] !== null && (best < 0 || v[i]! > v[best]!)) best = i;
  return best;
}

function penn(): void {
  const p = JSON.parse(readFileSync(join(DIR!, "penn-action/keypoints.json"), "utf8")) as Penn;
  const clip = p.clips.find((c) => c.action === "squat")!;
  const all = clip.frames.map((f) => pennSkeleton(p, f.keypoints).map((k) => (k ? ([k[0], k[1], 1] as const) : k)));
  const masked = clip.frames.map((f) => maskKeypoints(pennSkeleton(p, f.keypoints)));
  const t = clip.frames.map((_, i) => (i * 1000) / 30);
  out("penn_squat.frames", clip.frames.length);
  out("penn_squat.view", clip.view);
  for (const side of ["left", "right"] as const) {
    const raw = series(all, (s) => kneeFlexion(s, side));
    const i = argmax(raw);
    const filtered = zeroPhaseLowpass(t, raw);
    const j = argmax(filtered.values);
    out(`penn_squat.knee_flexion_${side}.first_deg`, fmt(raw[0]));
    out(`penn_squat.knee_flexion_${side}.peak_deg`, `${fmt(raw[i])} at frame ${clip.frames[i]!.frame}`);
    out(`penn_squat.knee_angle_${side}.min_deg`, fmt(180 - raw[i]!));
    out(`penn_squat.knee_flexion_${side}.last_deg`, fmt(raw[raw.length - 1]));
    out(
      `penn_squat.knee_flexion_${side}.filtered_peak_deg`,
      `${fmt(filtered.values[j])} at frame ${clip.frames[j]!.frame} (30 fps assumed, filtered: ${filtered.rateAllows})`,
    );
    const hip = series(all, (s) => hipFlexion(s, side));
    out(
      `penn_squat.hip_flexion_${side}.peak_deg`,
      `${fmt(hip[argmax(hip)])} at frame ${clip.frames[argmax(hip)]!.frame}`,
    );
    const fppa = series(all, (s) => kneeFppa(s, side));
    out(
      `penn_squat.knee_fppa_${side}`,
      `${fppa.filter((v) => v !== null).length} frames computable, peak ${fmt(fppa[argmax(fppa)])}`,
    );
  }
  const lean = series(all, trunkLean).map((v) => (v === null ? null : Math.abs(v)));
  out("penn_squat.trunk_lean_abs.peak_deg", `${fmt(lean[argmax(lean)])} at frame ${clip.frames[argmax(lean)]!.frame}`);
  const invisible = clip.frames.reduce((n, f) => n + f.keypoints.filter((k) => k[2] === 0).length, 0);
  out("penn_squat.invisible_joints", invisible);
  const r = applyPoseChunk(newBiomechState(), {
    t0: 0,
    frames: masked.map((k, i) => ({ t: t[i]!, keypoints: k })),
    final: true,
  });
  const w = r.closed[0]!;
  out(
    "penn_squat.window",
    `frames ${w.frames}, valid ${w.validFrames}, fps ${fmt(w.fps)}, filtered ${w.filtered} (${fmt(w.filteredShare, 2)}), ` +
      `knee flexion peak L ${fmt(w.kneeFlexionPeakLeftDeg)} R ${fmt(w.kneeFlexionPeakRightDeg)}, mean L ${fmt(w.kneeFlexionMeanLeftDeg)} R ${fmt(w.kneeFlexionMeanRightDeg)}, ` +
      `hip flexion peak L ${fmt(w.hipFlexionPeakLeftDeg)} R ${fmt(w.hipFlexionPeakRightDeg)}, knee SI ${fmt(w.kneeFlexionSymmetryIndexPct)}%, ` +
      `trunk lean mean ${fmt(w.trunkLeanMeanDeg)} peak ${fmt(w.trunkLeanPeakDeg)}, FPPA peak L ${fmt(w.kneeFppaPeakLeftDeg)} R ${fmt(w.kneeFppaPeakRightDeg)}`,
  );
}

interface Jhmdb {
  fps: number;
  frames: { frame: number; time_s: number; keypoints_coco17: ([number, number] | null)[] }[];
}

function jhmdb(): void {
  const path = join(DIR!, "jhmdb-goalkeeper-catch/keypoints.json");
  if (!existsSync(path)) return;
  const j = JSON.parse(readFileSync(path, "utf8")) as Jhmdb;
  // Puppet labels have no score: every labelled joint counts as found.
  const sk = j.frames.map((f) => f.keypoints_coco17.map((k) => (k ? ([k[0], k[1], 1] as const) : null)));
  const t = j.frames.map((f) => Math.round(f.time_s * 1000));
  out("jhmdb_catch.frames", j.frames.length);
  const rows: [string, (s: Skeleton) => number | null][] = [
    ["knee_flexion_left", (s) => kneeFlexion(s, "left")],
    ["knee_flexion_right", (s) => kneeFlexion(s, "right")],
    ["hip_flexion_left", (s) => hipFlexion(s, "left")],
    ["hip_flexion_right", (s) => hipFlexion(s, "right")],
    ["elbow_flexion_left", (s) => elbowFlexion(s, "left")],
    ["elbow_flexion_right", (s) => elbowFlexion(s, "right")],
    ["knee_fppa_left", (s) => kneeFppa(s, "left")],
    ["knee_fppa_right", (s) => kneeFppa(s, "right")],
    ["trunk_lean", trunkLean],
  ];
  for (const [name, f] of rows) {
    const v = series(sk, f);
    const nulls = v.flatMap((x, i) => (x === null ? [j.frames[i]!.frame] : []));
    const from5 = v.slice(4).filter((x): x is number => x !== null);
    const lp = zeroPhaseLowpass(t, v);
    const lpFrom5 = lp.values.slice(4).filter((x): x is number => x !== null);
    out(
      `jhmdb_catch.${name}`,
      `null at frames [${nulls.join(",")}]; frames 5-40 raw min ${fmt(Math.min(...from5))} max ${fmt(Math.max(...from5))}; ` +
        `filtered (${lp.filtered.filter(Boolean).length} samples) min ${fmt(Math.min(...lpFrom5))} max ${fmt(Math.max(...lpFrom5))}`,
    );
  }
  const r = applyPoseChunk(newBiomechState(), {
    t0: 0,
    frames: sk.map((k, i) => ({ t: t[i]!, keypoints: k })),
    final: true,
  });
  const w = r.closed[0]!;
  out(
    "jhmdb_catch.window",
    `frames ${w.frames}, valid ${w.validFrames}, fps ${fmt(w.fps)}, filtered ${w.filtered} (${fmt(w.filteredShare, 2)}), ` +
      `knee flexion peak L ${fmt(w.kneeFlexionPeakLeftDeg)} R ${fmt(w.kneeFlexionPeakRightDeg)}, hip flexion peak L ${fmt(w.hipFlexionPeakLeftDeg)} R ${fmt(w.hipFlexionPeakRightDeg)}, ` +
      `elbow mean L ${fmt(w.elbowFlexionMeanLeftDeg)} R ${fmt(w.elbowFlexionMeanRightDeg)}, FPPA peak L ${fmt(w.kneeFppaPeakLeftDeg)} R ${fmt(w.kneeFppaPeakRightDeg)}, ` +
      `trunk lean mean ${fmt(w.trunkLeanMeanDeg)} peak ${fmt(w.trunkLeanPeakDeg)}, steps ${w.steps}, cadence ${fmt(w.cadenceSpm)}`,
  );
}

out("data", DIR);
penn();
jhmdb();
