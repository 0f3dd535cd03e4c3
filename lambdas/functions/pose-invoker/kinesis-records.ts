/**
 * Records onto a Kinesis stream from inside a Lambda: buffered by put, sent by flush with PutRecords,
 * the entries a response marks as failed retried with backoff (the batching helper every batch call
 * uses). The producers' KinesisProducer does the same for the CLI and the demo; lambdas/ may not
 * import producers/ (test/unit/layering.test.ts), and a frame's few records need none of its
 * request pipelining, so the pose invoker has this small one.
 */
import { type KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import { type BackoffOptions, sendInBatches } from "../../adapters/batching.js";
import type { RecordContract } from "../../contracts/records/record.js";

/** PutRecords limits (Kinesis Data Streams quotas): 500 records and 5 MiB per request. */
const PUT_RECORDS_LIMITS = { maxItems: 500, maxBytes: 5 * 1024 * 1024 };
const DEFAULT_BACKOFF: BackoffOptions = { attempts: 6, baseMs: 100, maxMs: 5000 };

export class KinesisRecordSink<R> {
  private pending: PutRecordsRequestEntry[] = [];

  constructor(
    private readonly client: Pick<KinesisClient, "send">,
    private readonly streamName: string,
    private readonly contract: RecordContract<R>,
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
  ) {
    if (!streamName) throw new Error("the stream name is empty: set POSE_STREAM_NAME");
  }

  async put(record: R): Promise<void> {
    this.pending.push({
      Data: this.contract.encode(record),
      PartitionKey: this.contract.identity(record).partitionKey,
    });
  }

  /** Sends what was put; throws, naming the stream and the error codes, when entries still fail. */
  async flush(): Promise<void> {
    const entries = this.pending;
    this.pending = [];
    await sendInBatches(
      entries,
      PUT_RECORDS_LIMITS,
      (e) => e.Data!.byteLength + e.PartitionKey!.length,
      async (todo) => {
        const out = await this.client.send(new PutRecordsCommand({ StreamName: this.streamName, Records: [...todo] }));
        if (!out.FailedRecordCount) return { retry: [] };
        const results = out.Records ?? [];
        return {
          retry: todo.filter((_, i) => results[i]?.ErrorCode),
          errors: results.flatMap((r) => (r.ErrorCode ? [r.ErrorCode] : [])),
        };
      },
      this.backoff,
      `PutRecords to ${this.streamName}`,
    );
  }
}
