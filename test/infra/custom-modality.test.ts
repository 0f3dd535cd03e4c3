/**
 * Adding a modality is a registry entry: a test modality (test/fixtures/modality/steps.ts) added to
 * the registry gets, from CDK synth alone, its stream, extractor function, event source mapping,
 * DLQ, grants, alarms and lake table, with cdk-nag clean.
 */
import { App, RemovalPolicy, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { AttributeType, Table } from "aws-cdk-lib/aws-dynamodb";
import { EventBus } from "aws-cdk-lib/aws-events";
import { Key } from "aws-cdk-lib/aws-kms";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { Bucket } from "aws-cdk-lib/aws-s3";
import { STREAM_MAPPING_DEFAULTS } from "../../lambdas/contracts/defaults.js";
import { MODALITIES } from "../../lambdas/contracts/modalities.js";
import { TABLES } from "../../lambdas/contracts/tables/index.js";
import { FeatureExtractor, type FeatureExtractorProps } from "../../lib/constructs/feature-extractor.js";
import { fieldIdLedger } from "../../lib/iceberg.js";
import type { Registry } from "../../lib/sideline.js";
import { STEP_WINDOWS, STEPS } from "../fixtures/modality/steps.js";
import { buildApp, nagReport, type Resources } from "./app.js";

/** The test table's Iceberg field ids travel with the registry, beside the committed ledger. */
const registry: Registry = {
  modalities: [...MODALITIES, STEPS],
  tables: [...TABLES, STEP_WINDOWS],
  fieldIds: {
    ...fieldIdLedger(),
    [STEP_WINDOWS.name]: {
      lastColumnId: 5,
      columns: { match_id: 1, player_id: 2, window_start: 3, samples: 4, steps: 5 },
      droppedColumns: [],
      lastPartitionId: 1000,
      partitionFields: { match_id: 1000 },
      droppedPartitionFields: [],
    },
  },
};

describe("a modality added to the registry, in CDK", () => {
  const built = buildApp({ stage: "dev" }, false, registry);
  const ingest = Template.fromStack(built.stacks.ingest);
  const fn = () => {
    const fns = ingest.findResources("AWS::Lambda::Function", {
      Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: "StepsFeatures" } } },
    }) as Resources;
    expect(Object.keys(fns)).toHaveLength(1);
    return Object.entries(fns)[0]!;
  };

  it("gets its own encrypted stream beside the registered ones", () => {
    ingest.resourceCountIs("AWS::Kinesis::Stream", MODALITIES.length + 1);
    ingest.hasResourceProperties("AWS::Kinesis::Stream", {
      Name: "sideline-steps-dev",
      StreamEncryption: { EncryptionType: "KMS", KeyId: Match.anyValue() },
    });
  });

  it("gets its extractor function, with its tables' delivery streams and the shared environment", () => {
    const [, f] = fn();
    const vars = (f.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(vars).sort()).toEqual(
      expect.arrayContaining([
        "DELIVERY_STREAMS",
        "EVENT_BUS_NAME",
        "STATE_TABLE_NAME",
        "VISUALS_BUCKET",
        "WINDOW_SECONDS",
      ]),
    );
    expect(f.Properties!.MemorySize).toBe(256);
    expect(JSON.stringify(vars.DELIVERY_STREAMS)).toMatch(/test_step_windows/);
    expect(JSON.stringify(vars.DELIVERY_STREAMS)).toMatch(/quarantine/);
  });

  it("gets an event source mapping from its stream with partial failures, bisection, bounded retries and a DLQ", () => {
    const [fnId] = fn();
    const mappings = ingest.findResources("AWS::Lambda::EventSourceMapping", {
      Properties: { FunctionName: { Ref: fnId } },
    }) as Resources;
    expect(Object.keys(mappings)).toHaveLength(1);
    const p = Object.values(mappings)[0]!.Properties!;
    expect(p).toMatchObject({
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: STREAM_MAPPING_DEFAULTS.retryAttempts,
      StartingPosition: "TRIM_HORIZON",
    });
    const dlq = (p.DestinationConfig as { OnFailure: { Destination: { "Fn::GetAtt": string[] } } }).OnFailure
      .Destination;
    expect(ingest.toJSON().Resources[dlq["Fn::GetAtt"][0]!].Type).toBe("AWS::SQS::Queue");
  });

  it("gets its lake table and delivery stream, and its alarms with actions", () => {
    const lake = Template.fromStack(built.stacks.lakehouse);
    lake.hasResourceProperties("Custom::IcebergTable", { TableName: "test_step_windows" });
    lake.resourceCountIs("AWS::KinesisFirehose::DeliveryStream", TABLES.length + 1);
    const alarms = Template.fromStack(built.stacks.observability).findResources("AWS::CloudWatch::Alarm") as Resources;
    const steps = Object.values(alarms).filter((a) =>
      String(a.Properties!.AlarmDescription).match(/StepsFeatures|steps/),
    );
    expect(steps.map((a) => a.Properties!.AlarmDescription).sort()).toEqual([
      "StepsFeatures invocations failed",
      "StepsFeatures is more than a window behind its stream",
      "StepsFeatures was throttled",
      "producers are throttled writing to the steps stream",
      "steps batches gave up after retries and wait in the DLQ",
    ]);
    for (const a of steps) expect(a.Properties!.AlarmActions).toHaveLength(1);
  });

  it("gets the state table for its own keys only, and a role for the producer it declares when someone is named", () => {
    const [, f] = fn();
    const role = (f.Properties!.Role as { "Fn::GetAtt": string[] })["Fn::GetAtt"][0]!;
    const policies = Object.values(ingest.findResources("AWS::IAM::Policy") as Resources).filter((p) =>
      JSON.stringify(p.Properties!.Roles).includes(role),
    );
    expect(JSON.stringify(policies)).toContain('"dynamodb:LeadingKeys":["steps/*"]');

    const hub = "arn:aws:iam::123456789012:role/pedometer-hub";
    const withHub = Template.fromStack(
      buildApp({ stage: "dev", producerPrincipals: { [STEPS.producer.id]: [hub] } }, false, registry).stacks.ingest,
    );
    const out = (withHub.toJSON().Outputs as Record<string, { Value: { "Fn::GetAtt": string[] } }>)
      .PedometerHubProducerRoleArn;
    expect(out).toBeDefined();
    withHub.hasResourceProperties("AWS::IAM::Role", {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { AWS: hub } })] },
    });
    const stream = Object.entries(withHub.findResources("AWS::Kinesis::Stream") as Resources).find(
      ([, r]) => r.Properties!.Name === "sideline-steps-dev",
    )![0];
    withHub.hasResourceProperties("AWS::IAM::Policy", {
      Roles: [{ Ref: out!.Value["Fn::GetAtt"][0] }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Resource: { "Fn::GetAtt": [stream, "Arn"] } })]),
      },
    });
  });

  it("passes cdk-nag with no unacknowledged finding", () => {
    expect(nagReport({ stage: "dev" }, registry)).toBe("");
  });
});

describe("FeatureExtractor construct", () => {
  const props = (over: Partial<FeatureExtractorProps> = {}): FeatureExtractorProps => {
    const stack = new Stack(new App(), "T");
    const key = new Key(stack, "K");
    return {
      modality: STEPS,
      stageName: "dev",
      dataKey: key,
      opsKey: key,
      shardMode: "on-demand",
      shardCount: 1,
      mapping: { ...STREAM_MAPPING_DEFAULTS },
      stateTable: new Table(stack, "S", { partitionKey: { name: "pk", type: AttributeType.STRING } }),
      bus: new EventBus(stack, "B"),
      deliveryStreams: {},
      visuals: new Bucket(stack, "V"),
      windowSeconds: 60,
      logRetention: RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
      ...over,
    };
  };
  const build = (p: FeatureExtractorProps) => new FeatureExtractor(Stack.of(p.dataKey), "Steps", p);

  it("fails when the lake has no delivery stream for a table the modality writes, naming them", () => {
    expect(() => build(props())).toThrow(
      "modality 'steps' writes test_step_windows, quarantine but the lake has no delivery stream for them: add the tables to the lake",
    );
  });

  it("fails on event source mapping settings outside Lambda's limits", () => {
    const streams = { test_step_windows: {}, quarantine: {} } as unknown as FeatureExtractorProps["deliveryStreams"];
    expect(() =>
      build(props({ deliveryStreams: streams, mapping: { ...STREAM_MAPPING_DEFAULTS, batchSize: 20_000 } })),
    ).toThrow("modality 'steps': mapping batchSize must be an integer from 1 to 10000, got 20000");
  });
});
