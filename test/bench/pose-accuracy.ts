/**
 * Pose accuracy on the shared images with ground truth (not part of the test suite: the images'
 * licences keep them out of the fixtures, and CI may lack them):
 *
 *   npx tsx test/bench/pose-accuracy.ts [<datasets/pose folder>]
 *
 * The folder defaults to $SIDELINE_POSE_DATA, else ../shared/datasets/pose or ../../shared/datasets/pose
 * beside the checkout. Two datasets: mmpose-multi-person (coco17.json: OCHuman, PoseTrack18, MPII)
 * and jhmdb-goalkeeper-catch (40 frames of one goalkeeper).
 *
 * Metric: PCK@0.1 — a keypoint is correct when it lies within 0.1 × the diagonal of the person's
 * ground-truth box of the labelled position. Only labelled keypoints count (coco17.json's non-null
 * entries, JHMDB's 12 joints with a COCO slot). Where a dataset gives no box (MPII, JHMDB), the
 * ground-truth box is the tight box around all of the person's labelled joints (MPII's head top,
 * neck, thorax and pelvis included).
 *
 * (a) ground-truth boxes: each labelled person is cropped from his box, as the pipeline crops the
 *     frame sampler's boxes (top-down). Run with and without the horizontal flip test.
 * (b) detector boxes: the CenterNet detector's person boxes, matched to the labelled people greedily,
 *     highest IoU first, one detection per person, IoU >= 0.3 (tight joint boxes against full-body
 *     detections rarely reach 0.5); a labelled person no detection matches counts all his keypoints
 *     as misses. Detections of unlabelled people are not counted (PCK has no false positives; the
 *     OCHuman, MPII and PoseTrack images show people nobody labelled).
 *
 * JHMDB's puppet labels are rough (the dataset README: arms 50-90 px off in some frames; "use hips,
 * knees and ankles from frame 5 on as a reference"), so it is also reported on that reference subset.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeImage } from "../../lambdas/adapters/pose-crops.js";
import type { Box } from "../../lambdas/core/pose/crops.js";
import { boxIou } from "../../lambdas/core/pose/detections.js";
import type { Keypoint } from "../../lambdas/core/pose/keypoints.js";
import { LocalPose } from "../../local/pose/local-pose.js";

/** PCK threshold as a share of the ground-truth box's diagonal. */
const PCK_ALPHA = 0.1;
/** Least IoU for a detection to stand for a labelled person. */
const MATCH_MIN_IOU = 0.3;
/** JHMDB's reference joints (COCO-17 hips, knees, ankles) and first reference frame. */
const JHMDB_REFERENCE_JOINTS = new Set([11, 12, 13, 14, 15, 16]);
const JHMDB_REFERENCE_FROM_FRAME = 5;

type Point = readonly [number, number];

interface Person {
  readonly box: Box;
  /** COCO-17, null where not labelled. */
  readonly truth: readonly (Point | null)[];
}

interface Sample {
  readonly dataset: string;
  /** The source dataset within a collection (OCHuman, PoseTrack18, MPII), reported apart; null for one. */
  readonly source: string | null;
  readonly file: string;
  readonly people: readonly Person[];
  /** Which labelled keypoints count in the reference subset (JHMDB only). */
  readonly reference?: (k: number) => boolean;
}

function dataFolder(): string {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
  const candidates = [
    process.argv[2],
    process.env.SIDELINE_POSE_DATA,
    join(root, "../shared/datasets/pose"),
    join(root, "../../shared/datasets/pose"),
  ].filter((c): c is string => !!c);
  const found = candidates.find((c) => existsSync(join(c, "mmpose-multi-person", "coco17.json")));
  if (!found) {
    console.error(`no pose datasets in ${candidates.join(", ")}: pass the datasets/pose folder as the first argument`);
    process.exit(2);
  }
  return found;
}

function tightBox(points: readonly Point[]): Box {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const [x0, y0] = [Math.min(...xs), Math.min(...ys)];
  return [x0, y0, Math.max(...xs) - x0, Math.max(...ys) - y0];
}

function samples(folder: string): Sample[] {
  const out: Sample[] = [];
  const coco = JSON.parse(readFileSync(join(folder, "mmpose-multi-person", "coco17.json"), "utf8")) as {
    images: {
      file: string;
      source: string;
      people: { bbox_xywh: Box | null; keypoints: (number[] | null)[]; extra: Record<string, unknown> | null }[];
    }[];
  };
  for (const im of coco.images) {
    const people = im.people.map((p) => {
      const truth = p.keypoints.map((k) => (k ? ([k[0]!, k[1]!] as const) : null));
      const extra = Object.values(p.extra ?? {}).filter((v): v is number[] => Array.isArray(v) && v.length === 3);
      const box =
        p.bbox_xywh ??
        tightBox([...truth.filter((t): t is Point => t !== null), ...extra.map((v) => [v[0]!, v[1]!] as const)]);
      return { box, truth };
    });
    out.push({
      dataset: "mmpose-multi-person",
      source: im.source.split(" ")[0]!,
      file: join(folder, "mmpose-multi-person", im.file),
      people,
    });
  }
  const jhmdb = JSON.parse(readFileSync(join(folder, "jhmdb-goalkeeper-catch", "keypoints.json"), "utf8")) as {
    frames: { frame: number; file: string; keypoints: Point[]; keypoints_coco17: (Point | null)[] }[];
  };
  for (const f of jhmdb.frames) {
    out.push({
      dataset: "jhmdb-goalkeeper-catch",
      source: null,
      file: join(folder, "jhmdb-goalkeeper-catch", f.file),
      people: [{ box: tightBox(f.keypoints), truth: f.keypoints_coco17 }],
      reference: (k) => f.frame >= JHMDB_REFERENCE_FROM_FRAME && JHMDB_REFERENCE_JOINTS.has(k),
    });
  }
  return out;
}

/** Correct and labelled keypoints, per group name. */
class Tally {
  readonly groups = new Map<string, { ok: number; n: number }>();

  add(
    group: string,
    truth: readonly (Point | null)[],
    box: Box,
    found: readonly Keypoint[] | null,
    only?: (k: number) => boolean,
  ) {
    const g = this.groups.get(group) ?? { ok: 0, n: 0 };
    const limit = PCK_ALPHA * Math.hypot(box[2], box[3]);
    truth.forEach((t, k) => {
      if (!t || (only && !only(k))) return;
      g.n++;
      const f = found?.[k];
      if (f && Math.hypot(f[0] - t[0], f[1] - t[1]) <= limit) g.ok++;
    });
    this.groups.set(group, g);
  }
}

/** Greedy IoU matching: for each labelled person, the detection box matched to him, or null. */
function match(people: readonly Person[], detections: readonly Box[]): (number | null)[] {
  const pairs = people
    .flatMap((p, i) => detections.map((d, j) => ({ i, j, iou: boxIou(p.box, d) })))
    .filter((x) => x.iou >= MATCH_MIN_IOU)
    .sort((a, b) => b.iou - a.iou);
  const out: (number | null)[] = people.map(() => null);
  const used = new Set<number>();
  for (const { i, j } of pairs) {
    if (out[i] !== null || used.has(j)) continue;
    out[i] = j;
    used.add(j);
  }
  return out;
}

async function main(): Promise<void> {
  const folder = dataFolder();
  const all = samples(folder);
  const runs = [
    { name: "gt_boxes.flip", flip: true, detector: false },
    { name: "gt_boxes.no_flip", flip: false, detector: false },
    { name: "detector_boxes.flip", flip: true, detector: true },
  ];
  const lines: string[] = [];
  for (const run of runs) {
    const pose = await LocalPose.open({ flipTest: run.flip });
    const tally = new Tally();
    let detected = 0;
    let labelled = 0;
    for (const s of all) {
      const image = await decodeImage(readFileSync(s.file));
      let boxes: (Box | null)[];
      if (run.detector) {
        const detections = (await pose.detect(image)).map((d) => d.box);
        boxes = match(s.people, detections).map((j) => (j === null ? null : detections[j]!));
      } else boxes = s.people.map((p) => p.box);
      const present = boxes.filter((b): b is Box => b !== null);
      const skeletons = await pose.skeletons(image, present);
      let next = 0;
      s.people.forEach((p, i) => {
        const found = boxes[i] ? skeletons[next++]!.keypoints : null;
        labelled++;
        if (found) detected++;
        for (const group of [s.dataset, ...(s.source ? [`${s.dataset}/${s.source}`] : []), "overall"])
          tally.add(group, p.truth, p.box, found);
        if (s.reference) {
          tally.add(`${s.dataset}/reference`, p.truth, p.box, found, s.reference);
          tally.add("overall_with_jhmdb_reference", p.truth, p.box, found, s.reference);
        } else tally.add("overall_with_jhmdb_reference", p.truth, p.box, found);
      });
    }
    for (const [group, { ok, n }] of [...tally.groups].sort(([a], [b]) => a.localeCompare(b)))
      lines.push(`pose_accuracy.${run.name}.${group} pck@0.1=${(ok / n).toFixed(3)} keypoints=${n}`);
    if (run.detector) lines.push(`pose_accuracy.${run.name}.people_matched ${detected}/${labelled}`);
  }
  console.log(lines.join("\n"));
}

await main();
