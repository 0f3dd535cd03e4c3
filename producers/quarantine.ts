/** The quarantine row for a line a reader rejected, as both the local pipeline and `--target aws` record it. */
import { quarantineRow } from "../lambdas/contracts/quarantine.js";
import type { QUARANTINE, RowOf } from "../lambdas/contracts/tables/index.js";
import type { ReaderItem } from "./readers/types.js";

export function readerQuarantineRow(
  bad: Extract<ReaderItem, { kind: "bad" }>,
  source: string,
  matchId: string,
): RowOf<typeof QUARANTINE> {
  return quarantineRow(
    { source, ref: bad.ref, matchId, reason: bad.reason, samples: bad.samples, payload: bad.payload },
    new Date(),
  );
}
