/**
 * Producer identity: one IAM role per kind of producer (the registry's `producer`: stadium edge,
 * wearables gateway, vision), allowed to write the streams of its own modalities and nothing else,
 * and trusted by the principals the deployer names for that kind only. A kind with no one named
 * gets no role, and synth says so. Each role's ARN is a stack output, for the producer's setup.
 */
import { Annotations, CfnOutput } from "aws-cdk-lib";
import { ArnPrincipal, CompositePrincipal, PolicyStatement, Role } from "aws-cdk-lib/aws-iam";
import type { IStream } from "aws-cdk-lib/aws-kinesis";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { Construct } from "constructs";
import type { Modality } from "../../lambdas/contracts/modalities.js";
import type { ProducerKind } from "../../lambdas/contracts/producers.js";
import { acknowledge, inlinePolicyReason } from "../nag.js";

/**
 * What a producer calls on its streams: PutRecord(s) to write (our KinesisProducer sends PutRecords
 * only); ListShards, which the Kinesis Producer Library (0.14+) uses to map keys to shards; and
 * DescribeStreamSummary, which the KPL calls to detect service-managed record distribution, and
 * without which it aggregates records that consumers may then drop
 * (https://docs.aws.amazon.com/streams/latest/dev/service-managed-pk-kpl-permissions.html). No read
 * action: a producer never sees records. Not stream.grantWrite: it also grants the stream key's
 * kms:Encrypt and kms:ReEncrypt* and kms:GenerateDataKey*, more than a producer uses.
 */
export const PRODUCER_STREAM_ACTIONS = [
  "kinesis:PutRecord",
  "kinesis:PutRecords",
  "kinesis:ListShards",
  "kinesis:DescribeStreamSummary",
];

/**
 * What a producer of a stream encrypted with a customer managed key needs of the key: GenerateDataKey
 * only, never Decrypt (that is the consumers'), in the encryption context Kinesis passes to KMS, the
 * stream's ARN (https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html).
 */
export const PRODUCER_KEY_ACTIONS = ["kms:GenerateDataKey"];
const KINESIS_ENCRYPTION_CONTEXT = "kms:EncryptionContext:aws:kinesis:arn";

/** A deployed modality's stream. */
export interface ProducedStream {
  readonly modality: Pick<Modality, "id" | "producer">;
  readonly stream: IStream;
}

export interface ProducerAccessProps {
  /** Every deployed modality's stream: each is written by its modality's producer kind. */
  readonly streams: readonly ProducedStream[];
  /**
   * IAM role or user ARNs per producer kind id, who may assume that kind's role.
   * @default - no one: no producer role
   */
  readonly principals?: Readonly<Record<string, readonly string[]>>;
}

/** A producer kind's id in PascalCase: its construct ids and output name (ids are a contract: renaming replaces the role). */
const pascal = (id: string) => id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());

export class ProducerAccess extends Construct {
  /** Each producer kind's role, by kind id: only the kinds with principals. */
  readonly roles: Readonly<Record<string, Role>>;

  constructor(scope: Construct, id: string, props: ProducerAccessProps) {
    super(scope, id);
    // Validate: every kind named has a deployed stream to write.
    const principals = props.principals ?? {};
    const byKind = new Map<string, { producer: ProducerKind; streams: IStream[] }>();
    for (const { modality, stream } of props.streams) {
      const k = byKind.get(modality.producer.id) ?? { producer: modality.producer, streams: [] };
      k.streams.push(stream);
      byKind.set(modality.producer.id, k);
    }
    for (const kind of Object.keys(principals).filter((k) => !byKind.has(k) && principals[k]!.length > 0))
      Annotations.of(this).addWarningV2(
        "@sideline/ingest:producerWithoutStream",
        `no '${kind}' producer role: context 'producerPrincipals' names principals for it, but none of its modalities is deployed ('modalities')`,
      );

    // Build and grant, one role per kind with principals.
    const roles: Record<string, Role> = {};
    for (const [kind, { producer, streams }] of byKind) {
      const arns = principals[kind] ?? [];
      if (arns.length === 0) {
        Annotations.of(this).addWarningV2(
          "@sideline/ingest:noProducerRole",
          `no '${kind}' producer role: context 'producerPrincipals' names no one for it. Set producerPrincipals.${kind} to the IAM role or user ARNs that producer runs as; until then only identities granted kinesis:PutRecords on its streams by other policies can write them`,
        );
        continue;
      }
      const role = new Role(this, pascal(kind), {
        assumedBy: new CompositePrincipal(...arns.map((a) => new ArnPrincipal(a))),
        description: `${producer.description}; may write its own modalities' streams only`,
      });
      acknowledge(role, inlinePolicyReason(`The ${kind} producer role`));
      for (const s of streams) s.grant(role, ...PRODUCER_STREAM_ACTIONS);
      // One statement per key, for the streams it encrypts (each stream follows its own key).
      const byKey = new Map<IKey, IStream[]>();
      for (const s of streams)
        if (s.encryptionKey) byKey.set(s.encryptionKey, [...(byKey.get(s.encryptionKey) ?? []), s]);
      for (const [key, encrypted] of byKey)
        role.addToPrincipalPolicy(
          new PolicyStatement({
            actions: PRODUCER_KEY_ACTIONS,
            resources: [key.keyArn],
            conditions: {
              StringEquals: {
                [KINESIS_ENCRYPTION_CONTEXT]:
                  encrypted.length === 1 ? encrypted[0]!.streamArn : encrypted.map((s) => s.streamArn),
              },
            },
          }),
        );
      new CfnOutput(this, `${pascal(kind)}RoleArn`, {
        value: role.roleArn,
        description: `The ${kind} producer role: assume it to write ${streams.length === 1 ? "its stream" : "its streams"}`,
      }).overrideLogicalId(`${pascal(kind)}ProducerRoleArn`);
      roles[kind] = role;
    }
    this.roles = roles;
  }
}
