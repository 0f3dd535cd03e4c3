/** What one invocation did, counted: the handler's metrics and the embedded runtime's accounting. */

export interface InvocationCounts {
  records: number;
  recordsApplied: number;
  recordsQuarantined: number;
  recordsDuplicate: number;
  recordsFailed: number;
  samplesAccepted: number;
  samplesQuarantined: number;
  /** Samples of records accounted for without state (the ball). */
  samplesPassedThrough: number;
  /** Quarantine rows for samples rejected inside otherwise good records (one per record and reason). */
  samplesRejectedGroups: number;
  missingChunks: number;
  insights: number;
  /** Rows written, per table. */
  rows: Record<string, number>;
}

export const emptyCounts = (): InvocationCounts => ({
  records: 0,
  recordsApplied: 0,
  recordsQuarantined: 0,
  recordsDuplicate: 0,
  recordsFailed: 0,
  samplesAccepted: 0,
  samplesQuarantined: 0,
  samplesPassedThrough: 0,
  samplesRejectedGroups: 0,
  missingChunks: 0,
  insights: 0,
  rows: {},
});

/** Adds one invocation's counts into running totals. */
export function addCounts(into: InvocationCounts, c: InvocationCounts): void {
  for (const k of Object.keys(c) as (keyof InvocationCounts)[]) {
    if (k === "rows") for (const [t, n] of Object.entries(c.rows)) into.rows[t] = (into.rows[t] ?? 0) + n;
    else into[k] += c[k];
  }
}
