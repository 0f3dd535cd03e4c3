import { Duration, type RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import type { IStream } from "aws-cdk-lib/aws-kinesis";
import type { IKey } from "aws-cdk-lib/aws-kms";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Bucket, IBucket } from "aws-cdk-lib/aws-s3";
import type { Construct } from "constructs";
import type { SidelineConfig } from "../config.js";
import type { PoseResources } from "../constructs/pose-alarms.js";
import { BATCH_PREFIXES, PoseBatchEndpoint } from "../constructs/pose-batch-endpoint.js";
import { DATA_CAPTURE_PREFIX, PoseEndpoint, PoseModel } from "../constructs/pose-endpoint.js";
import { PoseInvoker } from "../constructs/pose-invoker.js";
import { SecureBucket } from "../constructs/secure-bucket.js";
import { allowDecrypt } from "../data-access.js";

/**
 * Captured requests and batch requests, results and failures hold player images or keypoints: kept
 * 30 days, long enough to investigate a match's drift or collect a backfill's results, then expired.
 * Keypoints live on in the lake, images in the raw archive.
 */
const POSE_BUCKET_DAYS = 30;

/** The real-time endpoint's name; `sideline endpoint` uses it by default (sideline-pose-dev). */
export const poseEndpointName = (stage: string) => `sideline-pose-${stage}`;
/** The batch (asynchronous) endpoint's name. */
export const poseBatchEndpointName = (stage: string) => `sideline-pose-batch-${stage}`;

export interface PoseStackProps extends StackProps {
  readonly stageName: string;
  /** Keypoints are biometric data: the endpoints' volumes, data capture, batch results and the invoker's queue. */
  readonly biometricKey: IKey;
  readonly opsKey: IKey;
  /** The raw archive: sampled frames arrive under frames/; its EventBridge notifications are turned on. */
  readonly rawArchive: IBucket;
  /** Where the pose bucket's access logs go. */
  readonly accessLogs: IBucket;
  /** The pose modality's stream (built by its FeatureExtractor): the invoker writes keypoints to it. */
  readonly poseStream: IStream;
  readonly config: Pick<
    SidelineConfig,
    | "poseModelDataUrl"
    | "poseInstanceType"
    | "poseImageTag"
    | "poseMinInstances"
    | "poseMaxInstances"
    | "poseInvocationsPerInstance"
    | "poseBatchMaxInstances"
    | "poseDataCapturePercent"
    | "poseModelId"
    | "poseModelVersion"
  >;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Video pose in the cloud: MoveNet on Triton (PoseModel), the real-time endpoint the invoker calls
 * (PoseEndpoint), the batch endpoint for recorded video (PoseBatchEndpoint), the invoker that turns
 * sampled frames into pose records (PoseInvoker), and the pose bucket (data capture, batch requests
 * and results). Deployed only with the `pose` context key.
 */
export class PoseStack extends Stack implements PoseResources {
  readonly bucket: Bucket;
  readonly model: PoseModel;
  readonly endpoint: PoseEndpoint;
  readonly batch: PoseBatchEndpoint;
  readonly invoker: PoseInvoker;

  constructor(scope: Construct, id: string, props: PoseStackProps) {
    super(scope, id, props);
    const c = props.config;
    if (!c.poseModelDataUrl)
      throw new Error("pose stack: poseModelDataUrl is not set: give the s3:// URI of your model.tar.gz");
    const common = {
      dataKey: props.biometricKey,
      opsKey: props.opsKey,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    };
    const expire = (prefix: string) => ({
      id: `expire-${prefix.replace(/\//g, "-")}`,
      prefix: `${prefix}/`,
      expiration: Duration.days(POSE_BUCKET_DAYS),
    });
    this.bucket = new SecureBucket(this, "Inference", {
      encryptionKey: props.biometricKey,
      accessLogs: props.accessLogs,
      removalPolicy: props.removalPolicy,
      lifecycleRules: [DATA_CAPTURE_PREFIX, ...Object.values(BATCH_PREFIXES)].map(expire),
    }).bucket;
    this.model = new PoseModel(this, "Model", { modelDataUrl: c.poseModelDataUrl, imageTag: c.poseImageTag });
    this.endpoint = new PoseEndpoint(this, "Endpoint", {
      ...common,
      model: this.model,
      endpointName: poseEndpointName(props.stageName),
      captureBucket: this.bucket,
      instanceType: c.poseInstanceType,
      minInstances: c.poseMinInstances,
      maxInstances: c.poseMaxInstances,
      invocationsPerInstance: c.poseInvocationsPerInstance,
      dataCapturePercent: c.poseDataCapturePercent,
    });
    this.batch = new PoseBatchEndpoint(this, "Batch", {
      ...common,
      model: this.model,
      endpointName: poseBatchEndpointName(props.stageName),
      bucket: this.bucket,
      instanceType: c.poseInstanceType,
      maxInstances: c.poseBatchMaxInstances,
    });
    this.invoker = new PoseInvoker(this, "Invoker", {
      ...common,
      frames: props.rawArchive,
      poseStream: props.poseStream,
      endpoint: this.endpoint,
      modelId: c.poseModelId,
      modelVersion: c.poseModelVersion,
    });
    // The endpoints read batch requests back under the biometric key (the invoker only writes keypoints: no tag).
    allowDecrypt(this.model.role, "biometric");
  }
}
