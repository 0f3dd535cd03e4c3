/**
 * FeatureSink on Amazon Data Firehose, one delivery stream per table, each delivering to its
 * Iceberg table (upserting on the table key). PutRecordBatch is not all-or-nothing: the response
 * marks failed entries (FailedPutCount, RequestResponses[i].ErrorCode), which are retried with
 * backoff; if any still fail, put throws and the batch is retried by the event source mapping.
 */
import { type FirehoseClient, type _Record as FirehoseRecord, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import type { Row, TableName } from "../../contracts/tables.js";
import type { FeatureSink } from "../../ports.js";
import { type BackoffOptions, backoffDelayMs, realSleep } from "../batching.js";

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
    private readonly streams: Readonly<Partial<Record<TableName, string>>>,
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
  ) {}

  async put(table: TableName, rows: readonly Row[]): Promise<void> {
    const stream = this.streams[table];
    if (!stream) throw new Error(`no delivery stream configured for table '${table}'`);
    let batch: FirehoseRecord[] = [];
    let bytes = 0;
    for (const row of rows) {
      const data = encodeRow(row);
      if (data.byteLength > FIREHOSE_MAX_RECORD_BYTES) {
        throw new Error(
          `a ${table} row is ${data.byteLength} bytes; Firehose accepts at most ${FIREHOSE_MAX_RECORD_BYTES}`,
        );
      }
      if (batch.length === PUT_RECORD_BATCH_MAX_RECORDS || bytes + data.byteLength > PUT_RECORD_BATCH_MAX_BYTES) {
        await this.putWithRetry(stream, batch);
        batch = [];
        bytes = 0;
      }
      batch.push({ Data: data });
      bytes += data.byteLength;
    }
    if (batch.length > 0) await this.putWithRetry(stream, batch);
  }

  private async putWithRetry(stream: string, records: FirehoseRecord[]): Promise<void> {
    let pending = records;
    let codes: string[] = [];
    for (let attempt = 0; attempt < this.backoff.attempts; attempt++) {
      if (attempt > 0) await (this.backoff.sleep ?? realSleep)(backoffDelayMs(attempt, this.backoff));
      const res = await this.client.send(new PutRecordBatchCommand({ DeliveryStreamName: stream, Records: pending }));
      if (!res.FailedPutCount) return;
      const results = res.RequestResponses ?? [];
      codes = [...new Set(results.flatMap((r) => (r.ErrorCode ? [r.ErrorCode] : [])))];
      pending = pending.filter((_, i) => results[i]?.ErrorCode);
    }
    throw new Error(
      `PutRecordBatch to ${stream}: ${pending.length} record(s) still failing after ${this.backoff.attempts} attempts (${codes.join(", ")})`,
    );
  }
}
