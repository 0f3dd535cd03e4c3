/**
 * The seq sequencer: applies a key's records exactly once and in order, whatever the stream does.
 * Producers number each key's records from 0 (`seq`); `PutRecords` retries and redelivered batches
 * repeat records, and retries can reorder them. A record with a seq already applied or held is a
 * duplicate and changes nothing; a record ahead of a missing seq is held until the gap fills, up to
 * REORDER_LIMIT_RECORDS (or the modality's own limit), past which the gap is skipped and counted as missing. The state is plain
 * JSON, stored with the key's other state between invocations.
 */

/**
 * Records held while waiting for a missing seq. 32 records (32 s of play at the default 1 s chunks)
 * is far longer than a producer's retry cycle (seconds), and bounds the stored state.
 */
export const REORDER_LIMIT_RECORDS = 32;

export interface HeldRecord<R> {
  readonly seq: number;
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

/** What `sequence` returns for a record applied or held before: nothing changed. */
export const DUPLICATE = -1;

/**
 * Offers one record. Every record that can now go in order (this one, and held ones after it) is
 * passed to `apply`, in seq order; `apply` may throw, and then the state is as it was before that
 * record (the caller fails it and the mapping retries). Returns DUPLICATE, or the number of seqs
 * skipped for good (lost upstream; 0 normally). A number, not an object: this runs once per record.
 */
export function sequence<R>(
  s: SequencerState<R>,
  seq: number,
  record: R,
  apply: (record: R) => void,
  limit: number = REORDER_LIMIT_RECORDS,
): number {
  if (seq <= s.lastSeq) return DUPLICATE;
  const held = s.held;
  for (let i = 0; i < held.length; i++) if (held[i]!.seq === seq) return DUPLICATE;
  let missing = 0;
  if (seq === s.lastSeq + 1) {
    apply(record);
    s.lastSeq = seq;
  } else {
    held.push({ seq, record });
    held.sort((a, b) => a.seq - b.seq);
  }
  while (held.length > 0 && (held[0]!.seq === s.lastSeq + 1 || held.length > limit)) {
    const h = held[0]!;
    apply(h.record);
    missing += h.seq - s.lastSeq - 1;
    s.lastSeq = h.seq;
    held.shift();
  }
  return missing;
}
