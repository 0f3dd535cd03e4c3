/**
 * The producer, for any modality: PutRecords with the real Kinesis client, to kinesalite locally, to
 * a deployed stream (`--target aws`), and from the pose invoker Lambda to the pose stream. Requests are filled to the service limits, a few are kept
 * in flight, and the entries a response reports as failed are retried with backoff (the batching
 * helper every batch call uses); the consumer restores each key's order from `seq`.
 */
import { type KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import type { RecordContract } from "../../contracts/records/record.js";
import { type BackoffOptions, sendWithRetry } from "../batching.js";

/** PutRecords limits (Kinesis Data Streams quotas): 500 records and 5 MiB per request. */
export const PUT_RECORDS_MAX_RECORDS = 500;
export const PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024;

export interface ProducerOptions {
  /**
   * PutRecords requests in flight at once. Kinesis orders records within a request, not across
   * concurrent requests, so more than 1 lets a player's chunks arrive out of order (the consumer
   * restores the order, at a cost). @default 1
   */
  readonly concurrency?: number;
  /**
   * Upper bound on one request's payload. kinesalite joins a request body chunk by chunk with
   * Buffer.concat (quadratic in the body size), so the embedded runtime sends smaller requests.
   * @default PUT_RECORDS_MAX_BYTES (5 MiB)
   */
  readonly maxRequestBytes?: number;
  /** @default 10 attempts, 50 ms base, 2 s cap */
  readonly backoff?: BackoffOptions;
}

export interface ProducerStats {
  records: number;
  bytes: number;
  requests: number;
  retriedRecords: number;
}

export class KinesisProducer<R> {
  readonly stats: ProducerStats = { records: 0, bytes: 0, requests: 0, retriedRecords: 0 };
  private pending: PutRecordsRequestEntry[] = [];
  private pendingBytes = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly concurrency: number;
  private readonly backoff: BackoffOptions;
  private readonly maxRequestBytes: number;
  private failure: Error | null = null;

  constructor(
    private readonly client: Pick<KinesisClient, "send">,
    private readonly streamName: string,
    /** The modality's record contract: how a record is encoded and keyed. */
    private readonly contract: RecordContract<R>,
    options: ProducerOptions = {},
  ) {
    if (!streamName) throw new Error("the Kinesis stream name is empty");
    this.concurrency = options.concurrency ?? 1;
    this.backoff = options.backoff ?? { attempts: 10, baseMs: 50, maxMs: 2000 };
    this.maxRequestBytes = Math.min(options.maxRequestBytes ?? PUT_RECORDS_MAX_BYTES, PUT_RECORDS_MAX_BYTES);
  }

  async put(record: R): Promise<void> {
    await this.putEncoded(this.contract.encode(record), this.contract.identity(record).partitionKey);
  }

  /** Puts a record already encoded by its contract (a produce worker encodes off this thread). */
  async putEncoded(data: Uint8Array, partitionKey: string): Promise<void> {
    const entry: PutRecordsRequestEntry = { Data: data, PartitionKey: partitionKey };
    const size = data.byteLength + partitionKey.length;
    if (
      this.pending.length > 0 &&
      (this.pending.length >= PUT_RECORDS_MAX_RECORDS || this.pendingBytes + size > this.maxRequestBytes)
    ) {
      await this.send();
    }
    this.pending.push(entry);
    this.pendingBytes += size;
    this.stats.records++;
    this.stats.bytes += data.byteLength;
  }

  /** Sends what is buffered and waits for every request in flight. */
  async flush(): Promise<void> {
    if (this.pending.length > 0) await this.send();
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
  }

  private async send(): Promise<void> {
    const entries = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
    const p = this.sendWithRetry(entries)
      .catch((e: Error) => {
        this.failure = e;
      })
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async sendWithRetry(entries: PutRecordsRequestEntry[]): Promise<void> {
    await sendWithRetry(
      entries,
      async (todo) => {
        this.stats.requests++;
        const out = await this.client.send(new PutRecordsCommand({ StreamName: this.streamName, Records: [...todo] }));
        if (!out.FailedRecordCount) return { retry: [] };
        const results = out.Records ?? [];
        const retry = todo.filter((_, i) => results[i]?.ErrorCode);
        this.stats.retriedRecords += retry.length;
        return { retry, errors: results.flatMap((r) => (r.ErrorCode ? [r.ErrorCode] : [])) };
      },
      this.backoff,
      `PutRecords to ${this.streamName}`,
    );
  }
}
