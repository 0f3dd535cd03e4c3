/**
 * Load history in the state table: one item per player and load measure
 * (`load#<player_id>#<measure>`, no expiry; the key is contracts/state-keys.ts's, which the
 * extractors' grants follow) with a map of session id -> {day, load}. Recording a session sets its
 * map entry, so a retry keeps one; measures never share an item, so metres are never added to
 * arbitrary units. Unprocessed keys (throttling) are retried with backoff.
 */
import { type DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { loadKey } from "../../contracts/state-keys.js";
import type { LoadHistoryStore, SessionLoad } from "../../ports.js";
import type { BackoffOptions } from "../batching.js";
import { batchGetAll, DEFAULT_DYNAMODB_BACKOFF } from "./dynamodb-state-store.js";

export class DynamoDbLoadHistory implements LoadHistoryStore {
  constructor(
    private readonly client: Pick<DynamoDBClient, "send">,
    private readonly tableName: string,
    private readonly backoff: BackoffOptions = DEFAULT_DYNAMODB_BACKOFF,
  ) {
    if (!tableName) throw new Error("state table name is empty: set STATE_TABLE_NAME");
  }

  async get(playerIds: readonly string[], measure: string, fromDay: number): Promise<Map<string, SessionLoad[]>> {
    const out = new Map<string, SessionLoad[]>();
    const byKey = new Map(playerIds.map((p) => [loadKey(p, measure), p]));
    await batchGetAll(
      this.client,
      this.tableName,
      [...byKey.keys()].map((k) => ({ pk: { S: k } })),
      undefined,
      (item) => {
        const player = byKey.get(item.pk!.S!);
        if (player === undefined) return;
        const sessions: SessionLoad[] = [];
        for (const [sessionId, v] of Object.entries(item.sessions?.M ?? {})) {
          const day = Number(v.M?.day?.N);
          if (day >= fromDay) sessions.push({ sessionId, day, load: Number(v.M?.load?.N) });
        }
        out.set(
          player,
          sessions.sort((a, b) => a.day - b.day),
        );
      },
      this.backoff,
    );
    return out;
  }

  async record(playerId: string, measure: string, s: SessionLoad): Promise<void> {
    const Key = { pk: { S: loadKey(playerId, measure) } };
    // Two steps: a nested map entry can only be set once the map exists.
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key,
        UpdateExpression: "SET sessions = if_not_exists(sessions, :empty), measure = :m",
        ExpressionAttributeValues: { ":empty": { M: {} }, ":m": { S: measure } },
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
