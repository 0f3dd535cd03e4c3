/**
 * The batch twin of the pose endpoint: an asynchronous inference endpoint for recorded video (season
 * backfills, matches processed after the whistle). Requests wait in SageMaker's queue, results land
 * in S3 under the data key, success and error notices go to encrypted SNS topics, and the endpoint
 * scales to zero when idle, waking on the HasBacklogWithoutCapacity alarm (AWS's documented pattern:
 * https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-autoscale.html).
 * Construct bodies run in a fixed order: validate the props, build, grant, expose.
 */
import { Duration, type RemovalPolicy } from "aws-cdk-lib";
import {
  AdjustmentType,
  MetricAggregationType,
  ScalableTarget,
  ServiceNamespace,
  StepScalingAction,
} from "aws-cdk-lib/aws-applicationautoscaling";
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  type MetricOptions,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { ApplicationScalingAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { IKey } from "aws-cdk-lib/aws-kms";
import type { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import { CfnEndpoint, CfnEndpointConfig } from "aws-cdk-lib/aws-sagemaker";
import { Topic } from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import { acknowledge, nagArn } from "../nag.js";
import {
  endpointLogGroup,
  POSE_ENDPOINT_DEFAULTS,
  POSE_VARIANT_NAME,
  type PoseModel,
  sagemakerAutoScalingRole,
} from "./pose-endpoint.js";
import { acceptsVolumeKmsKey, assertTritonGpu, volumeKeyReason } from "./triton-image.js";

/** Where batch requests and their results live in the pose bucket. */
export const BATCH_PREFIXES = { input: "batch/input", output: "batch/output", failure: "batch/failure" } as const;

/** The defaults, with the reason for each number (the scaling values are AWS's documented example). */
export const POSE_BATCH_DEFAULTS = {
  maxInstances: 2,
  /**
   * Queued requests per instance the target tracking policy aims at: 5, the value of AWS's example;
   * a request is a batch of crops, seconds of GPU work, so 5 waiting is a short queue.
   */
  backlogPerInstance: 5,
  /** Requests SageMaker hands one instance at once: 4 keeps the GPU busy while inputs download. */
  maxConcurrentInvocationsPerInstance: 4,
  /** AWS's example: scale in after 10 idle minutes, out again after 5. */
  scaleInCooldown: Duration.minutes(10),
  scaleOutCooldown: Duration.minutes(5),
  /** The wake-up step policy's cooldown, as AWS's example. */
  wakeCooldown: Duration.minutes(5),
} as const;

export interface PoseBatchEndpointProps {
  readonly model: PoseModel;
  readonly endpointName: string;
  /** Encrypts results, the SNS topics and, where the instance type allows it, the storage volume. */
  readonly dataKey: IKey;
  /** Encrypts the endpoint's log group. */
  readonly opsKey: IKey;
  /** Holds requests (batch/input/), results (batch/output/) and failures (batch/failure/). */
  readonly bucket: IBucket;
  /** @default POSE_ENDPOINT_DEFAULTS.instanceType (ml.g5.xlarge) */
  readonly instanceType?: string;
  /** The most instances; the least is 0. @default 2 */
  readonly maxInstances?: number;
  /** Target of ApproximateBacklogSizePerInstance. @default 5 */
  readonly backlogPerInstance?: number;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

function validate(p: PoseBatchEndpointProps): void {
  assertTritonGpu(p.instanceType ?? POSE_ENDPOINT_DEFAULTS.instanceType);
  const max = p.maxInstances ?? POSE_BATCH_DEFAULTS.maxInstances;
  if (!Number.isInteger(max) || max < 1)
    throw new Error(`pose batch endpoint: maxInstances must be an integer of 1 or more, got ${max}`);
  const backlog = p.backlogPerInstance ?? POSE_BATCH_DEFAULTS.backlogPerInstance;
  if (!(backlog > 0)) throw new Error(`pose batch endpoint: backlogPerInstance must be positive, got ${backlog}`);
}

/**
 * An asynchronous MoveNet endpoint that costs nothing while idle: min capacity 0, target tracking on
 * ApproximateBacklogSizePerInstance, and a step policy that adds an instance when the
 * HasBacklogWithoutCapacity alarm fires (without it the endpoint would leave zero only once the
 * backlog per instance exceeded the target, which at zero instances it never computes).
 */
export class PoseBatchEndpoint extends Construct {
  readonly endpointName: string;
  readonly variantName = POSE_VARIANT_NAME;
  readonly endpoint: CfnEndpoint;
  readonly endpointConfig: CfnEndpointConfig;
  readonly logGroup: LogGroup;
  /** Notified when a request's result is in S3. */
  readonly successTopic: Topic;
  /** Notified when a request failed; its error is in batch/failure/. */
  readonly errorTopic: Topic;
  readonly scalableTarget: ScalableTarget;
  /** Wakes the endpoint from zero: HasBacklogWithoutCapacity >= 1 for two minutes. */
  readonly wakeAlarm: Alarm;

  constructor(scope: Construct, id: string, props: PoseBatchEndpointProps) {
    super(scope, id);
    validate(props);
    const d = POSE_BATCH_DEFAULTS;
    const instanceType = props.instanceType ?? POSE_ENDPOINT_DEFAULTS.instanceType;
    const role = props.model.role;
    this.endpointName = props.endpointName;

    // Build.
    this.logGroup = endpointLogGroup(this, props.endpointName, props);
    const topic = (tid: string, what: string) =>
      new Topic(this, tid, {
        displayName: `Sideline pose batch ${what}`,
        masterKey: props.dataKey,
        enforceSSL: true,
      });
    this.successTopic = topic("Success", "results");
    this.errorTopic = topic("Errors", "errors");
    this.endpointConfig = new CfnEndpointConfig(this, "Config", {
      productionVariants: [
        {
          variantName: POSE_VARIANT_NAME,
          modelName: props.model.model.attrModelName,
          instanceType,
          // Created with one instance (the API's minimum); autoscaling takes it to zero when idle.
          initialInstanceCount: 1,
          initialVariantWeight: 1,
          inferenceAmiVersion: props.model.inferenceAmiVersion,
          containerStartupHealthCheckTimeoutInSeconds: POSE_ENDPOINT_DEFAULTS.startupHealthCheckTimeout.toSeconds(),
        },
      ],
      ...(acceptsVolumeKmsKey(instanceType) ? { kmsKeyId: props.dataKey.keyArn } : {}),
      asyncInferenceConfig: {
        clientConfig: { maxConcurrentInvocationsPerInstance: d.maxConcurrentInvocationsPerInstance },
        outputConfig: {
          s3OutputPath: props.bucket.s3UrlForObject(BATCH_PREFIXES.output),
          s3FailurePath: props.bucket.s3UrlForObject(BATCH_PREFIXES.failure),
          kmsKeyId: props.dataKey.keyArn,
          // The notices name the result's S3 location only: keypoints stay in S3, not in e-mail.
          notificationConfig: { successTopic: this.successTopic.topicArn, errorTopic: this.errorTopic.topicArn },
        },
      },
    });
    if (!acceptsVolumeKmsKey(instanceType))
      acknowledge(this.endpointConfig, {
        "HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured": volumeKeyReason(instanceType),
      });
    this.endpoint = new CfnEndpoint(this, "Endpoint", {
      endpointName: props.endpointName,
      endpointConfigName: this.endpointConfig.attrEndpointConfigName,
      // A deploy keeps the instance count autoscaling chose (zero when idle).
      retainAllVariantProperties: true,
    });
    this.endpoint.node.addDependency(this.logGroup);
    this.scalableTarget = new ScalableTarget(this, "Scaling", {
      serviceNamespace: ServiceNamespace.SAGEMAKER,
      resourceId: `endpoint/${this.endpoint.attrEndpointName}/variant/${POSE_VARIANT_NAME}`,
      scalableDimension: "sagemaker:variant:DesiredInstanceCount",
      minCapacity: 0,
      maxCapacity: props.maxInstances ?? d.maxInstances,
      role: sagemakerAutoScalingRole(this, "AutoScalingRole"),
    });
    this.scalableTarget.scaleToTrackMetric("BacklogPerInstance", {
      customMetric: this.metric("ApproximateBacklogSizePerInstance", { statistic: "Average" }),
      targetValue: props.backlogPerInstance ?? d.backlogPerInstance,
      scaleInCooldown: d.scaleInCooldown,
      scaleOutCooldown: d.scaleOutCooldown,
    });
    const wake = new StepScalingAction(this, "WakeFromZero", {
      scalingTarget: this.scalableTarget,
      adjustmentType: AdjustmentType.CHANGE_IN_CAPACITY,
      metricAggregationType: MetricAggregationType.AVERAGE,
      cooldown: d.wakeCooldown,
    });
    wake.addAdjustment({ adjustment: 1, lowerBound: 0 });
    this.wakeAlarm = new Alarm(this, "HasBacklogWithoutCapacity", {
      metric: this.metric("HasBacklogWithoutCapacity", { statistic: "Average" }),
      threshold: 1,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.MISSING,
      alarmDescription: `${props.endpointName} has queued requests and no instance: add one`,
    });
    this.wakeAlarm.addAlarmAction(new ApplicationScalingAction(wake));

    // Grant: SageMaker reads requests, writes results and notices, with the model's role.
    this.logGroup.grantWrite(role);
    this.logGroup.grant(role, "logs:CreateLogGroup", "logs:DescribeLogStreams");
    props.bucket.grantRead(role, `${BATCH_PREFIXES.input}/*`);
    props.bucket.grantPut(role, `${BATCH_PREFIXES.output}/*`);
    props.bucket.grantPut(role, `${BATCH_PREFIXES.failure}/*`);
    this.successTopic.grantPublish(role);
    this.errorTopic.grantPublish(role);
    const bucket = nagArn(props.bucket);
    acknowledge(role, {
      [`AwsSolutions-IAM5[Resource::${bucket}/${BATCH_PREFIXES.input}/*]`]:
        "Batch requests are uploaded under batch/input/ with names the caller chooses; SageMaker reads them, in this bucket only.",
      [`AwsSolutions-IAM5[Resource::${bucket}/${BATCH_PREFIXES.output}/*]`]:
        "SageMaker names each result (<inference id>.out) under batch/output/, in this bucket only.",
      [`AwsSolutions-IAM5[Resource::${bucket}/${BATCH_PREFIXES.failure}/*]`]:
        "SageMaker names each failure (<inference id>-error.out) under batch/failure/, in this bucket only.",
      "AwsSolutions-IAM5[Action::s3:GetObject*]":
        "grantRead of batch requests (object and version reads), under batch/input/ only.",
      "AwsSolutions-IAM5[Action::s3:GetBucket*]":
        "grantRead's bucket metadata reads (location), on the pose bucket only.",
      "AwsSolutions-IAM5[Action::s3:List*]": "grantRead's listing, on the pose bucket only.",
    });
  }

  /** A metric of this endpoint in AWS/SageMaker (the asynchronous metrics have the EndpointName dimension only). */
  metric(metricName: string, props: MetricOptions = {}): IMetric {
    return new Metric({
      namespace: "AWS/SageMaker",
      metricName,
      dimensionsMap: { EndpointName: this.endpointName },
      period: Duration.minutes(1),
      ...props,
    });
  }

  /** Age of the oldest queued request, seconds. */
  metricApproximateAgeOfOldestRequest(props: MetricOptions = {}): IMetric {
    return this.metric("ApproximateAgeOfOldestRequest", { statistic: "Maximum", ...props });
  }

  metricApproximateBacklogSize(props: MetricOptions = {}): IMetric {
    return this.metric("ApproximateBacklogSize", { statistic: "Average", ...props });
  }
}
