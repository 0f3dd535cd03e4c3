/**
 * The dev stacks' security and lake: customer-managed keys, the Iceberg tables and their optimizers,
 * one Firehose stream per table, the Athena workgroup, the buckets, and no data-plane grant on '*'.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Match } from "aws-cdk-lib/assertions";
import {
  ICEBERG_TABLE_RESOURCE_TYPE,
  parseIcebergTableProperties,
} from "../../lambdas/contracts/tables/iceberg-resource.js";
import {
  col,
  defineTable,
  INSIGHTS,
  PLAYER_LOADS,
  PLAYER_WINDOWS,
  TABLES,
} from "../../lambdas/contracts/tables/index.js";
import { readNamedQueries } from "../../lib/constructs/analytics-workgroup.js";
import { PROJECT_ROOT } from "../../lib/constructs/sideline-function.js";
import { fieldIdLedger, icebergTableInput } from "../../lib/iceberg.js";
import { devTemplates, type Resources, type Templates } from "./app.js";

describe("Sideline stacks (dev): security and lakehouse", () => {
  let t: Templates;
  beforeAll(() => {
    t = devTemplates();
  });

  it("has four customer-managed keys with rotation on: performance, biometric, health, ops", () => {
    t.security.resourceCountIs("AWS::KMS::Key", 4);
    t.security.allResourcesProperties("AWS::KMS::Key", { EnableKeyRotation: true });
  });

  it("defines every lake table as one Custom::IcebergTable with its pinned ids, and no AWS::Glue::Table", () => {
    // (an AWS::Glue::Table update strips table_type and metadata_location: roadmap #1919, #2495)
    t.lakehouse.resourceCountIs("AWS::Glue::Table", 0);
    const tables = Object.values(t.lakehouse.findResources(ICEBERG_TABLE_RESOURCE_TYPE) as Resources);
    expect(tables.map((r) => r.Properties?.TableName).sort()).toEqual(TABLES.map((d) => d.name).sort());
    for (const def of TABLES) {
      const p = tables.find((r) => r.Properties?.TableName === def.name)!.Properties!;
      expect(p.DatabaseName).toBe("sideline_dev");
      expect(p.CatalogId).toEqual({ Ref: "AWS::AccountId" });
      expect(p.RemovalPolicy).toBe("retain");
      // the warehouse bucket's table prefix, as s3://<bucket>/<table>/
      expect(JSON.stringify(p.Location)).toMatch(
        new RegExp(`^\\{"Fn::Join":\\["",\\["s3://",.*"/${def.name}/"\\]\\]\\}$`),
      );
      const { location: _, ...expected } = icebergTableInput(def, "s3://placeholder/");
      // the definition as the function parses it: the ledger's ids, the key, partition spec and write order
      const parsed = parseIcebergTableProperties({ ...p, CatalogId: "111122223333", Location: "s3://placeholder/" });
      expect(parsed.input).toEqual({ location: "s3://placeholder/", ...expected });
      expect(parsed.input.schema.fields.map((f) => f.id)).toEqual(
        def.columns.map((c) => fieldIdLedger()[def.name]!.columns[c.name]),
      );
    }
    expect(icebergTableInput(PLAYER_WINDOWS, "s3://w/").partitionSpec.fields.map((f) => [f.name, f.transform])).toEqual(
      [
        ["match_id", "identity"],
        ["window_start_day", "day"],
      ],
    );
    expect(icebergTableInput(PLAYER_LOADS, "s3://w/").partitionSpec.fields.map((f) => [f.name, f.transform])).toEqual([
      ["load_measure", "identity"],
    ]);
    expect(icebergTableInput(INSIGHTS, "s3://w/").partitionSpec.fields).toEqual([]);
  });

  it("fails when a table is partitioned on a column outside its key, naming the table and the column", () => {
    // GIVEN a table keyed on its id but partitioned by the day of a time outside the key
    const table = defineTable({
      name: "stamped",
      classification: "performance",
      scope: "lake",
      doc: "Partitioned outside its key.",
      columns: [col("id", "string", "The key."), col("at", "timestamp", "When.")],
      key: ["id"],
      partitionBy: ["day(at)"],
      sortBy: [],
    });
    // WHEN its Glue table input is generated, THEN it is refused with what to change
    const fieldIds = {
      stamped: {
        lastColumnId: 2,
        columns: { id: 1, at: 2 },
        droppedColumns: [],
        lastPartitionId: 1000,
        partitionFields: { at_day: 1000 },
        droppedPartitionFields: [],
      },
    };
    expect(() => icebergTableInput(table, "s3://w/", fieldIds)).toThrow(
      "table stamped: partition field 'day(at)' is on at, which is not in the key (id); an upsert's equality delete reaches only its own partition",
    );
    expect(() => icebergTableInput({ ...table, key: ["id", "at"] }, "s3://w/", fieldIds)).not.toThrow();
  });

  it("gives every table the three Glue optimizers, created after the table, under one role scoped to the tables", () => {
    const optimizers = Object.values(
      t.lakehouse.findResources("AWS::Glue::TableOptimizer") as Record<
        string,
        Resources[string] & { DependsOn?: string[] }
      >,
    );
    expect(optimizers).toHaveLength(3 * TABLES.length);
    const tables = t.lakehouse.findResources(ICEBERG_TABLE_RESOURCE_TYPE) as Resources;
    const tableId = (name: unknown) => Object.keys(tables).find((id) => tables[id]!.Properties?.TableName === name);
    for (const o of optimizers) expect(o.DependsOn).toContain(tableId(o.Properties?.TableName));
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
      "wearable_sessions",
      "workload_monitor",
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
    expect(Object.keys(buckets)).toHaveLength(7); // access logs, 3 warehouses, results, errors, raw archive
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
      if (id === logBucket) {
        // Versioned: a log deleted before its year is up stays recoverable for 30 days.
        expect(p.VersioningConfiguration).toEqual({ Status: "Enabled" });
        expect(p.LifecycleConfiguration).toEqual({
          Rules: [
            {
              Id: "expire-logs",
              ExpirationInDays: 365,
              NoncurrentVersionExpiration: { NoncurrentDays: 30 },
              Status: "Enabled",
            },
          ],
        });
        continue;
      }
      expect(JSON.stringify(p.BucketEncryption)).toContain('"SSEAlgorithm":"aws:kms"');
      expect(p.LoggingConfiguration).toEqual({
        DestinationBucketName: { Ref: logBucket },
        LogFilePrefix: expect.any(String),
      });
    }
    const policies = Object.values(t.lakehouse.findResources("AWS::S3::BucketPolicy") as Resources);
    expect(policies).toHaveLength(7);
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
});
