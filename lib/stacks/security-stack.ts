import { RemovalPolicy, Stack, type StackProps, Tags } from "aws-cdk-lib";
import { AnyPrincipal, Effect, PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import type { Construct } from "constructs";
import { DECRYPT_TAG_VALUE, decryptTagKey, type KeyClass, SPECIAL_CATEGORY_KEYS } from "../data-access.js";

/** The tag EventBridge requires on a customer managed key that encrypts a connection's secret. */
export const API_DESTINATIONS_KEY_TAG = { key: "EventBridgeApiDestinations", value: "true" } as const;

/** What a special-category key's policy denies to an untagged principal: reading data out of the key. */
export const DECRYPT_ACTIONS = ["kms:Decrypt", "kms:ReEncryptFrom"] as const;

export interface SecurityStackProps extends StackProps {
  /** Schedule key deletion with the stack (dev only, when explicitly allowed). @default false */
  readonly destroyOnDelete?: boolean;
}

/**
 * Customer-managed keys, with yearly rotation, one per data class that needs its own (lib/data-access.ts):
 * - `dataKey`: performance data and media metadata at rest (tracking stream, performance tables,
 *   scouting workflow, CRM secret), governed by IAM;
 * - `biometricKey`: skeletons and joint angles (pose stream, pose tables, the pose endpoints);
 * - `healthKey`: heart rate, workload, medical alerts (wearables stream, health tables, the state
 *   table, the insights bus and archive, the medical workflow);
 * - `opsKey`: logs and the alarm topic.
 * The two special-category keys deny decryption to any principal that is not tagged for the class,
 * so an IAM policy granting kms:Decrypt is not enough: the key policy decides who reads the class.
 */
export class SecurityStack extends Stack {
  readonly dataKey: Key;
  readonly biometricKey: Key;
  readonly healthKey: Key;
  readonly opsKey: Key;
  /** The data keys by key class. */
  readonly keys: Readonly<Record<KeyClass, Key>>;

  constructor(scope: Construct, id: string, props: SecurityStackProps = {}) {
    super(scope, id, props);
    const removalPolicy = props.destroyOnDelete ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const key = (kid: string, suffix: string, description: string) =>
      new Key(this, kid, {
        alias: `alias/${id.toLowerCase()}-${suffix}`,
        description,
        enableKeyRotation: true,
        removalPolicy,
      });
    this.dataKey = key("DataKey", "data", "Sideline: performance data and media metadata at rest");
    this.biometricKey = key(
      "BiometricKey",
      "biometric",
      "Sideline: biometric data (pose skeletons, joint angles) at rest",
    );
    this.healthKey = key("HealthKey", "health", "Sideline: health data (heart rate, workload, medical alerts) at rest");
    this.opsKey = key("OpsKey", "ops", "Sideline: logs and alarm notifications");
    this.keys = { performance: this.dataKey, biometric: this.biometricKey, health: this.healthKey };
    for (const k of SPECIAL_CATEGORY_KEYS) this.denyUntaggedDecrypt(this.keys[k], k);
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
    // EventBridge uses the data key for API destination connections, and the health key for the bus
    // and the rule targets encrypted with it (the automation DLQ, the medical topic), in this account
    // only: DescribeKey, GenerateDataKey and Decrypt are what EventBridge needs of a customer managed
    // key (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-key-policy.html).
    // The scouting topic is under the data key.
    for (const k of [this.dataKey, this.healthKey]) {
      k.addToResourcePolicy(
        new PolicyStatement({
          principals: [new ServicePrincipal("events.amazonaws.com")],
          actions: ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
          resources: ["*"], // in a key policy, "*" means this key
          conditions: { StringEquals: { "aws:SourceAccount": this.account } },
        }),
      );
    }
    // The CRM connection's secret is kept under the data key. EventBridge uses a customer managed
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

  /**
   * The key policy's say over decryption: deny Decrypt and ReEncryptFrom to every principal that is
   * not tagged for the class, and deny grants that would hand decryption to one, whatever IAM allows.
   * AWS services acting as themselves (CloudWatch Logs, EventBridge, a service's grant) are exempt:
   * aws:PrincipalIsAWSService is true only for a service principal, never for a role a service
   * acts for, whose own tags still apply (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalisawsservice).
   * Grants that AWS services create for a resource they encrypt (DynamoDB, Firehose, SageMaker, at
   * deploy time) are exempt through kms:GrantIsForAWSResource
   * (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource).
   */
  private denyUntaggedDecrypt(key: Key, k: KeyClass): void {
    const untagged = {
      StringNotEquals: { [`aws:PrincipalTag/${decryptTagKey(k)}`]: DECRYPT_TAG_VALUE },
      BoolIfExists: { "aws:PrincipalIsAWSService": "false" },
    };
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: `Deny${k[0]!.toUpperCase()}${k.slice(1)}DecryptToUntaggedPrincipals`,
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: [...DECRYPT_ACTIONS],
        resources: ["*"], // in a key policy, "*" means this key
        conditions: untagged,
      }),
    );
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: `Deny${k[0]!.toUpperCase()}${k.slice(1)}GrantsByUntaggedPrincipals`,
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ["kms:CreateGrant"],
        resources: ["*"],
        conditions: {
          ...untagged,
          BoolIfExists: { "aws:PrincipalIsAWSService": "false", "kms:GrantIsForAWSResource": "false" },
        },
      }),
    );
  }
}
