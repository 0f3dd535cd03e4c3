/**
 * Ports: how handlers hand results to the world. Adapters implement them for the cloud (Firehose,
 * EventBridge, DynamoDB) and for the embedded runtime (DuckDB, the local bus, memory).
 */

import type { InsightEvent } from "./contracts/events.js";
import type { Row, TableName } from "./contracts/tables.js";
import type { PlayerState } from "./core/player-features.js";

/** Where feature rows go. Writers upsert on the table key, so a redelivered batch adds no duplicates. */
export interface FeatureSink {
  put(table: TableName, rows: readonly Row[]): Promise<void>;
}

/** Where insight events go. Delivery is at least once; events carry deterministic ids. */
export interface EventPublisher {
  publish(events: readonly InsightEvent[]): Promise<void>;
}

/**
 * Per-player feature state between invocations. Keys are `match_id/player_id`, which is also the
 * Kinesis partition key, so one key is only ever processed by one invocation at a time.
 */
export interface PlayerStateStore {
  getMany(keys: readonly string[]): Promise<Map<string, PlayerState>>;
  putMany(states: ReadonlyMap<string, PlayerState>): Promise<void>;
}
