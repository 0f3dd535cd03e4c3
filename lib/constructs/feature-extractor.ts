/**
 * One modality's ingest and extraction, built from its registry entry: the Kinesis stream, the
 * extractor function, the event source mapping, the DLQ and the grants, and (FeatureExtractorAlarms)
 * its alarms. The body runs in a fixed order, as AWS Solutions Constructs do: validate the props,
 * build, grant, expose.
 */
import { Duration, type RemovalPolicy } from "aws-cdk-lib";
import type { Alarm, IMetric } from "aws-cdk-lib/aws-cloudwatch";
import type { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import type { IEventBus } from "aws-cdk-lib/aws-events";
import { Stream, StreamEncryption, StreamMode } from "aws-cdk-lib/aws-kinesis";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { StartingPosition } from "aws-cdk-lib/aws-lambda";
import { KinesisEventSource, SqsDlq } from "aws-cdk-lib/aws-lambda-event-sources";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { type Modality, streamName } from "../../lambdas/contracts/modalities.js";
import { stateTableKeyPatterns } from "../../lambdas/contracts/state-keys.js";
import { notifyingAlarm } from "../alarms.js";
import { acknowledge, nagArn } from "../nag.js";
import { grantStateTableKeys } from "../state-table-grants.js";
import type { IcebergDeliveryStream } from "./iceberg-delivery-stream.js";
import { SidelineFunction } from "./sideline-function.js";

/** Stream retention: 24 h (the Kinesis minimum and free tier of retention) covers a match and its replay window. */
export const STREAM_RETENTION_HOURS = 24;
/** DLQ messages are kept 14 days, the SQS maximum, for inspection and redrive. */
const DLQ_RETENTION_DAYS = 14;
/** Lambda's limits for a Kinesis event source mapping (Lambda developer guide, "Kinesis event source mapping"). */
const ESM_LIMITS = {
  batchSize: [1, 10_000],
  batchingWindowSeconds: [0, 300],
  parallelizationFactor: [1, 10],
  retryAttempts: [0, 10_000],
  maxRecordAgeHours: [0, 168],
} as const;

/** The event source mapping's settings (defaults: STREAM_MAPPING_DEFAULTS in lambdas/contracts/defaults.ts). */
export interface StreamMappingSettings {
  readonly batchSize: number;
  readonly batchingWindowSeconds: number;
  readonly parallelizationFactor: number;
  readonly retryAttempts: number;
  readonly maxRecordAgeHours: number;
  readonly bisectOnError: boolean;
}

export interface FeatureExtractorProps {
  readonly modality: Modality;
  readonly stageName: string;
  /** Encrypts the stream, the DLQ and (through the function's grants) what it writes. */
  readonly dataKey: IKey;
  /** Encrypts the function's log group. */
  readonly opsKey: IKey;
  readonly shardMode: "on-demand" | "provisioned";
  /** Shards when provisioned. */
  readonly shardCount: number;
  readonly mapping: StreamMappingSettings;
  /** The key states and load history: the extractor may use its modality's keys only (contracts/state-keys.ts). */
  readonly stateTable: ITable;
  readonly bus: IEventBus;
  /** The lake's delivery streams by table name: every table the modality writes must have one. */
  readonly deliveryStreams: Readonly<Record<string, IcebergDeliveryStream>>;
  /** Where insight pictures go (under visuals/). */
  readonly visuals: IBucket;
  /** Feature window, seconds (WINDOW_SECONDS). */
  readonly windowSeconds: number;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

function validate(p: FeatureExtractorProps): void {
  const missing = p.modality.tables.filter((t) => !p.deliveryStreams[t.name]).map((t) => t.name);
  if (missing.length > 0)
    throw new Error(
      `modality '${p.modality.id}' writes ${missing.join(", ")} but the lake has no delivery stream for them: add the tables to the lake`,
    );
  for (const [k, [min, max]] of Object.entries(ESM_LIMITS)) {
    const v = p.mapping[k as keyof typeof ESM_LIMITS];
    if (!Number.isInteger(v) || v < min || v > max)
      throw new Error(`modality '${p.modality.id}': mapping ${k} must be an integer from ${min} to ${max}, got ${v}`);
  }
  if (p.shardMode === "provisioned" && !(p.shardCount >= 1))
    throw new Error(`modality '${p.modality.id}': a provisioned stream needs shardCount >= 1`);
}

export class FeatureExtractor extends Construct {
  readonly modality: Modality;
  readonly stream: Stream;
  readonly function: SidelineFunction;
  /** The event source mapping's on-failure destination. */
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: FeatureExtractorProps) {
    super(scope, id);
    validate(props);
    const m = props.modality;
    this.modality = m;

    // Build.
    this.stream = new Stream(this, "Stream", {
      streamName: streamName(m, props.stageName),
      encryption: StreamEncryption.KMS,
      encryptionKey: props.dataKey,
      retentionPeriod: Duration.hours(STREAM_RETENTION_HOURS),
      ...(props.shardMode === "on-demand"
        ? { streamMode: StreamMode.ON_DEMAND }
        : { streamMode: StreamMode.PROVISIONED, shardCount: props.shardCount }),
      removalPolicy: props.removalPolicy,
    });
    this.deadLetterQueue = new Queue(this, "Dlq", {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.dataKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(DLQ_RETENTION_DAYS),
      removalPolicy: props.removalPolicy,
    });
    this.function = new SidelineFunction(this, "Function", {
      entry: m.extractor.entry,
      description: m.extractor.description,
      serviceName: m.extractor.functionId,
      logKey: props.opsKey,
      logRetention: props.logRetention,
      logRemovalPolicy: props.removalPolicy,
      ...(m.extractor.memorySize ? { memorySize: m.extractor.memorySize } : {}),
      environment: {
        DELIVERY_STREAMS: JSON.stringify(
          Object.fromEntries(m.tables.map((t) => [t.name, props.deliveryStreams[t.name]!.deliveryStreamName])),
        ),
        VISUALS_BUCKET: props.visuals.bucketName,
        EVENT_BUS_NAME: props.bus.eventBusName,
        STATE_TABLE_NAME: props.stateTable.tableName,
        WINDOW_SECONDS: String(props.windowSeconds),
      },
    });
    const mp = props.mapping;
    this.function.addEventSource(
      new KinesisEventSource(this.stream, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: mp.batchSize,
        maxBatchingWindow: Duration.seconds(mp.batchingWindowSeconds),
        parallelizationFactor: mp.parallelizationFactor,
        reportBatchItemFailures: true,
        bisectBatchOnError: mp.bisectOnError,
        retryAttempts: mp.retryAttempts,
        maxRecordAge: Duration.hours(mp.maxRecordAgeHours),
        onFailure: new SqsDlq(this.deadLetterQueue),
      }),
    );

    // Grant (the event source grants the stream reads and the DLQ sends).
    // The shared state table, for this modality's keys only: its stream states and the load histories
    // it keeps (dynamodb:LeadingKeys; tracking and wearables share the distance history).
    grantStateTableKeys(this.function, props.stateTable, stateTableKeyPatterns(m));
    for (const t of m.tables) props.deliveryStreams[t.name]!.grantPutRecords(this.function);
    props.visuals.grantPut(this.function, "visuals/*");
    props.bus.grantPutEventsTo(this.function);

    acknowledge(this.stream, {
      "AwsSolutions-KDS3":
        "Encrypted with Sideline's customer-managed data key on purpose: its key policy and rotation are ours to audit, which the aws/kinesis key does not allow.",
    });
    acknowledge(this.deadLetterQueue, {
      "AwsSolutions-SQS3": "This queue is the dead-letter queue (the event source mapping's on-failure destination).",
      "Serverless-SQSRedrivePolicy":
        "This queue is the dead-letter queue; failed batches are inspected and replayed from it by hand.",
    });
    acknowledge(this.function.role!, {
      [`AwsSolutions-IAM5[Resource::${nagArn(props.visuals)}/visuals/*]`]:
        "Insight pictures are written under visuals/<match>/<insight-id>.svg: names known only at run time, in this bucket only.",
      "AwsSolutions-IAM5[Action::s3:Abort*]":
        "grantPut lets a failed picture upload be aborted, in the visuals bucket only.",
    });
  }
}

/**
 * A feature extractor's alarms, with dimensions and actions: consumer lag, errors, throttles,
 * batches in the DLQ, and producers throttled on its stream.
 */
export class FeatureExtractorAlarms extends Construct {
  readonly alarms: Alarm[] = [];
  readonly iteratorAge: IMetric;

  constructor(
    scope: Construct,
    id: string,
    props: { extractor: FeatureExtractor; action: SnsAction; iteratorAgeMs: number },
  ) {
    super(scope, id);
    const { extractor: x, action } = props;
    const name = x.modality.extractor.functionId;
    const minute = Duration.minutes(1);
    const alarm = (aid: string, metric: IMetric, threshold: number, description: string) =>
      this.alarms.push(notifyingAlarm(this, aid, metric, threshold, description, action));
    this.iteratorAge = x.function.metric("IteratorAge", { statistic: "Maximum", period: minute });
    alarm("IteratorAge", this.iteratorAge, props.iteratorAgeMs, `${name} is more than a window behind its stream`);
    alarm("Errors", x.function.metricErrors({ period: minute }), 0, `${name} invocations failed`);
    alarm("Throttles", x.function.metricThrottles({ period: minute }), 0, `${name} was throttled`);
    alarm(
      "DlqDepth",
      x.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: "Maximum", period: minute }),
      0,
      `${x.modality.id} batches gave up after retries and wait in the DLQ`,
    );
    alarm(
      "WriteThrottled",
      x.stream.metricPutRecordsThrottledRecords({ period: minute }),
      0,
      `producers are throttled writing to the ${x.modality.id} stream`,
    );
  }
}
