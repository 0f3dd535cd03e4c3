/**
 * Pose in the app: off unless the `pose` context key is set, and with it the pose stack (model, the
 * real-time and batch endpoints, the invoker, the pose bucket), the raw archive's EventBridge
 * notifications, the pose alarms with actions, and cdk-nag clean in dev and prod.
 */
import { Template } from "aws-cdk-lib/assertions";
import { poseBatchEndpointName, poseEndpointName } from "../../lib/stacks/pose-stack.js";
import { DEFAULT_ENDPOINT_NAME } from "../../local/cli/commands/endpoint.js";
import { buildApp, type Resources } from "./app.js";
import { buildPoseApp, MODEL_DATA_URL, poseNagReport } from "./pose-app.js";

const rawArchiveOf = (t: Template) =>
  Object.entries(t.findResources("AWS::S3::Bucket") as Resources).find(([id]) => id.startsWith("RawArchive"))![1];

describe("pose off (the default)", () => {
  it("deploys no pose stack and leaves the raw archive's notifications alone", () => {
    const { stacks } = buildApp({ stage: "dev" });
    expect(stacks.pose).toBeUndefined();
    expect(rawArchiveOf(Template.fromStack(stacks.lakehouse)).Properties!.NotificationConfiguration).toBeUndefined();
  });
});

describe("pose on", () => {
  const built = buildPoseApp({ stage: "dev", alarmEmail: "ops@example.com" });
  const pose = Template.fromStack(built.pose);

  it("deploys one model behind a real-time and a batch endpoint, with the documented names", () => {
    pose.resourceCountIs("AWS::SageMaker::Model", 1);
    pose.resourceCountIs("AWS::SageMaker::EndpointConfig", 2);
    const names = Object.values(pose.findResources("AWS::SageMaker::Endpoint") as Resources)
      .map((r) => r.Properties!.EndpointName)
      .sort();
    expect(names).toEqual(["sideline-pose-batch-dev", "sideline-pose-dev"]);
    expect([poseEndpointName("dev"), poseBatchEndpointName("dev")]).toEqual([
      "sideline-pose-dev",
      "sideline-pose-batch-dev",
    ]);
    // AND `sideline endpoint` finds the dev endpoint by default
    expect(DEFAULT_ENDPOINT_NAME).toBe(poseEndpointName("dev"));
    pose.hasResourceProperties("AWS::SageMaker::Model", {
      PrimaryContainer: { ModelDataUrl: MODEL_DATA_URL },
    });
  });

  it("resolves the image by region with a mapping (the stacks are region-agnostic) and pins its AMI on both variants", () => {
    expect(Object.keys(pose.toJSON().Mappings)).toEqual(["SagemakerTritonRegistries"]);
    for (const config of Object.values(pose.findResources("AWS::SageMaker::EndpointConfig") as Resources)) {
      expect(config.Properties!.ProductionVariants).toEqual([
        expect.objectContaining({
          InstanceType: "ml.g5.xlarge",
          InferenceAmiVersion: "al2-ami-sagemaker-inference-gpu-3-1",
        }),
      ]);
    }
  });

  it("writes keypoints to ingest's pose stream and reads frames from the lakehouse's raw archive, which notifies EventBridge", () => {
    const fn = Object.values(
      pose.findResources("AWS::Lambda::Function", {
        Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: "PoseInvoker" } } },
      }) as Resources,
    )[0]!;
    const vars = (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.stringify(vars.POSE_STREAM_NAME)).toMatch(/Sideline-dev-Ingest:ExportsOutputRefPoseStream/);
    const rule = Object.values(pose.findResources("AWS::Events::Rule") as Resources)[0]!;
    expect(JSON.stringify(rule.Properties!.EventPattern)).toMatch(
      /Sideline-dev-Lakehouse:ExportsOutputRefRawArchiveBucket/,
    );
    expect(rawArchiveOf(Template.fromStack(built.stacks.lakehouse)).Properties!.NotificationConfiguration).toEqual({
      EventBridgeConfiguration: { EventBridgeEnabled: true },
    });
  });

  it("keeps captured and batch data 30 days in an encrypted bucket, retained with the stack", () => {
    const bucket = Object.values(pose.findResources("AWS::S3::Bucket") as Resources)[0]!;
    expect(bucket.DeletionPolicy).toBe("Retain");
    const rules = (
      bucket.Properties!.LifecycleConfiguration as { Rules: { Prefix?: string; ExpirationInDays?: number }[] }
    ).Rules;
    expect(rules.filter((r) => r.Prefix).map((r) => [r.Prefix, r.ExpirationInDays])).toEqual([
      ["capture/", 30],
      ["batch/input/", 30],
      ["batch/output/", 30],
      ["batch/failure/", 30],
    ]);
  });

  it("alarms on the endpoint's failed and refused invocations and latency, the invoker's errors and dead letters, and a stuck batch queue", () => {
    const obs = Template.fromStack(built.stacks.observability);
    const topic = Object.keys(obs.findResources("AWS::SNS::Topic"))[0]!;
    const alarms = Object.entries(obs.findResources("AWS::CloudWatch::Alarm") as Resources).filter(([id]) =>
      id.startsWith("PoseInference"),
    );
    expect(alarms.map(([, a]) => [a.Properties!.MetricName, a.Properties!.Threshold]).sort()).toEqual([
      ["ApproximateAgeOfOldestRequest", 3600],
      ["ApproximateNumberOfMessagesVisible", 0],
      ["Errors", 0],
      ["Invocation4XXErrors", 0],
      ["Invocation5XXErrors", 0],
      ["ModelLatency", 100_000],
    ]);
    for (const [, a] of alarms) {
      expect((a.Properties!.Dimensions as unknown[]).length).toBeGreaterThan(0);
      expect(a.Properties!.AlarmActions).toEqual([{ Ref: topic }]);
      expect(a.Properties!.OKActions).toEqual([{ Ref: topic }]);
    }
  });

  it("takes the instance type, instance bounds and image tag from the configuration (before 25.x: SageMaker's default AMI)", () => {
    const t = Template.fromStack(
      buildPoseApp({
        stage: "prod",
        poseInstanceType: "ml.g6.xlarge",
        poseImageTag: "24.09-py3",
        poseMinInstances: 2,
      }).pose,
    );
    for (const config of Object.values(t.findResources("AWS::SageMaker::EndpointConfig") as Resources)) {
      const [variant] = config.Properties!.ProductionVariants as Record<string, unknown>[];
      expect(variant!.InstanceType).toBe("ml.g6.xlarge");
      expect(variant!.InferenceAmiVersion).toBeUndefined();
    }
    t.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", { MinCapacity: 2, MaxCapacity: 4 });
    t.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", { MinCapacity: 0, MaxCapacity: 2 });
  });

  it("fails when pose is on but the pose modality is not deployed", () => {
    expect(() => buildPoseApp({ modalities: "tracking" })).toThrow(
      "context 'pose' needs the pose modality deployed (its stream carries the keypoints): add pose to 'modalities'",
    );
  });

  it("passes cdk-nag's AwsSolutions, Serverless and HIPAA Security packs with no unacknowledged finding, in dev and prod (prod with the VPC endpoints, SageMaker runtime's included)", () => {
    expect(poseNagReport({ stage: "dev" })).toBe("");
    expect(
      poseNagReport({
        stage: "prod",
        vpcEndpoints: {
          vpcId: "vpc-0123456789abcdef0",
          vpcCidr: "10.0.0.0/16",
          subnetIds: ["subnet-0123456789abcdef0"],
        },
      }),
    ).toBe("");
  });
});
