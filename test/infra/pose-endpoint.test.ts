/**
 * The pose endpoints, construct by construct: the model (image, environment, model data, role), the
 * real-time endpoint (AMI pin, volume key rule, data capture, target tracking) and the batch endpoint
 * (asynchronous output under the data key, encrypted topics, scale to zero and the wake-up alarm).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { App, RemovalPolicy, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { Bucket, BucketEncryption } from "aws-cdk-lib/aws-s3";
import { BATCH_PREFIXES, PoseBatchEndpoint } from "../../lib/constructs/pose-batch-endpoint.js";
import {
  POSE_ENDPOINT_DEFAULTS,
  PoseEndpoint,
  type PoseEndpointProps,
  PoseModel,
  TRITON_ENVIRONMENT,
} from "../../lib/constructs/pose-endpoint.js";
import type { Resources } from "./app.js";

/** cdk.json's context (partition literals, minimized policies), as the app synthesizes. */
const CONTEXT = (
  JSON.parse(readFileSync(fileURLToPath(new URL("../../cdk.json", import.meta.url)), "utf8")) as {
    context: Record<string, unknown>;
  }
).context;
const MODEL_DATA = "s3://club-models-example/movenet/2026-05/model.tar.gz";
const SLR =
  "role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint";

/** GIVEN a stack in eu-west-1 with a key, a pose bucket and the model. */
function given(region = "eu-west-1") {
  const stack = new Stack(new App({ context: CONTEXT }), "T", { env: { account: "111122223333", region } });
  const key = new Key(stack, "DataKey");
  const opsKey = new Key(stack, "OpsKey");
  const bucket = new Bucket(stack, "Pose", { encryption: BucketEncryption.KMS, encryptionKey: key });
  const model = new PoseModel(stack, "Model", { modelDataUrl: MODEL_DATA });
  const common = { dataKey: key, opsKey, logRetention: RetentionDays.ONE_WEEK, removalPolicy: RemovalPolicy.DESTROY };
  const endpoint = (over: Partial<PoseEndpointProps> = {}) =>
    new PoseEndpoint(stack, "Endpoint", {
      ...common,
      model,
      endpointName: "sideline-pose-test",
      captureBucket: bucket,
      ...over,
    });
  const batch = () =>
    new PoseBatchEndpoint(stack, "Batch", { ...common, model, endpointName: "sideline-pose-batch-test", bucket });
  return { stack, key, bucket, model, endpoint, batch };
}

const ref = (t: Template, type: string, props: Record<string, unknown> = {}) => {
  const found = Object.keys(t.findResources(type, props));
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe("PoseModel", () => {
  it("runs the region's Triton image on the user's model data, verbose logging off, network isolated", () => {
    const { stack } = given();
    Template.fromStack(stack).hasResourceProperties("AWS::SageMaker::Model", {
      EnableNetworkIsolation: true,
      PrimaryContainer: {
        Image: "763104351884.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-tritonserver:25.09-py3",
        ModelDataUrl: MODEL_DATA,
        Environment: { SAGEMAKER_TRITON_DEFAULT_MODEL_NAME: "movenet", SAGEMAKER_TRITON_LOG_VERBOSE: "false" },
      },
    });
    expect(TRITON_ENVIRONMENT).toEqual({
      SAGEMAKER_TRITON_DEFAULT_MODEL_NAME: "movenet",
      SAGEMAKER_TRITON_LOG_VERBOSE: "false",
    });
  });

  it("lets its role read the one model object and pull the one image repository", () => {
    const { stack } = given();
    const t = Template.fromStack(stack);
    t.hasResourceProperties("AWS::IAM::Policy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: "s3:GetObject",
            Effect: "Allow",
            Resource: "arn:aws:s3:::club-models-example/movenet/2026-05/model.tar.gz",
          },
          {
            Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            Effect: "Allow",
            Resource: "arn:aws:ecr:eu-west-1:763104351884:repository/sagemaker-tritonserver",
          },
        ]),
      },
    });
    // AND the model waits for that policy (SageMaker checks the role's access at CreateModel)
    const policy = ref(t, "AWS::IAM::Policy");
    expect(Object.values(t.findResources("AWS::SageMaker::Model") as Resources)[0]).toMatchObject({
      DependsOn: [policy],
    });
  });

  it("fails on model data that is not an s3:// URI", () => {
    const stack = new Stack(new App(), "T", { env: { region: "eu-west-1" } });
    expect(() => new PoseModel(stack, "M", { modelDataUrl: "https://example.com/model.tar.gz" })).toThrow(
      "pose: modelDataUrl must be an s3://bucket/key URI, got 'https://example.com/model.tar.gz'",
    );
  });
});

describe("PoseEndpoint", () => {
  it("pins the production variant to the image's AMI on the configured GPU", () => {
    const { stack, endpoint } = given();
    endpoint({ instanceType: "ml.g6.xlarge", minInstances: 2, maxInstances: 3 });
    const t = Template.fromStack(stack);
    t.hasResourceProperties("AWS::SageMaker::EndpointConfig", {
      ProductionVariants: [
        {
          VariantName: "movenet",
          ModelName: { "Fn::GetAtt": [ref(t, "AWS::SageMaker::Model"), "ModelName"] },
          InstanceType: "ml.g6.xlarge",
          InitialInstanceCount: 2,
          InitialVariantWeight: 1,
          InferenceAmiVersion: "al2-ami-sagemaker-inference-gpu-3-1",
          ContainerStartupHealthCheckTimeoutInSeconds: 600,
        },
      ],
    });
    t.hasResourceProperties("AWS::SageMaker::Endpoint", {
      EndpointName: "sideline-pose-test",
      RetainAllVariantProperties: true,
      ExcludeRetainedVariantProperties: [{ VariantPropertyType: "DataCaptureConfig" }],
    });
  });

  it("leaves KmsKeyId off the configuration on GPUs with local NVMe (SageMaker refuses it), and keeps capture under the data key", () => {
    const { stack, endpoint, key, bucket } = given();
    endpoint();
    const t = Template.fromStack(stack);
    const config = Object.values(t.findResources("AWS::SageMaker::EndpointConfig") as Resources)[0]!.Properties!;
    expect(config.KmsKeyId).toBeUndefined();
    // THEN capture samples 1% of requests and responses, to capture/ in the pose bucket, under the data key
    expect(stack.resolve(config.DataCaptureConfig)).toEqual({
      EnableCapture: true,
      InitialSamplingPercentage: POSE_ENDPOINT_DEFAULTS.dataCapturePercent,
      DestinationS3Uri: {
        "Fn::Join": ["", ["s3://", { Ref: stack.getLogicalId(bucket.node.defaultChild as never) }, "/capture"]],
      },
      KmsKeyId: { "Fn::GetAtt": [stack.getLogicalId(key.node.defaultChild as never), "Arn"] },
      CaptureOptions: [{ CaptureMode: "Input" }, { CaptureMode: "Output" }],
    });
    expect(POSE_ENDPOINT_DEFAULTS.dataCapturePercent).toBe(1);
  });

  it("turns data capture off at 0%", () => {
    const { stack, endpoint } = given();
    endpoint({ dataCapturePercent: 0 });
    const config = Object.values(
      Template.fromStack(stack).findResources("AWS::SageMaker::EndpointConfig") as Resources,
    )[0]!;
    expect(config.Properties!.DataCaptureConfig).toBeUndefined();
  });

  it("tracks SageMakerVariantInvocationsPerInstance between min and max, through SageMaker's service-linked role", () => {
    const { stack, endpoint } = given();
    endpoint({ minInstances: 1, maxInstances: 4, invocationsPerInstance: 250 });
    const t = Template.fromStack(stack);
    const ep = ref(t, "AWS::SageMaker::Endpoint");
    t.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", {
      ServiceNamespace: "sagemaker",
      ScalableDimension: "sagemaker:variant:DesiredInstanceCount",
      ResourceId: { "Fn::Join": ["", ["endpoint/", { "Fn::GetAtt": [ep, "EndpointName"] }, "/variant/movenet"]] },
      MinCapacity: 1,
      MaxCapacity: 4,
      RoleARN: `arn:aws:iam::111122223333:${SLR}`,
    });
    t.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", {
      PolicyType: "TargetTrackingScaling",
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: "SageMakerVariantInvocationsPerInstance" },
        TargetValue: 250,
        ScaleOutCooldown: 60,
        ScaleInCooldown: 900,
      },
    });
  });

  it("sends its container logs to a retained, encrypted log group of its own name, made before the endpoint", () => {
    const { stack, endpoint } = given();
    endpoint();
    const t = Template.fromStack(stack);
    const logs = ref(t, "AWS::Logs::LogGroup", {
      Properties: { LogGroupName: "/aws/sagemaker/Endpoints/sideline-pose-test" },
    });
    t.hasResourceProperties("AWS::Logs::LogGroup", {
      LogGroupName: "/aws/sagemaker/Endpoints/sideline-pose-test",
      KmsKeyId: Match.anyValue(),
      RetentionInDays: 7,
    });
    expect(Object.values(t.findResources("AWS::SageMaker::Endpoint") as Resources)[0]).toMatchObject({
      DependsOn: [logs],
    });
  });

  it("grants InvokeEndpoint on its own ARN only", () => {
    const { stack, endpoint } = given();
    const ep = endpoint();
    const role = new Role(stack, "Caller", { assumedBy: new ServicePrincipal("lambda.amazonaws.com") });
    ep.grantInvoke(role);
    const t = Template.fromStack(stack);
    t.hasResourceProperties("AWS::IAM::Policy", {
      Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as never) }],
      PolicyDocument: {
        Statement: [
          {
            Action: "sagemaker:InvokeEndpoint",
            Effect: "Allow",
            Resource: { Ref: ref(t, "AWS::SageMaker::Endpoint") },
          },
        ],
      },
    });
  });

  it.each([
    [
      { minInstances: 0 },
      "pose endpoint: minInstances must be an integer of 1 or more (a real-time endpoint keeps one), got 0",
    ],
    [
      { minInstances: 3, maxInstances: 2 },
      "pose endpoint: maxInstances must be an integer of at least minInstances (3), got 2",
    ],
    [{ dataCapturePercent: 101 }, "pose endpoint: dataCapturePercent must be an integer from 0 to 100, got 101"],
    [{ instanceType: "ml.p3.2xlarge" }, /'ml\.p3\.2xlarge' has no GPU the Triton image supports/],
  ])("fails on %j, saying what to change", (over, message) => {
    const { endpoint } = given();
    expect(() => endpoint(over)).toThrow(message);
  });
});

describe("PoseBatchEndpoint", () => {
  it("writes results and failures to the pose bucket under the data key and notifies encrypted topics", () => {
    const { stack, batch, key, bucket } = given();
    batch();
    const t = Template.fromStack(stack);
    const b = stack.getLogicalId(bucket.node.defaultChild as never);
    const k = stack.getLogicalId(key.node.defaultChild as never);
    const topicResources = t.findResources("AWS::SNS::Topic") as Resources;
    const topics = Object.keys(topicResources).sort();
    expect(topics).toHaveLength(2);
    for (const topic of Object.values(topicResources))
      expect(topic.Properties!.KmsMasterKeyId).toEqual({ "Fn::GetAtt": [k, "Arn"] });
    const config = Object.values(t.findResources("AWS::SageMaker::EndpointConfig") as Resources)[0]!.Properties!;
    expect(config.AsyncInferenceConfig).toEqual({
      ClientConfig: { MaxConcurrentInvocationsPerInstance: 4 },
      OutputConfig: {
        S3OutputPath: { "Fn::Join": ["", ["s3://", { Ref: b }, `/${BATCH_PREFIXES.output}`]] },
        S3FailurePath: { "Fn::Join": ["", ["s3://", { Ref: b }, `/${BATCH_PREFIXES.failure}`]] },
        KmsKeyId: { "Fn::GetAtt": [k, "Arn"] },
        NotificationConfig: {
          SuccessTopic: { Ref: topics.find((x) => x.startsWith("BatchSuccess")) },
          ErrorTopic: { Ref: topics.find((x) => x.startsWith("BatchErrors")) },
        },
      },
    });
    expect(config.ProductionVariants).toEqual([
      expect.objectContaining({ InferenceAmiVersion: "al2-ami-sagemaker-inference-gpu-3-1", InitialInstanceCount: 1 }),
    ]);
  });

  it("scales to zero, tracks ApproximateBacklogSizePerInstance, and wakes from zero on HasBacklogWithoutCapacity", () => {
    const { stack, batch } = given();
    batch();
    const t = Template.fromStack(stack);
    const target = ref(t, "AWS::ApplicationAutoScaling::ScalableTarget");
    t.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", { MinCapacity: 0, MaxCapacity: 2 });
    t.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", {
      ScalingTargetId: { Ref: target },
      PolicyType: "TargetTrackingScaling",
      TargetTrackingScalingPolicyConfiguration: {
        CustomizedMetricSpecification: {
          MetricName: "ApproximateBacklogSizePerInstance",
          Namespace: "AWS/SageMaker",
          Dimensions: [{ Name: "EndpointName", Value: "sideline-pose-batch-test" }],
          Statistic: "Average",
        },
        TargetValue: 5,
        ScaleInCooldown: 600,
        ScaleOutCooldown: 300,
      },
    });
    // THEN the step policy adds one instance whenever the alarm is in ALARM
    const step = ref(t, "AWS::ApplicationAutoScaling::ScalingPolicy", { Properties: { PolicyType: "StepScaling" } });
    t.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", {
      ScalingTargetId: { Ref: target },
      PolicyType: "StepScaling",
      StepScalingPolicyConfiguration: {
        AdjustmentType: "ChangeInCapacity",
        MetricAggregationType: "Average",
        Cooldown: 300,
        StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
      },
    });
    // AND the alarm is AWS's: HasBacklogWithoutCapacity >= 1 for two of two minutes, missing data left missing
    t.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/SageMaker",
      MetricName: "HasBacklogWithoutCapacity",
      Dimensions: [{ Name: "EndpointName", Value: "sideline-pose-batch-test" }],
      Statistic: "Average",
      Period: 60,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "missing",
      AlarmActions: [{ Ref: step }],
    });
  });

  it("lets the model's role read requests under batch/input/ and publish to its two topics", () => {
    const { stack, batch, bucket } = given();
    batch();
    const t = Template.fromStack(stack);
    const b = stack.getLogicalId(bucket.node.defaultChild as never);
    t.hasResourceProperties("AWS::IAM::Policy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ["s3:GetBucket*", "s3:GetObject*", "s3:List*"],
            Resource: [
              { "Fn::GetAtt": [b, "Arn"] },
              { "Fn::Join": ["", [{ "Fn::GetAtt": [b, "Arn"] }, "/batch/input/*"]] },
            ],
          }),
          Match.objectLike({
            Action: "sns:Publish",
            Resource: Match.arrayWith([Match.objectLike({ Ref: Match.anyValue() })]),
          }),
        ]),
      },
    });
  });
});
