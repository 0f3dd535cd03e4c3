import { type RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { AttributeType, BillingMode, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import type { IEventBus } from "aws-cdk-lib/aws-events";
import type { IKey } from "aws-cdk-lib/aws-kms";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Bucket, IBucket } from "aws-cdk-lib/aws-s3";
import type { Construct } from "constructs";
import type { Modality } from "../../lambdas/contracts/modalities.js";
import type { ShardMode } from "../config.js";
import { FeatureExtractor, type StreamMappingSettings } from "../constructs/feature-extractor.js";
import type { IcebergDeliveryStream } from "../constructs/iceberg-delivery-stream.js";
import { ProducerAccess } from "../constructs/producer-access.js";
import { SecureBucket } from "../constructs/secure-bucket.js";
import { allowDecrypt, KEY_CLASS_OF, type KeyClass } from "../data-access.js";
import { acknowledge } from "../nag.js";

export interface IngestStackProps extends StackProps {
  readonly stageName: string;
  /** The key of each key class: a modality's stream is under its class's key. */
  readonly keys: Readonly<Record<KeyClass, IKey>>;
  readonly opsKey: IKey;
  /** The registry entries to deploy, each with its stream and extractor. */
  readonly modalities: readonly Modality[];
  readonly shardMode: ShardMode;
  readonly shardCount: number;
  readonly mapping: StreamMappingSettings;
  readonly bus: IEventBus;
  /** The lake's delivery streams by table name; each extractor writes its modality's tables. */
  readonly featureStreams: Readonly<Record<string, IcebergDeliveryStream>>;
  /** Where the buckets' access logs go. */
  readonly accessLogs: IBucket;
  readonly windowSeconds: number;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /**
   * IAM role or user ARNs per producer kind (config.producerPrincipals): who may assume that kind's
   * producer role and write its modalities' streams.
   * @default - no one: no producer role
   */
  readonly producerPrincipals?: Readonly<Record<string, readonly string[]>>;
}

/** Construct id of a modality's extractor: its id in PascalCase (ids are a contract: renaming replaces resources). */
export const extractorId = (m: Pick<Modality, "id">) =>
  m.id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());

/**
 * Ingest: per registered modality, a FeatureExtractor (stream, extractor function, event source
 * mapping, DLQ, grants); and what the extractors share: the state table (key states per modality,
 * load history per player and measure, the medical cool-down) and the Visuals bucket.
 */
export class IngestStack extends Stack {
  readonly extractors: readonly FeatureExtractor[];
  readonly stateTable: Table;
  /** Insight pictures (SVG): pitch heatmaps and trend lines, linked from each insight's visual_url. */
  readonly visuals: Bucket;
  /** The producers' roles, one per producer kind with principals (ProducerAccess). */
  readonly producers: ProducerAccess;

  constructor(scope: Construct, id: string, props: IngestStackProps) {
    super(scope, id, props);
    // Table, not TableV2: TableV2 cannot render a customer-key replica in a region-agnostic stack.
    // State between invocations (see README: why not Kinesis tumbling windows).
    this.stateTable = new Table(this, "PlayerState", {
      partitionKey: { name: "pk", type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      // Load history per player and the medical cool-down are health data.
      encryptionKey: props.keys.health,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: "expires_at",
      removalPolicy: props.removalPolicy,
    });
    acknowledge(this.stateTable, {
      "HIPAA.Security-DynamoDBInBackupPlan":
        "Point-in-time recovery is on: the table can be restored to any second of the last 35 days. It holds live, expiring state (per-player windows, load history, the medical cool-down) derived from the streams, whose features are kept in the lake; an AWS Backup plan would pay for snapshots that outlive the state's own TTL and add nothing PITR does not cover.",
    });
    this.visuals = new SecureBucket(this, "Visuals", {
      // Insight pictures show load and heart-rate trends: health data.
      encryptionKey: props.keys.health,
      accessLogs: props.accessLogs,
      removalPolicy: props.removalPolicy,
    }).bucket;
    const extractors = props.modalities.map(
      (modality) =>
        new FeatureExtractor(this, extractorId(modality), {
          modality,
          stageName: props.stageName,
          dataKey: props.keys[KEY_CLASS_OF[modality.classification]],
          opsKey: props.opsKey,
          shardMode: props.shardMode,
          shardCount: props.shardCount,
          mapping: props.mapping,
          stateTable: this.stateTable,
          bus: props.bus,
          deliveryStreams: props.featureStreams,
          visuals: this.visuals,
          windowSeconds: props.windowSeconds,
          logRetention: props.logRetention,
          removalPolicy: props.removalPolicy,
        }),
    );
    for (const x of extractors) {
      // Every extractor keeps load history and writes pictures (health); each reads its own stream.
      const streamClass = KEY_CLASS_OF[x.modality.classification];
      allowDecrypt(x.function.role!, "health");
      if (streamClass === "biometric") allowDecrypt(x.function.role!, streamClass);
    }
    this.extractors = extractors;
    this.producers = new ProducerAccess(this, "Producers", {
      streams: extractors,
      ...(props.producerPrincipals ? { principals: props.producerPrincipals } : {}),
    });
  }
}
