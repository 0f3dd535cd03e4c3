/**
 * Makes a frame sampler's folder from the shared JHMDB goalkeeper clip, for
 * `sideline run <folder> --format frames` (or `sideline demo --pose-frames <folder>`). Not a test: the
 * clip lives outside the repository (research terms: shared/datasets/README.md).
 *
 *   npx tsx test/bench/jhmdb-frames.ts <target folder> [--data <jhmdb-goalkeeper-catch folder>]
 *                                      [--match-id ID] [--camera-id ID] [--start ISO]
 *   npx sideline run <target folder> --format frames --lake <lake>
 *   npx tsx test/bench/jhmdb-frames.ts --report <lake> [--data ...] [--match-id ID]
 *
 * `--report` prints what landed in the lake for the clip's match: pose_frames (keypoints found, mean
 * score, and PCK@0.1 of the stored keypoints against the labels, as test/bench/pose-accuracy.ts
 * scores them: within 0.1 × the diagonal of the labelled joints' tight box; a null keypoint misses)
 * and the biomech_windows row.
 *
 * The clip is 40 JPEG frames (320 × 240, 30 fps) of one goalkeeper catching a ball, with JHMDB's
 * puppet labels (keypoints.json). For each frame it copies `<name>.jpg` into the target folder and
 * writes `<name>.json` beside it, a sideline.frame.v1 sidecar naming one subject:
 *   player_id away_1, team away; seq = frame number - 1, final on the last frame;
 *   t = --start + time_s; frame_index = frame number - 1;
 *   bbox = the tight box of the frame's labelled joints (all 15 of JHMDB's, head and neck included),
 *          grown by BOX_GROWTH about its centre and clipped to the image.
 * The labels only place the box, as a frame sampler's tracker would; the keypoints come from the model.
 * --data defaults to $SIDELINE_POSE_DATA/jhmdb-goalkeeper-catch, else shared/datasets/pose beside the
 * checkout (../shared or ../../shared).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { FRAME_SCHEMA_V1, type FrameMetadata, frameMetadataSchema } from "../../lambdas/contracts/records/frame.js";
import { COCO17 } from "../../lambdas/contracts/records/pose.js";

/** The box grows by 10% of its width and height: joints sit inside the body's outline (hands, head, feet reach past them). */
const BOX_GROWTH = 0.1;
/** JHMDB has no clock time: the clip is placed on the demo's match day (squad.ts DEFAULT_KICKOFF_MS's date). */
const DEFAULT_START = "2026-05-16T15:20:00Z";
const CLIP = "jhmdb-goalkeeper-catch";
/** PCK threshold as a share of the labelled joints' box diagonal (test/bench/pose-accuracy.ts's PCK@0.1). */
const PCK_ALPHA = 0.1;
/** JHMDB's reference joints (COCO-17 hips, knees, ankles) from frame 5 (the dataset README, as pose-accuracy.ts). */
const JHMDB_REFERENCE_JOINTS = new Set([11, 12, 13, 14, 15, 16]);
const JHMDB_REFERENCE_FROM_FRAME = 5;

type Point = readonly [number, number];

interface JhmdbClip {
  readonly image_size: readonly [number, number];
  readonly frames: readonly {
    readonly frame: number;
    readonly file: string;
    readonly time_s: number;
    readonly keypoints: readonly Point[];
    readonly keypoints_coco17: readonly (Point | null)[];
  }[];
}

/** The tight box of the points, grown by `growth` of its size about its centre, clipped to the image. */
function grownBox(
  points: readonly Point[],
  growth: number,
  width: number,
  height: number,
): [number, number, number, number] {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const [padX, padY] = [((x1 - x0) * growth) / 2, ((y1 - y0) * growth) / 2];
  const left = Math.max(0, x0 - padX);
  const top = Math.max(0, y0 - padY);
  const right = Math.min(width, x1 + padX);
  const bottom = Math.min(height, y1 + padY);
  const round = (v: number) => Math.round(v * 100) / 100;
  return [round(left), round(top), round(right - left), round(bottom - top)];
}

function dataFolder(given: string | undefined): string {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
  const candidates = [
    given,
    process.env.SIDELINE_POSE_DATA && join(process.env.SIDELINE_POSE_DATA, CLIP),
    join(root, "shared/datasets/pose", CLIP),
    join(root, "../shared/datasets/pose", CLIP),
    join(root, "../../shared/datasets/pose", CLIP),
  ].filter((p): p is string => typeof p === "string" && p !== "");
  const found = candidates.find((p) => existsSync(join(p, "keypoints.json")));
  if (!found) throw new Error(`no ${CLIP}/keypoints.json found (looked in ${candidates.join(", ")}): pass --data`);
  return found;
}

/** What landed in the lake for the clip's match: pose_frames against the labels, and the window. */
async function report(lakePath: string, clip: JhmdbClip, matchId: string): Promise<void> {
  const lake = await DuckDbLake.open(lakePath, { readOnly: true });
  try {
    const cols = COCO17.flatMap((k) => [`${k}_x`, `${k}_y`]).join(", ");
    const frames = await lake.queryObjects<Record<string, number | null> & { frame_index: bigint }>(
      `SELECT frame_index, keypoints_found, mean_score, ${cols} FROM pose_frames WHERE match_id = ? ORDER BY t`,
      [matchId],
    );
    const labels = new Map(clip.frames.map((f) => [f.frame - 1, f]));
    const tally = { all: [0, 0], reference: [0, 0] };
    for (const row of frames) {
      const f = labels.get(Number(row.frame_index));
      if (!f) continue;
      const xs = f.keypoints.map((p) => p[0]);
      const ys = f.keypoints.map((p) => p[1]);
      const diagonal = Math.hypot(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
      f.keypoints_coco17.forEach((truth, k) => {
        if (!truth) return;
        const [x, y] = [row[`${COCO17[k]}_x`], row[`${COCO17[k]}_y`]];
        const hit = x != null && y != null && Math.hypot(x - truth[0], y - truth[1]) <= PCK_ALPHA * diagonal ? 1 : 0;
        tally.all[0]! += hit;
        tally.all[1]!++;
        if (f.frame >= JHMDB_REFERENCE_FROM_FRAME && JHMDB_REFERENCE_JOINTS.has(k)) {
          tally.reference[0]! += hit;
          tally.reference[1]!++;
        }
      });
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const pck = ([ok, n]: number[]) => `${(ok! / n!).toFixed(3)} (${ok}/${n})`;
    console.log(`jhmdb_frames.pose_frames ${frames.length}`);
    console.log(`jhmdb_frames.keypoints_found_mean ${mean(frames.map((r) => Number(r.keypoints_found))).toFixed(2)}`);
    console.log(`jhmdb_frames.mean_score ${mean(frames.map((r) => Number(r.mean_score))).toFixed(3)}`);
    console.log(`jhmdb_frames.pck_0.1 ${pck(tally.all)}`);
    console.log(`jhmdb_frames.pck_0.1_reference ${pck(tally.reference)}`);
    for (const w of await lake.queryObjects("SELECT * FROM biomech_windows WHERE match_id = ?", [matchId]))
      for (const [k, v] of Object.entries(w))
        console.log(
          `jhmdb_frames.window.${k} ${typeof v === "number" ? Number(v.toFixed(2)) : v instanceof Date ? v.toISOString() : String(v)}`,
        );
  } finally {
    lake.close();
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      data: { type: "string" },
      "match-id": { type: "string" },
      "camera-id": { type: "string" },
      start: { type: "string" },
      report: { type: "string" },
    },
    allowPositionals: true,
  });
  if (values.report !== undefined) {
    const clip = JSON.parse(readFileSync(join(dataFolder(values.data), "keypoints.json"), "utf8")) as JhmdbClip;
    return report(values.report, clip, values["match-id"] ?? CLIP);
  }
  const target = positionals[0];
  if (!target || positionals.length > 1)
    throw new Error("usage: npx tsx test/bench/jhmdb-frames.ts <target folder> [--data DIR] [--match-id ID]");
  const startMs = Date.parse(values.start ?? DEFAULT_START);
  if (!Number.isFinite(startMs)) throw new Error(`--start must be an ISO 8601 time, got '${values.start}'`);
  const data = dataFolder(values.data);
  const clip = JSON.parse(readFileSync(join(data, "keypoints.json"), "utf8")) as JhmdbClip;
  const [width, height] = clip.image_size;
  mkdirSync(target, { recursive: true });
  const last = Math.max(...clip.frames.map((f) => f.frame));
  for (const f of clip.frames) {
    const labelled = f.keypoints.length > 0 ? f.keypoints : f.keypoints_coco17.filter((k): k is Point => k !== null);
    const sidecar: FrameMetadata = {
      schema: FRAME_SCHEMA_V1,
      match_id: values["match-id"] ?? CLIP,
      camera_id: values["camera-id"] ?? "jhmdb-camera",
      t: startMs + Math.round(f.time_s * 1000),
      frame_index: f.frame - 1,
      image: { width, height },
      subjects: [
        {
          player_id: "away_1",
          team: "away",
          seq: f.frame - 1,
          bbox: grownBox(labelled, BOX_GROWTH, width, height),
          ...(f.frame === last ? { final: true } : {}),
        },
      ],
    };
    const checked = frameMetadataSchema.safeParse(sidecar);
    if (!checked.success)
      throw new Error(`frame ${f.frame}: the sidecar breaks sideline.frame.v1: ${checked.error.message}`);
    const name = basename(f.file).replace(/\.jpe?g$/i, "");
    copyFileSync(join(data, f.file), join(target, `${name}.jpg`));
    writeFileSync(join(target, `${name}.json`), `${JSON.stringify(sidecar)}\n`);
  }
  console.log(
    `wrote ${clip.frames.length} frames with their sidecars to ${target} (${width}×${height}, away_1, ` +
      `${clip.frames[0]!.time_s}-${clip.frames.at(-1)!.time_s} s): npx sideline run ${target} --format frames`,
  );
}

await main();
