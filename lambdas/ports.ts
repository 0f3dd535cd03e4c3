/**
 * Ports: how handlers hand results to the world. Adapters implement them for the cloud (Firehose,
 * EventBridge, DynamoDB, S3: adapters/aws) and for the embedded runtime (DuckDB, the local bus,
 * memory, files: adapters/local).
 */

import type { BusEntry } from "./contracts/events/index.js";
import type { AnyTable, RowOf } from "./contracts/tables/index.js";
import type { CropKeypoints } from "./core/pose/keypoints.js";

/** Where feature rows go. Writers validate every row against its table and upsert on the table key, so a redelivered batch adds no duplicates. */
export interface FeatureSink {
  put<T extends AnyTable>(table: T, rows: readonly RowOf<T>[]): Promise<void>;
}

/** Where events go. Delivery is at least once; events carry deterministic ids. */
export interface EventPublisher {
  publish(events: readonly BusEntry[]): Promise<void>;
}

/**
 * A key's stream state between invocations, as stored: plain JSON with the modality that wrote it
 * and the version of its shape, which the runtime checks when it reads it back.
 */
export interface StoredState {
  readonly modality: string;
  readonly version: number;
  /** The state's rarely changing part, stored apart from the rest. @default - none */
  readonly cold?: ColdState;
  readonly [field: string]: unknown;
}

/**
 * The cold part of a state: fields that change a few times a minute while the rest changes with
 * every record. `rev` is bumped by every change to `data`, so a store that handed `data` out at
 * revision r and is given it back at r knows it is unchanged and reuses its encoding; and a
 * container that wrote r keeps the decoded object for its next invocation. Stores write the two
 * parts in one item, so a state is never half written.
 */
export interface ColdState {
  readonly rev: number;
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * Per-key stream state between invocations. Keys are `<modality>/<partition key>` (for tracking,
 * `tracking/<match_id>/<player_id>`), so modalities never share a state, and one key is only ever
 * processed by one invocation at a time (Kinesis orders a partition key on one shard).
 */
export interface StateStore {
  getMany(keys: readonly string[]): Promise<Map<string, StoredState>>;
  putMany(states: ReadonlyMap<string, StoredState>): Promise<void>;
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
 * Each player's session loads, per load measure (total distance in metres, PlayerLoad in arbitrary
 * units, TRIMP...): DynamoDB in the cloud, the lake's player_loads table locally. Measures are kept
 * apart and never added together. Recording the same session twice keeps one.
 */
export interface LoadHistoryStore {
  /** Sessions of `measure` on or after `fromDay` (ms), per player. */
  get(playerIds: readonly string[], measure: string, fromDay: number): Promise<Map<string, SessionLoad[]>>;
  record(playerId: string, measure: string, session: SessionLoad): Promise<void>;
}

/**
 * The medical alert cool-down: one notified alert per player and kind of finding (the insight's
 * detail-type) per cool-down, by event time. A different finding about the same player (his knee
 * after his fatigue) is news to the medical staff and is sent. DynamoDB (a conditional write) in the
 * cloud, the medical_alerts table locally.
 */
export interface AlertLedger {
  /** True when this alert may notify: no other notified alert of this kind for the player within `cooldownMs` of `atMs`. Claiming the same alert again returns true. */
  claim(playerId: string, kind: string, alertId: string, atMs: number, cooldownMs: number): Promise<boolean>;
}

/**
 * Pose inference: person crops in, keypoints out, one result per crop in the crops' order. A crop is
 * 192 × 192 RGB (MOVENET in adapters/kserve.ts), 3 bytes a pixel, row-major; its keypoints are
 * COCO-17 [x, y, score] normalised to the crop (core/pose/keypoints.ts), which core/pose/crops.ts
 * maps back to the image. A SageMaker (Triton) endpoint in the cloud, the local inference server
 * locally: both take the same request bytes (adapters/kserve.ts). Rejects when the model server
 * fails or answers outside the contract; a caller's retry sends the same crops again.
 */
export interface PoseEstimator {
  estimate(crops: readonly Uint8Array[]): Promise<CropKeypoints[]>;
}
