/**
 * The medical cool-down in the state table: one item per player and kind of finding
 * (`medical#<player_id>#<detail-type>`, contracts/state-keys.ts) with the event time and id of the last notified alert. The
 * claim is one conditional write, so two alerts of a kind racing for the same player cannot both notify.
 */
import { ConditionalCheckFailedException, type DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { medicalKey } from "../../contracts/state-keys.js";
import type { AlertLedger } from "../../ports.js";

export class DynamoDbAlertLedger implements AlertLedger {
  constructor(
    private readonly client: Pick<DynamoDBClient, "send">,
    private readonly tableName: string,
  ) {
    if (!tableName) throw new Error("state table name is empty: set STATE_TABLE_NAME");
  }

  async claim(playerId: string, kind: string, alertId: string, atMs: number, cooldownMs: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: { S: medicalKey(playerId, kind) } },
          UpdateExpression: "SET last_alert_at = :at, last_alert_id = :id",
          ConditionExpression: "attribute_not_exists(last_alert_at) OR last_alert_at <= :cutoff OR last_alert_id = :id",
          ExpressionAttributeValues: {
            ":at": { N: String(atMs) },
            ":id": { S: alertId },
            ":cutoff": { N: String(atMs - cooldownMs) },
          },
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }
}
