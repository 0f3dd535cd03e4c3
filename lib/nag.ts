/**
 * cdk-nag acknowledgements, always on one construct, each with the reason a security reviewer
 * needs. Finding ids may name one finding of a rule, e.g. AwsSolutions-IAM5[Action::s3:List*].
 */
import { type CfnElement, Stack, Token, Validations } from "aws-cdk-lib";
import type { IConstruct } from "constructs";

/** How cdk-nag names a pseudo parameter in a finding id: the value when known, else <AWS::Region> etc. */
export const nagValue = (v: string, pseudo: string) => (Token.isUnresolved(v) ? `<${pseudo}>` : v);

/** How cdk-nag names a same-stack resource's ARN in a finding id: <LogicalId.Arn>. */
export const nagArn = (c: IConstruct) => `<${Stack.of(c).getLogicalId(c.node.defaultChild as CfnElement)}.Arn>`;

export function acknowledge(construct: IConstruct, findings: Readonly<Record<string, string>>): void {
  for (const [id, reason] of Object.entries(findings)) Validations.of(construct).acknowledge({ id, reason });
}

/** Wildcards that CDK's grant methods produce on one bucket (prefix) and one key, with why each is needed. */
export function grantWildcardReasons(what: string): Record<string, string> {
  return {
    "AwsSolutions-IAM5[Action::s3:Abort*]": `${what}: grantReadWrite lets multipart uploads be aborted on this bucket only.`,
    "AwsSolutions-IAM5[Action::s3:DeleteObject*]": `${what}: Iceberg commits and compaction replace data and metadata files; delete is limited to this bucket.`,
    "AwsSolutions-IAM5[Action::s3:GetBucket*]": `${what}: bucket metadata (location, versioning) reads, on this bucket only.`,
    "AwsSolutions-IAM5[Action::s3:GetObject*]": `${what}: object and version reads for Iceberg metadata and data files, on this bucket only.`,
    "AwsSolutions-IAM5[Action::s3:List*]": `${what}: listing is needed to plan Iceberg scans and find orphan files, on this bucket only.`,
    "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]": `${what}: SSE-KMS writes need GenerateDataKey variants, on the one customer key only.`,
    "AwsSolutions-IAM5[Action::kms:ReEncrypt*]": `${what}: grantEncryptDecrypt's ReEncrypt variants, on the one customer key only.`,
  };
}

/**
 * HIPAA.Security-IAMNoInlinePolicy on one role: CDK's grants write the role's permissions as its
 * inline DefaultPolicy.
 */
export function inlinePolicyReason(role: string): Record<string, string> {
  return {
    "HIPAA.Security-IAMNoInlinePolicy": `${role}: CDK grants write this role's least-privilege permissions as its own inline policy, which IAM recommends for a strict one-to-one relationship between a policy and its identity; no other identity can attach it, it is deleted with the role, and it is reviewed in the template like the role. A managed policy would add a reusable object nothing here reuses.`,
  };
}
