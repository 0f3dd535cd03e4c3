/**
 * The seq sequencer: applies a key's records exactly once and in order, whatever the stream does.
 * Producers number each key's records from 0 (`seq`); `PutRecords` retries and redelivered batches
 * repeat records, and retries can reorder them. A record with a seq already applied or held is a
 * duplicate and changes nothing; a record ahead of a missing seq is held until the gap fills, up to
 * REORDER_LIMIT_RECORDS, past which the gap is skipped and counted as missing. The state is plain
 * JSON, stored with the key's other state between invocations.
 */

/**
 * Records held while waiting for a missing seq. 32 records (32 s of play at the default 1 s chunks)
 * is far longer than a producer's retry cycle (seconds), and bounds the stored state.
 */
export const REORDER_LIMIT_RECORDS = 32;

export interface HeldRecord<R> {
  readonly seq: number;
  readonly ref: string;
  readonly record: R;
}

export interface SequencerState<R> {
  /** Highest seq applied; -1 before the first. */
  lastSeq: number;
  /** Records with seq > lastSeq + 1, in seq order. */
  held: HeldRecord<R>[];
}

export function newSequencer<R>(): SequencerState<R> {
  return { lastSeq: -1, held: [] };
}

export interface Sequenced {
  /** The record was applied or held before: nothing changed. */
  readonly duplicate: boolean;
  /** Records applied by this call: this one and any held ones it released (0 when it was held). */
  readonly applied: number;
  /** Seqs skipped for good (lost upstream), 0 normally. */
  readonly missing: number;
}

/**
 * Offers one record. Every record that can now go in order (this one, and held ones after it) is
 * passed to `apply`, in seq order; `apply` may throw, and then the state is as it was before that
 * record (the caller fails it and the mapping retries).
 */
export function sequence<R>(
  s: SequencerState<R>,
  seq: number,
  ref: string,
  record: R,
  apply: (record: R, ref: string) => void,
): Sequenced {
  if (seq <= s.lastSeq || s.held.some((h) => h.seq === seq)) return { duplicate: true, applied: 0, missing: 0 };
  let applied = 0;
  let missing = 0;
  const run = (r: R, rRef: string, rSeq: number) => {
    apply(r, rRef);
    missing += rSeq - s.lastSeq - 1;
    s.lastSeq = rSeq;
    applied++;
  };
  if (seq === s.lastSeq + 1) run(record, ref, seq);
  else {
    s.held.push({ seq, ref, record });
    s.held.sort((a, b) => a.seq - b.seq);
  }
  while (s.held.length > 0 && (s.held[0]!.seq === s.lastSeq + 1 || s.held.length > REORDER_LIMIT_RECORDS)) {
    const h = s.held[0]!;
    run(h.record, h.ref, h.seq);
    s.held.shift();
  }
  return { duplicate: false, applied, missing };
}
