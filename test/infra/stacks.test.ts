import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Match, Template } from "aws-cdk-lib/assertions";
import { STREAM_MAPPING_DEFAULTS } from "../../lambdas/contracts/defaults.js";
import { AUTOMATION_RULES } from "../../lambdas/contracts/events/index.js";
import { PLAYER_WINDOWS, TABLES } from "../../lambdas/contracts/tables/index.js";
import { readNamedQueries } from "../../lib/constructs/analytics-workgroup.js";
import { PROJECT_ROOT } from "../../lib/constructs/sideline-function.js";
import { icebergTableInput } from "../../lib/iceberg.js";
import { TARGET_MAX_EVENT_AGE, TARGET_RETRY_ATTEMPTS } from "../../lib/stacks/automation-stack.js";
import { definitionText, WORKFLOWS } from "../../stepfunctions/definitions.js";
import { type BuiltApp, buildApp } from "./app.js";

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string }>;
interface InputTransformer {
  InputPathsMap: Record<string, string>;
  InputTemplate: string;
}

/**
 * What EventBridge sends for a text template of JSON string lines: each <key> replaced by the value
 * at its path in the event, then each line read as the string it is.
 */
function renderInputTransformer(t: InputTransformer, event: Record<string, unknown>): string[] {
  const at = (path: string) =>
    path
      .replace(/^\$\./, "")
      .split(".")
      .reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], event);
  const filled = t.InputTemplate.replace(/<([\w-]+)>/g, (_, key: string) => String(at(t.InputPathsMap[key]!)));
  return filled.split("\n").map((line) => JSON.parse(line) as string);
}

interface Statement {
  Effect: string;
  Principal: Record<string, unknown>;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}
const THIS_ACCOUNT = { StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } } };
const ACCOUNT_ROOT = {
  "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":iam::", { Ref: "AWS::AccountId" }, ":root"]],
};

/** A command line's words as a POSIX shell splits them, for lines quoted with ' only. */
const shellWords = (line: string) => [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);

describe("Sideline stacks (dev)", () => {
  let built: BuiltApp;
  let t: Record<"security" | "lakehouse" | "insights" | "ingest" | "automation" | "observability", Template>;
  beforeAll(() => {
    built = buildApp({ stage: "dev", alarmEmail: "ops@example.com" });
    const s = built.stacks;
    t = {
      security: Template.fromStack(s.security),
      lakehouse: Template.fromStack(s.lakehouse),
      insights: Template.fromStack(s.insights),
      ingest: Template.fromStack(s.ingest),
      automation: Template.fromStack(s.automation),
      observability: Template.fromStack(s.observability),
    };
  });

  it("has two customer-managed keys with rotation on", () => {
    t.security.resourceCountIs("AWS::KMS::Key", 2);
    t.security.allResourcesProperties("AWS::KMS::Key", { EnableKeyRotation: true });
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

  it("defines Iceberg tables only through openTableFormatInput, generated from the table definitions", () => {
    const tables = t.lakehouse.findResources("AWS::Glue::Table") as Resources;
    expect(Object.keys(tables)).toHaveLength(TABLES.length);
    for (const def of TABLES) {
      const [, res] = Object.entries(tables).find(([, r]) => r.Properties?.Name === def.name)!;
      expect(res.Properties?.TableInput).toBeUndefined(); // no storage descriptor columns (roadmap #1919)
      const input = (res.Properties as { OpenTableFormatInput: { IcebergInput: Record<string, unknown> } })
        .OpenTableFormatInput.IcebergInput;
      const expected = icebergTableInput(def, "s3://placeholder/");
      expect(input.MetadataOperation).toBe("CREATE");
      const iceberg = input.IcebergTableInput as Record<string, unknown>;
      expect(iceberg.Schema).toEqual({
        SchemaId: 0,
        Type: "struct",
        Fields: expected.schema.fields.map((f) => ({
          Id: f.id,
          Name: f.name,
          Type: f.type,
          Required: f.required,
          Doc: f.doc,
        })),
        IdentifierFieldIds: expected.schema.identifierFieldIds,
      });
      expect(iceberg.PartitionSpec).toEqual({
        SpecId: 0,
        Fields: expected.partitionSpec.fields.map((f) => ({
          Name: f.name,
          SourceId: f.sourceId,
          Transform: f.transform,
          FieldId: f.fieldId,
        })),
      });
      expect(iceberg.WriteOrder).toEqual({
        OrderId: 1,
        Fields: expected.writeOrder.fields.map((f) => ({
          SourceId: f.sourceId,
          Transform: f.transform,
          Direction: f.direction,
          NullOrder: f.nullOrder,
        })),
      });
    }
    expect(icebergTableInput(PLAYER_WINDOWS, "s3://w/").partitionSpec.fields.map((f) => [f.name, f.transform])).toEqual(
      [
        ["match_id", "identity"],
        ["window_start_day", "day"],
      ],
    );
  });

  it("gives every table the three Glue optimizers, under one role scoped to the tables", () => {
    const optimizers = Object.values(t.lakehouse.findResources("AWS::Glue::TableOptimizer") as Resources);
    expect(optimizers).toHaveLength(3 * TABLES.length);
    for (const def of TABLES) {
      expect(
        optimizers
          .filter((o) => o.Properties?.TableName === def.name)
          .map((o) => o.Properties?.Type)
          .sort(),
      ).toEqual(["compaction", "orphan_file_deletion", "retention"]);
    }
    t.lakehouse.hasResourceProperties("AWS::Glue::TableOptimizer", {
      Type: "retention",
      TableOptimizerConfiguration: Match.objectLike({
        Enabled: true,
        RetentionConfiguration: {
          IcebergConfiguration: {
            SnapshotRetentionPeriodInDays: 7,
            NumberOfSnapshotsToRetain: 10,
            CleanExpiredFiles: true,
          },
        },
      }),
    });
  });

  it("delivers each table through its own encrypted Firehose stream, upserting on the key", () => {
    t.lakehouse.resourceCountIs("AWS::KinesisFirehose::DeliveryStream", TABLES.length);
    for (const def of TABLES) {
      t.lakehouse.hasResourceProperties("AWS::KinesisFirehose::DeliveryStream", {
        DeliveryStreamType: "DirectPut",
        DeliveryStreamEncryptionConfigurationInput: { KeyType: "CUSTOMER_MANAGED_CMK", KeyARN: Match.anyValue() },
        IcebergDestinationConfiguration: Match.objectLike({
          DestinationTableConfigurationList: [
            {
              DestinationDatabaseName: "sideline_dev",
              DestinationTableName: def.name,
              UniqueKeys: [...def.key],
              S3ErrorOutputPrefix: `${def.name}/!{firehose:error-output-type}/`,
            },
          ],
          BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 128 },
          CloudWatchLoggingOptions: Match.objectLike({ Enabled: true }),
          s3BackupMode: "FailedDataOnly", // sic: the CloudFormation schema spells it so for Iceberg
          S3Configuration: Match.objectLike({
            ErrorOutputPrefix: `${def.name}/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/`,
          }),
          ProcessingConfiguration: {
            Enabled: true,
            Processors: [
              {
                Type: "MetadataExtraction",
                Parameters: [
                  {
                    ParameterName: "MetadataExtractionQuery",
                    ParameterValue: `{destinationDatabaseName: "sideline_dev", destinationTableName: "${def.name}", operation: "update"}`,
                  },
                  { ParameterName: "JsonParsingEngine", ParameterValue: "JQ-1.6" },
                ],
              },
            ],
          },
        }),
      });
    }
  });

  it("configures the Athena workgroup: enforced, engine 3, KMS results, a scan cutoff, metrics", () => {
    t.lakehouse.hasResourceProperties("AWS::Athena::WorkGroup", {
      Name: "sideline-dev",
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        EngineVersion: { SelectedEngineVersion: "Athena engine version 3" },
        BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        PublishCloudWatchMetricsEnabled: true,
        RequesterPaysEnabled: false,
        ResultConfiguration: {
          OutputLocation: Match.anyValue(),
          EncryptionConfiguration: { EncryptionOption: "SSE_KMS", KmsKey: Match.anyValue() },
        },
      },
    });
    const queries = readNamedQueries(join(PROJECT_ROOT, "glue/queries"));
    expect(queries.map((q) => q.name)).toEqual([
      "load_trend",
      "physical_summary",
      "quarantine_review",
      "scouting_board",
      "sprint_leaderboard",
    ]);
    for (const q of queries) {
      t.lakehouse.hasResourceProperties("AWS::Athena::NamedQuery", {
        Name: q.name,
        Database: "sideline_dev",
        QueryString: readFileSync(join(PROJECT_ROOT, "glue/queries", `${q.name}.sql`), "utf8").trim(),
      });
    }
  });

  it("secures every bucket: public access blocked, TLS enforced, KMS (SSE-S3 only for access logs), logged", () => {
    const buckets = t.lakehouse.findResources("AWS::S3::Bucket") as Resources;
    expect(Object.keys(buckets)).toHaveLength(5);
    const logBucket = Object.entries(buckets).find(
      ([, b]) =>
        (
          b.Properties as {
            BucketEncryption: {
              ServerSideEncryptionConfiguration: { ServerSideEncryptionByDefault: { SSEAlgorithm: string } }[];
            };
          }
        ).BucketEncryption.ServerSideEncryptionConfiguration[0]!.ServerSideEncryptionByDefault.SSEAlgorithm ===
        "AES256",
    )![0];
    for (const [id, b] of Object.entries(buckets)) {
      const p = b.Properties as Record<string, unknown>;
      expect(p.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      if (id === logBucket) continue;
      expect(JSON.stringify(p.BucketEncryption)).toContain('"SSEAlgorithm":"aws:kms"');
      expect(p.LoggingConfiguration).toEqual({
        DestinationBucketName: { Ref: logBucket },
        LogFilePrefix: expect.any(String),
      });
    }
    const policies = Object.values(t.lakehouse.findResources("AWS::S3::BucketPolicy") as Resources);
    expect(policies).toHaveLength(5);
    for (const p of policies) expect(JSON.stringify(p.Properties)).toContain('"aws:SecureTransport":"false"');
    t.lakehouse.hasResourceProperties("AWS::S3::Bucket", {
      VersioningConfiguration: { Status: "Enabled" },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Id: "raw-to-cold",
            Transitions: [
              { StorageClass: "GLACIER_IR", TransitionInDays: 30 },
              { StorageClass: "DEEP_ARCHIVE", TransitionInDays: 180 },
            ],
          }),
        ]),
      },
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
    expect(metrics).toEqual(
      [
        ...perTable,
        ...perWorkflow,
        "AWS/Kinesis/PutRecords.ThrottledRecords",
        "AWS/Lambda/Errors",
        "AWS/Lambda/Errors",
        "AWS/Lambda/IteratorAge",
        "AWS/Lambda/Throttles",
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

  it("deploys the workflows from stepfunctions/ as standard, traced state machines logging without execution data", () => {
    for (const [name, w] of Object.entries(WORKFLOWS)) {
      t.automation.hasResourceProperties("AWS::StepFunctions::StateMachine", {
        StateMachineName: `sideline-${name}-dev`,
        StateMachineType: "STANDARD",
        DefinitionString: definitionText(name as keyof typeof WORKFLOWS),
        DefinitionSubstitutions: Object.fromEntries(w.placeholders.map((p) => [p, Match.anyValue()])),
        LoggingConfiguration: Match.objectLike({ Level: "ALL", IncludeExecutionData: false }),
        TracingConfiguration: { Enabled: true },
      });
    }
    // The scouting workflow waits one Firehose buffer (60 s in dev) and a minute before it queries the lake
    t.automation.hasResourceProperties("AWS::StepFunctions::StateMachine", {
      StateMachineName: "sideline-scouting-dev",
      DefinitionSubstitutions: Match.objectLike({ LakeSettleSeconds: "120", AthenaWorkGroup: "sideline-dev" }),
    });
  });

  it("deploys the shared rule patterns verbatim, each target with a retry policy and a DLQ", () => {
    const rules = Object.values(t.automation.findResources("AWS::Events::Rule") as Resources);
    const patterns = rules.map((r) => r.Properties?.EventPattern);
    for (const p of Object.values(AUTOMATION_RULES)) expect(patterns).toContainEqual(p);
    for (const r of rules) {
      for (const target of (r.Properties?.Targets ?? []) as Record<string, unknown>[]) {
        expect(target.RetryPolicy).toEqual({
          MaximumRetryAttempts: TARGET_RETRY_ATTEMPTS,
          MaximumEventAgeInSeconds: TARGET_MAX_EVENT_AGE.toSeconds(),
        });
        expect(target.DeadLetterConfig).toEqual({
          Arn: { "Fn::GetAtt": [expect.stringMatching(/^TargetsDlq/), "Arn"] },
        });
      }
    }
    // Without a CRM endpoint, CRM requests wait in an encrypted outbox queue
    t.automation.resourceCountIs("AWS::Events::ApiDestination", 0);
    t.automation.resourceCountIs("AWS::SQS::Queue", 2);
  });

  it("e-mails scouts each decision request with its task token and the command that answers it", () => {
    // GIVEN the decisions rule's one target, the scouting topic
    const [rule] = Object.values(
      t.automation.findResources("AWS::Events::Rule", {
        Properties: { EventPattern: AUTOMATION_RULES.decisions },
      }) as Resources,
    );
    const [target] = rule!.Properties!.Targets as { Arn: unknown; InputTransformer: InputTransformer }[];
    expect(target!.Arn).toEqual({ Ref: expect.stringMatching(/^ScoutingTopic/) });

    // THEN the e-mail is no constant text but an input transformer over the event's fields, one JSON
    // string per line
    expect(target).not.toHaveProperty("Input");
    const transformer = target!.InputTransformer;
    expect(transformer.InputPathsMap).toEqual({
      "detail-player_id": "$.detail.player_id",
      "detail-match_id": "$.detail.match_id",
      "detail-summary": "$.detail.summary",
      "detail-visual_url": "$.detail.visual_url",
      "detail-task_token": "$.detail.task_token",
      region: "$.region",
    });
    const decide = (verdict: string) =>
      `npx sideline decide '<detail-task_token>' ${verdict} --target aws --region <region>`;
    expect(transformer.InputTemplate.split("\n").map((line) => JSON.parse(line))).toEqual([
      "Scout decision needed: player <detail-player_id>, match <detail-match_id>",
      "<detail-summary>",
      "Picture: <detail-visual_url>",
      "Answer with the ScoutDecider role's credentials:",
      `  approve: ${decide("approve --reason 'why'")}`,
      `  reject:  ${decide("reject --reason 'why'")}`,
      `  still reviewing: ${decide("hold")}`,
      "Without an answer or a hold every 3 days (14 days at most), the workflow records a timeout.",
      "Task token: <detail-task_token>",
    ]);
    // No double quote inside a line: the EventBridge docs show a text template's \" kept in its output.
    expect(transformer.InputTemplate).not.toContain('\\"');

    // WHEN EventBridge fills it in for a request
    const lines = renderInputTransformer(transformer, {
      region: "eu-west-1",
      detail: {
        task_token: "AQCEAAAAKgAAAAMAAAAA+tok/en==",
        player_id: "away_5",
        match_id: "m-2024-05-01",
        summary: "Runs in behind the back line: 14 sprints.",
        visual_url: "https://visuals.example.com/away_5.png",
      },
    });

    // THEN the scout reads the player, the match and the picture, and pastes a command that
    // answers with this very token
    expect(lines.slice(0, 3)).toEqual([
      "Scout decision needed: player away_5, match m-2024-05-01",
      "Runs in behind the back line: 14 sprints.",
      "Picture: https://visuals.example.com/away_5.png",
    ]);
    const approve = lines.find((l) => l.trim().startsWith("approve:"))!.replace(/^\s*approve:\s*/, "");
    expect(shellWords(approve)).toEqual([
      "npx",
      "sideline",
      "decide",
      "AQCEAAAAKgAAAAMAAAAA+tok/en==",
      "approve",
      "--reason",
      "why",
      "--target",
      "aws",
      "--region",
      "eu-west-1",
    ]);
    expect(lines.at(-1)).toBe("Task token: AQCEAAAAKgAAAAMAAAAA+tok/en==");
  });

  it("scopes task-token responses to the scouting state machine, never '*'", () => {
    const policies = Object.values(t.automation.findResources("AWS::IAM::Policy") as Resources);
    const statements = policies.flatMap(
      (p) =>
        (p.Properties as { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } }).PolicyDocument
          .Statement,
    );
    const token = statements.filter((s) => ([] as unknown[]).concat(s.Action).includes("states:SendTaskSuccess"));
    expect(token).toHaveLength(1);
    expect(token[0]!.Resource).toEqual({ Ref: expect.stringMatching(/^Scouting[0-9A-F]{8}$/) });
  });

  it("grants no data-plane action on '*'", () => {
    const dataPlane = /^(kinesis|s3|glue|firehose|events|dynamodb|sqs):/;
    for (const tpl of Object.values(t)) {
      for (const p of Object.values(tpl.findResources("AWS::IAM::Policy") as Resources)) {
        const statements = (
          p.Properties as { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } }
        ).PolicyDocument.Statement;
        for (const s of statements) {
          const actions = ([] as string[]).concat(s.Action);
          if (actions.some((a) => dataPlane.test(a))) expect(([] as unknown[]).concat(s.Resource)).not.toContain("*");
        }
      }
    }
  });

  it("retains stateful resources in dev unless deletion is explicitly allowed", () => {
    for (const tpl of Object.values(t)) {
      for (const type of ["AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::Kinesis::Stream", "AWS::KMS::Key"]) {
        for (const r of Object.values(tpl.findResources(type) as Resources)) expect(r.DeletionPolicy).toBe("Retain");
      }
    }
  });
});

const STATEFUL = [
  "AWS::S3::Bucket",
  "AWS::DynamoDB::Table",
  "AWS::Kinesis::Stream",
  "AWS::KMS::Key",
  "AWS::SQS::Queue",
  "AWS::Logs::LogGroup",
];

describe("Sideline stacks (prod and options)", () => {
  it("fails if any stateful resource in prod would be deleted with its stack", () => {
    const { stacks } = buildApp({ stage: "prod" });
    for (const stack of Object.values(stacks)) {
      const resources = Template.fromStack(stack).toJSON().Resources as Resources;
      for (const [id, r] of Object.entries(resources)) {
        if (STATEFUL.includes(r.Type))
          expect(`${stack.stackName}/${id}: ${r.DeletionPolicy}`).toBe(`${stack.stackName}/${id}: Retain`);
      }
    }
    const lake = Template.fromStack(stacks.lakehouse);
    lake.hasResourceProperties("AWS::KinesisFirehose::DeliveryStream", {
      IcebergDestinationConfiguration: Match.objectLike({ BufferingHints: { IntervalInSeconds: 900, SizeInMBs: 128 } }),
    });
    Template.fromStack(stacks.ingest).hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: 365 });
  });

  it("deletes dev data only when destroyDataOnDelete is set, and provisions shards on request", () => {
    const { stacks } = buildApp({
      stage: "dev",
      destroyDataOnDelete: true,
      shardMode: "provisioned",
      shardCount: 4,
    });
    const ingest = Template.fromStack(stacks.ingest);
    ingest.resourceCountIs("AWS::Kinesis::Stream", 1);
    ingest.hasResourceProperties("AWS::Kinesis::Stream", {
      Name: "sideline-tracking-dev",
      ShardCount: 4,
      StreamModeDetails: { StreamMode: "PROVISIONED" },
    });
    for (const r of Object.values(ingest.findResources("AWS::Kinesis::Stream") as Resources))
      expect(r.DeletionPolicy).toBe("Delete");
  });

  describe("with a CRM endpoint", () => {
    let crm: BuiltApp;
    beforeAll(() => {
      crm = buildApp({ stage: "dev", crmEndpoint: "https://crm.example.com/hooks/sideline" });
    });

    it("reaches the CRM through an API destination: Secrets Manager auth under the CMK, a rate limit, the Idempotency-Key", () => {
      const a = Template.fromStack(crm.stacks.automation);
      a.hasResourceProperties("AWS::Events::ApiDestination", {
        InvocationEndpoint: "https://crm.example.com/hooks/sideline",
        HttpMethod: "POST",
        InvocationRateLimitPerSecond: 10,
      });
      a.hasResourceProperties("AWS::Events::Connection", {
        AuthorizationType: "API_KEY",
        KmsKeyIdentifier: Match.anyValue(),
      });
      a.hasResourceProperties("AWS::SecretsManager::Secret", { KmsKeyId: Match.anyValue() });
      a.hasResourceProperties("AWS::Events::Rule", {
        EventPattern: AUTOMATION_RULES.crm,
        Targets: [
          Match.objectLike({
            HttpParameters: { HeaderParameters: { "Idempotency-Key": "$.detail.idempotency_key" } },
            InputPath: "$.detail",
            DeadLetterConfig: Match.anyValue(),
            RetryPolicy: Match.anyValue(),
          }),
        ],
      });
      expect(() => buildApp({ stage: "dev", crmEndpoint: "http://crm.example.com" })).toThrow(
        /must be an https:\/\/ URL/,
      );
      expect(() => buildApp({ stage: "dev", crmAuth: "oauth" })).toThrow(/needs 'crmOAuthTokenUrl'/);
    });

    it("encrypts the connection with a key tagged for EventBridge connections, whose policy lets EventBridge use it", () => {
      // GIVEN the key the connection's KmsKeyIdentifier names, found through the export it imports
      const [connection] = Object.values(
        Template.fromStack(crm.stacks.automation).findResources("AWS::Events::Connection") as Resources,
      );
      const imported = (connection!.Properties!.KmsKeyIdentifier as { "Fn::ImportValue": string })["Fn::ImportValue"];
      const owner = Object.values(crm.stacks).find((st) =>
        Object.values(
          (Template.fromStack(st).toJSON().Outputs ?? {}) as Record<string, { Export?: { Name: string } }>,
        ).some((o) => o.Export?.Name === imported),
      )!;
      const outputs = Template.fromStack(owner).toJSON().Outputs as Record<
        string,
        { Value: { "Fn::GetAtt": [string, string] }; Export: { Name: string } }
      >;
      const [keyId, attribute] = Object.values(outputs).find((o) => o.Export.Name === imported)!.Value["Fn::GetAtt"];
      expect(attribute).toBe("Arn");
      const key = (Template.fromStack(owner).toJSON().Resources as Resources)[keyId]!;
      expect(key.Type).toBe("AWS::KMS::Key");

      // THEN it carries the tag without which EventBridge refuses a customer managed key for a connection
      expect(key.Properties?.Tags).toContainEqual({ Key: "EventBridgeApiDestinations", Value: "true" });

      // AND its policy grants EventBridge DescribeKey, GenerateDataKey and Decrypt, in this account
      // (encryption-connections.html), and lets IAM policies apply, as EventBridge's service-linked
      // role reaches the connection's secret through its IAM policy
      const statements = (key.Properties!.KeyPolicy as { Statement: Statement[] }).Statement;
      const allows = (principal: Record<string, unknown>, action: string, condition?: unknown) =>
        statements.some(
          (st) =>
            st.Effect === "Allow" &&
            JSON.stringify(st.Principal) === JSON.stringify(principal) &&
            st.Resource === "*" &&
            ([] as string[]).concat(st.Action).some((a) => new RegExp(`^${a.replaceAll("*", ".*")}$`).test(action)) &&
            JSON.stringify(st.Condition) === JSON.stringify(condition),
        );
      for (const action of ["kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt"])
        expect(`${action}: ${allows({ Service: "events.amazonaws.com" }, action, THIS_ACCOUNT)}`).toBe(
          `${action}: true`,
        );
      expect(allows({ AWS: ACCOUNT_ROOT }, "kms:Decrypt")).toBe(true);
    });
  });

  it("passes cdk-nag's AwsSolutions and Serverless packs with no unacknowledged finding, in both stages", () => {
    const crm = {
      crmEndpoint: "https://crm.example.com/hooks",
      crmAuth: "oauth",
      crmOAuthTokenUrl: "https://crm.example.com/oauth/token",
      crmOAuthClientId: "sideline",
    };
    for (const context of [{ stage: "dev" }, { stage: "prod" }, { stage: "prod", ...crm }]) {
      const { app, outdir } = buildApp(context, true);
      let report = "";
      try {
        app.synth();
      } catch {
        report = readFileSync(join(outdir, "validation-report.json"), "utf8");
      }
      expect(report).toBe("");
    }
  });
});
