import { Duration, type RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { AttributeType, BillingMode, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import type { IEventBus } from "aws-cdk-lib/aws-events";
import { Stream, StreamEncryption, StreamMode } from "aws-cdk-lib/aws-kinesis";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { StartingPosition } from "aws-cdk-lib/aws-lambda";
import { KinesisEventSource, SqsDlq } from "aws-cdk-lib/aws-lambda-event-sources";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Bucket, IBucket } from "aws-cdk-lib/aws-s3";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { TRACKING } from "../../lambdas/contracts/modalities.js";

const TRACKING_TABLES = TRACKING.tables.map((t) => t.name);

import type { Modality, ShardMode } from "../config.js";
import { type IcebergDeliveryStream, streamFor } from "../constructs/iceberg-delivery-stream.js";
import { SecureBucket } from "../constructs/secure-bucket.js";
import { SidelineFunction } from "../constructs/sideline-function.js";
import { acknowledge, nagArn } from "../nag.js";

/** Stream retention: 24 h (the Kinesis minimum and free tier of retention) covers a match and its replay window. */
const STREAM_RETENTION_HOURS = 24;
/** Retries per failing batch before the on-failure destination: bisection needs a few; at most 10. */
export const ESM_RETRY_ATTEMPTS = 5;
/** A record older than this is no longer live: it goes to the DLQ rather than hold the shard (a match plus extra time). */
export const ESM_MAX_RECORD_AGE_HOURS = 3;
/** DLQ messages are kept 14 days, the SQS maximum, for inspection and redrive. */
const DLQ_RETENTION_DAYS = 14;

export interface IngestStackProps extends StackProps {
  readonly stageName: string;
  readonly dataKey: IKey;
  readonly opsKey: IKey;
  readonly modalities: readonly Modality[];
  readonly shardMode: ShardMode;
  readonly shardCount: number;
  readonly bus: IEventBus;
  /** The lake's delivery streams by table name; the function writes TRACKING_TABLES. */
  readonly featureStreams: Readonly<Record<string, IcebergDeliveryStream>>;
  /** Where the buckets' access logs go. */
  readonly accessLogs: IBucket;
  readonly windowSeconds: number;
  readonly batchSize: number;
  readonly batchingWindowSeconds: number;
  readonly parallelizationFactor: number;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Ingest: the Kinesis streams (tracking, and wearables and pose when enabled), and the
 * tracking-features consumer with its event source mapping, player-state table and DLQ.
 */
export class IngestStack extends Stack {
  readonly streams: Partial<Record<Modality, Stream>> = {};
  readonly trackingFunction: SidelineFunction;
  readonly stateTable: Table;
  /** Insight pictures (SVG): pitch heatmaps and trend lines, linked from each insight's visual_url. */
  readonly visuals: Bucket;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: IngestStackProps) {
    super(scope, id, props);
    for (const m of props.modalities) {
      this.streams[m] = new Stream(this, `${m}Stream`, {
        streamName: `sideline-${m}-${props.stageName}`,
        encryption: StreamEncryption.KMS,
        encryptionKey: props.dataKey,
        retentionPeriod: Duration.hours(STREAM_RETENTION_HOURS),
        ...(props.shardMode === "on-demand"
          ? { streamMode: StreamMode.ON_DEMAND }
          : { streamMode: StreamMode.PROVISIONED, shardCount: props.shardCount }),
        removalPolicy: props.removalPolicy,
      });
    }
    for (const s of Object.values(this.streams)) {
      acknowledge(s, {
        "AwsSolutions-KDS3":
          "Encrypted with Sideline's customer-managed data key on purpose: its key policy and rotation are ours to audit, which the aws/kinesis key does not allow.",
      });
    }
    const tracking = this.streams.tracking!;

    // Table, not TableV2: TableV2 cannot render a customer-key replica in a region-agnostic stack.
    this.stateTable = new Table(this, "PlayerState", {
      partitionKey: { name: "pk", type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.dataKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: "expires_at",
      removalPolicy: props.removalPolicy,
    });

    this.deadLetterQueue = new Queue(this, "TrackingDlq", {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.dataKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(DLQ_RETENTION_DAYS),
      removalPolicy: props.removalPolicy,
    });
    acknowledge(this.deadLetterQueue, {
      "AwsSolutions-SQS3": "This queue is the dead-letter queue (the event source mapping's on-failure destination).",
      "Serverless-SQSRedrivePolicy":
        "This queue is the dead-letter queue; failed batches are inspected and replayed from it by hand.",
    });

    this.visuals = new SecureBucket(this, "Visuals", {
      encryptionKey: props.dataKey,
      accessLogs: props.accessLogs,
      removalPolicy: props.removalPolicy,
    }).bucket;
    this.trackingFunction = new SidelineFunction(this, "TrackingFeatures", {
      entry: "lambdas/functions/tracking-features/index.ts",
      description: "Physical features and fatigue insights from player tracking",
      logKey: props.opsKey,
      logRetention: props.logRetention,
      logRemovalPolicy: props.removalPolicy,
      environment: {
        DELIVERY_STREAMS: JSON.stringify(
          Object.fromEntries(TRACKING_TABLES.map((t) => [t, streamFor(props.featureStreams, t).deliveryStreamName])),
        ),
        VISUALS_BUCKET: this.visuals.bucketName,
        EVENT_BUS_NAME: props.bus.eventBusName,
        STATE_TABLE_NAME: this.stateTable.tableName,
        WINDOW_SECONDS: String(props.windowSeconds),
      },
    });
    this.trackingFunction.addEventSource(
      new KinesisEventSource(tracking, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: props.batchSize,
        maxBatchingWindow: Duration.seconds(props.batchingWindowSeconds),
        parallelizationFactor: props.parallelizationFactor,
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: ESM_RETRY_ATTEMPTS,
        maxRecordAge: Duration.hours(ESM_MAX_RECORD_AGE_HOURS),
        onFailure: new SqsDlq(this.deadLetterQueue),
      }),
    );
    // Player state between invocations (see README: why not Kinesis tumbling windows).
    this.stateTable.grantReadWriteData(this.trackingFunction);
    for (const t of TRACKING_TABLES) streamFor(props.featureStreams, t).grantPutRecords(this.trackingFunction);
    this.visuals.grantPut(this.trackingFunction, "visuals/*");
    acknowledge(this.trackingFunction.role!, {
      [`AwsSolutions-IAM5[Resource::${nagArn(this.visuals)}/visuals/*]`]:
        "Insight pictures are written under visuals/<match>/<insight-id>.svg: names known only at run time, in this bucket only.",
      "AwsSolutions-IAM5[Action::s3:Abort*]":
        "grantPut lets a failed picture upload be aborted, in the visuals bucket only.",
    });
    props.bus.grantPutEventsTo(this.trackingFunction);
  }
}
