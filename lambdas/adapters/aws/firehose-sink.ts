/**
 * FeatureSink on Amazon Data Firehose, one delivery stream per table, each delivering to its
 * Iceberg table (upserting on the table key). Every row is validated against its table first, as
 * the local lake does, so a bad row fails here, loudly, and not in Firehose's error prefix.
 * PutRecordBatch is not all-or-nothing: the response marks failed entries (FailedPutCount,
 * RequestResponses[i].ErrorCode), which are retried with backoff (../batching.ts); if any still
 * fail, put throws and the batch is retried by the event source mapping.
 */
import { type FirehoseClient, type _Record as FirehoseRecord, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import { type AnyTable, assertRow, type Row, type RowOf } from "../../contracts/tables/index.js";
import type { FeatureSink } from "../../ports.js";
import { type BackoffOptions, sendInBatches } from "../batching.js";

/** PutRecordBatch limits (Firehose quotas): 500 records and 4 MiB per call, 1,000 KiB per record. */
export const PUT_RECORD_BATCH_MAX_RECORDS = 500;
export const PUT_RECORD_BATCH_MAX_BYTES = 4 * 1024 * 1024;
export const FIREHOSE_MAX_RECORD_BYTES = 1000 * 1024;

const DEFAULT_BACKOFF: BackoffOptions = { attempts: 6, baseMs: 100, maxMs: 5000 };

/** A Date holds milliseconds; an Iceberg timestamp, microseconds. */
const MICROS_PER_MILLI = 1000;

/**
 * A row as Firehose reads it for Iceberg: one JSON object per record, each value as its column's
 * Iceberg type (lib/iceberg.ts) expects, by the column's type in the table definition:
 * - timestamp: epoch microseconds, an integer. "For Timestamp data types, you must always send in
 *   microseconds" (https://docs.aws.amazon.com/firehose/latest/dev/apache-iceberg-destination-supp.html):
 *   an ISO 8601 string lands in the error prefix. Milliseconds x 1000 stay exact integers until 2255.
 * - json: an Iceberg string, so the document's text goes as a JSON string (the row validator has
 *   checked that it parses).
 * - bigint: an Iceberg long, sent as a JSON integer; a number holds it exactly up to 2^53 - 1.
 * - null stays null, whatever the type.
 */
export function encodeRow(table: AnyTable, row: Row): Uint8Array {
  const out: Record<string, Row[string]> = {};
  for (const c of table.columns) {
    const v = row[c.name] ?? null;
    out[c.name] = v !== null && c.type === "timestamp" ? (v as Date).getTime() * MICROS_PER_MILLI : v;
  }
  return Buffer.from(`${JSON.stringify(out)}\n`, "utf8");
}

export class FirehoseSink implements FeatureSink {
  constructor(
    private readonly client: Pick<FirehoseClient, "send">,
    /** Table name -> delivery stream name (DELIVERY_STREAMS). */
    private readonly streams: Readonly<Record<string, string>>,
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
  ) {}

  async put<T extends AnyTable>(table: T, rows: readonly RowOf<T>[]): Promise<void> {
    const stream = this.streams[table.name];
    if (!stream) throw new Error(`no delivery stream configured for table '${table.name}' (DELIVERY_STREAMS)`);
    const records: FirehoseRecord[] = rows.map((row) => {
      assertRow(table, row as Row);
      const data = encodeRow(table, row as Row);
      if (data.byteLength > FIREHOSE_MAX_RECORD_BYTES) {
        throw new Error(
          `a ${table.name} row is ${data.byteLength} bytes; Firehose accepts at most ${FIREHOSE_MAX_RECORD_BYTES}`,
        );
      }
      return { Data: data };
    });
    await sendInBatches(
      records,
      { maxItems: PUT_RECORD_BATCH_MAX_RECORDS, maxBytes: PUT_RECORD_BATCH_MAX_BYTES },
      (r) => r.Data!.byteLength,
      async (batch) => {
        const res = await this.client.send(
          new PutRecordBatchCommand({ DeliveryStreamName: stream, Records: [...batch] }),
        );
        if (!res.FailedPutCount) return { retry: [] };
        const results = res.RequestResponses ?? [];
        return {
          retry: batch.filter((_, i) => results[i]?.ErrorCode),
          errors: results.flatMap((r) => (r.ErrorCode ? [r.ErrorCode] : [])),
        };
      },
      this.backoff,
      `PutRecordBatch to ${stream}`,
    );
  }
}
