/**
 * The pose record on the stream: `sideline.pose.v1`, one subject's skeletons over consecutive frames
 * of one camera.
 *
 * The skeleton is COCO-17 (Lin et al. 2014, the keypoint order of the COCO keypoint challenge and of
 * MoveNet, OpenPose-COCO, MMPose and ViTPose): 17 keypoints, each `[x, y, score]`, in the pixels of
 * the original camera image (not of a crop): x to the right and y down from the image's top-left
 * corner, 0-based, so (0, 0) is the centre of the top-left pixel's top-left corner. `score` is the
 * model's confidence in [0, 1]; a keypoint the model did not find is `null` (never a made-up 0, 0).
 * Optional 3D keypoints are metres in the camera's frame (x right, y down, z forward), when a lifter
 * or a calibrated multi-camera rig provides them.
 *
 * Granularity, as tracking's: one record is a chunk of one subject's frames from one camera, the
 * partition key is `match_id/<subject>/<camera_id>` so one subject's frames stay in order on one shard
 * and his biomechanics state (per camera: 2D angles compare only within one camera set-up) is owned
 * by one consumer, and `seq` numbers the subject's chunks from 0 per camera so duplicates and gaps
 * are recognised. The subject is a player (`player_id`, when the frame's metadata names him) or an
 * anonymous track (`track_id`, from the detector's tracker).
 */
import "../zod-locale.js";
import * as z from "zod/mini";
import type { RecordContract } from "./record.js";

export const POSE_SCHEMA_V1 = "sideline.pose.v1";

/** COCO-17 keypoint names, in the order every skeleton carries them. */
export const COCO17 = [
  "nose",
  "left_eye",
  "right_eye",
  "left_ear",
  "right_ear",
  "left_shoulder",
  "right_shoulder",
  "left_elbow",
  "right_elbow",
  "left_wrist",
  "right_wrist",
  "left_hip",
  "right_hip",
  "left_knee",
  "right_knee",
  "left_ankle",
  "right_ankle",
] as const;
export type Coco17Name = (typeof COCO17)[number];

/** Index of each COCO-17 keypoint. */
export const KP = Object.fromEntries(COCO17.map((n, i) => [n, i])) as Readonly<Record<Coco17Name, number>>;

/** Most frames in one record: 40 s at 25 fps, about 120 KB of JSON, well under Kinesis's 1 MiB. */
export const MAX_FRAMES_PER_POSE_CHUNK = 1000;

const finite = z.number();
const keypoint = z.nullable(z.tuple([finite, finite, finite.check(z.gte(0), z.lte(1))]));

export const poseFrameSchema = z.object({
  /** Milliseconds from the record's t0. */
  t: finite,
  /** The frame's index in its video, when known (to find it in the raw archive). */
  frame_index: z.optional(z.int().check(z.nonnegative())),
  /** The subject's box in the image: x, y (top-left), width, height, pixels. */
  bbox: z.optional(z.tuple([finite, finite, finite.check(z.nonnegative()), finite.check(z.nonnegative())])),
  /** COCO-17, in order: [x, y, score] in image pixels, or null when not found. */
  keypoints: z.array(keypoint).check(z.length(COCO17.length)),
  /** Optional 3D keypoints, metres in the camera frame, COCO-17 order. */
  keypoints_3d: z.optional(z.array(z.nullable(z.tuple([finite, finite, finite]))).check(z.length(COCO17.length))),
});

export const poseChunkSchema = z
  .object({
    schema: z.literal(POSE_SCHEMA_V1),
    match_id: z.string().check(z.minLength(1), z.maxLength(128)),
    /** The player, when the frame's metadata names him. */
    player_id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
    /** The detector's track, when no player is named. */
    track_id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
    team: z.optional(z.string().check(z.maxLength(64))),
    camera_id: z.string().check(z.minLength(1), z.maxLength(128)),
    /** 0-based, contiguous per subject. */
    seq: z.int().check(z.nonnegative()),
    /** The model that produced the keypoints. */
    model: z.object({ id: z.string().check(z.minLength(1)), version: z.string().check(z.minLength(1)) }),
    /** The camera image the pixels refer to. */
    image: z.object({ width: z.int().check(z.positive()), height: z.int().check(z.positive()) }),
    /** Epoch milliseconds of the first frame. */
    t0: finite,
    frames: z.array(poseFrameSchema).check(z.minLength(1), z.maxLength(MAX_FRAMES_PER_POSE_CHUNK)),
    /** True on the subject's last chunk: open windows are closed. */
    final: z.optional(z.boolean()),
  })
  .check(
    z.refine((c) => c.player_id !== undefined || c.track_id !== undefined, "a pose chunk needs player_id or track_id"),
  );

export type PoseFrame = z.infer<typeof poseFrameSchema>;
export type PoseChunk = z.infer<typeof poseChunkSchema>;

/** The subject a chunk is about: the player, or `track:<id>`. */
export const poseSubject = (c: Pick<PoseChunk, "player_id" | "track_id">): string =>
  c.player_id ?? `track:${c.track_id}`;

export const POSE_RECORD: RecordContract<PoseChunk> = {
  schema: POSE_SCHEMA_V1,
  parse(json) {
    const r = poseChunkSchema.safeParse(json);
    if (r.success) return { ok: true, record: r.data };
    const issue = r.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "record";
    return { ok: false, reason: `wrong schema: ${where}: ${issue?.message ?? "invalid"}` };
  },
  samples: (c) => c.frames.length,
  salvage(json) {
    const o = (typeof json === "object" && json !== null ? json : {}) as Record<string, unknown>;
    return {
      samples: Array.isArray(o.frames) ? o.frames.length : 0,
      matchId: typeof o.match_id === "string" ? o.match_id : null,
    };
  },
  identity: (c) => ({
    partitionKey: `${c.match_id}/${poseSubject(c)}/${c.camera_id}`,
    seq: c.seq,
    matchId: c.match_id,
  }),
  encode: (c) => Buffer.from(JSON.stringify(c), "utf8"),
};
