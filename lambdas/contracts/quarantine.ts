/**
 * Quarantine rows, built in one place for every source: readers (a bad line), extractors (a bad
 * record, or bad samples inside a good one) and the event source mapping (a batch whose retries ran
 * out). References are derived from content (file and line, or modality, partition key, seq and
 * sample index), never from a Kinesis sequence number, so a rerun upserts the same rows.
 */
import { createHash } from "node:crypto";
import type { QUARANTINE, RowOf } from "./tables/index.js";

/** Quarantined payloads are truncated to this many characters: enough to diagnose, bounded in size. */
export const QUARANTINE_PAYLOAD_CHARS = 1024;

export interface QuarantineItem {
  /** Where it was caught: `reader:<format>`, the extractor (`tracking-features`), `event-source-mapping`. */
  readonly source: string;
  readonly ref: string;
  readonly matchId: string | null;
  readonly reason: string;
  /** Samples it held, counted in the run's accounting (0 only when it held none). */
  readonly samples: number;
  readonly payload: string;
}

export function quarantineRow(q: QuarantineItem, at: Date): RowOf<typeof QUARANTINE> {
  return {
    source: q.source,
    record_ref: q.ref,
    match_id: q.matchId,
    reason: q.reason,
    sample_count: q.samples,
    payload: q.payload.slice(0, QUARANTINE_PAYLOAD_CHARS),
    quarantined_at: at,
  };
}

/** A stream record: `tracking:demo-7/home_4#12` (modality, partition key, seq). */
export const recordRef = (modality: string, partitionKey: string, seq: number) => `${modality}:${partitionKey}#${seq}`;

/** Samples inside a record, by the index of the first: `tracking:demo-7/home_4#12@301`. */
export const sampleRef = (record: string, firstIndex: number) => `${record}@${firstIndex}`;

/** A record that could not be read: its modality and a hash of its bytes, `tracking:sha256:9f86d081884c7d65`. */
export function payloadRef(modality: string, data: string | Uint8Array): string {
  return `${modality}:sha256:${createHash("sha256").update(data).digest("hex").slice(0, 16)}`;
}

/** A line of an input file: `match.csv.gz:1204`. */
export const fileRef = (path: string, line: number) => `${path}:${line}`;
