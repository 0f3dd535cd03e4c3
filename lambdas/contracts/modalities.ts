/**
 * The registry of modalities: one entry per kind of data Sideline ingests (tracking today; pose,
 * wearables, audio and communications plug in the same way). An entry names everything both
 * runtimes need: the stream and its partition key, the record contract, the tables the extractor
 * writes, the extractor function, the reader formats that feed it, the data classification, the
 * producer that sends its records and the load histories its extractor keeps.
 * CDK builds a stream, extractor, event source mapping, DLQ, grants and alarms per entry
 * (lib/constructs/feature-extractor.ts); the embedded runtime starts a stream, a mapping emulator
 * and the handler per entry (local/runtime.ts). Adding a modality is an entry here, a record
 * contract (records/), a pure core (core/) and a thin extractor (functions/).
 */

import { DISTANCE_LOAD, LOAD_MEASURES } from "../core/load/measures.js";
import { type ProducerKind, STADIUM_EDGE, VISION, validateProducer, WEARABLES_GATEWAY } from "./producers.js";
import { POSE_RECORD, type PoseChunk } from "./records/pose.js";
import type { RecordContract } from "./records/record.js";
import { TRACKING_RECORD, type TrackingChunk } from "./records/tracking.js";
import { WEARABLE_RECORD, type WearableChunk } from "./records/wearable.js";
import { ANY_LOAD_MEASURE } from "./state-keys.js";
import {
  type AnyTable,
  BIOMECH_WINDOWS,
  type DataClassification,
  INSIGHTS,
  PLAYER_DAILY_LOAD,
  PLAYER_LOADS,
  PLAYER_MATCH_PROFILES,
  PLAYER_WINDOWS,
  POSE_FRAMES,
  QUARANTINE,
  SCOUTING_NEEDS,
  sensitivity,
  storageClassification,
  WEARABLE_WINDOWS,
} from "./tables/index.js";

/** The Lambda function that extracts a modality's features, as CDK builds it. */
export interface ExtractorSpec {
  /** Construct id of the function, e.g. TrackingFeatures (its logical ids derive from it: do not rename). */
  readonly functionId: string;
  /** The cloud entry point, relative to the project root. */
  readonly entry: string;
  readonly description: string;
  /** @default 1024 MB: more memory is more CPU, and extractors are CPU-bound */
  readonly memorySize?: number;
}

export interface Modality<R = unknown> {
  /** Lowercase id: the stream is `sideline-<id>-<stage>` in the cloud and `sideline-<id>` locally. */
  readonly id: string;
  readonly title: string;
  /** The most sensitive data its records hold: its stream, state and tables are protected accordingly. */
  readonly classification: DataClassification;
  /** Who sends its records (producers.ts): in the cloud, that kind's role may write this modality's stream. */
  readonly producer: ProducerKind;
  readonly record: RecordContract<R>;
  /** What the partition key is, in words (it comes from `record.identity`). */
  readonly partitionKeyDoc: string;
  /** Every table the extractor writes: its Firehose grants and DELIVERY_STREAMS follow from them. */
  readonly tables: readonly AnyTable[];
  readonly extractor: ExtractorSpec;
  /** Reader formats that produce this modality's records (`sideline run --format F`). */
  readonly readers: readonly string[];
  /**
   * Where accepted samples end up, for the run's accounting (count in = rows accounted + quarantined):
   * the sum of `samplesColumn` over the rows of `table` the run wrote. `matchColumn` (match_id unless
   * named) is what a row's match or session is called.
   */
  readonly accounting: {
    readonly table: AnyTable;
    readonly samplesColumn: string;
    readonly matchColumn?: string;
    /** Records accounted as one row each in another table: the rows the run wrote whose `column` is `value` (imported loads). */
    readonly rowsIn?: { readonly table: AnyTable; readonly column: string; readonly value: string };
  };
  /**
   * Records of one key held while a missing seq is awaited (core/stream/sequencer.ts). They are stored
   * with the key's state, in one DynamoDB item of at most 400 KB: large records need a smaller limit.
   * @default REORDER_LIMIT_RECORDS (32)
   */
  readonly reorderLimitRecords?: number;
  /**
   * The load measures (core/load/measures.ts ids) whose per-player histories the extractor reads and
   * records in the state table, or ANY_LOAD_MEASURE when its records name the measure. Its role may
   * touch those histories' keys and its own stream states only (state-keys.ts).
   * @default - none: the extractor keeps no load history
   */
  readonly loadMeasures?: readonly string[] | typeof ANY_LOAD_MEASURE;
}

export const TRACKING: Modality<TrackingChunk> = {
  id: "tracking",
  title: "Player and ball tracking (optical, radio or GNSS positions)",
  classification: "performance",
  producer: STADIUM_EDGE,
  record: TRACKING_RECORD,
  partitionKeyDoc: "match_id/player_id: one player's chunks stay in order on one shard",
  tables: [
    PLAYER_WINDOWS,
    QUARANTINE,
    INSIGHTS,
    PLAYER_MATCH_PROFILES,
    PLAYER_LOADS,
    PLAYER_DAILY_LOAD,
    SCOUTING_NEEDS,
  ],
  extractor: {
    functionId: "TrackingFeatures",
    entry: "lambdas/functions/tracking-features/index.ts",
    description: "Physical features, match profiles and insights from player tracking",
  },
  readers: ["long-csv", "metrica", "catapult-gnss"],
  accounting: { table: PLAYER_WINDOWS, samplesColumn: "samples" },
  // A completed match's distance joins the player's distance history (imports add to it: see WEARABLES).
  loadMeasures: [DISTANCE_LOAD.id],
};

export const POSE: Modality<PoseChunk> = {
  id: "pose",
  title: "Video pose: COCO-17 skeletons from sampled frames or edge cameras",
  classification: "biometric",
  producer: VISION,
  record: POSE_RECORD,
  partitionKeyDoc: "match_id/subject/camera_id: one subject's frames from one camera stay in order on one shard",
  tables: [POSE_FRAMES, BIOMECH_WINDOWS, QUARANTINE, INSIGHTS],
  extractor: {
    functionId: "PoseBiomechanics",
    entry: "lambdas/functions/pose-biomechanics/index.ts",
    description: "Skeletons into the lake, biomechanics windows and deviation insights from video pose",
  },
  readers: ["pose-jsonl", "frames"],
  accounting: { table: BIOMECH_WINDOWS, samplesColumn: "frames" },
};

export const WEARABLES: Modality<WearableChunk> = {
  id: "wearables",
  title:
    "Wearables: IMU (PlayerLoad, impacts, jumps) and heart rate, per device at its native rate; imported session loads",
  classification: "health",
  producer: WEARABLES_GATEWAY,
  record: WEARABLE_RECORD,
  partitionKeyDoc:
    "session_id/player_id/device_id: one device's samples stay in order on one shard (GNSS positions travel as tracking)",
  tables: [WEARABLE_WINDOWS, PLAYER_LOADS, PLAYER_DAILY_LOAD, QUARANTINE, INSIGHTS],
  extractor: {
    functionId: "WearableLoad",
    entry: "lambdas/functions/wearable-load/index.ts",
    description: "PlayerLoad, impacts, jumps, heart-rate zones and TRIMP per window; daily loads and their ratios",
  },
  readers: ["catapult-openfield", "movesense", "imu-csv", "hr-csv", "tcx", "gpx"],
  accounting: {
    table: WEARABLE_WINDOWS,
    samplesColumn: "samples",
    matchColumn: "session_id",
    // An imported session's load is one sample: its player_loads row.
    rowsIn: { table: PLAYER_LOADS, column: "origin", value: "import" },
  },
  // A record is up to 6,000 samples of up to seven channels (producers/wearable-chunker.ts rounds them
  // below sensor resolution): up to ~160 KB deflated. One held record stays under DynamoDB's 400 KB item
  // with the state; a gap is skipped after it (a producer's retry reorders one record, not dozens).
  reorderLimitRecords: 1,
  // PlayerLoad and TRIMP from the devices, and imported session loads of any measure (distance_m too,
  // shared with tracking: one distance history per player, whichever way a session arrived).
  loadMeasures: ANY_LOAD_MEASURE,
};

/** Every registered modality. */
export const MODALITIES: readonly Modality[] = [TRACKING as Modality, POSE as Modality, WEARABLES as Modality];

const ID = /^[a-z][a-z0-9-]{1,30}$/;

/** Throws with what to change when an entry is inconsistent; the registry test runs it on every entry. */
export function validateModality(m: Modality, registry: readonly Modality[] = MODALITIES): void {
  if (!ID.test(m.id)) throw new Error(`modality id '${m.id}' must be lowercase letters, digits and dashes (2-31)`);
  if (registry.filter((x) => x.id === m.id).length > 1) throw new Error(`modality id '${m.id}' is registered twice`);
  if (!m.tables.includes(QUARANTINE)) throw new Error(`modality '${m.id}' must write quarantine: bad input is kept`);
  if (!m.tables.includes(m.accounting.table))
    throw new Error(`modality '${m.id}' accounts samples in ${m.accounting.table.name}, which it does not write`);
  for (const column of [m.accounting.samplesColumn, m.accounting.matchColumn ?? "match_id"])
    if (!m.accounting.table.columns.some((c) => c.name === column))
      throw new Error(`modality '${m.id}': ${m.accounting.table.name} has no column ${column}`);
  for (const t of m.tables) {
    if (t.scope !== "lake") throw new Error(`modality '${m.id}' writes ${t.name}, which is not a lake table`);
    // A table written by several modalities (quarantine, insights) holds each one's data: it must be
    // classified at least as high as the most sensitive of them.
    if (sensitivity(storageClassification(t)) < sensitivity(m.classification))
      throw new Error(
        `table ${t.name} is classified ${storageClassification(t)} but modality '${m.id}' writes ${m.classification} data to it`,
      );
  }
  validateProducer(m.producer);
  if (Array.isArray(m.loadMeasures))
    for (const id of m.loadMeasures)
      if (!LOAD_MEASURES.some((x) => x.id === id))
        throw new Error(
          `modality '${m.id}' keeps load history in '${id}', which is not a load measure: expected one of ${LOAD_MEASURES.map((x) => x.id).join(", ")}`,
        );
  for (const f of m.readers) {
    const other = registry.find((x) => x !== m && x.readers.includes(f));
    if (other) throw new Error(`reader format '${f}' feeds both '${m.id}' and '${other.id}'`);
  }
}

export function modalityById(id: string, registry: readonly Modality[] = MODALITIES): Modality {
  const m = registry.find((x) => x.id === id);
  if (!m) throw new Error(`unknown modality '${id}': expected one of ${registry.map((x) => x.id).join(", ")}`);
  return m;
}

/** The modality a reader format feeds. */
export function modalityForFormat(format: string, registry: readonly Modality[] = MODALITIES): Modality {
  const m = registry.find((x) => x.readers.includes(format));
  if (!m)
    throw new Error(`unknown format '${format}': expected one of ${registry.flatMap((x) => x.readers).join(", ")}`);
  return m;
}

/** The stream name of a modality: `sideline-<id>-<stage>` in the cloud, `sideline-<id>` locally. */
export const streamName = (m: Pick<Modality, "id">, stage?: string) =>
  stage ? `sideline-${m.id}-${stage}` : `sideline-${m.id}`;
