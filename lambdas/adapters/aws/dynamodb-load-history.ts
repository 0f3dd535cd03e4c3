/**
 * Load history in the state table: one item per player (`load#<player_id>`, no expiry) with a map
 * of session id -> {day, load}. Recording a session sets its map entry, so a retry keeps one.
 */
import { BatchGetItemCommand, type DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import type { LoadHistoryStore, SessionLoad } from "../../ports.js";
import { BATCH_GET_MAX_KEYS } from "./dynamodb-state-store.js";

export const loadKey = (playerId: string) => `load#${playerId}`;

export class DynamoDbLoadHistory implements LoadHistoryStore {
  constructor(
    private readonly client: Pick<DynamoDBClient, "send">,
    private readonly tableName: string,
  ) {
    if (!tableName) throw new Error("state table name is empty: set STATE_TABLE_NAME");
  }

  async get(playerIds: readonly string[], fromDay: number): Promise<Map<string, SessionLoad[]>> {
    const out = new Map<string, SessionLoad[]>();
    for (let i = 0; i < playerIds.length; i += BATCH_GET_MAX_KEYS) {
      const keys = playerIds.slice(i, i + BATCH_GET_MAX_KEYS).map((p) => ({ pk: { S: loadKey(p) } }));
      const res = await this.client.send(
        new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
      );
      if (Object.keys(res.UnprocessedKeys ?? {}).length > 0)
        throw new Error("BatchGetItem left load history keys unprocessed: the batch is retried");
      for (const item of res.Responses?.[this.tableName] ?? []) {
        const player = item.pk!.S!.slice("load#".length);
        const sessions: SessionLoad[] = [];
        for (const [sessionId, v] of Object.entries(item.sessions?.M ?? {})) {
          const day = Number(v.M?.day?.N);
          if (day >= fromDay) sessions.push({ sessionId, day, load: Number(v.M?.load?.N) });
        }
        out.set(
          player,
          sessions.sort((a, b) => a.day - b.day),
        );
      }
    }
    return out;
  }

  async record(playerId: string, s: SessionLoad): Promise<void> {
    const Key = { pk: { S: loadKey(playerId) } };
    // Two steps: a nested map entry can only be set once the map exists.
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key,
        UpdateExpression: "SET sessions = if_not_exists(sessions, :empty)",
        ExpressionAttributeValues: { ":empty": { M: {} } },
      }),
    );
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key,
        UpdateExpression: "SET sessions.#s = :v",
        ExpressionAttributeNames: { "#s": s.sessionId },
        ExpressionAttributeValues: { ":v": { M: { day: { N: String(s.day) }, load: { N: String(s.load) } } } },
      }),
    );
  }
}
