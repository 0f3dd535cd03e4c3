import { PutRecordsCommand } from "@aws-sdk/client-kinesis";
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from "aws-lambda";
import { STREAM_MAPPING_DEFAULTS } from "../../lambdas/contracts/defaults.js";
import { type BatchFailure, LocalEventSourceMapping } from "../../local/emulators/esm.js";
import { type StreamTransport, startInProcessKinesis } from "../../local/emulators/in-process-kinesis.js";
import { startLocalKinesis } from "../../local/emulators/kinesis.js";

// The event source mapping emulator against kinesalite with the real Kinesis client, and against
// the replays' in-process stream: the same mapping code, so the same semantics through both.
describe.each([
  ["kinesalite", startLocalKinesis],
  ["in-process", async () => startInProcessKinesis()],
] as const)("local event source mapping through %s", (_transport, start: () => Promise<StreamTransport>) => {
  let kinesis: StreamTransport;
  beforeAll(async () => {
    kinesis = await start();
  });
  afterAll(async () => {
    await kinesis.close();
  });

  async function streamWith(name: string, n: number): Promise<string> {
    const arn = await kinesis.createStream(name, 1);
    await kinesis.client.send(
      new PutRecordsCommand({
        StreamName: name,
        Records: Array.from({ length: n }, (_, i) => ({ Data: Buffer.from(String(i)), PartitionKey: "k" })),
      }),
    );
    return arn;
  }

  const values = (e: KinesisStreamEvent) =>
    e.Records.map((r) => Number(Buffer.from(r.kinesis.data, "base64").toString()));

  it("delivers genuine Kinesis events in order, in batches of at most the batch size", async () => {
    const arn = await streamWith("order", 25);
    const seen: number[][] = [];
    const esm = new LocalEventSourceMapping(
      kinesis.client,
      "order",
      arn,
      async (e) => {
        seen.push(values(e));
        expect(e.Records[0]).toMatchObject({
          eventSource: "aws:kinesis",
          eventSourceARN: arn,
          eventName: "aws:kinesis:record",
        });
        expect(e.Records[0]!.eventID).toMatch(/^shardId-000000000000:\d+$/);
        return { batchItemFailures: [] };
      },
      { batchSize: 10 },
    );
    esm.endOfInput();
    await esm.run();
    expect(seen.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(seen.flat()).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it("resumes from the lowest failed sequence number after batch item failures", async () => {
    const arn = await streamWith("partial", 6);
    const seen: number[][] = [];
    let failedOnce = false;
    const esm = new LocalEventSourceMapping(
      kinesis.client,
      "partial",
      arn,
      async (e): Promise<KinesisStreamBatchResponse> => {
        seen.push(values(e));
        if (!failedOnce) {
          failedOnce = true;
          return {
            batchItemFailures: [
              { itemIdentifier: e.Records[4]!.kinesis.sequenceNumber },
              { itemIdentifier: e.Records[2]!.kinesis.sequenceNumber },
            ],
          };
        }
        return { batchItemFailures: [] };
      },
      { batchSize: 10 },
    );
    esm.endOfInput();
    const stats = await esm.run();
    expect(seen).toEqual([
      [0, 1, 2, 3, 4, 5],
      [2, 3, 4, 5],
    ]);
    expect(stats.retries).toBe(1);
  });

  it("bisects a failing batch and sends what still fails to the on-failure destination", async () => {
    const arn = await streamWith("poison", 8);
    const failures: BatchFailure[] = [];
    const esm = new LocalEventSourceMapping(
      kinesis.client,
      "poison",
      arn,
      async (e) => {
        if (values(e).includes(5)) throw new Error("poison record");
        return { batchItemFailures: [] };
      },
      { batchSize: 8, maximumRetryAttempts: 3, onFailure: async (f) => void failures.push(f) },
    );
    esm.endOfInput();
    const stats = await esm.run();
    expect(failures).toHaveLength(1);
    expect(failures[0]!.batchSize).toBe(1);
    expect(failures[0]!.reason).toBe("the function failed: poison record");
    expect(Buffer.from(failures[0]!.records[0]!.kinesis.data, "base64").toString()).toBe("5");
    expect(stats.bisections).toBeGreaterThan(0);
  });

  it("retries as often as the deployed mapping by default (the shared defaults), then gives up to the destination", async () => {
    const arn = await streamWith("defaults", 1);
    const failures: BatchFailure[] = [];
    let invocations = 0;
    const esm = new LocalEventSourceMapping(
      kinesis.client,
      "defaults",
      arn,
      async () => {
        invocations++;
        throw new Error("always");
      },
      { onFailure: async (f) => void failures.push(f) },
    );
    esm.endOfInput();
    await esm.run();
    expect(invocations).toBe(1 + STREAM_MAPPING_DEFAULTS.retryAttempts);
    expect(failures[0]!.attempts).toBe(1 + STREAM_MAPPING_DEFAULTS.retryAttempts);
  });

  it("sends records older than the maximum record age to the destination without invoking the function", async () => {
    const arn = await streamWith("stale", 3);
    const failures: BatchFailure[] = [];
    let invoked = 0;
    const esm = new LocalEventSourceMapping(
      kinesis.client,
      "stale",
      arn,
      async () => {
        invoked++;
        return { batchItemFailures: [] };
      },
      {
        onFailure: async (f) => void failures.push(f),
        // Four hours from now, every record is older than the 3-hour default.
        now: () => Date.now() + 4 * 3_600_000,
      },
    );
    esm.endOfInput();
    await esm.run();
    expect(invoked).toBe(0);
    expect(failures.map((f) => f.batchSize)).toEqual([3]);
    expect(failures[0]!.reason).toMatch(/older than the maximum record age \(3 h\)/);
  });

  it("fails on a batch size outside Lambda's limits", () => {
    expect(
      () => new LocalEventSourceMapping(kinesis.client, "x", "arn", async () => undefined, { batchSize: 0 }),
    ).toThrow(/batch size must be an integer from 1 to 10000/);
  });
});
