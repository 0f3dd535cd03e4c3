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

/** Rows as Firehose reads them for Iceberg: one JSON object per record, timestamps as ISO 8601. */
export function encodeRow(row: Row): Uint8Array {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = v instanceof Date ? v.toISOString() : v;
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
      const data = encodeRow(row as Row);
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
