/**
 * The pose invoker's work for one sampled frame: read the frame's JPEG and its sideline.frame.v1
 * sidecar from the raw bucket, crop each subject's box, ask the PoseEstimator, and put one
 * sideline.pose.v1 record per subject (one frame each) on the pose stream.
 *
 * Contract with the frame sampler: it uploads the sidecar `<key without .jpg>.json` first and the
 * JPEG last, since the JPEG's "Object Created" event is what starts this.
 *
 * Failures are reported, never dropped: a missing or invalid sidecar, a JPEG that does not decode,
 * a sidecar whose image size or boxes do not fit the JPEG, or a model server that fails, throws
 * FrameRejected (or the estimator's error) naming s3://bucket/key and the reason. The Lambda then
 * fails the event, which its asynchronous invocation retries and, once the retries are spent, sends
 * to its on-failure destination (the DLQ) with that message. Nothing is put before every subject of
 * the frame is estimated, so a failed frame leaves no partial records; a retry after a failed put
 * may repeat records, which the consumer drops by seq. Objects that are not JPEGs are skipped, not
 * failed: they are not frames (the EventBridge rule should not send them; FRAME_OBJECT_PATTERN).
 */
import { type DecodedImage, decodeImage, estimateSkeletons, InvalidBoxError } from "../../adapters/pose-crops.js";
import { type FrameMetadata, frameMetadataSchema } from "../../contracts/records/frame.js";
import { POSE_RECORD, POSE_SCHEMA_V1, type PoseChunk } from "../../contracts/records/pose.js";
import { type Keypoint, withScoreFloor } from "../../core/pose/keypoints.js";
import type { PoseEstimator } from "../../ports.js";

/** Reads an object's bytes; null when there is no such object. */
export interface ObjectReader {
  get(bucket: string, key: string): Promise<Uint8Array | null>;
}

/** Where pose records go: the pose stream (lambdas/adapters/aws/kinesis-producer.ts in the cloud and locally). */
export interface PoseRecordSink {
  put(record: PoseChunk): Promise<void>;
  flush(): Promise<void>;
}

/** The model behind the estimator, as pose records name it. */
export interface PoseModelInfo {
  readonly id: string;
  readonly version: string;
}

export interface PoseInvokerDeps {
  readonly objects: ObjectReader;
  readonly estimator: PoseEstimator;
  readonly records: PoseRecordSink;
  readonly model: PoseModelInfo;
}

/** A frame that cannot become pose records; the message names the object and what to fix. */
export class FrameRejected extends Error {}

/** Frame images: the sampler's JPEGs. */
export const FRAME_KEY_SUFFIX = /\.jpe?g$/i;

/**
 * The EventBridge pattern for the frames this function takes: JPEGs created in the raw bucket (the
 * CDK rule adds the bucket's name). Sidecars (.json) are created too, and must not invoke it.
 */
export const FRAME_OBJECT_PATTERN = {
  source: ["aws.s3"],
  "detail-type": ["Object Created"],
  detail: { object: { key: [{ suffix: ".jpg" }, { suffix: ".jpeg" }] } },
} as const;

/** The sidecar of a frame's JPEG: `<key without .jpg>.json`. */
export const sidecarKey = (key: string): string => key.replace(FRAME_KEY_SUFFIX, ".json");

export type FrameOutcome =
  | { readonly status: "estimated"; readonly key: string; readonly subjects: number }
  | { readonly status: "skipped"; readonly key: string; readonly reason: string };

/** Pixels to two decimals and scores to three: the keypoints' precision on the stream. */
const round = (v: number, places: number) => Math.round(v * 10 ** places) / 10 ** places;

/** One subject's keypoints as the record carries them: below the score floor, null. */
function recordKeypoints(kps: readonly Keypoint[]): PoseChunk["frames"][number]["keypoints"] {
  return withScoreFloor(kps).map((k) => (k ? ([round(k[0], 2), round(k[1], 2), round(k[2], 3)] as const) : null)) as [
    number,
    number,
    number,
  ][];
}

/** The pose records of one frame: one per subject, in the sidecar's order. */
export function poseRecords(
  meta: FrameMetadata,
  keypoints: readonly (readonly Keypoint[])[],
  model: PoseModelInfo,
): PoseChunk[] {
  return meta.subjects.map((s, i) => {
    const record: PoseChunk = {
      schema: POSE_SCHEMA_V1,
      match_id: meta.match_id,
      ...(s.player_id === undefined ? {} : { player_id: s.player_id }),
      ...(s.track_id === undefined ? {} : { track_id: s.track_id }),
      ...(s.team === undefined ? {} : { team: s.team }),
      camera_id: meta.camera_id,
      seq: s.seq,
      model: { id: model.id, version: model.version },
      image: { width: meta.image.width, height: meta.image.height },
      t0: meta.t,
      frames: [
        {
          t: 0,
          ...(meta.frame_index === undefined ? {} : { frame_index: meta.frame_index }),
          bbox: [...s.bbox],
          keypoints: recordKeypoints(keypoints[i]!),
        },
      ],
      ...(s.final ? { final: true } : {}),
    };
    const checked = POSE_RECORD.parse(record);
    if (!checked.ok) throw new Error(`the pose record for subject ${i} breaks its own contract: ${checked.reason}`);
    return checked.record;
  });
}

export class PoseInvoker {
  constructor(private readonly deps: PoseInvokerDeps) {}

  /** Estimates one frame and puts its records; throws FrameRejected (see the module comment). */
  async frame(bucket: string, key: string): Promise<FrameOutcome> {
    if (!FRAME_KEY_SUFFIX.test(key)) return { status: "skipped", key, reason: "not a frame JPEG (.jpg, .jpeg)" };
    const where = `s3://${bucket}/${key}`;
    const reject = (reason: string) => new FrameRejected(`frame ${where}: ${reason}`);
    const metaKey = sidecarKey(key);
    const [jpeg, sidecar] = await Promise.all([
      this.deps.objects.get(bucket, key),
      this.deps.objects.get(bucket, metaKey),
    ]);
    if (!jpeg) throw reject("the JPEG is gone (deleted or overwritten since its event)");
    if (!sidecar)
      throw reject(
        `its sidecar s3://${bucket}/${metaKey} does not exist: the sampler must upload the sidecar before the JPEG`,
      );
    const meta = this.parseSidecar(sidecar, (r) => reject(`its sidecar ${metaKey} is invalid: ${r}`));
    let image: DecodedImage;
    try {
      image = await decodeImage(jpeg);
    } catch (e) {
      throw reject(`the JPEG cannot be decoded: ${(e as Error).message}`);
    }
    if (image.width !== meta.image.width || image.height !== meta.image.height)
      throw reject(
        `the sidecar says ${meta.image.width}×${meta.image.height} but the JPEG is ${image.width}×${image.height}: its boxes would be in the wrong pixels`,
      );
    let skeletons: Awaited<ReturnType<typeof estimateSkeletons>>;
    try {
      skeletons = await estimateSkeletons(
        image,
        meta.subjects.map((s) => s.bbox),
        this.deps.estimator,
      );
    } catch (e) {
      if (e instanceof InvalidBoxError) throw reject(`subject ${e.message}`);
      throw new Error(`frame ${where}: pose estimation failed: ${(e as Error).message}`, { cause: e });
    }
    const records = poseRecords(
      meta,
      skeletons.map((s) => s.keypoints),
      this.deps.model,
    );
    for (const r of records) await this.deps.records.put(r);
    await this.deps.records.flush();
    return { status: "estimated", key, subjects: records.length };
  }

  private parseSidecar(bytes: Uint8Array, reject: (reason: string) => FrameRejected): FrameMetadata {
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(bytes).toString("utf8"));
    } catch (e) {
      throw reject(`not JSON: ${(e as Error).message}`);
    }
    const r = frameMetadataSchema.safeParse(json);
    if (r.success) return r.data;
    const issue = r.error.issues[0];
    throw reject(`${issue?.path.length ? issue.path.join(".") : "sidecar"}: ${issue?.message ?? "invalid"}`);
  }
}
