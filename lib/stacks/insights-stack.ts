import { Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { Archive, type CfnArchive, EventBus } from "aws-cdk-lib/aws-events";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { ALL_INSIGHTS_PATTERN } from "../../lambdas/contracts/events/index.js";
import { acknowledge } from "../nag.js";

/** Insight events are kept for replay a year: a season, so workflows can be re-run over it. */
const ARCHIVE_RETENTION_DAYS = 365;
/** Dead letters are kept 14 days, SQS's maximum, for inspection and redrive. */
const DLQ_RETENTION = Duration.days(14);

export interface InsightsStackProps extends StackProps {
  readonly stageName: string;
  /**
   * Encrypts the bus and its archive: the health key, because insights include fatigue, load spikes
   * and medical alerts (the insights table is classified health).
   */
  readonly insightsKey: IKey;
  /**
   * Encrypts the bus's dead-letter queue. Not the insights key: the queue catches events that the bus
   * could not encrypt or decrypt, chiefly because the insights key is disabled or missing.
   */
  readonly opsKey: IKey;
  /** Applied to the bus and its archive. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The insights bus: a custom EventBridge bus, encrypted with the health key, with an archive of every
 * Sideline insight for replay (encrypted with the health key too) and a dead-letter queue for events
 * the bus cannot process. The event contracts (detail-types, schemas, patterns) live in
 * lambdas/contracts/events/; rules and their targets subscribe to them.
 */
export class InsightsStack extends Stack {
  readonly bus: EventBus;
  readonly archive: Archive;
  /** Events the bus could not process (non-retriable encryption errors): alarmed by the observability stack. */
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: InsightsStackProps) {
    super(scope, id, props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const eventBusName = `sideline-insights-${props.stageName}`;
    // The bus's ARN from its name, not its GetAtt: the key policies live in the security stack, which
    // cannot reference this stack (it already references the keys).
    const busArn = this.formatArn({ service: "events", resource: "event-bus", resourceName: eventBusName });
    // With a customer managed key on the bus, EventBridge sends events it cannot encrypt or decrypt
    // on the bus (a disabled or missing key) to the bus's DLQ, and otherwise drops them
    // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-event-bus-dlq.html).
    this.deadLetterQueue = new Queue(this, "BusDlq", {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.opsKey,
      enforceSSL: true,
      retentionPeriod: DLQ_RETENTION,
      removalPolicy,
    });
    acknowledge(this.deadLetterQueue, {
      "AwsSolutions-SQS3": "This queue is the dead-letter queue of the insights bus.",
      "Serverless-SQSRedrivePolicy": "This queue is the dead-letter queue; events are inspected and redriven by hand.",
    });
    this.bus = new EventBus(this, "Bus", {
      eventBusName,
      description: "Sideline insights: fatigue, load, scouting matches",
      kmsKey: props.insightsKey,
      deadLetterQueue: this.deadLetterQueue,
    });
    this.bus.applyRemovalPolicy(removalPolicy);
    // A DLQ needs a queue policy letting EventBridge send to it, and, when the queue is encrypted with
    // a customer managed key, kms:Decrypt and kms:GenerateDataKey for EventBridge in the key policy
    // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html).
    this.deadLetterQueue.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal("events.amazonaws.com")],
        actions: ["sqs:SendMessage"],
        resources: [this.deadLetterQueue.queueArn],
        conditions: { ArnEquals: { "aws:SourceArn": this.bus.eventBusArn } },
      }),
    );
    props.opsKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal("events.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey"],
        resources: ["*"], // in a key policy, "*" means this key
        conditions: { StringEquals: { "aws:SourceArn": busArn } },
      }),
    );
    // Bus.archive() takes no key, so the archive is built here, under the id it gives (Bus/Archive).
    this.archive = new Archive(this.bus, "Archive", {
      sourceEventBus: this.bus,
      archiveName: eventBusName,
      description: "Every Sideline insight, for replay",
      // The shared pattern ({"prefix": "sideline."}): CDK types sources as strings, but renders filters as given.
      eventPattern: { source: ALL_INSIGHTS_PATTERN.source as string[] },
      retention: Duration.days(ARCHIVE_RETENTION_DAYS),
    });
    // The archive's customer managed key (AWS::Events::Archive KmsKeyIdentifier,
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-events-archive.html),
    // set on the L1: the L2's kmsKey would add a key policy naming the bus's GetAtt ARN to the
    // security stack, a cycle. The statement below is the one the archive needs: DescribeKey (granted
    // to EventBridge in the security stack), and GenerateDataKey, Decrypt and ReEncrypt with the
    // bus's ARN as encryption context
    // (https://docs.aws.amazon.com/eventbridge/latest/userguide/encryption-archives.html).
    const cfnArchive = this.archive.node.findChild("Archive") as CfnArchive;
    cfnArchive.kmsKeyIdentifier = props.insightsKey.keyArn;
    cfnArchive.applyRemovalPolicy(removalPolicy);
    props.insightsKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal("events.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey", "kms:ReEncrypt*"],
        resources: ["*"], // in a key policy, "*" means this key
        conditions: { StringEquals: { "kms:EncryptionContext:aws:events:event-bus:arn": busArn } },
      }),
    );
  }
}
