import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";
import { KinesisProducer } from "../../lambdas/adapters/aws/kinesis-producer.js";
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { TRACKING } from "../../lambdas/contracts/modalities.js";
import { DemoMatch } from "../../local/demo/demo-match.js";
import { LocalEventSourceMapping } from "../../local/emulators/esm.js";
import { type StreamTransport, startInProcessKinesis } from "../../local/emulators/in-process-kinesis.js";
import { startLocalKinesis } from "../../local/emulators/kinesis.js";
import { runPipeline } from "../../local/pipeline.js";
import type { StreamTransportKind } from "../../local/runtime.js";

const dir = mkdtempSync(join(tmpdir(), "sideline-in-process-"));

/** A short match's 10 s chunks through a 3-shard stream and a mapping of batch size 4; the events the handler got. */
async function eventsThrough(transport: StreamTransport): Promise<{ arn: string; events: KinesisStreamEvent[] }> {
  const arn = await transport.createStream("tracking", 3);
  const producer = new KinesisProducer(transport.client, "tracking", TRACKING.record);
  const events: KinesisStreamEvent[] = [];
  const esm = new LocalEventSourceMapping(
    transport.client,
    "tracking",
    arn,
    async (e) => {
      events.push(e);
      return { batchItemFailures: [] };
    },
    { batchSize: 4 },
  );
  const running = esm.run();
  for (const chunk of new DemoMatch({ minutes: 1, seed: 3 }).chunks(10_000)) await producer.put(chunk);
  await producer.flush();
  esm.endOfInput();
  await running;
  await transport.close();
  return { arn, events };
}

/** A record without what differs by service and time: its sequence number and arrival time. */
const comparable = (r: KinesisStreamRecord) => ({
  ...r,
  eventID: r.eventID.split(":")[0],
  kinesis: { ...r.kinesis, sequenceNumber: "", approximateArrivalTimestamp: 0 },
});
const byShard = (events: KinesisStreamEvent[]) => {
  const shards = new Map<string, KinesisStreamRecord[]>();
  for (const r of events.flatMap((e) => e.Records)) {
    const shard = r.eventID.split(":")[0]!;
    shards.set(shard, [...(shards.get(shard) ?? []), r]);
  }
  return shards;
};

describe("the in-process stream", () => {
  it("hands the handler the same KinesisStreamEvent records as kinesalite: shards, order, partition keys, data, event ids", async () => {
    // GIVEN the same records through kinesalite (the real SDK over HTTP) and through the in-process stream
    const started = Date.now() / 1000;
    const viaKinesalite = await eventsThrough(await startLocalKinesis());
    const viaMemory = await eventsThrough(startInProcessKinesis());
    // THEN every shard holds the same records in the same order, each a genuine Kinesis event record
    expect(viaMemory.arn).toBe(viaKinesalite.arn);
    const memory = byShard(viaMemory.events);
    const kinesalite = byShard(viaKinesalite.events);
    expect(memory.size).toBeGreaterThan(1);
    expect([...memory.keys()].sort()).toEqual([...kinesalite.keys()].sort());
    for (const [shard, records] of memory) {
      expect(records.map(comparable)).toEqual(kinesalite.get(shard)!.map(comparable));
      let previous = -1n;
      for (const r of records) {
        expect(r.eventID).toBe(`${shard}:${r.kinesis.sequenceNumber}`);
        expect(r.kinesis.sequenceNumber).toMatch(/^\d{40,}$/);
        expect(BigInt(r.kinesis.sequenceNumber)).toBeGreaterThan(previous);
        previous = BigInt(r.kinesis.sequenceNumber);
        expect(r.kinesis.approximateArrivalTimestamp).toBeGreaterThanOrEqual(Math.floor(started));
      }
    }
    // AND the handler was invoked alike: one batch in flight per shard, at most the batch size each
    const sizes = (events: KinesisStreamEvent[]) =>
      events.map((e) => `${e.Records[0]!.eventID.split(":")[0]} ${e.Records.length}`).sort();
    expect(sizes(viaMemory.events)).toEqual(sizes(viaKinesalite.events));
  }, 30_000);

  it("gives the same lake rows and mapping figures as kinesalite for a replayed match", async () => {
    // GIVEN a short match replayed through each transport onto its own lake
    const run = async (transport: StreamTransportKind) => {
      const match = new DemoMatch({ minutes: 2, seed: 5 });
      const lakePath = join(dir, `${transport}.duckdb`);
      const result = await runPipeline(
        { chunks: match.chunks(30_000) },
        {
          matchId: match.matchId,
          lakePath,
          readerSource: "demo",
          automation: false,
          batchSize: 3,
          shards: 2,
          transport,
        },
      );
      const lake = await DuckDbLake.open(lakePath, { readOnly: true });
      const rows = await lake.query("SELECT * FROM player_windows ORDER BY ALL");
      lake.close();
      return { rows: rows.rows, esm: result.esm, handler: result.handler, windows: result.windows };
    };
    // THEN the rows and the invocations are the same
    const memory = await run("in-process");
    const kinesalite = await run("kinesalite");
    expect(memory.windows).toBeGreaterThan(0);
    expect(memory).toEqual(kinesalite);
  }, 60_000);

  it("fails on a command it does not implement, naming it", async () => {
    const { client } = startInProcessKinesis();
    const { ListStreamsCommand } = await import("@aws-sdk/client-kinesis");
    await expect(client.send(new ListStreamsCommand({}))).rejects.toThrow(/does not implement ListStreamsCommand/);
  });
});
