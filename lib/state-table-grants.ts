/**
 * Least privilege on the shared state table: a function may use the items whose keys its patterns
 * match (lambdas/contracts/state-keys.ts), never the whole table. DynamoDB checks the partition key
 * of every item a request names against the `dynamodb:LeadingKeys` condition
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html).
 */
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { type IGrantable, PolicyStatement } from "aws-cdk-lib/aws-iam";

/**
 * What the state store and the load history adapters call (adapters/aws/dynamodb-state-store.ts,
 * dynamodb-load-history.ts). Never Scan: a scan names no partition key, and ForAllValues is true of
 * a request without one, so a LeadingKeys condition would not hold a Scan back.
 */
export const STATE_STORE_ACTIONS = ["dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:UpdateItem"];

/**
 * The table's customer managed key, for its callers: the actions CDK's grantReadWriteData grants,
 * unchanged (this module narrows which items, not how the key is used).
 */
const TABLE_KEY_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"];

export interface StateTableGrantOptions {
  /** @default STATE_STORE_ACTIONS */
  readonly actions?: readonly string[];
  /** Grant the table's customer managed key too. @default true */
  readonly tableKey?: boolean;
}

/**
 * Lets `grantee` call the actions on the items of `table` whose partition keys match `keyPatterns`
 * (IAM StringLike), and use the table's key.
 */
export function grantStateTableKeys(
  grantee: IGrantable,
  table: ITable,
  keyPatterns: readonly string[],
  { actions = STATE_STORE_ACTIONS, tableKey = true }: StateTableGrantOptions = {},
): void {
  if (keyPatterns.length === 0) throw new Error("a state table grant needs at least one key pattern");
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [...actions],
      resources: [table.tableArn],
      conditions: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [...keyPatterns] } },
    }),
  );
  if (tableKey) table.encryptionKey?.grant(grantee, ...TABLE_KEY_ACTIONS);
}
