/**
 * Stream state in DynamoDB, between Lambda invocations. One item per state key
 * (`<modality>/<partition key>`: only one invocation writes a key at a time), holding the state as
 * raw-deflated JSON (binary `state_z`), its cold part apart (binary `cold_z`, revision `cold_rev`;
 * ColdState in ../../ports.ts) and an expiry for DynamoDB TTL. Both parts are in the one item, so a
 * state is never half written. Deflate takes a player's ~4.5 KB tracking state to ~1.6 KB, and
 * DynamoDB bills writes per 1 KB: 2 write units instead of 5. The cold part (~90% of it) is encoded
 * and decoded only when it changed (../cold-cache.ts): per invocation a player's state costs the
 * JSON and deflate of the hot fields only. Unprocessed keys and items (throttling) are retried with
 * backoff (../batching.ts), and the call fails if any remain.
 */

import { constants, deflateRawSync, inflateRawSync } from "node:zlib";
import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type DynamoDBClient,
  type KeysAndAttributes,
  type WriteRequest,
} from "@aws-sdk/client-dynamodb";
import type { ColdState, StateStore, StoredState } from "../../ports.js";
import { type BackoffOptions, sendInBatches } from "../batching.js";
import { ColdPartCache } from "../cold-cache.js";

/** BatchGetItem reads at most 100 keys per request (DynamoDB quotas). */
export const BATCH_GET_MAX_KEYS = 100;
/** BatchWriteItem writes at most 25 items per request (DynamoDB quotas). */
export const BATCH_WRITE_MAX_ITEMS = 25;
/** A match and its extra time end within hours; state is kept a week for late replays, then expires. */
export const STATE_TTL_SECONDS = 7 * 24 * 3600;

/** The hot part is written every invocation: zlib's fastest level, 2% larger than the default's on a tracking state. */
const HOT_DEFLATE = { level: constants.Z_BEST_SPEED };

export const DEFAULT_DYNAMODB_BACKOFF: BackoffOptions = { attempts: 6, baseMs: 50, maxMs: 2000 };

type Key = NonNullable<KeysAndAttributes["Keys"]>[number];

/**
 * BatchGetItem over any number of keys: 100 per call, unprocessed keys retried with backoff.
 * `onItem` sees every item returned.
 */
export async function batchGetAll(
  client: Pick<DynamoDBClient, "send">,
  tableName: string,
  keys: readonly Key[],
  projection: string | undefined,
  onItem: (item: Record<string, NonNullable<Key[string]>>) => void,
  backoff: BackoffOptions,
): Promise<void> {
  await sendInBatches(
    keys,
    { maxItems: BATCH_GET_MAX_KEYS },
    undefined,
    async (batch) => {
      const res = await client.send(
        new BatchGetItemCommand({
          RequestItems: {
            [tableName]: {
              Keys: [...batch],
              ConsistentRead: true,
              ...(projection ? { ProjectionExpression: projection } : {}),
            },
          },
        }),
      );
      for (const item of res.Responses?.[tableName] ?? []) onItem(item);
      return { retry: res.UnprocessedKeys?.[tableName]?.Keys ?? [], errors: ["unprocessed keys"] };
    },
    backoff,
    `BatchGetItem on ${tableName}`,
  );
}

export class DynamoDbStateStore implements StateStore {
  private readonly cold = new ColdPartCache<Uint8Array>({
    encode: (data) => deflateRawSync(JSON.stringify(data)),
    decode: (z) => JSON.parse(inflateRawSync(z).toString("utf8")) as ColdState["data"],
    same: (a, b) => Buffer.compare(a, b) === 0,
  });

  constructor(
    private readonly client: Pick<DynamoDBClient, "send">,
    private readonly tableName: string,
    private readonly backoff: BackoffOptions = DEFAULT_DYNAMODB_BACKOFF,
    private readonly now: () => number = Date.now,
  ) {
    if (!tableName) throw new Error("state table name is empty: set STATE_TABLE_NAME");
  }

  /** Cold parts decoded and reused since the store was made (see ../cold-cache.ts). */
  get coldParts(): { decoded: number; reused: number } {
    return { decoded: this.cold.decoded, reused: this.cold.reused };
  }

  async getMany(keys: readonly string[]): Promise<Map<string, StoredState>> {
    const out = new Map<string, StoredState>();
    await batchGetAll(
      this.client,
      this.tableName,
      keys.map((k) => ({ pk: { S: k } })),
      "pk, state_z, cold_z, cold_rev",
      (item) => {
        const k = item.pk?.S;
        const z = item.state_z?.B;
        if (!k || !z) return;
        const hot = JSON.parse(inflateRawSync(z).toString("utf8")) as StoredState;
        const coldZ = item.cold_z?.B;
        const rev = item.cold_rev?.N;
        out.set(k, coldZ && rev !== undefined ? { ...hot, cold: this.cold.read(k, Number(rev), coldZ) } : hot);
      },
      this.backoff,
    );
    return out;
  }

  async putMany(states: ReadonlyMap<string, StoredState>): Promise<void> {
    const expires = Math.floor(this.now() / 1000) + STATE_TTL_SECONDS;
    const requests: WriteRequest[] = [];
    for (const [k, v] of states) {
      const { cold, ...hot } = v;
      const item: Record<string, AttributeValue> = {
        pk: { S: k },
        state_z: { B: deflateRawSync(JSON.stringify(hot), HOT_DEFLATE) },
        expires_at: { N: String(expires) },
      };
      if (cold) {
        item.cold_z = { B: this.cold.write(k, cold) };
        item.cold_rev = { N: String(cold.rev) };
      }
      requests.push({ PutRequest: { Item: item } });
    }
    try {
      await sendInBatches(
        requests,
        { maxItems: BATCH_WRITE_MAX_ITEMS },
        undefined,
        async (batch) => {
          const res = await this.client.send(
            new BatchWriteItemCommand({ RequestItems: { [this.tableName]: [...batch] } }),
          );
          return { retry: res.UnprocessedItems?.[this.tableName] ?? [], errors: ["unprocessed items"] };
        },
        this.backoff,
        `BatchWriteItem on ${this.tableName}`,
      );
    } catch (e) {
      this.cold.abandon();
      throw e;
    }
    this.cold.commit(states.keys());
  }
}
