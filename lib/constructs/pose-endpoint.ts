/**
 * MoveNet on NVIDIA Triton behind SageMaker: the model (PoseModel: the Triton image of the region,
 * the user's ONNX model repository, an execution role), and the real-time endpoint the pose invoker
 * calls (PoseEndpoint: a GPU production variant pinned to the image's AMI, sampled and encrypted data
 * capture, target-tracking autoscaling, its metrics). The batch twin is in pose-batch-endpoint.ts.
 * Construct bodies run in a fixed order: validate the props, build, grant, expose.
 */
import { Duration, type RemovalPolicy, Stack, Token } from "aws-cdk-lib";
import {
  PredefinedMetric,
  ScalableTarget,
  ServiceNamespace,
  type TargetTrackingScalingPolicy,
} from "aws-cdk-lib/aws-applicationautoscaling";
import { type IMetric, Metric, type MetricOptions } from "aws-cdk-lib/aws-cloudwatch";
import { Repository } from "aws-cdk-lib/aws-ecr";
import {
  Effect,
  Grant,
  type IGrantable,
  type IRole,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import { CfnEndpoint, CfnEndpointConfig, CfnModel } from "aws-cdk-lib/aws-sagemaker";
import { Construct } from "constructs";
import { acknowledge, inlinePolicyReason, nagArn } from "../nag.js";
import {
  acceptsVolumeKmsKey,
  assertTritonGpu,
  inferenceAmiFor,
  TRITON_IMAGE,
  TRITON_REPOSITORY,
  type TritonImage,
  tritonImage,
  volumeKeyReason,
} from "./triton-image.js";

/** The model directory in the tarball (models/movenet/config.pbtxt's `name`). */
export const TRITON_MODEL_NAME = "movenet";
/** The production variant of both endpoints: autoscaling and metrics name it. */
export const POSE_VARIANT_NAME = "movenet";

/**
 * The container's environment, read by Triton's SageMaker entry point (docker/sagemaker/serve in
 * https://github.com/triton-inference-server/server).
 */
export const TRITON_ENVIRONMENT = {
  /** Load movenet/ from the model repository (the serve script passes --load-model=movenet). */
  SAGEMAKER_TRITON_DEFAULT_MODEL_NAME: TRITON_MODEL_NAME,
  /** The serve script turns verbose logging on unless this is set: a log line per request, in CloudWatch. */
  SAGEMAKER_TRITON_LOG_VERBOSE: "false",
} as const;

/** The defaults, with the reason for each number. */
export const POSE_ENDPOINT_DEFAULTS = {
  instanceType: "ml.g5.xlarge",
  minInstances: 1,
  maxInstances: 2,
  /** See DEFAULTS.poseInvocationsPerInstance (lib/config.ts): 10 requests/s x 60 x 0.5. */
  invocationsPerInstance: 300,
  /** See DEFAULTS.poseDataCapturePercent (lib/config.ts): captures hold player images. */
  dataCapturePercent: 1,
  /**
   * Scale out a minute after the last scale-out: a GPU instance takes minutes to start anyway, so
   * waiting longer only adds queueing.
   */
  scaleOutCooldown: Duration.minutes(1),
  /** Scale in no sooner than a half-time (15 minutes): the second half needs what the first did. */
  scaleInCooldown: Duration.minutes(15),
  /**
   * 10 minutes for /ping after start: Triton initialises CUDA and ONNX Runtime and loads the model
   * first (ContainerStartupHealthCheckTimeoutInSeconds, 60-3600 s).
   */
  startupHealthCheckTimeout: Duration.minutes(10),
} as const;

/** The prefix of captured requests in the capture bucket. */
export const DATA_CAPTURE_PREFIX = "capture";

const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(\S+)$/;

/** The service-linked role Application Auto Scaling uses for SageMaker variants (created on first use). */
export function sagemakerAutoScalingRole(scope: Construct, id: string): IRole {
  const stack = Stack.of(scope);
  return Role.fromRoleArn(
    scope,
    id,
    stack.formatArn({
      service: "iam",
      region: "",
      resource: "role",
      resourceName:
        "aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint",
    }),
    { mutable: false },
  );
}

/**
 * The endpoint's container log group, made here so it has a retention and the ops key: SageMaker
 * writes to /aws/sagemaker/Endpoints/<endpoint name> and would otherwise create it without either.
 */
export function endpointLogGroup(
  scope: Construct,
  endpointName: string,
  p: { opsKey: IKey; logRetention: RetentionDays; removalPolicy: RemovalPolicy },
): LogGroup {
  return new LogGroup(scope, "Logs", {
    logGroupName: `/aws/sagemaker/Endpoints/${endpointName}`,
    encryptionKey: p.opsKey,
    retention: p.logRetention,
    removalPolicy: p.removalPolicy,
  });
}

export interface PoseModelProps {
  /** s3:// URI of the Triton model repository tarball (movenet/config.pbtxt, movenet/1/model.onnx). */
  readonly modelDataUrl: string;
  /**
   * The sagemaker-tritonserver tag; the endpoints' InferenceAmiVersion follows from it.
   * @default TRITON_IMAGE.tag (25.09-py3)
   */
  readonly imageTag?: string;
}

/**
 * The SageMaker model: the Triton image of the stack's region, the user's model repository, the
 * container environment, and an execution role that may read this one model object, pull this one
 * image repository and write the endpoints' logs and metrics. Network isolation is on: the container
 * needs no network, SageMaker fetches the artifact before it starts.
 */
export class PoseModel extends Construct {
  readonly role: Role;
  readonly model: CfnModel;
  readonly image: TritonImage;
  readonly imageTag: string;
  /** The production variant's InferenceAmiVersion for this image; undefined for SageMaker's default AMI. */
  readonly inferenceAmiVersion: string | undefined;

  constructor(scope: Construct, id: string, props: PoseModelProps) {
    super(scope, id);
    const tag = props.imageTag ?? TRITON_IMAGE.tag;
    this.inferenceAmiVersion = inferenceAmiFor(tag);
    const uri = Token.isUnresolved(props.modelDataUrl) ? undefined : S3_URI.exec(props.modelDataUrl);
    if (!Token.isUnresolved(props.modelDataUrl) && !uri)
      throw new Error(`pose: modelDataUrl must be an s3://bucket/key URI, got '${props.modelDataUrl}'`);

    // Build.
    this.imageTag = tag;
    this.image = tritonImage(this, tag);
    this.role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("sagemaker.amazonaws.com"),
      description: "Sideline pose model: Triton on SageMaker",
    });
    this.model = new CfnModel(this, "Model", {
      executionRoleArn: this.role.roleArn,
      enableNetworkIsolation: true,
      primaryContainer: {
        image: this.image.imageUri,
        modelDataUrl: props.modelDataUrl,
        environment: { ...TRITON_ENVIRONMENT },
      },
    });

    // Grant: one object, GetObject only (narrower than grantRead, which adds List* and GetBucket*).
    const objectArn = uri
      ? Stack.of(this).formatArn({ service: "s3", region: "", account: "", resource: uri[1]!, resourceName: uri[2]! })
      : undefined;
    if (objectArn) this.role.addToPolicy(new PolicyStatement({ actions: ["s3:GetObject"], resources: [objectArn] }));
    Repository.fromRepositoryAttributes(this, "TritonRepository", {
      repositoryArn: this.image.repositoryArn,
      repositoryName: TRITON_REPOSITORY,
    }).grantPull(this.role);
    // Instance metrics (CPU, GPU, memory, disk) go to /aws/sagemaker/Endpoints.
    this.role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ["cloudwatch:PutMetricData"],
        resources: ["*"],
        conditions: { StringLike: { "cloudwatch:namespace": "/aws/sagemaker/*" } },
      }),
    );
    // SageMaker checks the role's access when it creates the model: its policy must exist first.
    this.model.node.addDependency(this.role.node.findChild("DefaultPolicy"));
    acknowledge(this.role, {
      "AwsSolutions-IAM5[Resource::*]":
        "ecr:GetAuthorizationToken and cloudwatch:PutMetricData support no resource narrower than * (service authorization references); PutMetricData is limited to the /aws/sagemaker/* namespaces by condition.",
      ...inlinePolicyReason("The pose model's SageMaker execution role"),
    });
  }
}

export interface PoseEndpointProps {
  readonly model: PoseModel;
  /** The endpoint's name: fixed, so the invoker, the CLI and the log group can name it. */
  readonly endpointName: string;
  /** Encrypts captured requests and, where the instance type allows it, the endpoint's storage volume. */
  readonly dataKey: IKey;
  /** Encrypts the endpoint's log group. */
  readonly opsKey: IKey;
  /** Where sampled requests and responses are captured, under capture/. */
  readonly captureBucket: IBucket;
  /** @default POSE_ENDPOINT_DEFAULTS.instanceType (ml.g5.xlarge) */
  readonly instanceType?: string;
  /** Instances at creation and the autoscaling minimum (1 or more). @default 1 */
  readonly minInstances?: number;
  /** @default 2 */
  readonly maxInstances?: number;
  /** Target of SageMakerVariantInvocationsPerInstance, invocations per instance per minute. @default 300 */
  readonly invocationsPerInstance?: number;
  /** Percentage of requests captured, 0-100; 0 turns capture off. @default 1 */
  readonly dataCapturePercent?: number;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

function validate(p: PoseEndpointProps): void {
  assertTritonGpu(p.instanceType ?? POSE_ENDPOINT_DEFAULTS.instanceType);
  const min = p.minInstances ?? POSE_ENDPOINT_DEFAULTS.minInstances;
  const max = p.maxInstances ?? POSE_ENDPOINT_DEFAULTS.maxInstances;
  if (!Number.isInteger(min) || min < 1)
    throw new Error(
      `pose endpoint: minInstances must be an integer of 1 or more (a real-time endpoint keeps one), got ${min}`,
    );
  if (!Number.isInteger(max) || max < min)
    throw new Error(`pose endpoint: maxInstances must be an integer of at least minInstances (${min}), got ${max}`);
  const target = p.invocationsPerInstance ?? POSE_ENDPOINT_DEFAULTS.invocationsPerInstance;
  if (!(target > 0)) throw new Error(`pose endpoint: invocationsPerInstance must be positive, got ${target}`);
  const pct = p.dataCapturePercent ?? POSE_ENDPOINT_DEFAULTS.dataCapturePercent;
  if (!Number.isInteger(pct) || pct < 0 || pct > 100)
    throw new Error(`pose endpoint: dataCapturePercent must be an integer from 0 to 100, got ${pct}`);
}

/**
 * The real-time MoveNet endpoint: one GPU production variant pinned to the Triton image's AMI, the
 * data key on its storage volume where the instance type allows one (GPU instances with local NVMe
 * are encrypted by the instance instead), sampled data capture to the capture bucket under the data
 * key, and target tracking on SageMakerVariantInvocationsPerInstance between min and max instances.
 */
export class PoseEndpoint extends Construct {
  readonly endpointName: string;
  readonly variantName = POSE_VARIANT_NAME;
  readonly endpoint: CfnEndpoint;
  readonly endpointConfig: CfnEndpointConfig;
  readonly logGroup: LogGroup;
  readonly scalableTarget: ScalableTarget;
  readonly scalingPolicy: TargetTrackingScalingPolicy;

  constructor(scope: Construct, id: string, props: PoseEndpointProps) {
    super(scope, id);
    validate(props);
    const d = POSE_ENDPOINT_DEFAULTS;
    const instanceType = props.instanceType ?? d.instanceType;
    const minInstances = props.minInstances ?? d.minInstances;
    const capturePercent = props.dataCapturePercent ?? d.dataCapturePercent;
    const role = props.model.role;
    this.endpointName = props.endpointName;

    // Build.
    this.logGroup = endpointLogGroup(this, props.endpointName, props);
    this.endpointConfig = new CfnEndpointConfig(this, "Config", {
      productionVariants: [
        {
          variantName: POSE_VARIANT_NAME,
          modelName: props.model.model.attrModelName,
          instanceType,
          initialInstanceCount: minInstances,
          initialVariantWeight: 1,
          inferenceAmiVersion: props.model.inferenceAmiVersion,
          containerStartupHealthCheckTimeoutInSeconds: d.startupHealthCheckTimeout.toSeconds(),
        },
      ],
      ...(acceptsVolumeKmsKey(instanceType) ? { kmsKeyId: props.dataKey.keyArn } : {}),
      ...(capturePercent > 0
        ? {
            dataCaptureConfig: {
              enableCapture: true,
              initialSamplingPercentage: capturePercent,
              destinationS3Uri: props.captureBucket.s3UrlForObject(DATA_CAPTURE_PREFIX),
              kmsKeyId: props.dataKey.keyArn,
              captureOptions: [{ captureMode: "Input" }, { captureMode: "Output" }],
            },
          }
        : {}),
    });
    if (!acceptsVolumeKmsKey(instanceType))
      acknowledge(this.endpointConfig, {
        "HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured": volumeKeyReason(instanceType),
      });
    this.endpoint = new CfnEndpoint(this, "Endpoint", {
      endpointName: props.endpointName,
      endpointConfigName: this.endpointConfig.attrEndpointConfigName,
      // A deploy keeps the instance count autoscaling chose (not InitialInstanceCount), but applies the
      // template's data capture settings (UpdateEndpoint's RetainAllVariantProperties).
      retainAllVariantProperties: true,
      excludeRetainedVariantProperties: [{ variantPropertyType: "DataCaptureConfig" }],
    });
    this.endpoint.node.addDependency(this.logGroup);
    this.scalableTarget = new ScalableTarget(this, "Scaling", {
      serviceNamespace: ServiceNamespace.SAGEMAKER,
      resourceId: `endpoint/${this.endpoint.attrEndpointName}/variant/${POSE_VARIANT_NAME}`,
      scalableDimension: "sagemaker:variant:DesiredInstanceCount",
      minCapacity: minInstances,
      maxCapacity: props.maxInstances ?? d.maxInstances,
      role: sagemakerAutoScalingRole(this, "AutoScalingRole"),
    });
    this.scalingPolicy = this.scalableTarget.scaleToTrackMetric("InvocationsPerInstance", {
      predefinedMetric: PredefinedMetric.SAGEMAKER_VARIANT_INVOCATIONS_PER_INSTANCE,
      targetValue: props.invocationsPerInstance ?? d.invocationsPerInstance,
      scaleOutCooldown: d.scaleOutCooldown,
      scaleInCooldown: d.scaleInCooldown,
    });

    // Grant: SageMaker writes the container's logs and the captured requests with the model's role.
    this.logGroup.grantWrite(role);
    this.logGroup.grant(role, "logs:CreateLogGroup", "logs:DescribeLogStreams");
    props.captureBucket.grantPut(role, `${DATA_CAPTURE_PREFIX}/*`);
    acknowledge(role, {
      [`AwsSolutions-IAM5[Resource::${nagArn(props.captureBucket)}/${DATA_CAPTURE_PREFIX}/*]`]:
        "Data capture writes files SageMaker names (<endpoint>/<variant>/<yyyy>/<mm>/<dd>/<hh>/<id>.jsonl) under capture/, in this bucket only.",
      "AwsSolutions-IAM5[Action::s3:Abort*]":
        "grantPut lets SageMaker abort its failed multipart uploads of captured or batch data, in the pose bucket only.",
      "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]":
        "SSE-KMS writes of captured requests and batch results need GenerateDataKey variants, on the one data key only.",
      "AwsSolutions-IAM5[Action::kms:ReEncrypt*]": "grantPut's ReEncrypt variants, on the one data key only.",
    });
  }

  /** The endpoint's ARN (its Ref). */
  get endpointArn(): string {
    return this.endpoint.ref;
  }

  /** sagemaker:InvokeEndpoint on this endpoint only. */
  grantInvoke(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({ grantee, actions: ["sagemaker:InvokeEndpoint"], resourceArns: [this.endpointArn] });
  }

  /** A metric of this endpoint's variant in AWS/SageMaker. */
  metric(metricName: string, props: MetricOptions = {}): IMetric {
    return new Metric({
      namespace: "AWS/SageMaker",
      metricName,
      dimensionsMap: { EndpointName: this.endpointName, VariantName: POSE_VARIANT_NAME },
      period: Duration.minutes(1),
      ...props,
    });
  }

  /** Time the container took to answer, microseconds. */
  metricModelLatency(props: MetricOptions = {}): IMetric {
    return this.metric("ModelLatency", { statistic: "p90", ...props });
  }

  /** Requests the model answered with a 5xx (failed inferences). */
  metricInvocation5XXErrors(props: MetricOptions = {}): IMetric {
    return this.metric("Invocation5XXErrors", { statistic: "Sum", ...props });
  }

  /** Requests the model refused with a 4xx (malformed payloads). */
  metricInvocation4XXErrors(props: MetricOptions = {}): IMetric {
    return this.metric("Invocation4XXErrors", { statistic: "Sum", ...props });
  }

  metricInvocations(props: MetricOptions = {}): IMetric {
    return this.metric("Invocations", { statistic: "Sum", ...props });
  }
}
