import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import { CfnDatabase, CfnDataCatalogEncryptionSettings, CfnTableOptimizer } from "aws-cdk-lib/aws-glue";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import type { AnyTable } from "../../lambdas/contracts/tables/index.js";
import { allowDecrypt, KEY_CLASSES, type KeyClass, SPECIAL_CATEGORY_KEYS, tableKeyClass } from "../data-access.js";
import { type FieldIdLedger, icebergTableInput } from "../iceberg.js";
import { acknowledge, grantWildcardReasons, inlinePolicyReason, nagArn, nagValue } from "../nag.js";
import { IcebergTable } from "./iceberg-table.js";
import { SidelineFunction } from "./sideline-function.js";

/** Snapshots kept by the retention optimizer: a week of time travel for analysts (Glue default is 5 days). */
export const SNAPSHOT_RETENTION_DAYS = 7;
/** ...and never fewer than this many snapshots. */
export const SNAPSHOTS_TO_RETAIN = 10;
/** Unreferenced files older than this are deleted (Glue's default, 3 days, protects in-flight writes). */
export const ORPHAN_FILE_RETENTION_DAYS = 3;
/**
 * The table function's limit: a request is a few Glue calls (get, create or update, get again) of
 * well under a second each; the handler answers CloudFormation RESPONSE_MARGIN_MS before it.
 */
export const TABLE_FUNCTION_TIMEOUT = Duration.minutes(2);
/** The table function's memory: it parses a table definition and makes Glue calls, nothing CPU-bound. */
export const TABLE_FUNCTION_MEMORY_MB = 256;

export interface IcebergCatalogProps {
  readonly databaseName: string;
  readonly tables: readonly AnyTable[];
  /** The tables' Iceberg field ids. @default - the committed ledger, lambdas/contracts/tables/field-ids.json */
  readonly fieldIds?: FieldIdLedger;
  /** The warehouse of each key class: a table lives in the bucket under its class's key (lib/data-access.ts). */
  readonly warehouses: Readonly<Record<KeyClass, IBucket>>;
  /** The key of each key class. */
  readonly keys: Readonly<Record<KeyClass, IKey>>;
  /** The key of the table function's log group. */
  readonly logKey: IKey;
  readonly logRetention: RetentionDays;
  /**
   * Applied to the database and its tables (the catalog entries, never the warehouse's files), and
   * to the table function's logs. @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Encrypt the account's Data Catalog (metadata at rest, and connection passwords) with this key.
   * Glue keeps one such setting per account and region, not one per database: only one stage in an
   * account should set it. Every caller of the catalog then needs kms:Encrypt, Decrypt and
   * GenerateDataKey on the key (Sideline's roles have them on the data key).
   * @default - the account's catalog encryption settings are left as they are
   */
  readonly catalogEncryptionKey?: IKey;
}

/**
 * The Glue database and one Iceberg table per table definition, each with the three Glue table
 * optimizers (compaction, snapshot retention, orphan file deletion) under one role scoped to these
 * tables and the warehouse. Each table is a custom resource (IcebergTable) answered by one function
 * that owns this database's tables: a deploy creates a table, and evolves its schema as Iceberg
 * allows (lambdas/functions/iceberg-table/evolution.ts).
 */
export class IcebergCatalog extends Construct {
  readonly databaseName: string;
  readonly database: CfnDatabase;
  /** The account's catalog encryption settings, when this catalog sets them. */
  readonly encryptionSettings?: CfnDataCatalogEncryptionSettings;
  readonly tables = new Map<string, IcebergTable>();
  readonly optimizerRole: Role;
  /** The function behind the tables' custom resources. */
  readonly tableFunction: SidelineFunction;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: IcebergCatalogProps,
  ) {
    super(scope, id);
    const stack = Stack.of(this);
    this.databaseName = props.databaseName;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const db = new CfnDatabase(this, "Database", {
      catalogId: stack.account,
      databaseInput: {
        name: props.databaseName,
        description: "Sideline lakehouse: physical features, quarantine, insights",
        // No IAMAllowedPrincipals grant on new tables: Lake Formation's grants alone decide who reads
        // them (LakeAccess), not any IAM policy with glue:GetTable and s3:GetObject
        // (https://docs.aws.amazon.com/lake-formation/latest/dg/change-settings.html).
        createTableDefaultPermissions: [],
      },
    });
    db.applyRemovalPolicy(removalPolicy);
    this.database = db;
    if (props.catalogEncryptionKey) {
      // SSE-KMS: Glue encrypts with the caller's own KMS permissions (no service role), and encrypts
      // objects created or updated after the setting; connection passwords are returned encrypted
      // (https://docs.aws.amazon.com/glue/latest/dg/encrypt-glue-data-catalog.html,
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-glue-datacatalogencryptionsettings.html).
      this.encryptionSettings = new CfnDataCatalogEncryptionSettings(this, "EncryptionSettings", {
        catalogId: stack.account,
        dataCatalogEncryptionSettings: {
          encryptionAtRest: { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: props.catalogEncryptionKey.keyArn },
          connectionPasswordEncryption: {
            returnConnectionPasswordEncrypted: true,
            kmsKeyId: props.catalogEncryptionKey.keyArn,
          },
        },
      });
      db.addResourceDependency(this.encryptionSettings);
    }
    this.optimizerRole = new Role(this, "OptimizerRole", {
      assumedBy: new ServicePrincipal("glue.amazonaws.com"),
      description: "Glue table optimizers for the Sideline Iceberg tables",
    });
    for (const k of KEY_CLASSES) {
      props.warehouses[k].grantReadWrite(this.optimizerRole);
      props.warehouses[k].grantDelete(this.optimizerRole);
      props.keys[k].grantEncryptDecrypt(this.optimizerRole);
    }
    // Compaction rewrites every table's files, special categories included.
    allowDecrypt(this.optimizerRole, ...SPECIAL_CATEGORY_KEYS);
    this.optimizerRole.addToPolicy(
      new PolicyStatement({
        actions: ["glue:GetTable", "glue:GetTables", "glue:UpdateTable", "glue:GetDatabase"],
        resources: [this.catalogArn(), this.databaseArn(), ...props.tables.map((t) => this.tableArn(t.name))],
      }),
    );
    this.optimizerRole.addToPolicy(
      new PolicyStatement({
        actions: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [
          `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:/aws-glue/iceberg-compaction/logs:*`,
          `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:/aws-glue/iceberg-retention/logs:*`,
          `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:/aws-glue/iceberg-orphan-file-deletion/logs:*`,
        ],
      }),
    );
    acknowledge(this.optimizerRole, {
      ...grantWildcardReasons("Glue table optimizers"),
      ...inlinePolicyReason("The Glue table optimizers' role"),
      ...Object.fromEntries(
        KEY_CLASSES.map((k) => [
          `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(props.warehouses[k].node.defaultChild as never)}.Arn>/*]`,
          `Compaction, snapshot expiry and orphan-file deletion rewrite and delete files anywhere under the ${k} tables' locations in the ${k} warehouse bucket.`,
        ]),
      ),
      ...Object.fromEntries(
        ["iceberg-compaction", "iceberg-retention", "iceberg-orphan-file-deletion"].map((g) => [
          `AwsSolutions-IAM5[Resource::arn:${nagValue(stack.partition, "AWS::Partition")}:logs:${nagValue(stack.region, "AWS::Region")}:${nagValue(stack.account, "AWS::AccountId")}:log-group:/aws-glue/${g}/logs:*]`,
          `Log streams that the Glue ${g.replace("iceberg-", "")} optimizer creates in its own log group, with generated names.`,
        ]),
      ),
    });
    this.tableFunction = this.createTableFunction(props, removalPolicy);
    for (const def of props.tables) {
      const location = this.locationOf(def);
      const table = new IcebergTable(this, `${def.name}Table`, {
        provider: this.tableFunction,
        databaseName: props.databaseName,
        tableName: def.name,
        input: icebergTableInput(def, location, props.fieldIds),
        removalPolicy,
      });
      table.node.addDependency(db);
      this.grantTableFiles(this.warehouseFor(def), def.name, props.keys[tableKeyClass(def)]);
      this.tables.set(def.name, table);
      const optimizer = (type: string, config: Partial<CfnTableOptimizer.TableOptimizerConfigurationProperty>) => {
        const o = new CfnTableOptimizer(
          this,
          `${def.name}${type.replace(/_(\w)/g, (_m, c: string) => c.toUpperCase())}`,
          {
            catalogId: stack.account,
            databaseName: props.databaseName,
            tableName: def.name,
            type,
            tableOptimizerConfiguration: { roleArn: this.optimizerRole.roleArn, enabled: true, ...config },
          },
        );
        o.node.addDependency(table);
        const policy = this.optimizerRole.node.tryFindChild("DefaultPolicy");
        if (policy) o.node.addDependency(policy);
      };
      optimizer("compaction", {});
      optimizer("retention", {
        retentionConfiguration: {
          icebergConfiguration: {
            snapshotRetentionPeriodInDays: SNAPSHOT_RETENTION_DAYS,
            numberOfSnapshotsToRetain: SNAPSHOTS_TO_RETAIN,
            cleanExpiredFiles: true,
          },
        },
      });
      optimizer("orphan_file_deletion", {
        orphanFileDeletionConfiguration: {
          icebergConfiguration: {
            orphanFileRetentionPeriodInDays: ORPHAN_FILE_RETENTION_DAYS,
            location: this.locationOf(def),
          },
        },
      });
    }
  }

  /** The warehouse bucket a table lives in: its class's. */
  warehouseFor(table: AnyTable): IBucket {
    return this.props.warehouses[tableKeyClass(table)];
  }

  /** The table's location: its own prefix in its class's warehouse. */
  locationOf(table: AnyTable): string {
    return this.warehouseFor(table).s3UrlForObject(`${table.name}/`);
  }

  /** The function that owns this database's tables, allowed the Glue table calls on them only. */
  private createTableFunction(props: IcebergCatalogProps, removalPolicy: RemovalPolicy): SidelineFunction {
    const fn = new SidelineFunction(this, "TableFunction", {
      entry: "lambdas/functions/iceberg-table/index.ts",
      description: `Creates and evolves the Iceberg tables of ${props.databaseName} (Custom::IcebergTable)`,
      logKey: props.logKey,
      logRetention: props.logRetention,
      logRemovalPolicy: removalPolicy,
      memorySize: TABLE_FUNCTION_MEMORY_MB,
      timeout: TABLE_FUNCTION_TIMEOUT,
      environment: { DATABASE_NAME: props.databaseName },
    });
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: [
          "glue:GetTable",
          "glue:CreateTable",
          "glue:UpdateTable",
          // Deleting a catalog entry only where the stage lets its tables go (dev, destroyDataOnDelete).
          ...(removalPolicy === RemovalPolicy.DESTROY ? ["glue:DeleteTable"] : []),
        ],
        resources: [this.catalogArn(), this.databaseArn(), ...props.tables.map((t) => this.tableArn(t.name))],
      }),
    );
    // With catalog encryption on, every catalog call encrypts and decrypts under that key too.
    props.catalogEncryptionKey?.grant(fn, "kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey");
    acknowledge(fn, {
      "Serverless-LambdaDLQ":
        "Invoked asynchronously by CloudFormation for the Custom::IcebergTable resources; the function answers CloudFormation itself, SUCCESS or FAILED with the reason, before its timeout, and the failed deployment reports it: a DLQ would hold nothing to redrive.",
    });
    return fn;
  }

  /**
   * Lets the table function write the table's Iceberg metadata under its prefix of the warehouse:
   * Glue writes the files with the caller's credentials, SSE-KMS under the bucket's key.
   * @param key the bucket's key when the bucket does not name one (an imported bucket)
   */
  private grantTableFiles(warehouse: IBucket, table: string, key: IKey): void {
    (warehouse.encryptionKey ?? key).grant(this.tableFunction, "kms:Decrypt", "kms:GenerateDataKey");
    this.tableFunction.addToRolePolicy(
      new PolicyStatement({
        // What Glue needs of the table's creator (https://docs.aws.amazon.com/lake-formation/latest/dg/creating-iceberg-tables.html).
        actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        resources: [warehouse.arnForObjects(`${table}/*`)],
      }),
    );
    acknowledge(this.tableFunction.role!, {
      [`AwsSolutions-IAM5[Resource::${nagArn(warehouse)}/${table}/*]`]:
        "Glue writes the table's Iceberg metadata files, whose names it generates, under the table's own prefix of the warehouse, with this function's credentials.",
    });
  }

  catalogArn(): string {
    const s = Stack.of(this);
    return `arn:${s.partition}:glue:${s.region}:${s.account}:catalog`;
  }

  databaseArn(): string {
    const s = Stack.of(this);
    return `arn:${s.partition}:glue:${s.region}:${s.account}:database/${this.databaseName}`;
  }

  tableArn(name: string): string {
    const s = Stack.of(this);
    return `arn:${s.partition}:glue:${s.region}:${s.account}:table/${this.databaseName}/${name}`;
  }
}
