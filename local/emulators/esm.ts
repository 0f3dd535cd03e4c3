/**
 * A Lambda event source mapping for Kinesis, on one machine. It reads each shard with GetRecords
 * and invokes the handler with genuine `KinesisStreamEvent` payloads, as the Lambda service does:
 * - batch size (1-10,000) and batching window;
 * - one batch in flight per shard, so records of a shard are processed in order;
 * - ReportBatchItemFailures: processing resumes from the lowest failed sequence number;
 * - a handler error fails the whole batch; with bisect, the batch is split in two and retried;
 * - bounded retries, then the batch goes to the on-failure destination and the shard moves on;
 * - records older than the maximum record age go to the on-failure destination without being processed.
 * Its defaults are the deployed mapping's (STREAM_MAPPING_DEFAULTS), so both runtimes retry alike.
 * It reads through any Kinesis client: the SDK's against kinesalite, or the in-process stream of
 * replays (in-process-kinesis.ts); the events it builds are the same either way.
 */
import { randomUUID } from "node:crypto";
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  type _Record as KinesisRecord,
} from "@aws-sdk/client-kinesis";
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";
import { realSleep } from "../../lambdas/adapters/batching.js";
import { STREAM_MAPPING_DEFAULTS } from "../../lambdas/contracts/defaults.js";

/** Lambda's limits for Kinesis event source mappings. */
export const ESM_MAX_BATCH_SIZE = 10_000;
export const ESM_MAX_RETRY_ATTEMPTS = 10_000;

export interface EventSourceMappingOptions {
  /** @default 100 (Lambda's default for Kinesis) */
  readonly batchSize?: number;
  /** @default 0 */
  readonly maximumBatchingWindowMs?: number;
  /** @default STREAM_MAPPING_DEFAULTS.retryAttempts */
  readonly maximumRetryAttempts?: number;
  /** @default STREAM_MAPPING_DEFAULTS.bisectOnError */
  readonly bisectBatchOnFunctionError?: boolean;
  /** @default STREAM_MAPPING_DEFAULTS.maxRecordAgeHours, in ms */
  readonly maximumRecordAgeMs?: number;
  /** The clock records' ages are measured against. @default Date.now */
  readonly now?: () => number;
  /** How long an idle shard waits before polling again. @default 25 ms (Lambda polls about once a second) */
  readonly idlePollMs?: number;
  /** The on-failure destination. @default - throws, stopping the mapping */
  readonly onFailure?: (failure: BatchFailure) => Promise<void>;
  readonly functionName?: string;
}

export interface BatchFailure {
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly batchSize: number;
  readonly attempts: number;
  readonly reason: string;
  readonly records: readonly KinesisStreamRecord[];
}

export interface EsmStats {
  invocations: number;
  records: number;
  retries: number;
  bisections: number;
  failedBatches: number;
}

export type KinesisHandler = (
  event: KinesisStreamEvent,
  context: Context,
) => Promise<KinesisStreamBatchResponse | undefined>;

/** A Lambda context for a local invocation (the handlers' Powertools middleware reads it). */
export function lambdaContext(functionName: string): Context {
  const started = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: "1024",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, 900_000 - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export class LocalEventSourceMapping {
  readonly stats: EsmStats = { invocations: 0, records: 0, retries: 0, bisections: 0, failedBatches: 0 };
  private readonly batchSize: number;
  private readonly windowMs: number;
  private readonly maxRetries: number;
  private readonly bisect: boolean;
  private readonly idlePollMs: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private producerDone = false;

  constructor(
    private readonly kinesis: Pick<KinesisClient, "send">,
    private readonly streamName: string,
    private readonly streamArn: string,
    private readonly handler: KinesisHandler,
    private readonly options: EventSourceMappingOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 100;
    this.windowMs = options.maximumBatchingWindowMs ?? 0;
    this.maxRetries = options.maximumRetryAttempts ?? STREAM_MAPPING_DEFAULTS.retryAttempts;
    this.bisect = options.bisectBatchOnFunctionError ?? STREAM_MAPPING_DEFAULTS.bisectOnError;
    this.maxAgeMs = options.maximumRecordAgeMs ?? STREAM_MAPPING_DEFAULTS.maxRecordAgeHours * 3_600_000;
    this.now = options.now ?? Date.now;
    this.idlePollMs = options.idlePollMs ?? 25;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1 || this.batchSize > ESM_MAX_BATCH_SIZE) {
      throw new Error(`batch size must be an integer from 1 to ${ESM_MAX_BATCH_SIZE}, got ${this.batchSize}`);
    }
    if (this.maxRetries < 0 || this.maxRetries > ESM_MAX_RETRY_ATTEMPTS) {
      throw new Error(`maximum retry attempts must be 0 to ${ESM_MAX_RETRY_ATTEMPTS}, got ${this.maxRetries}`);
    }
  }

  /** Tells the mapping that nothing more will be produced: shards stop once read to the end. */
  endOfInput(): void {
    this.producerDone = true;
  }

  /** Polls every shard until endOfInput() has been called and every shard is read to its end. */
  async run(): Promise<EsmStats> {
    const d = await this.kinesis.send(new DescribeStreamCommand({ StreamName: this.streamName }));
    const shards = d.StreamDescription?.Shards ?? [];
    await Promise.all(shards.map((s) => this.pollShard(s.ShardId!)));
    return this.stats;
  }

  private async pollShard(shardId: string): Promise<void> {
    const it = await this.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: this.streamName,
        ShardId: shardId,
        ShardIteratorType: "TRIM_HORIZON",
      }),
    );
    let iterator = it.ShardIterator;
    let buffer: KinesisStreamRecord[] = [];
    let firstBufferedAt = 0;
    while (iterator) {
      const doneBefore = this.producerDone;
      const out = await this.kinesis.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: this.batchSize - buffer.length }),
      );
      iterator = out.NextShardIterator;
      const got = (out.Records ?? []).map((r) => this.toEventRecord(shardId, r));
      if (got.length > 0 && buffer.length === 0) firstBufferedAt = Date.now();
      buffer.push(...got);
      const caughtUp = got.length === 0 || out.MillisBehindLatest === 0;
      const windowOver = Date.now() - firstBufferedAt >= this.windowMs;
      if (buffer.length >= this.batchSize || (buffer.length > 0 && (windowOver || (caughtUp && doneBefore)))) {
        await this.processBatch(shardId, buffer);
        buffer = [];
      }
      if (got.length === 0) {
        if (doneBefore && buffer.length === 0) return;
        await realSleep(this.idlePollMs);
      }
    }
  }

  private toEventRecord(shardId: string, r: KinesisRecord): KinesisStreamRecord {
    return {
      kinesis: {
        kinesisSchemaVersion: "1.0",
        partitionKey: r.PartitionKey!,
        sequenceNumber: r.SequenceNumber!,
        data: Buffer.from(r.Data!).toString("base64"),
        approximateArrivalTimestamp: (r.ApproximateArrivalTimestamp ?? new Date()).getTime() / 1000,
      },
      eventSource: "aws:kinesis",
      eventVersion: "1.0",
      eventID: `${shardId}:${r.SequenceNumber}`,
      eventName: "aws:kinesis:record",
      invokeIdentityArn: "arn:aws:iam::000000000000:role/sideline-local",
      awsRegion: "local",
      eventSourceARN: this.streamArn,
    };
  }

  /** Runs one batch to completion: success, or retries exhausted and sent to the on-failure destination. */
  private async processBatch(shardId: string, all: KinesisStreamRecord[]): Promise<void> {
    // As Lambda does with MaximumRecordAgeInSeconds: records past the age are not processed but discarded to the destination.
    const oldest = this.now() - this.maxAgeMs;
    const expired = all.filter((r) => r.kinesis.approximateArrivalTimestamp * 1000 < oldest);
    if (expired.length > 0)
      await this.fail(shardId, expired, 0, `record older than the maximum record age (${this.maxAgeMs / 3_600_000} h)`);
    const records = expired.length > 0 ? all.filter((r) => !expired.includes(r)) : all;
    if (records.length === 0) return;
    const queue: { records: KinesisStreamRecord[]; attempts: number }[] = [{ records, attempts: 0 }];
    while (queue.length > 0) {
      const item = queue.shift()!;
      let batch = item.records;
      let attempts = item.attempts;
      for (;;) {
        const outcome = await this.invoke(batch);
        if (outcome.ok && outcome.failedFrom === null) break;
        attempts++;
        let reason: string;
        if (outcome.ok) {
          batch = batch.slice(outcome.failedFrom!);
          reason = "the function reported batch item failures";
        } else {
          reason = `the function failed: ${outcome.error}`;
        }
        if (attempts > this.maxRetries) {
          await this.fail(shardId, batch, attempts, reason);
          break;
        }
        this.stats.retries++;
        if (!outcome.ok && this.bisect && batch.length > 1) {
          const mid = Math.ceil(batch.length / 2);
          this.stats.bisections++;
          queue.unshift({ records: batch.slice(0, mid), attempts }, { records: batch.slice(mid), attempts });
          break;
        }
      }
    }
  }

  private async invoke(
    batch: KinesisStreamRecord[],
  ): Promise<{ ok: true; failedFrom: number | null } | { ok: false; error: string }> {
    this.stats.invocations++;
    this.stats.records += batch.length;
    let response: KinesisStreamBatchResponse | undefined;
    try {
      response = await this.handler(
        { Records: batch },
        lambdaContext(this.options.functionName ?? "tracking-features"),
      );
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
    const failures = response?.batchItemFailures ?? [];
    if (failures.length === 0) return { ok: true, failedFrom: null };
    // As the Lambda service does: an unknown or empty identifier fails the whole batch.
    let lowest = Number.POSITIVE_INFINITY;
    for (const f of failures) {
      const i = batch.findIndex((r) => r.kinesis.sequenceNumber === f.itemIdentifier);
      lowest = Math.min(lowest, Math.max(i, 0));
    }
    return { ok: true, failedFrom: lowest };
  }

  private async fail(shardId: string, batch: KinesisStreamRecord[], attempts: number, reason: string): Promise<void> {
    this.stats.failedBatches++;
    const failure: BatchFailure = {
      shardId,
      startSequenceNumber: batch[0]!.kinesis.sequenceNumber,
      endSequenceNumber: batch[batch.length - 1]!.kinesis.sequenceNumber,
      batchSize: batch.length,
      attempts,
      reason,
      records: batch,
    };
    if (!this.options.onFailure) {
      throw new Error(
        `${shardId}: batch ${failure.startSequenceNumber}..${failure.endSequenceNumber} failed: ${reason}`,
      );
    }
    await this.options.onFailure(failure);
  }
}
