/**
 * Ports: how handlers hand results to the world. Adapters implement them for the cloud (Firehose,
 * EventBridge, DynamoDB) and for the embedded runtime (DuckDB, the local bus, memory).
 */

import type { InsightEvent } from "./contracts/events.js";
import type { Row, TableName } from "./contracts/tables.js";
import type { PlayerState } from "./core/tracking/player-features.js";

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

/** Where insight pictures go: S3 in the cloud, a folder beside the lake locally. */
export interface VisualStore {
  /** The link an event carries; known before the picture is written. */
  urlFor(key: string): string;
  put(key: string, svg: string): Promise<void>;
}

/** One session's load, as the acute:chronic ratio reads it. */
export interface SessionLoad {
  readonly sessionId: string;
  /** Midnight UTC, ms. */
  readonly day: number;
  readonly load: number;
}

/**
 * Each player's session loads across matches: DynamoDB in the cloud, the lake's player_loads
 * table locally. Recording the same session twice keeps one.
 */
export interface LoadHistoryStore {
  /** Sessions on or after `fromDay` (ms), per player. */
  get(playerIds: readonly string[], fromDay: number): Promise<Map<string, SessionLoad[]>>;
  record(playerId: string, session: SessionLoad): Promise<void>;
}

/**
 * The medical alert cool-down: one notified alert per player per cool-down, by event time.
 * DynamoDB (a conditional write) in the cloud, the medical_alerts table locally.
 */
export interface AlertLedger {
  /** True when this alert may notify: no other notified alert for the player within `cooldownMs` of `atMs`. Claiming the same alert again returns true. */
  claim(playerId: string, alertId: string, atMs: number, cooldownMs: number): Promise<boolean>;
}
