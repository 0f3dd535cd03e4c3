/**
 * Kinesis in this process, for replays: the same commands the producer and the event source
 * mapping send to kinesalite (CreateStream, DescribeStream, PutRecords, GetShardIterator,
 * GetRecords), answered from memory instead of over HTTP, so no request is signed, serialized,
 * parsed or stored in leveldb. What comes back is what kinesalite answers:
 * - a record's shard is found from the MD5 of its partition key in the shards' hash key ranges,
 *   which split 2^128 evenly as CreateStream does;
 * - sequence numbers are kinesalite's (version 2: creation time, shard, index), increasing per shard;
 * - GetRecords returns at most Limit (default 10,000) records from the iterator's position, with
 *   MillisBehindLatest 0, and a next iterator after the last record returned;
 * - the PutRecords limits are checked: 500 records, 1 MiB per record, 5 MiB per request.
 * The mapping (esm.ts) builds the handler's KinesisStreamEvent from these records exactly as it
 * does from kinesalite's. The kinesalite path (kinesis.ts) stays for live producers and LocalStack.
 */
import { createHash } from "node:crypto";
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  InvalidArgumentException,
  type KinesisClient,
  PutRecordsCommand,
  type PutRecordsCommandOutput,
  ResourceInUseException,
  ResourceNotFoundException,
  type Shard,
} from "@aws-sdk/client-kinesis";
import { LOCAL_REGION } from "./kinesis.js";

/** Kinesis's PutRecords limits. */
const MAX_RECORDS_PER_PUT = 500;
const MAX_RECORD_BYTES = 1024 * 1024;
const MAX_PUT_BYTES = 5 * 1024 * 1024;
/** GetRecords's default and largest Limit. */
const MAX_GET_RECORDS = 10_000;
const POW_128 = 2n ** 128n;
const ACCOUNT = "000000000000";

/** What the runtime needs of a stream service: kinesalite over HTTP, or this one in memory. */
export interface StreamTransport {
  /** The client the producer and the mapping send their commands with. */
  readonly client: Pick<KinesisClient, "send">;
  /** Where the streams are: kinesalite's URL, or `in-process`. */
  readonly endpoint: string;
  /** Creates a stream with this many shards; returns its ARN. */
  createStream(name: string, shards: number): Promise<string>;
  close(): Promise<void>;
}

interface StoredRecord {
  readonly SequenceNumber: string;
  readonly ApproximateArrivalTimestamp: Date;
  readonly Data: Uint8Array;
  readonly PartitionKey: string;
}

interface MemoryShard {
  readonly shardId: string;
  readonly index: number;
  readonly startHash: bigint;
  readonly endHash: bigint;
  readonly createdMs: number;
  readonly records: StoredRecord[];
}

interface MemoryStream {
  readonly name: string;
  readonly arn: string;
  readonly shards: MemoryShard[];
}

const metadata = { httpStatusCode: 400 };

/** Kinesalite's shard id: shardId- and twelve digits. */
function shardIdName(index: number): string {
  return `shardId-${String(index).padStart(12, "0")}`;
}

/** Kinesalite's version 2 sequence number, in decimal. */
function sequenceNumber(createdMs: number, shardIndex: number, seqIndex: number, atMs: number): string {
  const hex = [
    "2",
    Math.floor(createdMs / 1000)
      .toString(16)
      .padStart(9, "0")
      .slice(-9),
    shardIndex.toString(16).slice(-1),
    seqIndex.toString(16).padStart(16, "0").slice(-16),
    "00",
    Math.floor(atMs / 1000)
      .toString(16)
      .padStart(9, "0")
      .slice(-9),
    shardIndex.toString(16).padStart(8, "0").slice(-8),
    "2",
  ].join("");
  return BigInt(`0x${hex}`).toString();
}

class InProcessKinesis {
  private readonly streams = new Map<string, MemoryStream>();
  private readonly iterators = new Map<string, { shard: MemoryShard; position: number }>();
  private nextIterator = 0;

  async send(command: unknown): Promise<unknown> {
    // Answered on a later turn, as a request over HTTP is: a caller never runs inside another's call.
    await Promise.resolve();
    if (command instanceof PutRecordsCommand) return this.putRecords(command.input);
    if (command instanceof GetRecordsCommand) return this.getRecords(command.input);
    if (command instanceof GetShardIteratorCommand) return this.shardIterator(command.input);
    if (command instanceof DescribeStreamCommand) return this.describe(command.input.StreamName!);
    if (command instanceof CreateStreamCommand)
      return this.create(command.input.StreamName!, command.input.ShardCount ?? 1);
    throw new InvalidArgumentException({
      message: `the in-process stream does not implement ${(command as object).constructor.name}`,
      $metadata: metadata,
    });
  }

  create(name: string, shardCount: number): { $metadata: object } {
    if (this.streams.has(name))
      throw new ResourceInUseException({ message: `stream ${name} already exists`, $metadata: metadata });
    const size = POW_128 / BigInt(shardCount);
    const createdMs = Date.now();
    const shards = Array.from({ length: shardCount }, (_, i) => ({
      shardId: shardIdName(i),
      index: i,
      startHash: size * BigInt(i),
      endHash: (i < shardCount - 1 ? size * BigInt(i + 1) : POW_128) - 1n,
      createdMs,
      records: [],
    }));
    this.streams.set(name, {
      name,
      arn: `arn:aws:kinesis:${LOCAL_REGION}:${ACCOUNT}:stream/${name}`,
      shards,
    });
    return { $metadata: {} };
  }

  private stream(name: string | undefined): MemoryStream {
    const s = this.streams.get(name ?? "");
    if (!s) throw new ResourceNotFoundException({ message: `stream ${name} not found`, $metadata: metadata });
    return s;
  }

  describe(name: string) {
    const s = this.stream(name);
    const shards: Shard[] = s.shards.map((sh) => ({
      ShardId: sh.shardId,
      HashKeyRange: { StartingHashKey: sh.startHash.toString(), EndingHashKey: sh.endHash.toString() },
      SequenceNumberRange: { StartingSequenceNumber: sequenceNumber(sh.createdMs, sh.index, 0, sh.createdMs) },
    }));
    return {
      $metadata: {},
      StreamDescription: {
        StreamName: s.name,
        StreamARN: s.arn,
        StreamStatus: "ACTIVE",
        Shards: shards,
        HasMoreShards: false,
        RetentionPeriodHours: 24,
        StreamCreationTimestamp: new Date(s.shards[0]?.createdMs ?? Date.now()),
        EnhancedMonitoring: [],
      },
    };
  }

  putRecords(input: PutRecordsCommand["input"]): PutRecordsCommandOutput {
    const s = this.stream(input.StreamName);
    const entries = input.Records ?? [];
    if (entries.length < 1 || entries.length > MAX_RECORDS_PER_PUT)
      throw new InvalidArgumentException({
        message: `a PutRecords request holds 1 to ${MAX_RECORDS_PER_PUT} records, got ${entries.length}`,
        $metadata: metadata,
      });
    let bytes = 0;
    for (const e of entries) {
      const size = (e.Data?.byteLength ?? 0) + Buffer.byteLength(e.PartitionKey ?? "");
      if (size > MAX_RECORD_BYTES)
        throw new InvalidArgumentException({
          message: `a record holds at most ${MAX_RECORD_BYTES} bytes with its partition key, got ${size}`,
          $metadata: metadata,
        });
      bytes += size;
    }
    if (bytes > MAX_PUT_BYTES)
      throw new InvalidArgumentException({
        message: `a PutRecords request holds at most ${MAX_PUT_BYTES} bytes, got ${bytes}`,
        $metadata: metadata,
      });
    const now = Date.now();
    const results = entries.map((e) => {
      const hash = e.ExplicitHashKey
        ? BigInt(e.ExplicitHashKey)
        : BigInt(`0x${createHash("md5").update(e.PartitionKey!, "utf8").digest("hex")}`);
      const shard = s.shards.find((sh) => hash >= sh.startHash && hash <= sh.endHash)!;
      const at = Math.max(now, shard.createdMs);
      const seq = sequenceNumber(shard.createdMs, shard.index, shard.records.length, at);
      shard.records.push({
        SequenceNumber: seq,
        ApproximateArrivalTimestamp: new Date(at),
        Data: e.Data!,
        PartitionKey: e.PartitionKey!,
      });
      return { SequenceNumber: seq, ShardId: shard.shardId };
    });
    return { $metadata: {}, FailedRecordCount: 0, Records: results };
  }

  shardIterator(input: GetShardIteratorCommand["input"]) {
    const s = this.stream(input.StreamName);
    const shard = s.shards.find((sh) => sh.shardId === input.ShardId);
    if (!shard)
      throw new ResourceNotFoundException({
        message: `shard ${input.ShardId} in stream ${s.name} does not exist`,
        $metadata: metadata,
      });
    let position: number;
    if (input.ShardIteratorType === "TRIM_HORIZON") position = 0;
    else if (input.ShardIteratorType === "LATEST") position = shard.records.length;
    else {
      const at = shard.records.findIndex((r) => r.SequenceNumber === input.StartingSequenceNumber);
      if (
        at < 0 ||
        (input.ShardIteratorType !== "AT_SEQUENCE_NUMBER" && input.ShardIteratorType !== "AFTER_SEQUENCE_NUMBER")
      )
        throw new InvalidArgumentException({
          message: `the in-process stream supports TRIM_HORIZON, LATEST and AT/AFTER_SEQUENCE_NUMBER of a stored record`,
          $metadata: metadata,
        });
      position = input.ShardIteratorType === "AT_SEQUENCE_NUMBER" ? at : at + 1;
    }
    return { $metadata: {}, ShardIterator: this.iterator(shard, position) };
  }

  private iterator(shard: MemoryShard, position: number): string {
    const id = `${shard.shardId}/${this.nextIterator++}`;
    this.iterators.set(id, { shard, position });
    return id;
  }

  getRecords(input: GetRecordsCommand["input"]): GetRecordsCommandOutput {
    const it = this.iterators.get(input.ShardIterator ?? "");
    if (!it) throw new InvalidArgumentException({ message: "invalid or expired shard iterator", $metadata: metadata });
    // An iterator is used once: the answer carries the next one.
    this.iterators.delete(input.ShardIterator!);
    const limit = input.Limit ?? MAX_GET_RECORDS;
    if (limit < 1 || limit > MAX_GET_RECORDS)
      throw new InvalidArgumentException({
        message: `Limit must be 1 to ${MAX_GET_RECORDS}, got ${limit}`,
        $metadata: metadata,
      });
    const records = it.shard.records.slice(it.position, it.position + limit);
    return {
      $metadata: {},
      Records: records.map((r) => ({ ...r })),
      NextShardIterator: this.iterator(it.shard, it.position + records.length),
      MillisBehindLatest: 0,
    };
  }
}

/** Streams in this process's memory, for replays (see the file's comment). */
export function startInProcessKinesis(): StreamTransport {
  const kinesis = new InProcessKinesis();
  return {
    client: kinesis as unknown as Pick<KinesisClient, "send">,
    endpoint: "in-process",
    async createStream(name, shards) {
      kinesis.create(name, shards);
      return kinesis.describe(name).StreamDescription.StreamARN;
    },
    async close() {},
  };
}
