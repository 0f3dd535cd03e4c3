/**
 * The pose invoker: sampled video frames (JPEGs under frames/ in the raw archive) start it through
 * EventBridge; it crops each subject the frame's sidecar names, asks the real-time pose endpoint,
 * and puts one sideline.pose.v1 record per subject on the pose stream. The function's code is in
 * lambdas/functions/pose-invoker/. Construct bodies run in a fixed order: validate the props, build,
 * grant, expose.
 */
import { Duration, type RemovalPolicy, Stack, Token } from "aws-cdk-lib";
import { Rule } from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import type { IStream } from "aws-cdk-lib/aws-kinesis";
import type { IKey } from "aws-cdk-lib/aws-kms";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import { CfnBucket, type IBucket } from "aws-cdk-lib/aws-s3";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { acknowledge, nagArn } from "../nag.js";
import type { PoseEndpoint } from "./pose-endpoint.js";
import { SidelineFunction } from "./sideline-function.js";

/** The defaults, with the reason for each number. */
export const POSE_INVOKER_DEFAULTS = {
  entry: "lambdas/functions/pose-invoker/index.ts",
  /** The frame sampler's prefix in the raw archive (frame.ts: `<key>.jpg` beside its `<key>.json`). */
  framesPrefix: "frames/",
  /**
   * 1,769 MB: one full vCPU (Lambda's CPU grows with memory and reaches one vCPU there), for sharp's
   * JPEG decode and crops; sharp recommends the most memory affordable
   * (https://sharp.pixelplumbing.com/install#aws-lambda).
   */
  memorySize: 1769,
  /**
   * Crops per InvokeEndpoint request (the invoker's ENDPOINT_MAX_CROPS): 13 INT32 192 x 192 x 3 crops
   * (442,368 bytes each) fit InvokeEndpoint's 6 MB body whether MB means 10^6 or 2^20 bytes (SageMaker
   * Runtime API reference, InvokeEndpoint Body), under models/movenet/config.pbtxt's max_batch_size 32.
   */
  maxCropsPerRequest: 13,
  /** sharp is a native module: installed for linux arm64 (glibc) beside the bundle, not bundled. */
  nativeModules: ["sharp"] as readonly string[],
  /** A frame is an S3 read, a decode, one inference request and one PutRecords: seconds at most. */
  timeout: Duration.seconds(30),
  /**
   * EventBridge's retries of a delivery to Lambda that fails (throttled or refused): 8 over at most
   * an hour, then the DLQ. Lambda then runs the event asynchronously, with its own two retries and
   * the same DLQ. A frame older than an hour is past live analysis; the batch endpoint replays it.
   */
  targetRetryAttempts: 8,
  targetMaxEventAge: Duration.hours(1),
} as const;

/** JPEG keys the rule matches under the prefix: the sampler writes .jpg; .jpeg is accepted too. */
export const FRAME_KEY_SUFFIXES = [".jpg", ".jpeg"] as const;

/** DLQ messages are kept 14 days, SQS's maximum, for inspection and replay. */
const DLQ_RETENTION = Duration.days(14);

/**
 * Turns on the bucket's EventBridge notifications, in the stack that defines it, with the bucket's
 * own CloudFormation property (NotificationConfiguration.EventBridgeConfiguration): CDK's
 * `eventBridgeEnabled` would add a custom resource and its Lambda function instead. Throws for an
 * imported bucket, whose notifications are its owner's to change.
 */
export function enableEventBridgeNotifications(bucket: IBucket): void {
  const cfn = bucket.node.defaultChild;
  if (!(cfn instanceof CfnBucket))
    throw new Error(
      `pose invoker: bucket ${bucket.node.path} is imported: turn on its EventBridge notifications where it is defined`,
    );
  const existing = (cfn.notificationConfiguration ?? {}) as CfnBucket.NotificationConfigurationProperty;
  cfn.notificationConfiguration = { ...existing, eventBridgeConfiguration: { eventBridgeEnabled: true } };
}

/**
 * How cdk-nag names a bucket's ARN in `scope`'s policies: <LogicalId.Arn> in its own stack, or the
 * name of the automatic cross-stack export it is imported by (Stack.exportValue returns that very
 * import, and adds no second export).
 */
function nagBucketArn(scope: Construct, bucket: IBucket): string {
  const owner = Stack.of(bucket);
  if (owner === Stack.of(scope)) return nagArn(bucket);
  const imported = owner.resolve(owner.exportValue(bucket.bucketArn)) as { "Fn::ImportValue": string };
  return imported["Fn::ImportValue"];
}

/** The EventBridge pattern of a JPEG created under the prefix in the bucket. */
export function frameCreatedPattern(bucketName: string, prefix: string) {
  return {
    source: ["aws.s3"],
    detailType: ["Object Created"],
    detail: {
      bucket: { name: [bucketName] },
      object: { key: FRAME_KEY_SUFFIXES.map((suffix) => ({ wildcard: `${prefix}*${suffix}` })) },
    },
  };
}

export interface PoseInvokerProps {
  /** The raw archive: frames and their sidecars arrive under framesPrefix. Its EventBridge notifications are turned on. */
  readonly frames: IBucket;
  /** The pose modality's stream: one record per subject and frame. */
  readonly poseStream: IStream;
  /** The real-time endpoint the invoker calls (and no other). */
  readonly endpoint: PoseEndpoint;
  /** Written into every record: the model that produced the keypoints. */
  readonly modelId: string;
  readonly modelVersion: string;
  /** Encrypts the DLQ. */
  readonly dataKey: IKey;
  /** Encrypts the function's log group. */
  readonly opsKey: IKey;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** @default "frames/" */
  readonly framesPrefix?: string;
  /** The function's entry, relative to the project root. @default "lambdas/functions/pose-invoker/index.ts" */
  readonly entry?: string;
}

function validate(p: PoseInvokerProps): void {
  const prefix = p.framesPrefix ?? POSE_INVOKER_DEFAULTS.framesPrefix;
  if (!/^[A-Za-z0-9!_.'()-]+(\/[A-Za-z0-9!_.'()-]+)*\/$/.test(prefix))
    throw new Error(`pose invoker: framesPrefix must be a key prefix ending in '/', like frames/, got '${prefix}'`);
  for (const [k, v] of Object.entries({ modelId: p.modelId, modelVersion: p.modelVersion }))
    if (!Token.isUnresolved(v) && v.trim() === "") throw new Error(`pose invoker: ${k} must not be empty`);
}

/**
 * The invoker function (sharp installed for linux arm64 beside its bundle), the rule that starts it
 * for each JPEG created under the prefix, with a retry policy and a DLQ shared by the rule target
 * and the function's own asynchronous invocations, and least-privilege grants: reads under the
 * prefix, InvokeEndpoint on the one endpoint, writes to the pose stream.
 */
export class PoseInvoker extends Construct {
  readonly function: SidelineFunction;
  readonly rule: Rule;
  /** Frames the rule could not deliver, or the function failed on after its retries. */
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: PoseInvokerProps) {
    super(scope, id);
    validate(props);
    const d = POSE_INVOKER_DEFAULTS;
    const prefix = props.framesPrefix ?? d.framesPrefix;

    // Build.
    enableEventBridgeNotifications(props.frames);
    this.deadLetterQueue = new Queue(this, "Dlq", {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.dataKey,
      enforceSSL: true,
      retentionPeriod: DLQ_RETENTION,
      removalPolicy: props.removalPolicy,
    });
    this.function = new SidelineFunction(this, "Function", {
      entry: props.entry ?? d.entry,
      description: "Keypoints from sampled video frames: crops, the pose endpoint, the pose stream",
      serviceName: "PoseInvoker",
      logKey: props.opsKey,
      logRetention: props.logRetention,
      logRemovalPolicy: props.removalPolicy,
      memorySize: d.memorySize,
      timeout: d.timeout,
      nativeModules: d.nativeModules,
      deadLetterQueue: this.deadLetterQueue,
      environment: {
        POSE_STREAM_NAME: props.poseStream.streamName,
        ENDPOINT_NAME: props.endpoint.endpointName,
        MODEL_ID: props.modelId,
        MODEL_VERSION: props.modelVersion,
        ENDPOINT_MAX_CROPS: String(d.maxCropsPerRequest),
      },
    });
    this.rule = new Rule(this, "FrameCreated", {
      description: `A sampled frame (JPEG under ${prefix}) starts the pose invoker`,
      eventPattern: frameCreatedPattern(props.frames.bucketName, prefix),
    });
    this.rule.addTarget(
      new targets.LambdaFunction(this.function, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: d.targetRetryAttempts,
        maxEventAge: d.targetMaxEventAge,
      }),
    );

    // Grant.
    props.frames.grantRead(this.function, `${prefix}*`);
    props.endpoint.grantInvoke(this.function);
    props.poseStream.grantWrite(this.function);

    acknowledge(this.deadLetterQueue, {
      "Serverless-SQSRedrivePolicy":
        "This queue is the dead-letter queue; frames are inspected and replayed from it by hand or through the batch endpoint.",
    });
    acknowledge(this.function.role!, {
      [`AwsSolutions-IAM5[Resource::${nagBucketArn(this, props.frames)}/${prefix}*]`]:
        "Frames and their sidecars have names the sampler chooses (<match>/<camera>/<frame>.jpg and .json), read under frames/ only.",
      "AwsSolutions-IAM5[Action::s3:GetObject*]": `grantRead of frames and their sidecars (object and version reads), under ${prefix} only.`,
      "AwsSolutions-IAM5[Action::s3:GetBucket*]":
        "grantRead's bucket metadata reads (location), on the raw archive only.",
      "AwsSolutions-IAM5[Action::s3:List*]":
        "grantRead's listing, on the raw archive only: a missing sidecar then reads as NoSuchKey, not AccessDenied.",
    });
  }
}
