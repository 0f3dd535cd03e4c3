/**
 * The dev stacks' ingest and observability: the tracking stream, its extractor function and event
 * source mapping, the state table, the insights bus and archive, and the alarms and their topic.
 */
import { Match } from "aws-cdk-lib/assertions";
import { STREAM_MAPPING_DEFAULTS } from "../../lambdas/contracts/defaults.js";
import { MODALITIES } from "../../lambdas/contracts/modalities.js";
import { TABLES } from "../../lambdas/contracts/tables/index.js";
import { devTemplates, type Resources, type Templates } from "./app.js";

describe("Sideline stacks (dev): ingest and observability", () => {
  let t: Templates;
  beforeAll(() => {
    t = devTemplates();
  });

  it("encrypts the tracking stream with the data key, on demand by default", () => {
    t.ingest.hasResourceProperties("AWS::Kinesis::Stream", {
      Name: "sideline-tracking-dev",
      StreamEncryption: { EncryptionType: "KMS", KeyId: Match.anyValue() },
      StreamModeDetails: { StreamMode: "ON_DEMAND" },
      RetentionPeriodHours: 24,
    });
  });

  it("runs tracking-features on nodejs22.x, ARM64, traced, with a retained, encrypted log group", () => {
    t.ingest.hasResourceProperties("AWS::Lambda::Function", {
      Runtime: "nodejs22.x",
      Architectures: ["arm64"],
      TracingConfig: { Mode: "Active" },
      MemorySize: 1024,
      LoggingConfig: { LogGroup: Match.anyValue() },
      Environment: {
        Variables: Match.objectLike({
          NODE_OPTIONS: "--enable-source-maps",
          WINDOW_SECONDS: "60",
          STATE_TABLE_NAME: Match.anyValue(),
        }),
      },
    });
    t.ingest.hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: 14, KmsKeyId: Match.anyValue() });
  });

  it("configures the event source mapping for partial failures, bisection, bounded retries and a DLQ", () => {
    const dlq = Object.keys(t.ingest.findResources("AWS::SQS::Queue"))[0]!;
    t.ingest.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: STREAM_MAPPING_DEFAULTS.retryAttempts,
      MaximumRecordAgeInSeconds: STREAM_MAPPING_DEFAULTS.maxRecordAgeHours * 3600,
      ParallelizationFactor: 1,
      MaximumBatchingWindowInSeconds: 1,
      BatchSize: 100,
      StartingPosition: "TRIM_HORIZON",
      DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": [dlq, "Arn"] } } },
    });
    expect(STREAM_MAPPING_DEFAULTS.retryAttempts).toBeLessThanOrEqual(10);
    t.ingest.hasResourceProperties("AWS::SQS::Queue", {
      KmsMasterKeyId: Match.anyValue(),
      MessageRetentionPeriod: 14 * 86400,
    });
    t.ingest.hasResourceProperties("AWS::SQS::QueuePolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
  });

  it("keeps player state in an encrypted DynamoDB table with PITR and TTL", () => {
    t.ingest.hasResourceProperties("AWS::DynamoDB::Table", {
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
      SSESpecification: { SSEEnabled: true, SSEType: "KMS", KMSMasterKeyId: Match.anyValue() },
      TimeToLiveSpecification: { AttributeName: "expires_at", Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it("archives insights on an encrypted custom bus", () => {
    t.insights.hasResourceProperties("AWS::Events::EventBus", {
      Name: "sideline-insights-dev",
      KmsKeyIdentifier: Match.anyValue(),
    });
    t.insights.hasResourceProperties("AWS::Events::Archive", {
      RetentionDays: 365,
      EventPattern: { source: [{ prefix: "sideline." }] },
    });
  });

  it("gives every alarm dimensions and actions on an encrypted topic", () => {
    t.observability.hasResourceProperties("AWS::SNS::Topic", { KmsMasterKeyId: Match.anyValue() });
    t.observability.hasResourceProperties("AWS::SNS::Subscription", { Protocol: "email", Endpoint: "ops@example.com" });
    const topic = Object.keys(t.observability.findResources("AWS::SNS::Topic"))[0]!;
    const alarms = Object.values(t.observability.findResources("AWS::CloudWatch::Alarm") as Resources);
    const metrics = alarms.map((a) => `${a.Properties?.Namespace}/${a.Properties?.MetricName}`).sort();
    const perTable = TABLES.flatMap(() => [
      "AWS/Firehose/DeliveryToIceberg.DataFreshness",
      "AWS/Firehose/DeliveryToIceberg.FailedRowCount",
    ]);
    const perWorkflow = ["scouting", "medical-alert"].flatMap(() => [
      "AWS/States/ExecutionsFailed",
      "AWS/States/ExecutionsTimedOut",
      "AWS/States/ExecutionThrottled",
    ]);
    // Per registered modality: its stream's throttling, its extractor's errors, age and throttles, its DLQ.
    const perExtractor = MODALITIES.flatMap(() => [
      "AWS/Kinesis/PutRecords.ThrottledRecords",
      "AWS/Lambda/Errors",
      "AWS/Lambda/IteratorAge",
      "AWS/Lambda/Throttles",
      "AWS/SQS/ApproximateNumberOfMessagesVisible",
    ]);
    expect(metrics).toEqual(
      [
        ...perTable,
        ...perWorkflow,
        ...perExtractor,
        // the workflow tasks' errors, the bus targets' dead letters and the bus's own dead letters
        "AWS/Lambda/Errors",
        "AWS/SQS/ApproximateNumberOfMessagesVisible",
        "AWS/SQS/ApproximateNumberOfMessagesVisible",
      ].sort(),
    );
    for (const a of alarms) {
      expect((a.Properties?.Dimensions ?? []) as unknown[]).not.toHaveLength(0);
      expect(a.Properties?.AlarmActions).toEqual([{ Ref: topic }]);
      expect(a.Properties?.OKActions).toEqual([{ Ref: topic }]);
    }
    t.observability.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
  });
});
