import { join } from "node:path";
import { CfnOutput, Duration, type RemovalPolicy, Stack, type StackProps, Validations } from "aws-cdk-lib";
import type { IKey } from "aws-cdk-lib/aws-kms";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, StorageClass } from "aws-cdk-lib/aws-s3";
import type { Construct } from "constructs";
import { type AnyTable, TABLES } from "../../lambdas/contracts/tables/index.js";
import { AnalyticsWorkgroup, readNamedQueries } from "../constructs/analytics-workgroup.js";
import { IcebergCatalog } from "../constructs/iceberg-catalog.js";
import { IcebergDeliveryStream } from "../constructs/iceberg-delivery-stream.js";
import { SecureBucket } from "../constructs/secure-bucket.js";
import { PROJECT_ROOT } from "../constructs/sideline-function.js";
import type { FieldIdLedger } from "../iceberg.js";

/** Raw media moves to Glacier Instant Retrieval after 30 days, Deep Archive after 180 (S3 storage classes). */
const RAW_TO_GLACIER_IR_DAYS = 30;
const RAW_TO_DEEP_ARCHIVE_DAYS = 180;
/** Athena results are scratch: kept 30 days. Firehose error files are kept 90 days for replay. */
const ATHENA_RESULTS_DAYS = 30;
const FIREHOSE_ERRORS_DAYS = 90;
/** S3 access logs kept a year, then expired. */
const ACCESS_LOG_DAYS = 365;

export interface LakehouseStackProps extends StackProps {
  readonly stageName: string;
  readonly dataKey: IKey;
  readonly opsKey: IKey;
  readonly firehoseBufferSeconds: number;
  readonly athenaBytesScannedCutoff: number;
  /** The lake's tables: each gets an Iceberg table and a delivery stream. @default TABLES */
  readonly tables?: readonly AnyTable[];
  /** The tables' Iceberg field ids. @default - the committed ledger, lambdas/contracts/tables/field-ids.json */
  readonly fieldIds?: FieldIdLedger;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** Encrypt the account's Glue Data Catalog with the data key (one setting per account and region). @default false */
  readonly catalogEncryption?: boolean;
}

/**
 * The lakehouse: S3 buckets (warehouse, Athena results, Firehose errors, raw archive, access logs),
 * the Glue database and Iceberg tables with their optimizers, one Firehose delivery stream per
 * table, and the analysts' Athena workgroup with the named queries from glue/queries.
 */
export class LakehouseStack extends Stack {
  readonly warehouse: Bucket;
  readonly rawArchive: Bucket;
  readonly catalog: IcebergCatalog;
  /** One Firehose delivery stream per lake table, by table name. */
  readonly deliveryStreams: Readonly<Record<string, IcebergDeliveryStream>>;
  /** Server access logs of every bucket. */
  readonly accessLogs: Bucket;
  readonly databaseName: string;
  /** Named exports of the warehouse and Athena results bucket ARNs, for stacks that query the lake. */
  readonly exports: { readonly warehouseArn: string; readonly athenaResultsArn: string };
  readonly workgroup: AnalyticsWorkgroup;

  constructor(scope: Construct, id: string, props: LakehouseStackProps) {
    super(scope, id, props);
    const tables = props.tables ?? TABLES;
    const accessLogs = new Bucket(this, "AccessLogs", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // S3 server access logging delivers only to SSE-S3 buckets, not SSE-KMS.
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: "expire-logs", expiration: Duration.days(ACCESS_LOG_DAYS) }],
      removalPolicy: props.removalPolicy,
    });
    this.accessLogs = accessLogs;
    Validations.of(accessLogs).acknowledge({
      id: "AwsSolutions-S1",
      reason: "This is the access-log bucket itself; logging it into itself would loop.",
    });
    const secure = (bid: string, extra: Partial<ConstructorParameters<typeof SecureBucket>[2]> = {}) =>
      new SecureBucket(this, bid, {
        encryptionKey: props.dataKey,
        accessLogs,
        removalPolicy: props.removalPolicy,
        ...extra,
      }).bucket;
    this.warehouse = secure("Warehouse");
    const results = secure("AthenaResults", {
      versioned: false,
      lifecycleRules: [{ id: "expire-results", expiration: Duration.days(ATHENA_RESULTS_DAYS) }],
    });
    const errors = secure("FirehoseErrors", {
      lifecycleRules: [{ id: "expire-errors", expiration: Duration.days(FIREHOSE_ERRORS_DAYS) }],
    });
    // Metadata first: the pipeline moves features and keypoints; raw media is archived to cold storage.
    this.rawArchive = secure("RawArchive", {
      lifecycleRules: [
        {
          id: "raw-to-cold",
          transitions: [
            {
              storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL,
              transitionAfter: Duration.days(RAW_TO_GLACIER_IR_DAYS),
            },
            { storageClass: StorageClass.DEEP_ARCHIVE, transitionAfter: Duration.days(RAW_TO_DEEP_ARCHIVE_DAYS) },
          ],
        },
      ],
    });
    const databaseName = `sideline_${props.stageName}`;
    this.databaseName = databaseName;
    this.catalog = new IcebergCatalog(this, "Catalog", {
      databaseName,
      tables,
      ...(props.fieldIds ? { fieldIds: props.fieldIds } : {}),
      warehouse: this.warehouse,
      dataKey: props.dataKey,
      logKey: props.opsKey,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      ...(props.catalogEncryption ? { catalogEncryptionKey: props.dataKey } : {}),
    });
    const stream = (table: AnyTable) =>
      new IcebergDeliveryStream(this, `${table.name}Delivery`, {
        table,
        catalog: this.catalog,
        warehouse: this.warehouse,
        errors,
        dataKey: props.dataKey,
        opsKey: props.opsKey,
        bufferSeconds: props.firehoseBufferSeconds,
        logRetention: props.logRetention,
        logRemovalPolicy: props.removalPolicy,
      });
    this.deliveryStreams = Object.fromEntries(tables.map((t) => [t.name, stream(t)]));
    for (const ds of Object.values(this.deliveryStreams)) ds.node.addDependency(this.catalog);
    // Named exports, stable across refactors, so grants in other stacks name them plainly.
    this.exports = {
      warehouseArn: `${this.stackName}-WarehouseArn`,
      athenaResultsArn: `${this.stackName}-AthenaResultsArn`,
    };
    new CfnOutput(this, "WarehouseArn", { value: this.warehouse.bucketArn, exportName: this.exports.warehouseArn });
    new CfnOutput(this, "AthenaResultsArn", { value: results.bucketArn, exportName: this.exports.athenaResultsArn });
    this.workgroup = new AnalyticsWorkgroup(this, "Workgroup", {
      name: `sideline-${props.stageName}`,
      database: databaseName,
      results,
      dataKey: props.dataKey,
      bytesScannedCutoff: props.athenaBytesScannedCutoff,
      queries: readNamedQueries(join(PROJECT_ROOT, "glue/queries")),
    });
  }
}
