/**
 * The pose invoker's cloud edges without AWS: the SageMaker adapter through the real SageMaker
 * Runtime client against a stand-in endpoint on 127.0.0.1 (the local server's routes, a fake model),
 * the Kinesis sink and the S3 reader against fake clients, and the environment's validation.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { PutRecordsCommand, PutRecordsCommandOutput } from "@aws-sdk/client-kinesis";
import type { GetObjectCommand } from "@aws-sdk/client-s3";
import { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { KinesisProducer } from "../../lambdas/adapters/aws/kinesis-producer.js";
import { SageMakerPoseEstimator } from "../../lambdas/adapters/aws/sagemaker-pose.js";
import { encodeRequest, MOVENET, movenetRequest, sagemakerContentType } from "../../lambdas/adapters/kserve.js";
import { POSE_RECORD, POSE_SCHEMA_V1, type PoseChunk } from "../../lambdas/contracts/records/pose.js";
import { poseInvokerEnvSchema } from "../../lambdas/functions/pose-invoker/env.js";
import { s3ObjectReader } from "../../lambdas/functions/pose-invoker/s3-objects.js";
import { parseEnv } from "../../lambdas/runtime/env.js";
import { inferenceRoutes } from "../../local/pose/server.js";

const CROP = MOVENET.size * MOVENET.size * 3;
const crop = (v: number) => new Uint8Array(CROP).fill(v);

/** Every keypoint at (0.25, 0.75) with score 0.5, for each crop. */
const fakeModel = {
  infer: async (_data: Int32Array, n: number) => {
    const out = new Float32Array(n * 51);
    for (let i = 0; i < n * 17; i++) out.set([0.75, 0.25, 0.5], i * 3);
    return out;
  },
};

describe("SageMakerPoseEstimator (the real SageMaker Runtime client, a stand-in endpoint)", () => {
  const seen: { path: string; contentType: string | undefined; body: Buffer }[] = [];
  let server: Server;
  let client: SageMakerRuntimeClient;
  let failNext: number | null = null;

  beforeAll(async () => {
    const routes = inferenceRoutes(fakeModel);
    const read = async (req: IncomingMessage) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    };
    server = createServer((req, res) => {
      void read(req).then(async (body) => {
        seen.push({ path: req.url ?? "", contentType: req.headers["content-type"], body });
        if (failNext !== null) {
          // SageMaker's own error for a container's 4xx: ModelError
          res.writeHead(failNext, { "content-type": "application/json", "x-amzn-errortype": "ModelError" });
          res.end(JSON.stringify({ message: "Received client error (400) from primary" }));
          return;
        }
        // What SageMaker does: /endpoints/<name>/invocations reaches the container's /invocations
        const r = await routes({
          method: "POST",
          path: "/invocations",
          headers: { "content-type": req.headers["content-type"] },
          body,
        });
        res.writeHead(r.status, r.headers);
        res.end(r.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    client = new SageMakerRuntimeClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: "eu-west-1",
      credentials: { accessKeyId: "LOCAL", secretAccessKey: "LOCAL" },
      requestHandler: new NodeHttpHandler(),
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(() => {
    seen.length = 0;
    failNext = null;
  });

  it("sends the contract's binary body with SageMaker Triton's content type, and decodes the answer", async () => {
    // GIVEN two crops and an estimator without the flip test
    const estimator = new SageMakerPoseEstimator(client, "pose-endpoint", { flipTest: false });
    // WHEN estimated
    const found = await estimator.estimate([crop(10), crop(20)]);
    // THEN one InvokeEndpoint carried exactly the contract's bytes
    const expected = encodeRequest(movenetRequest([crop(10), crop(20)]), { binary: true });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.path).toBe("/endpoints/pose-endpoint/invocations");
    expect(seen[0]!.contentType).toBe(sagemakerContentType(expected));
    expect(seen[0]!.body.equals(expected.body)).toBe(true);
    // AND the keypoints came back per crop, as x, y, score
    expect(found).toHaveLength(2);
    expect(found[1]![16]).toEqual([0.25, 0.75, 0.5]);
  });

  it("splits crops into requests of ENDPOINT_MAX_CROPS, the flip test's mirrors included", async () => {
    const estimator = new SageMakerPoseEstimator(client, "pose-endpoint", { maxCropsPerRequest: 1, concurrency: 2 });
    await estimator.estimate([crop(1), crop(2)]);
    expect(seen).toHaveLength(4);
  });

  it("fails naming the endpoint when SageMaker answers with an error", async () => {
    failNext = 424;
    const estimator = new SageMakerPoseEstimator(client, "pose-endpoint", { flipTest: false });
    await expect(estimator.estimate([crop(1)])).rejects.toThrow(
      /^InvokeEndpoint on 'pose-endpoint' failed: ModelError/,
    );
  });
});

describe("KinesisProducer, as the pose invoker puts records", () => {
  const chunk: PoseChunk = {
    schema: POSE_SCHEMA_V1,
    match_id: "m1",
    player_id: "p7",
    camera_id: "cam1",
    seq: 3,
    model: { id: "movenet-singlepose-lightning", version: "4" },
    image: { width: 64, height: 48 },
    t0: 1_000,
    frames: [{ t: 0, keypoints: Array.from({ length: 17 }, () => null) }],
  };

  it("puts records keyed by match and subject, retrying the entries a response marks failed", async () => {
    // GIVEN a stream that throttles the second record once
    const calls: PutRecordsCommand["input"][] = [];
    const client = {
      send: async (cmd: PutRecordsCommand): Promise<PutRecordsCommandOutput> => {
        calls.push(cmd.input);
        const fail = calls.length === 1;
        return {
          FailedRecordCount: fail ? 1 : 0,
          Records: (cmd.input.Records ?? []).map((_, i) =>
            fail && i === 1
              ? { ErrorCode: "ProvisionedThroughputExceededException" }
              : { SequenceNumber: "1", ShardId: "s" },
          ),
          $metadata: {},
        };
      },
    };
    const sink = new KinesisProducer(client as never, "pose", POSE_RECORD, {
      backoff: { attempts: 3, baseMs: 1, maxMs: 1, sleep: async () => undefined },
    });
    // WHEN two records are put and flushed
    await sink.put(chunk);
    await sink.put({ ...chunk, player_id: "p8" });
    await sink.flush();
    // THEN the second went again, alone
    expect(calls.map((c) => c.Records!.map((r) => r.PartitionKey))).toEqual([
      ["m1/p7/cam1", "m1/p8/cam1"],
      ["m1/p8/cam1"],
    ]);
    expect(JSON.parse(Buffer.from(calls[0]!.Records![0]!.Data!).toString())).toEqual(chunk);
    // AND a flush with nothing put sends nothing
    await sink.flush();
    expect(calls).toHaveLength(2);
  });

  it("fails naming the stream when entries keep failing", async () => {
    const client = {
      send: async (cmd: PutRecordsCommand) => ({
        FailedRecordCount: 1,
        Records: (cmd.input.Records ?? []).map(() => ({ ErrorCode: "InternalFailure" })),
      }),
    };
    const sink = new KinesisProducer(client as never, "pose", POSE_RECORD, {
      backoff: { attempts: 2, baseMs: 1, maxMs: 1, sleep: async () => undefined },
    });
    await sink.put(chunk);
    await expect(sink.flush()).rejects.toThrow(
      "PutRecords to pose: 1 entries still failing after 2 attempts (InternalFailure)",
    );
    expect(() => new KinesisProducer(client as never, "", POSE_RECORD)).toThrow("the Kinesis stream name is empty");
  });
});

describe("s3ObjectReader", () => {
  it("reads an object's bytes, and null for a key that does not exist", async () => {
    const client = {
      send: async (cmd: GetObjectCommand) => {
        if (cmd.input.Key === "gone.json")
          throw Object.assign(new Error("The specified key does not exist."), { name: "NoSuchKey" });
        if (cmd.input.Key === "denied.json") throw Object.assign(new Error("Access Denied"), { name: "AccessDenied" });
        return { Body: { transformToByteArray: async () => Uint8Array.from([1, 2, 3]) } };
      },
    };
    const reader = s3ObjectReader(client as never);
    expect(await reader.get("raw", "f.jpg")).toEqual(Uint8Array.from([1, 2, 3]));
    expect(await reader.get("raw", "gone.json")).toBeNull();
    await expect(reader.get("raw", "denied.json")).rejects.toThrow("Access Denied");
  });
});

describe("the pose invoker's environment", () => {
  const base = {
    POSE_STREAM_NAME: "pose",
    ENDPOINT_NAME: "ep",
    MODEL_ID: "movenet-singlepose-lightning",
    MODEL_VERSION: "4",
  };

  it("takes the four names, with defaults for the rest", () => {
    expect(parseEnv(poseInvokerEnvSchema, base)).toEqual({
      ...base,
      ENDPOINT_MAX_CROPS: 1,
      ENDPOINT_CONCURRENCY: 4,
      POSE_FLIP_TEST: true,
    });
    expect(
      parseEnv(poseInvokerEnvSchema, {
        ...base,
        ENDPOINT_MAX_CROPS: "14",
        POSE_FLIP_TEST: "false",
        INFERENCE_COMPONENT_NAME: "ic",
      }),
    ).toMatchObject({ ENDPOINT_MAX_CROPS: 14, POSE_FLIP_TEST: false, INFERENCE_COMPONENT_NAME: "ic" });
  });

  it("fails naming every bad variable", () => {
    expect(() =>
      parseEnv(poseInvokerEnvSchema, {
        ...base,
        ENDPOINT_NAME: undefined,
        ENDPOINT_MAX_CROPS: "15",
        POSE_FLIP_TEST: "yes",
      }),
    ).toThrow(
      "invalid Lambda environment: ENDPOINT_NAME is not set; ENDPOINT_MAX_CROPS must be a whole number from 1 to 14, got '15'; POSE_FLIP_TEST must be true or false, got 'yes'",
    );
  });
});
