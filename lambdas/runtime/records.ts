/**
 * Records as the stream runtime reads them: decoding and validating a Kinesis record's data against
 * its modality's contract, the quarantine item of a record the mapping gave up on, and the rows and
 * keys derived from records and insights.
 */
import type { Insight } from "../contracts/events/index.js";
import { payloadRef, type QuarantineItem, recordRef } from "../contracts/quarantine.js";
import type { INSIGHTS, RowOf } from "../contracts/tables/index.js";
import type { Extractor } from "./extractor.js";

const NON_FINITE = /(?<![A-Za-z"])-?(NaN|Infinity)(?![A-Za-z"])/;

export type Decoded<R> =
  | { readonly ok: true; readonly record: R }
  | { readonly ok: false; readonly reason: string; readonly samples: number; readonly matchId: string | null };

/** Decodes and validates one record's data (base64 JSON) against its modality's contract; never throws. */
export function decodeRecord<R>(
  extractor: Pick<Extractor<R, unknown>, "modality">,
  data: string,
): { raw: string; decoded: Decoded<R> } {
  const raw = Buffer.from(data, "base64").toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    const reason = NON_FINITE.test(raw)
      ? "non-finite number (NaN or Infinity) in payload"
      : `not JSON: ${(e as Error).message}`;
    return { raw, decoded: { ok: false, reason, samples: 0, matchId: null } };
  }
  const contract = extractor.modality.record;
  const parsed = contract.parse(json);
  if (parsed.ok) return { raw, decoded: parsed };
  return { raw, decoded: { ok: false, reason: parsed.reason, ...contract.salvage(json) } };
}

/** Where the event source mapping's on-failure destination is attributed in quarantine. */
export const MAPPING_FAILURE_SOURCE = "event-source-mapping";

/**
 * The quarantine item of a record the event source mapping gave up on (retries exhausted): the
 * same content-derived reference and sample count as any other quarantined record.
 */
export function failedRecordItem<R>(
  extractor: Pick<Extractor<R, unknown>, "modality">,
  data: string,
  reason: string,
): QuarantineItem {
  const m = extractor.modality;
  const { raw, decoded } = decodeRecord<R>(extractor, data);
  if (!decoded.ok)
    return {
      source: MAPPING_FAILURE_SOURCE,
      ref: payloadRef(m.id, raw),
      matchId: decoded.matchId,
      reason,
      samples: decoded.samples,
      payload: raw,
    };
  const id = m.record.identity(decoded.record);
  return {
    source: MAPPING_FAILURE_SOURCE,
    ref: recordRef(m.id, id.partitionKey, id.seq),
    matchId: id.matchId,
    reason,
    samples: m.record.samples(decoded.record),
    payload: raw,
  };
}

/** The quarantine `source` of an extractor: its function id in kebab case, e.g. tracking-features. */
export const extractorSource = (e: Pick<Extractor<unknown, unknown>, "modality">) =>
  e.modality.extractor.functionId.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();

/** The state store key of a partition key: `<modality>/<partition key>` (the state table's contract, contracts/state-keys.ts). */
export { stateKey } from "../contracts/state-keys.js";

/** The `insights` table row for an insight event: the lakehouse copy analysts query. */
export function insightRow(e: Insight): RowOf<typeof INSIGHTS> {
  return {
    insight_id: e.id,
    time: e.time,
    source: e.source,
    detail_type: e.detailType,
    match_id: e.detail.match_id,
    player_id: e.detail.player_id,
    detail: JSON.stringify(e.detail),
  };
}
