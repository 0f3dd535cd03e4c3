/** The quarantine row for a line a reader rejected, as both the local pipeline and `--target aws` record it. */
import type { Row } from "../lambdas/contracts/tables.js";
import { QUARANTINE_PAYLOAD_CHARS } from "../lambdas/functions/tracking-features/extractor.js";
import type { ReaderItem } from "../producers/readers/types.js";

export function readerQuarantineRow(bad: Extract<ReaderItem, { kind: "bad" }>, source: string, matchId: string): Row {
  return {
    source,
    record_ref: bad.ref,
    match_id: matchId,
    reason: bad.reason,
    sample_count: bad.samples,
    payload: bad.payload.slice(0, QUARANTINE_PAYLOAD_CHARS),
    quarantined_at: new Date(),
  };
}
