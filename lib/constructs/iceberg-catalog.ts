import { RemovalPolicy, Stack } from "aws-cdk-lib";
import { CfnDatabase, CfnDataCatalogEncryptionSettings, CfnTable, CfnTableOptimizer } from "aws-cdk-lib/aws-glue";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import type { AnyTable } from "../../lambdas/contracts/tables/index.js";
import { allowDecrypt, KEY_CLASSES, type KeyClass, SPECIAL_CATEGORY_KEYS, tableKeyClass } from "../data-access.js";
import { type FieldIdLedger, icebergTableInput } from "../iceberg.js";
import { acknowledge, grantWildcardReasons, inlinePolicyReason, nagValue } from "../nag.js";

/** How cdk-nag prints a value in a finding id: the literal, or `<AWS::Pseudo>` for an unresolved one. */

/** Snapshots kept by the retention optimizer: a week of time travel for analysts (Glue default is 5 days). */
export const SNAPSHOT_RETENTION_DAYS = 7;
/** ...and never fewer than this many snapshots. */
export const SNAPSHOTS_TO_RETAIN = 10;
/** Unreferenced files older than this are deleted (Glue's default, 3 days, protects in-flight writes). */
export const ORPHAN_FILE_RETENTION_DAYS = 3;

export interface IcebergCatalogProps {
  readonly databaseName: string;
  readonly tables: readonly AnyTable[];
  /** The tables' Iceberg field ids. @default - the committed ledger, lambdas/contracts/tables/field-ids.json */
  readonly fieldIds?: FieldIdLedger;
  /** The warehouse of each key class: a table lives in the bucket under its class's key (lib/data-access.ts). */
  readonly warehouses: Readonly<Record<KeyClass, IBucket>>;
  /** The key of each key class. */
  readonly keys: Readonly<Record<KeyClass, IKey>>;
  /** Applied to the database and its tables: the tables' pointers to their Iceberg metadata. @default RemovalPolicy.RETAIN */
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
 * tables and the warehouse.
 */
export class IcebergCatalog extends Construct {
  readonly databaseName: string;
  /** The account's catalog encryption settings, when this catalog sets them. */
  readonly encryptionSettings?: CfnDataCatalogEncryptionSettings;
  readonly tables = new Map<string, CfnTable>();
  readonly optimizerRole: Role;

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
    for (const def of props.tables) {
      const table = new CfnTable(this, `${def.name}Table`, {
        catalogId: stack.account,
        databaseName: props.databaseName,
        name: def.name,
        openTableFormatInput: {
          icebergInput: {
            metadataOperation: "CREATE",
            version: "2",
            icebergTableInput: icebergTableInput(def, this.locationOf(def), props.fieldIds),
          },
        },
      });
      table.addResourceDependency(db);
      table.applyRemovalPolicy(removalPolicy);
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
        o.addResourceDependency(table);
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
