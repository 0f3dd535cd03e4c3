/**
 * The pose invoker construct: the rule that starts it (S3 Object Created of JPEGs under frames/ in the
 * raw archive), its retry policy and DLQ, the function (arm64, sharp installed for linux arm64 beside
 * the bundle), and least-privilege grants: reads under frames/, InvokeEndpoint on the one endpoint,
 * writes to the pose stream.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { App, RemovalPolicy, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { Stream, StreamEncryption } from "aws-cdk-lib/aws-kinesis";
import { Key } from "aws-cdk-lib/aws-kms";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { Bucket, BucketEncryption } from "aws-cdk-lib/aws-s3";
import { MAX_CROPS_PER_REQUEST, MOVENET_CROP_BYTES } from "../../lambdas/adapters/kserve.js";
import { poseInvokerEnvSchema } from "../../lambdas/functions/pose-invoker/env.js";
import { PoseEndpoint, PoseModel } from "../../lib/constructs/pose-endpoint.js";
import {
  enableEventBridgeNotifications,
  POSE_INVOKER_DEFAULTS,
  PoseInvoker,
  type PoseInvokerProps,
} from "../../lib/constructs/pose-invoker.js";
import { nativeModuleHooks, PROJECT_ROOT } from "../../lib/constructs/sideline-function.js";
import type { Resources } from "./app.js";

const CONTEXT = (
  JSON.parse(readFileSync(fileURLToPath(new URL("../../cdk.json", import.meta.url)), "utf8")) as {
    context: Record<string, unknown>;
  }
).context;

/** GIVEN the raw archive, the pose stream and the endpoint, in one stack (bundling skipped). */
function given() {
  const app = new App({ context: { ...CONTEXT, "aws:cdk:bundling-stacks": [] } });
  const stack = new Stack(app, "T", { env: { account: "111122223333", region: "eu-west-1" } });
  const key = new Key(stack, "DataKey");
  const raw = new Bucket(stack, "Raw", { encryption: BucketEncryption.KMS, encryptionKey: key });
  const poseStream = new Stream(stack, "PoseStream", { encryption: StreamEncryption.KMS, encryptionKey: key });
  const common = {
    dataKey: key,
    opsKey: key,
    logRetention: RetentionDays.ONE_WEEK,
    removalPolicy: RemovalPolicy.DESTROY,
  };
  const model = new PoseModel(stack, "Model", { modelDataUrl: "s3://club-models-example/movenet/model.tar.gz" });
  const capture = new Bucket(stack, "Capture", { encryption: BucketEncryption.KMS, encryptionKey: key });
  const endpoint = new PoseEndpoint(stack, "Endpoint", {
    ...common,
    model,
    endpointName: "sideline-pose-test",
    captureBucket: capture,
  });
  const invoker = (over: Partial<PoseInvokerProps> = {}) =>
    new PoseInvoker(stack, "Invoker", {
      ...common,
      frames: raw,
      poseStream,
      endpoint,
      modelId: "movenet-singlepose-lightning",
      modelVersion: "4",
      ...over,
    });
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
  return { stack, key, raw, poseStream, endpoint, invoker, id };
}

describe("PoseInvoker", () => {
  // One invoker for the tests that only read its template.
  let g: ReturnType<typeof given>;
  let inv: PoseInvoker;
  let t: Template;
  beforeAll(() => {
    g = given();
    inv = g.invoker();
    t = Template.fromStack(g.stack);
  });

  it("is started by S3 Object Created events of JPEGs under frames/ in the raw archive, which sends them to EventBridge", () => {
    const { raw, id } = g;
    t.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: {
        source: ["aws.s3"],
        "detail-type": ["Object Created"],
        detail: {
          bucket: { name: [{ Ref: id(raw) }] },
          object: { key: [{ wildcard: "frames/*.jpg" }, { wildcard: "frames/*.jpeg" }] },
        },
      },
    });
    t.hasResourceProperties("AWS::S3::Bucket", {
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
  });

  it("retries delivery 8 times within an hour, then dead-letters, and the function's own failures go to the same queue", () => {
    const { stack } = g;
    const dlq = stack.getLogicalId(inv.deadLetterQueue.node.defaultChild as never);
    const fn = stack.getLogicalId(inv.function.node.defaultChild as never);
    t.hasResourceProperties("AWS::Events::Rule", {
      Targets: [
        {
          Arn: { "Fn::GetAtt": [fn, "Arn"] },
          Id: "Target0",
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: { "Fn::GetAtt": [dlq, "Arn"] } },
        },
      ],
    });
    t.hasResourceProperties("AWS::Lambda::Function", {
      DeadLetterConfig: { TargetArn: { "Fn::GetAtt": [dlq, "Arn"] } },
    });
    t.hasResourceProperties("AWS::SQS::Queue", {
      KmsMasterKeyId: Match.anyValue(),
      MessageRetentionPeriod: 14 * 86400,
    });
    // AND EventBridge may send to the queue for this rule only
    t.hasResourceProperties("AWS::SQS::QueuePolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: "sqs:SendMessage",
            Principal: { Service: "events.amazonaws.com" },
            Condition: {
              ArnEquals: { "aws:SourceArn": { "Fn::GetAtt": [Match.stringLikeRegexp("InvokerFrameCreated"), "Arn"] } },
            },
          }),
        ]),
      },
    });
  });

  it("runs on arm64 with the endpoint, stream, model and crops per request in its environment", () => {
    const { poseStream, id } = g;
    t.hasResourceProperties("AWS::Lambda::Function", {
      Architectures: ["arm64"],
      Runtime: "nodejs22.x",
      MemorySize: POSE_INVOKER_DEFAULTS.memorySize,
      Timeout: 30,
      Environment: {
        Variables: Match.objectLike({
          POSE_STREAM_NAME: { Ref: id(poseStream) },
          ENDPOINT_NAME: "sideline-pose-test",
          MODEL_ID: "movenet-singlepose-lightning",
          MODEL_VERSION: "4",
          ENDPOINT_MAX_CROPS: "13",
        }),
      },
    });
  });

  it("sends as many crops per request as the endpoint's body limit and Triton batch allow, and the invoker accepts", () => {
    const batch = Number(
      /max_batch_size:\s*(\d+)/.exec(readFileSync(`${PROJECT_ROOT}/models/movenet/config.pbtxt`, "utf8"))![1],
    );
    expect(POSE_INVOKER_DEFAULTS.maxCropsPerRequest).toBeLessThanOrEqual(Math.min(batch, MAX_CROPS_PER_REQUEST));
    // 6 MB read as 6,000,000 bytes still holds the crops and the header allowance
    expect(POSE_INVOKER_DEFAULTS.maxCropsPerRequest * MOVENET_CROP_BYTES + 4096).toBeLessThanOrEqual(6_000_000);
    const env = poseInvokerEnvSchema.parse({
      POSE_STREAM_NAME: "s",
      ENDPOINT_NAME: "e",
      MODEL_ID: "m",
      MODEL_VERSION: "4",
      ENDPOINT_MAX_CROPS: String(POSE_INVOKER_DEFAULTS.maxCropsPerRequest),
    });
    expect(env.ENDPOINT_MAX_CROPS).toBe(13);
  });

  it("may read under frames/ only, invoke this one endpoint only, and write to the pose stream", () => {
    const { stack, raw, poseStream, endpoint, id } = g;
    const role = stack.getLogicalId(inv.function.role!.node.defaultChild as never);
    const policy = Object.values(
      t.findResources("AWS::IAM::Policy", { Properties: { Roles: [{ Ref: role }] } }) as Resources,
    )[0]!;
    const statements = (policy.Properties!.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
    const rawArn = { "Fn::GetAtt": [id(raw), "Arn"] };
    expect(statements).toEqual(
      expect.arrayContaining([
        {
          Action: ["s3:GetBucket*", "s3:GetObject*", "s3:List*"],
          Effect: "Allow",
          Resource: [rawArn, { "Fn::Join": ["", [rawArn, "/frames/*"]] }],
        },
        {
          Action: "sagemaker:InvokeEndpoint",
          Effect: "Allow",
          Resource: { Ref: stack.getLogicalId(endpoint.endpoint) },
        },
        {
          Action: ["kinesis:ListShards", "kinesis:PutRecord", "kinesis:PutRecords"],
          Effect: "Allow",
          Resource: { "Fn::GetAtt": [id(poseStream), "Arn"] },
        },
      ]),
    );
    // THEN no other SageMaker action, and no SageMaker or S3 action on *
    for (const s of statements) {
      const actions = ([] as string[]).concat(s.Action as string | string[]);
      if (actions.some((a) => a.startsWith("sagemaker:"))) expect(actions).toEqual(["sagemaker:InvokeEndpoint"]);
      if (actions.some((a) => a.startsWith("sagemaker:") || a.startsWith("s3:"))) expect(s.Resource).not.toEqual("*");
    }
  });

  it("installs sharp for linux arm64 (glibc) beside the bundle, at the version package-lock.json pins", () => {
    const { version } = JSON.parse(readFileSync(`${PROJECT_ROOT}node_modules/sharp/package.json`, "utf8")) as {
      version: string;
    };
    const hooks = nativeModuleHooks(["sharp"]);
    expect(hooks.afterBundling("/in", "/asset-output")).toEqual([
      `npm install --prefix "/asset-output" --no-save --no-package-lock --no-audit --no-fund --omit=dev --os=linux --cpu=arm64 --libc=glibc sharp@${version}`,
    ]);
    expect(hooks.beforeBundling("/in", "/asset-output")).toEqual([]);
  });

  it("fails for an imported bucket, whose notifications it cannot turn on", () => {
    const { stack } = given();
    expect(() => enableEventBridgeNotifications(Bucket.fromBucketName(stack, "Imported", "frames-elsewhere"))).toThrow(
      "pose invoker: bucket T/Imported is imported: turn on its EventBridge notifications where it is defined",
    );
  });

  it.each([
    [
      { framesPrefix: "frames" },
      "pose invoker: framesPrefix must be a key prefix ending in '/', like frames/, got 'frames'",
    ],
    [{ modelVersion: " " }, "pose invoker: modelVersion must not be empty"],
  ])("fails on %j, saying what to change", (over, message) => {
    const { invoker } = given();
    expect(() => invoker(over)).toThrow(message);
  });
});
