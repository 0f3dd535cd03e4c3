import { RemovalPolicy, Stack, type StackProps, Tags } from "aws-cdk-lib";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import type { Construct } from "constructs";

/** The tag EventBridge requires on a customer managed key that encrypts a connection's secret. */
export const API_DESTINATIONS_KEY_TAG = { key: "EventBridgeApiDestinations", value: "true" } as const;

export interface SecurityStackProps extends StackProps {
  /** Schedule key deletion with the stack (dev only, when explicitly allowed). @default false */
  readonly destroyOnDelete?: boolean;
}

/**
 * Customer-managed keys, with yearly rotation:
 * - `dataKey` encrypts data at rest: streams, buckets, the state table, queues, Firehose, the bus;
 * - `opsKey` encrypts operational data: log groups and the alarm topic.
 * Separate keys let a security team grant log readers no access to player data.
 */
export class SecurityStack extends Stack {
  readonly dataKey: Key;
  readonly opsKey: Key;

  constructor(scope: Construct, id: string, props: SecurityStackProps = {}) {
    super(scope, id, props);
    const removalPolicy = props.destroyOnDelete ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    this.dataKey = new Key(this, "DataKey", {
      alias: `alias/${id.toLowerCase()}-data`,
      description: "Sideline: player tracking and features at rest",
      enableKeyRotation: true,
      removalPolicy,
    });
    this.opsKey = new Key(this, "OpsKey", {
      alias: `alias/${id.toLowerCase()}-ops`,
      description: "Sideline: logs and alarm notifications",
      enableKeyRotation: true,
      removalPolicy,
    });
    // CloudWatch Logs encrypts log groups with the key, limited to this account's log groups.
    this.opsKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        resources: ["*"], // in a key policy, "*" means this key
        conditions: {
          ArnLike: {
            "kms:EncryptionContext:aws:logs:arn": `arn:${this.partition}:logs:${this.region}:${this.account}:*`,
          },
        },
      }),
    );
    // EventBridge uses the data key for the bus, API destination connections, and rule targets
    // encrypted with it (the automation DLQ, the scouting and medical topics), in this account only:
    // DescribeKey, GenerateDataKey and Decrypt are what EventBridge needs of a customer managed key
    // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-key-policy.html).
    this.dataKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal("events.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
        resources: ["*"], // in a key policy, "*" means this key
        conditions: { StringEquals: { "aws:SourceAccount": this.account } },
      }),
    );
    // The CRM connection's secret is kept under the data key too. EventBridge uses a customer managed
    // key for a connection only if the key carries this tag, or creating the connection fails: its
    // service-linked role may use tagged keys only, through Secrets Manager, for connection secrets
    // (https://docs.aws.amazon.com/eventbridge/latest/userguide/encryption-connections.html). The key
    // policy's account statement lets that IAM policy apply.
    Tags.of(this.dataKey).add(API_DESTINATIONS_KEY_TAG.key, API_DESTINATIONS_KEY_TAG.value);
    // CloudWatch alarms publish to the encrypted alarm topic.
    this.opsKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"], // in a key policy, "*" means this key
        conditions: { StringEquals: { "aws:SourceAccount": this.account } },
      }),
    );
  }
}
