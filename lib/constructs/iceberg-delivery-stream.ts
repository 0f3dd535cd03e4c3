import { type RemovalPolicy, Stack } from "aws-cdk-lib";
import { Grant, type IGrantable, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { CfnDeliveryStream } from "aws-cdk-lib/aws-kinesisfirehose";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { LogGroup, LogStream, type RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import type { AnyTable } from "../../lambdas/contracts/tables/index.js";
import { allowDecrypt, SPECIAL_CATEGORY_KEYS, tableKeyClass } from "../data-access.js";
import { acknowledge, grantWildcardReasons, inlinePolicyReason } from "../nag.js";
import type { IcebergCatalog } from "./iceberg-catalog.js";

/** How long Firehose retries a failing Iceberg commit before the rows go to the error bucket. */
export const FIREHOSE_RETRY_SECONDS = 3600;
/** Buffer size: 128 MiB, the Iceberg destination's maximum, makes the fewest, largest files. */
export const FIREHOSE_BUFFER_MIB = 128;

export interface IcebergDeliveryStreamProps {
  readonly table: AnyTable;
  readonly catalog: IcebergCatalog;
  readonly warehouse: IBucket;
  readonly errors: IBucket;
  /** The key of the table's data class (lib/data-access.ts): the stream's buffer and the error objects. */
  readonly key: IKey;
  readonly opsKey: IKey;
  readonly bufferSeconds: number;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * A Direct PUT delivery stream into one Iceberg table. Rows are upserted on the table key
 * (`UniqueKeys` and a JQ `operation: "update"`), so a redelivered batch replaces rather than
 * duplicates. Failed rows land in the error bucket under `<table>/!{firehose:error-output-type}/`.
 * Its role reaches only this table, the warehouse, the error bucket and its log stream.
 */
export class IcebergDeliveryStream extends Construct {
  readonly deliveryStream: CfnDeliveryStream;
  readonly deliveryStreamName: string;
  readonly logGroup: LogGroup;
  /** The role Firehose delivers with (Lake Formation grants it its table). */
  readonly role: Role;

  constructor(scope: Construct, id: string, props: IcebergDeliveryStreamProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const name = props.table.name;
    this.logGroup = new LogGroup(this, "Logs", {
      retention: props.logRetention,
      encryptionKey: props.opsKey,
      removalPolicy: props.logRemovalPolicy,
    });
    const destinationLog = new LogStream(this, "DestinationErrors", {
      logGroup: this.logGroup,
      removalPolicy: props.logRemovalPolicy,
    });
    const backupLog = new LogStream(this, "BackupErrors", {
      logGroup: this.logGroup,
      removalPolicy: props.logRemovalPolicy,
    });
    const role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("firehose.amazonaws.com", {
        conditions: { StringEquals: { "sts:ExternalId": stack.account } },
      }),
      description: `Firehose delivery into the ${name} Iceberg table`,
    });
    this.role = role;
    props.warehouse.grantReadWrite(role, `${name}/*`);
    props.warehouse.grantDelete(role, `${name}/*`);
    props.errors.grantReadWrite(role, `${name}/*`);
    props.key.grantEncryptDecrypt(role);
    // Iceberg commits read the table's metadata back: a special-category table's role decrypts its key.
    const keyClass = tableKeyClass(props.table);
    if (SPECIAL_CATEGORY_KEYS.includes(keyClass)) allowDecrypt(role, keyClass);
    this.logGroup.grantWrite(role);
    role.addToPolicy(
      new PolicyStatement({
        actions: ["glue:GetTable", "glue:GetDatabase", "glue:UpdateTable"],
        resources: [props.catalog.catalogArn(), props.catalog.databaseArn(), props.catalog.tableArn(name)],
      }),
    );
    const jq = `{destinationDatabaseName: "${props.catalog.databaseName}", destinationTableName: "${name}", operation: "update"}`;
    this.deliveryStream = new CfnDeliveryStream(this, "Resource", {
      deliveryStreamType: "DirectPut",
      deliveryStreamEncryptionConfigurationInput: { keyType: "CUSTOMER_MANAGED_CMK", keyArn: props.key.keyArn },
      icebergDestinationConfiguration: {
        roleArn: role.roleArn,
        catalogConfiguration: { catalogArn: props.catalog.catalogArn() },
        destinationTableConfigurationList: [
          {
            destinationDatabaseName: props.catalog.databaseName,
            destinationTableName: name,
            uniqueKeys: [...props.table.key],
            s3ErrorOutputPrefix: `${name}/!{firehose:error-output-type}/`,
          },
        ],
        processingConfiguration: {
          enabled: true,
          processors: [
            {
              type: "MetadataExtraction",
              parameters: [
                { parameterName: "MetadataExtractionQuery", parameterValue: jq },
                { parameterName: "JsonParsingEngine", parameterValue: "JQ-1.6" },
              ],
            },
          ],
        },
        bufferingHints: { intervalInSeconds: props.bufferSeconds, sizeInMBs: FIREHOSE_BUFFER_MIB },
        retryOptions: { durationInSeconds: FIREHOSE_RETRY_SECONDS },
        cloudWatchLoggingOptions: {
          enabled: true,
          logGroupName: this.logGroup.logGroupName,
          logStreamName: destinationLog.logStreamName,
        },
        s3BackupMode: "FailedDataOnly",
        s3Configuration: {
          bucketArn: props.errors.bucketArn,
          roleArn: role.roleArn,
          prefix: `${name}/backup/`,
          errorOutputPrefix: `${name}/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/`,
          compressionFormat: "GZIP",
          encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: props.key.keyArn } },
          cloudWatchLoggingOptions: {
            enabled: true,
            logGroupName: this.logGroup.logGroupName,
            logStreamName: backupLog.logStreamName,
          },
        },
      },
    });
    // The role's policy must exist before Firehose validates its access (the role itself is a GetAtt already).
    const policy = role.node.tryFindChild("DefaultPolicy");
    if (policy) this.deliveryStream.node.addDependency(policy);
    acknowledge(role, {
      ...grantWildcardReasons(`Firehose into ${name}`),
      ...inlinePolicyReason(`Firehose delivery into ${name}`),
      [`AwsSolutions-IAM5[Resource::<${stack.getLogicalId(props.warehouse.node.defaultChild as never)}.Arn>/${name}/*]`]: `Objects under this table's own prefix (${name}/) in the warehouse: Iceberg data and metadata files have generated names.`,
      [`AwsSolutions-IAM5[Resource::<${stack.getLogicalId(props.errors.node.defaultChild as never)}.Arn>/${name}/*]`]: `Objects under this table's own prefix (${name}/) in the error bucket, named by Firehose.`,
    });
    this.deliveryStreamName = this.deliveryStream.ref;
  }

  /** Lets a producer put records (PutRecord, PutRecordBatch) on this stream only. */
  grantPutRecords(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ["firehose:PutRecord", "firehose:PutRecordBatch"],
      resourceArns: [this.deliveryStream.attrArn],
    });
  }
}

/** The delivery stream of one table, or an error naming it (a table added without its stream). */
export function streamFor(
  streams: Readonly<Record<string, IcebergDeliveryStream>>,
  table: string,
): IcebergDeliveryStream {
  const s = streams[table];
  if (!s)
    throw new Error(`no delivery stream for table '${table}': add it to TABLES in lambdas/contracts/tables/index.ts`);
  return s;
}
