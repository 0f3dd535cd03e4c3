/**
 * The pose invoker handler, with an EventBridge S3 "Object Created" event, a generated JPEG and its
 * sidecar in a bucket held in memory, a stand-in estimator, and the producers' KinesisProducer on a
 * fake stream (the invoker takes any PoseRecordSink; the cloud entry uses the same KinesisProducer).
 */
import type { PutRecordsCommand } from "@aws-sdk/client-kinesis";
import sharp from "sharp";
import { KinesisProducer } from "../../lambdas/adapters/aws/kinesis-producer.js";
import { FRAME_SCHEMA_V1, type FrameMetadata } from "../../lambdas/contracts/records/frame.js";
import { POSE_RECORD, type PoseChunk } from "../../lambdas/contracts/records/pose.js";
import type { CropKeypoints } from "../../lambdas/core/pose/keypoints.js";
import { createPoseInvokerHandler } from "../../lambdas/functions/pose-invoker/handler.js";
import { FRAME_OBJECT_PATTERN, sidecarKey } from "../../lambdas/functions/pose-invoker/invoker.js";
import type { PoseEstimator } from "../../lambdas/ports.js";
import { lambdaContext } from "../helpers/factories.js";

const KEY = "m1/cam1/000042.jpg";

/** An EventBridge "Object Created" event as S3 sends it. */
function objectCreated(key: string, bucket = "raw") {
  return {
    version: "0",
    id: "17793124-05d4-b198-2fde-7ededc63b103",
    "detail-type": "Object Created",
    source: "aws.s3",
    account: "123456789012",
    time: "2026-05-16T15:00:01Z",
    region: "eu-west-1",
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: "0",
      bucket: { name: bucket },
      object: { key, size: 1024, etag: "b1946ac92492d2347c6235b4d2611184", sequencer: "00617F08299329D189" },
      "request-id": "N4N7GDK58NMKJ12R",
      requester: "123456789012",
      reason: "PutObject",
    },
  };
}

const sidecar = (over: Partial<FrameMetadata> = {}): FrameMetadata => ({
  schema: FRAME_SCHEMA_V1,
  match_id: "m1",
  camera_id: "cam1",
  t: 1_779_000_000_000,
  frame_index: 42,
  image: { width: 64, height: 48 },
  subjects: [
    { player_id: "p7", team: "home", seq: 5, bbox: [8, 4, 16, 32], final: true },
    { track_id: "t3", seq: 0, bbox: [40, 10, 20, 20] },
  ],
  ...over,
});

/** Keypoint k of every crop at (0.5, k / 16), scored 0.1 for the nose (below the floor) and 0.9 else. */
const ladder: PoseEstimator = {
  estimate: async (crops) =>
    crops.map((): CropKeypoints => Array.from({ length: 17 }, (_, k) => [0.5, k / 16, k === 0 ? 0.1 : 0.9] as const)),
};

async function setup(objects: Record<string, Uint8Array>, estimator: PoseEstimator = ladder) {
  const sent: PutRecordsCommand["input"][] = [];
  const kinesis = {
    send: async (cmd: PutRecordsCommand) => {
      sent.push(cmd.input);
      return {
        FailedRecordCount: 0,
        Records: (cmd.input.Records ?? []).map(() => ({ SequenceNumber: "1", ShardId: "s" })),
      };
    },
  };
  const reads: string[] = [];
  const handler = createPoseInvokerHandler({
    objects: {
      get: async (bucket, key) => {
        reads.push(`${bucket}/${key}`);
        return objects[key] ?? null;
      },
    },
    estimator,
    records: new KinesisProducer(kinesis as never, "sideline-pose", POSE_RECORD),
    model: { id: "movenet-singlepose-lightning", version: "4" },
  });
  const records = () =>
    sent.flatMap((s) => (s.Records ?? []).map((r) => JSON.parse(Buffer.from(r.Data!).toString()) as PoseChunk));
  return { invoke: (e: unknown) => handler(e, lambdaContext), records, sent, reads };
}

const jpeg = (width = 64, height = 48) =>
  sharp({ create: { width, height, channels: 3, background: "#3c6e3c" } })
    .jpeg()
    .toBuffer();
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

describe("pose invoker handler", () => {
  it("puts one sideline.pose.v1 record per subject, keypoints in image pixels, the sidecar's seq and final", async () => {
    // GIVEN a 64 × 48 frame and its sidecar with two subjects
    const { invoke, records, sent, reads } = await setup({ [KEY]: await jpeg(), [sidecarKey(KEY)]: json(sidecar()) });
    // WHEN its Object Created event arrives
    const out = await invoke(objectCreated(KEY));
    // THEN both objects were read, and two records went to the pose stream in one request
    expect(out).toEqual({ status: "estimated", key: KEY, subjects: 2 });
    expect(reads.sort()).toEqual(["raw/m1/cam1/000042.jpg", "raw/m1/cam1/000042.json"]);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.Records!.map((r) => r.PartitionKey)).toEqual(["m1/p7/cam1", "m1/track:t3/cam1"]);
    const [p7, t3] = records();
    // AND p7's box [8, 4, 16, 32] is cropped as the 40-pixel square at (-4, 0): keypoint k at (16, 2.5 k)
    expect(p7).toEqual({
      schema: "sideline.pose.v1",
      match_id: "m1",
      player_id: "p7",
      team: "home",
      camera_id: "cam1",
      seq: 5,
      model: { id: "movenet-singlepose-lightning", version: "4" },
      image: { width: 64, height: 48 },
      t0: 1_779_000_000_000,
      frames: [
        {
          t: 0,
          frame_index: 42,
          bbox: [8, 4, 16, 32],
          keypoints: [null, ...Array.from({ length: 16 }, (_, i) => [16, 2.5 * (i + 1), 0.9])],
        },
      ],
      final: true,
    });
    // AND t3's box [40, 10, 20, 20] is the 25-pixel square at (38, 8): keypoint 16 at (50.5, 33)
    expect(t3!.track_id).toBe("t3");
    expect(t3!.seq).toBe(0);
    expect(t3!.final).toBeUndefined();
    expect(t3!.frames[0]!.keypoints[16]).toEqual([50.5, 33, 0.9]);
    // AND every record passes the pose contract
    expect(records().map((r) => POSE_RECORD.parse(r).ok)).toEqual([true, true]);
  });

  it.each([
    [
      "a missing sidecar",
      async () => ({ [KEY]: await jpeg() }),
      "frame s3://raw/m1/cam1/000042.jpg: its sidecar s3://raw/m1/cam1/000042.json does not exist: the sampler must upload the sidecar before the JPEG",
    ],
    [
      "a sidecar that is not JSON",
      async () => ({ [KEY]: await jpeg(), [sidecarKey(KEY)]: Buffer.from("{oops") }),
      "frame s3://raw/m1/cam1/000042.jpg: its sidecar m1/cam1/000042.json is invalid: not JSON:",
    ],
    [
      "a sidecar that breaks sideline.frame.v1",
      async () => ({
        [KEY]: await jpeg(),
        [sidecarKey(KEY)]: json(sidecar({ subjects: [{ seq: 0, bbox: [1, 1, 5, 5] }] })),
      }),
      "frame s3://raw/m1/cam1/000042.jpg: its sidecar m1/cam1/000042.json is invalid: subjects.0: a subject needs player_id or track_id",
    ],
    [
      "a JPEG that does not decode",
      async () => ({ [KEY]: (await jpeg()).subarray(0, 100), [sidecarKey(KEY)]: json(sidecar()) }),
      "frame s3://raw/m1/cam1/000042.jpg: the JPEG cannot be decoded:",
    ],
    [
      "a sidecar for another image size",
      async () => ({ [KEY]: await jpeg(32, 48), [sidecarKey(KEY)]: json(sidecar()) }),
      "frame s3://raw/m1/cam1/000042.jpg: the sidecar says 64×48 but the JPEG is 32×48: its boxes would be in the wrong pixels",
    ],
    [
      "a box outside the image",
      async () => ({
        [KEY]: await jpeg(),
        [sidecarKey(KEY)]: json(
          sidecar({
            subjects: [
              { player_id: "p7", seq: 5, bbox: [8, 4, 16, 32] },
              { player_id: "p8", seq: 1, bbox: [200, 4, 10, 10] },
            ],
          }),
        ),
      }),
      "frame s3://raw/m1/cam1/000042.jpg: subject box 1 [200, 4, 10, 10]: lies outside the 64×48 image",
    ],
    [
      "a JPEG deleted since its event",
      async () => ({ [sidecarKey(KEY)]: json(sidecar()) }),
      "frame s3://raw/m1/cam1/000042.jpg: the JPEG is gone",
    ],
  ])("fails a frame with %s, naming the object and the reason, and puts nothing", async (_what, objects, message) => {
    const { invoke, sent } = await setup(await objects());
    await expect(invoke(objectCreated(KEY))).rejects.toThrow(message);
    expect(sent).toEqual([]);
  });

  it("fails a frame whose model server fails, putting none of its records", async () => {
    const down: PoseEstimator = {
      estimate: async () => {
        throw new Error("InvokeEndpoint on 'pose' failed: ServiceUnavailable: busy");
      },
    };
    const { invoke, sent } = await setup({ [KEY]: await jpeg(), [sidecarKey(KEY)]: json(sidecar()) }, down);
    await expect(invoke(objectCreated(KEY))).rejects.toThrow(
      "frame s3://raw/m1/cam1/000042.jpg: pose estimation failed: InvokeEndpoint on 'pose' failed: ServiceUnavailable: busy",
    );
    expect(sent).toEqual([]);
  });

  it("skips an object that is not a frame JPEG, reading nothing", async () => {
    const { invoke, reads } = await setup({});
    expect(await invoke(objectCreated("m1/cam1/000042.json"))).toEqual({
      status: "skipped",
      key: "m1/cam1/000042.json",
      reason: "not a frame JPEG (.jpg, .jpeg)",
    });
    expect(reads).toEqual([]);
    // AND the rule pattern sends only JPEGs
    expect(FRAME_OBJECT_PATTERN.detail.object.key).toEqual([{ suffix: ".jpg" }, { suffix: ".jpeg" }]);
  });

  it("fails an event that is not S3's Object Created, quoting it", async () => {
    const { invoke } = await setup({});
    await expect(invoke({ source: "aws.s3", "detail-type": "Object Deleted", detail: {} })).rejects.toThrow(
      'not an S3 "Object Created" event from EventBridge: {"source":"aws.s3","detail-type":"Object Deleted","detail":{}}',
    );
  });
});
