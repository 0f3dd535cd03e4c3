/**
 * What a stream record contract gives the generic stream runtime: how to validate a parsed record,
 * how many samples it holds (the unit of "count in = rows accounted + quarantined"), and its
 * identity in the stream, derived from its content so that references are stable across reruns.
 */

export type Parsed<R> = { readonly ok: true; readonly record: R } | { readonly ok: false; readonly reason: string };

export interface RecordIdentity {
  /** The Kinesis partition key: one key's records are ordered on one shard and owned by one consumer. */
  readonly partitionKey: string;
  /** 0-based, contiguous per partition key: duplicates and gaps are recognised by it. */
  readonly seq: number;
  readonly matchId: string;
}

export interface RecordContract<R> {
  /** The schema name and version every record carries, e.g. `sideline.tracking.v1`. */
  readonly schema: string;
  /** Validates a parsed JSON value; never throws. */
  parse(json: unknown): Parsed<R>;
  /** Samples the record holds. */
  samples(record: R): number;
  /** For a record that failed validation: the samples it seems to hold and its match, for its quarantine row. */
  salvage(json: unknown): { readonly samples: number; readonly matchId: string | null };
  identity(record: R): RecordIdentity;
  /** The record as sent on the stream. */
  encode(record: R): Buffer;
}
