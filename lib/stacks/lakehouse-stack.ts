import { join } from "node:path";
import { Annotations, CfnOutput, Duration, type RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { ArnPrincipal, CompositePrincipal, Role } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, StorageClass } from "aws-cdk-lib/aws-s3";
import type { Construct } from "constructs";
import { type AnyTable, TABLES } from "../../lambdas/contracts/tables/index.js";
import type { SidelineConfig } from "../config.js";
import { AnalyticsWorkgroup, queryClassification, readNamedQueries } from "../constructs/analytics-workgroup.js";
import { IcebergCatalog } from "../constructs/iceberg-catalog.js";
import { IcebergDeliveryStream } from "../constructs/iceberg-delivery-stream.js";
import { ACCESS_ROLES, type AccessRoleName, LakeAccess, WRITE_PERMISSIONS } from "../constructs/lake-access.js";
import { REPLICATION_REASON, SecureBucket } from "../constructs/secure-bucket.js";
import { PROJECT_ROOT } from "../constructs/sideline-function.js";
import { allowDecrypt, type KeyClass, SPECIAL_CATEGORY_KEYS, tableKeyClass } from "../data-access.js";
import type { FieldIdLedger } from "../iceberg.js";
import { acknowledge, grantWildcardReasons, inlinePolicyReason, nagValue } from "../nag.js";

/** Raw media moves to Glacier Instant Retrieval after 30 days, Deep Archive after 180 (S3 storage classes). */
const RAW_TO_GLACIER_IR_DAYS = 30;
const RAW_TO_DEEP_ARCHIVE_DAYS = 180;
/** Athena results are scratch: kept 30 days. Firehose error files are kept 90 days for replay. */
const ATHENA_RESULTS_DAYS = 30;
const FIREHOSE_ERRORS_DAYS = 90;
/** S3 access logs kept a year, then expired; a deleted or expired log stays recoverable 30 more days. */
const ACCESS_LOG_DAYS = 365;
const ACCESS_LOG_NONCURRENT_DAYS = 30;

export interface LakehouseStackProps extends StackProps {
  readonly stageName: string;
  /** Performance data and media metadata: the performance warehouse, Athena results, the raw archive. */
  readonly dataKey: IKey;
  /** The key of each key class (lib/data-access.ts): each class's warehouse and delivery streams. */
  readonly keys: Readonly<Record<KeyClass, IKey>>;
  readonly opsKey: IKey;
  readonly firehoseBufferSeconds: number;
  readonly athenaBytesScannedCutoff: number;
  /** The lake's tables: each gets an Iceberg table and a delivery stream. @default TABLES */
  readonly tables?: readonly AnyTable[];
  /** The tables' Iceberg field ids. @default - the committed ledger, lambdas/contracts/tables/field-ids.json */
  readonly fieldIds?: FieldIdLedger;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** Who reads the lake through Lake Formation (config). */
  readonly access: Pick<SidelineConfig, "analystPrincipals" | "medicalPrincipals" | "lakeFormationAdmins">;
  /** Encrypt the account's Glue Data Catalog with the data key (one setting per account and region). @default false */
  readonly catalogEncryption?: boolean;
}

/**
 * The lakehouse: S3 buckets (warehouse, Athena results, Firehose errors, raw archive, access logs),
 * the Glue database and Iceberg tables with their optimizers, one Firehose delivery stream per
 * table, and the analysts' Athena workgroup with the named queries from glue/queries.
 */
export class LakehouseStack extends Stack {
  /** The performance warehouse (performance and media-metadata tables). */
  readonly warehouse: Bucket;
  /** One warehouse per key class, each under its class's key: a bucket has one default key. */
  readonly warehouses: Readonly<Record<KeyClass, Bucket>>;
  readonly rawArchive: Bucket;
  readonly catalog: IcebergCatalog;
  /** One Firehose delivery stream per lake table, by table name. */
  readonly deliveryStreams: Readonly<Record<string, IcebergDeliveryStream>>;
  /** Server access logs of every bucket. */
  readonly accessLogs: Bucket;
  readonly databaseName: string;
  /** Named exports of the warehouse and Athena results bucket ARNs, for stacks that query the lake. */
  readonly exports: { readonly warehouseArn: string; readonly athenaResultsArn: string };
  /** The analysts' workgroup (performance data): the scouting workflow queries through it too. */
  readonly workgroup: AnalyticsWorkgroup;
  /** The medical staff's workgroup: results under the health key. */
  readonly medicalWorkgroup: AnalyticsWorkgroup;
  /** Lake Formation: registrations, classification tags, grants. */
  readonly access: LakeAccess;
  /** Assumed by the analysts' identities (config analystPrincipals). */
  readonly analystRole?: Role;
  /** Assumed by the medical staff's identities (config medicalPrincipals). */
  readonly medicalRole?: Role;

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
      // Versioned, so a log deleted before its time stays recoverable (logs are written once: no other cost).
      versioned: true,
      lifecycleRules: [
        {
          id: "expire-logs",
          expiration: Duration.days(ACCESS_LOG_DAYS),
          noncurrentVersionExpiration: Duration.days(ACCESS_LOG_NONCURRENT_DAYS),
        },
      ],
      removalPolicy: props.removalPolicy,
    });
    this.accessLogs = accessLogs;
    acknowledge(accessLogs, {
      "AwsSolutions-S1": "This is the access-log bucket itself; logging it into itself would loop.",
      "HIPAA.Security-S3DefaultEncryptionKMS":
        "S3 server access logging delivers only to buckets whose default encryption is SSE-S3 (AES-256), not SSE-KMS; the logs hold request metadata (keys, requesters), no object contents.",
      "HIPAA.Security-S3BucketReplicationEnabled": REPLICATION_REASON,
    });
    const secure = (bid: string, extra: Partial<ConstructorParameters<typeof SecureBucket>[2]> = {}) =>
      new SecureBucket(this, bid, {
        encryptionKey: props.dataKey,
        accessLogs,
        removalPolicy: props.removalPolicy,
        ...extra,
      }).bucket;
    // The performance warehouse keeps the id it had before the split (Warehouse): renaming replaces it.
    this.warehouses = {
      performance: secure("Warehouse"),
      biometric: secure("BiometricWarehouse", { encryptionKey: props.keys.biometric }),
      health: secure("HealthWarehouse", { encryptionKey: props.keys.health }),
    };
    this.warehouse = this.warehouses.performance;
    const results = secure("AthenaResults", {
      versioned: false,
      lifecycleRules: [{ id: "expire-results", expiration: Duration.days(ATHENA_RESULTS_DAYS) }],
    });
    acknowledge(results, {
      "HIPAA.Security-S3BucketVersioningEnabled":
        "Athena query results are scratch, written once under generated names and expired after 30 days; any of them is recomputed by rerunning its query on the versioned warehouse, so older versions would only keep copies of player data longer.",
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
      warehouses: this.warehouses,
      keys: props.keys,
      logKey: props.opsKey,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      ...(props.catalogEncryption ? { catalogEncryptionKey: props.dataKey } : {}),
    });
    const stream = (table: AnyTable) =>
      new IcebergDeliveryStream(this, `${table.name}Delivery`, {
        table,
        catalog: this.catalog,
        warehouse: this.catalog.warehouseFor(table),
        errors,
        key: props.keys[tableKeyClass(table)],
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
    // Lake Formation: the warehouses registered, every table tagged with its class, grants by class.
    this.access = new LakeAccess(this, "Access", {
      databaseName,
      tables,
      warehouses: this.warehouses,
      keys: props.keys,
      admins: props.access.lakeFormationAdmins,
      tablesReady: [...this.catalog.tables.values()],
    });
    for (const t of tables) {
      const ds = this.deliveryStreams[t.name]!;
      // Firehose checks its access to the table when the stream is created.
      ds.deliveryStream.addResourceDependency(this.access.grantTable(ds.role, t.name, WRITE_PERMISSIONS));
    }
    for (const t of tables) this.access.grantTable(this.catalog.optimizerRole, t.name, WRITE_PERMISSIONS);
    this.access.grantDataLocations(this.catalog.optimizerRole);
    // The table function creates the tables: CREATE_TABLE on the database and the warehouses' locations, first.
    const creator = this.catalog.tableFunction.role!;
    const creatorGrants = [
      this.access.grantCreateTables(creator, this.catalog.database),
      ...this.access.grantDataLocations(creator),
    ];
    for (const t of this.catalog.tables.values()) t.node.addDependency(...creatorGrants);
    // It writes every table's metadata files, special categories included.
    allowDecrypt(creator, ...SPECIAL_CATEGORY_KEYS);

    // Two workgroups: each person's queries and results stay under the key of the classes they read.
    const queries = readNamedQueries(join(PROJECT_ROOT, "glue/queries"));
    const medicalQuery = (q: { sql: string }) =>
      (ACCESS_ROLES.medical.classes as readonly string[]).includes(queryClassification(q.sql, tables));
    this.workgroup = new AnalyticsWorkgroup(this, "Workgroup", {
      name: `sideline-${props.stageName}`,
      database: databaseName,
      results,
      resultsPrefix: "results/",
      dataKey: props.dataKey,
      bytesScannedCutoff: props.athenaBytesScannedCutoff,
      queries: queries.filter((q) => !medicalQuery(q)),
    });
    this.medicalWorkgroup = new AnalyticsWorkgroup(this, "MedicalWorkgroup", {
      name: `sideline-${props.stageName}-medical`,
      database: databaseName,
      results,
      resultsPrefix: "medical-results/",
      dataKey: props.keys.health,
      bytesScannedCutoff: props.athenaBytesScannedCutoff,
      queries: queries.filter(medicalQuery),
    });
    const role = (name: AccessRoleName, rid: string, principals: readonly string[], wg: AnalyticsWorkgroup) => {
      if (principals.length === 0) {
        Annotations.of(this).addWarningV2(
          `@sideline/lakehouse:no${rid}`,
          `no ${rid} role: context '${name}Principals' names no one. Set it to the IAM role or user ARNs of the ${name === "analyst" ? "analysts" : "medical staff"}; until then nobody reads the ${ACCESS_ROLES[name].classes.join(" and ")} tables in Athena`,
        );
        return undefined;
      }
      const r = new Role(this, rid, {
        assumedBy: new CompositePrincipal(...principals.map((arn) => new ArnPrincipal(arn))),
        description: ACCESS_ROLES[name].description,
      });
      wg.grantQuery(r, { results });
      this.access.grantClasses(r, ACCESS_ROLES[name].classes);
      // Lake Formation's data-access roles decrypt the warehouses; the person decrypts the results.
      if (wg === this.medicalWorkgroup) allowDecrypt(r, "health");
      acknowledge(r, {
        ...grantWildcardReasons(`${rid} queries (Athena results)`),
        ...inlinePolicyReason(`The ${rid} role`),
        [`AwsSolutions-IAM5[Resource::arn:${nagValue(this.partition, "AWS::Partition")}:glue:${nagValue(this.region, "AWS::Region")}:${nagValue(this.account, "AWS::AccountId")}:table/${databaseName}/*]`]:
          "Glue metadata reads on this database's tables; which tables and columns are readable is Lake Formation's grant by classification.",
        "AwsSolutions-IAM5[Resource::*]":
          "lakeformation:GetDataAccess has no resource-level permissions; Lake Formation's grants decide what it vends.",
        [`AwsSolutions-IAM5[Resource::<${this.getLogicalId(results.node.defaultChild as never)}.Arn>/${wg === this.medicalWorkgroup ? "medical-results" : "results"}/*]`]:
          "Athena writes and reads this workgroup's result files (generated names), under its own prefix.",
      });
      return r;
    };
    this.analystRole = role("analyst", "Analyst", props.access.analystPrincipals, this.workgroup);
    this.medicalRole = role("medical", "MedicalStaff", props.access.medicalPrincipals, this.medicalWorkgroup);
  }
}
