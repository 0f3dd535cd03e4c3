import type { AddressInfo } from "node:net";
import { BatchGetItemCommand, CreateTableCommand, DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import type { PutRecordBatchCommand, PutRecordBatchCommandOutput } from "@aws-sdk/client-firehose";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import dynalite from "dynalite";
import { DynamoDbAlertLedger } from "../../lambdas/adapters/aws/dynamodb-alert-ledger.js";
import { DynamoDbLoadHistory } from "../../lambdas/adapters/aws/dynamodb-load-history.js";
import { DynamoDbStateStore } from "../../lambdas/adapters/aws/dynamodb-state-store.js";
import { encodeRow, FirehoseSink } from "../../lambdas/adapters/aws/firehose-sink.js";
import { quarantineRow } from "../../lambdas/contracts/quarantine.js";
import { col, defineTable, optCol, QUARANTINE, type RowOf, TABLES } from "../../lambdas/contracts/tables/index.js";
import { applyChunk, newPlayerState } from "../../lambdas/core/tracking/player-features.js";
import type { StoredState } from "../../lambdas/ports.js";
import { engineChunks, straightRun, tableRowFactory } from "../helpers/factories.js";

describe("DynamoDB state store (against dynalite, with the real DynamoDB client)", () => {
  const server = dynalite({ createTableMs: 0 });
  let client: DynamoDBClient;
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: "us-east-1",
      credentials: { accessKeyId: "LOCAL", secretAccessKey: "LOCAL" },
      requestHandler: new NodeHttpHandler(),
    });
    await client.send(
      new CreateTableCommand({
        TableName: "state",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  });
  afterAll(async () => {
    client.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it("round-trips player states in batches past the 25-item and 100-key limits", async () => {
    const store = new DynamoDbStateStore(client, "state");
    const player = newPlayerState(60_000);
    applyChunk(player, engineChunks(straightRun({ durationMs: 3000, speed: () => 2 }), 75)[0]!);
    const state: StoredState = { modality: "tracking", version: 2, seq: { lastSeq: 0, held: [] }, state: player };
    const states = new Map(Array.from({ length: 130 }, (_, i) => [`tracking/m1/p${i}`, state] as const));
    await store.putMany(states);
    const back = await store.getMany([...states.keys(), "tracking/m1/absent"]);
    expect(back.size).toBe(130);
    expect(back.get("tracking/m1/p77")).toEqual(JSON.parse(JSON.stringify(state)));
    expect(back.has("tracking/m1/absent")).toBe(false);
    // Stored deflated: fewer bytes, so fewer write units, than the JSON text
    const raw = await client.send(new GetItemCommand({ TableName: "state", Key: { pk: { S: "tracking/m1/p77" } } }));
    expect(raw.Item?.state_z?.B?.length).toBeLessThan(JSON.stringify(state).length / 2);
    expect(raw.Item?.state).toBeUndefined();
  });

  it("stores a state's cold part in the same item, and decodes it only when it changed", async () => {
    const writer = new DynamoDbStateStore(client, "state");
    const cold = { rev: 3, data: { profile: { grid: [1, 2, 3] } } };
    const stored: StoredState = {
      modality: "tracking",
      version: 3,
      seq: { lastSeq: 7, held: [] },
      state: { a: 1 },
      cold,
    };
    await writer.putMany(new Map([["tracking/m1/c1", stored]]));
    const raw = await client.send(new GetItemCommand({ TableName: "state", Key: { pk: { S: "tracking/m1/c1" } } }));
    expect(raw.Item?.cold_rev?.N).toBe("3");
    expect(raw.Item?.cold_z?.B).toBeDefined();
    // The container that wrote it reuses its object; another container decodes the item.
    const again = (await writer.getMany(["tracking/m1/c1"])).get("tracking/m1/c1")!;
    expect(again.cold!.data).toBe(cold.data);
    expect(writer.coldParts).toEqual({ decoded: 0, reused: 1 });
    const other = new DynamoDbStateStore(client, "state");
    const read = (await other.getMany(["tracking/m1/c1"])).get("tracking/m1/c1")!;
    expect(read).toEqual(JSON.parse(JSON.stringify(stored)));
    expect(other.coldParts).toEqual({ decoded: 1, reused: 0 });
  });

  it("fails on an empty table name", () => {
    expect(() => new DynamoDbStateStore(client, "")).toThrow(/STATE_TABLE_NAME/);
  });

  it("keeps each player's session loads across matches, one entry per session however often recorded", async () => {
    const history = new DynamoDbLoadHistory(client, "state");
    await history.record("p1", "distance_m", { sessionId: "m1", day: 1_000, load: 9000 });
    await history.record("p1", "distance_m", { sessionId: "m1", day: 1_000, load: 9000 });
    await history.record("p1", "distance_m", { sessionId: "m2", day: 5_000, load: 10_000 });
    await history.record("p2", "distance_m", { sessionId: "m2", day: 5_000, load: 7000 });
    // Another measure of the same sessions: kept apart, never added to metres.
    await history.record("p1", "player_load", { sessionId: "m2", day: 5_000, load: 612 });
    const got = await history.get(["p1", "p2", "p3"], "distance_m", 2_000);
    expect(got.get("p1")).toEqual([{ sessionId: "m2", day: 5_000, load: 10_000 }]);
    expect((await history.get(["p1"], "distance_m", 0)).get("p1")).toHaveLength(2);
    expect((await history.get(["p1"], "player_load", 0)).get("p1")).toEqual([
      { sessionId: "m2", day: 5_000, load: 612 },
    ]);
    expect(got.get("p2")).toEqual([{ sessionId: "m2", day: 5_000, load: 7000 }]);
    expect(got.has("p3")).toBe(false);
  });

  it("retries the keys DynamoDB leaves unprocessed when reading load history, rather than failing", async () => {
    const history = new DynamoDbLoadHistory(client, "state", { attempts: 3, baseMs: 1, maxMs: 1 });
    await history.record("q1", "distance_m", { sessionId: "m1", day: 1_000, load: 9000 });
    await history.record("q2", "distance_m", { sessionId: "m1", day: 1_000, load: 8000 });
    // Throttling cannot be caused on dynalite: the first BatchGetItem answers one key and leaves the rest unprocessed.
    let calls = 0;
    const throttled = {
      send: async (cmd: unknown) => {
        calls++;
        if (!(cmd instanceof BatchGetItemCommand) || calls > 1) return client.send(cmd as never);
        const req = cmd.input.RequestItems!.state!;
        const res = await client.send(
          new BatchGetItemCommand({ RequestItems: { state: { ...req, Keys: req.Keys!.slice(0, 1) } } }),
        );
        return { ...res, UnprocessedKeys: { state: { ...req, Keys: req.Keys!.slice(1) } } };
      },
    };
    const got = await new DynamoDbLoadHistory(throttled, "state", { attempts: 3, baseMs: 1, maxMs: 1 }).get(
      ["q1", "q2"],
      "distance_m",
      0,
    );
    expect(calls).toBe(2);
    expect(got.get("q1")).toEqual([{ sessionId: "m1", day: 1_000, load: 9000 }]);
    expect(got.get("q2")).toEqual([{ sessionId: "m1", day: 1_000, load: 8000 }]);
  });

  it("grants one medical alert per player and kind per cool-down with a conditional write, and re-grants the same alert", async () => {
    const ledger = new DynamoDbAlertLedger(client, "state");
    const h = 3_600_000;
    const fatigue = "Player Fatigue Suspected";
    expect(await ledger.claim("p1", fatigue, "a1", 10 * h, 12 * h)).toBe(true);
    expect(await ledger.claim("p1", fatigue, "a2", 11 * h, 12 * h)).toBe(false);
    expect(await ledger.claim("p1", fatigue, "a1", 10 * h, 12 * h)).toBe(true); // a retried task
    expect(await ledger.claim("p2", fatigue, "a3", 11 * h, 12 * h)).toBe(true);
    // Another finding about the same player is news: his knee after his fatigue is sent.
    expect(await ledger.claim("p1", "Player Biomechanics Deviation", "a5", 11 * h, 12 * h)).toBe(true);
    expect(await ledger.claim("p1", fatigue, "a4", 22 * h, 12 * h)).toBe(true);
  });
});

// Firehose has no local emulator; its partial failures are injected with a scripted client.
describe("Firehose sink", () => {
  class Scripted {
    readonly calls: { stream: string; n: number }[] = [];
    /** The records' payloads, as Firehose would receive them. */
    readonly sent: string[] = [];
    constructor(private readonly failing: (call: number, i: number) => boolean) {}
    async send(cmd: PutRecordBatchCommand): Promise<PutRecordBatchCommandOutput> {
      const call = this.calls.length;
      const records = cmd.input.Records ?? [];
      this.calls.push({ stream: cmd.input.DeliveryStreamName!, n: records.length });
      for (const r of records) this.sent.push(Buffer.from(r.Data!).toString("utf8"));
      const res = records.map((_, i) =>
        this.failing(call, i) ? { ErrorCode: "ServiceUnavailableException" } : { RecordId: "r" },
      );
      return {
        FailedPutCount: res.filter((r) => "ErrorCode" in r).length,
        RequestResponses: res,
        Encrypted: true,
        $metadata: {},
      };
    }
  }
  const rows = (n: number): RowOf<typeof QUARANTINE>[] =>
    Array.from({ length: n }, (_, i) =>
      quarantineRow(
        { source: "test", ref: `r${i}`, matchId: "m", reason: "x", samples: 1, payload: "{}" },
        new Date(0),
      ),
    );
  const noWait = { attempts: 3, baseMs: 1, maxMs: 1, sleep: async () => undefined };

  it("writes each table to its stream in calls of at most 500 records, retrying only failed entries", async () => {
    const client = new Scripted((call, i) => call === 0 && i < 2);
    await new FirehoseSink(client, { quarantine: "pw-stream" }, noWait).put(QUARANTINE, rows(620));
    expect(client.calls).toEqual([
      { stream: "pw-stream", n: 500 },
      { stream: "pw-stream", n: 2 },
      { stream: "pw-stream", n: 120 },
    ]);
  });

  it("throws after the last attempt, and on a table with no stream", async () => {
    const client = new Scripted(() => true);
    await expect(new FirehoseSink(client, { quarantine: "q" }, noWait).put(QUARANTINE, rows(3))).rejects.toThrow(
      "PutRecordBatch to q: 3 entries still failing after 3 attempts (ServiceUnavailableException)",
    );
    await expect(new FirehoseSink(client, {}, noWait).put(QUARANTINE, rows(1))).rejects.toThrow(/no delivery stream/);
  });

  it("validates every row against its table before sending, as the local lake does", async () => {
    const client = new Scripted(() => false);
    const bad = { ...rows(1)[0]!, sample_count: "three" } as unknown as RowOf<typeof QUARANTINE>;
    await expect(new FirehoseSink(client, { quarantine: "q" }, noWait).put(QUARANTINE, [bad])).rejects.toThrow(
      "invalid quarantine row (source=test, record_ref=r0): sample_count",
    );
    expect(client.calls).toHaveLength(0);
  });

  // "For Timestamp data types, you must always send in microseconds":
  // https://docs.aws.amazon.com/firehose/latest/dev/apache-iceberg-destination-supp.html
  it("sends every timestamp column of every lake table as epoch microseconds, an integer", async () => {
    // GIVEN a valid row of each lake table, every timestamp at 2026-05-16T15:00:00.123Z
    const at = new Date("2026-05-16T15:00:00.123Z");
    let checked = 0;
    for (const table of TABLES) {
      const client = new Scripted(() => false);
      // WHEN the sink sends it
      await new FirehoseSink(client, { [table.name]: "s" }, noWait).put(table, [
        tableRowFactory(table, at) as RowOf<typeof table>,
      ]);
      // THEN each timestamp column holds 1778943600123000 (microseconds since the epoch)
      const sent = JSON.parse(client.sent[0]!) as Record<string, unknown>;
      const timestamps = table.columns.filter((c) => c.type === "timestamp").map((c) => c.name);
      checked += timestamps.length;
      expect({ table: table.name, ...Object.fromEntries(timestamps.map((n) => [n, sent[n]])) }).toEqual({
        table: table.name,
        ...Object.fromEntries(timestamps.map((n) => [n, 1_778_943_600_123_000])),
      });
    }
    expect(checked).toBeGreaterThanOrEqual(TABLES.length); // every table but scouting_needs has one or two
  });

  it("encodes a row as one JSON line: a null timestamp null, json as its text, bigint as an exact integer", async () => {
    // GIVEN a table with a required and a nullable timestamp, a json and a bigint column
    const table = defineTable({
      name: "encoded",
      classification: "performance",
      scope: "lake",
      doc: "Encoding under test.",
      columns: [
        col("at", "timestamp", "A time."),
        optCol("gone", "timestamp", "No time."),
        col("doc", "json", "A document."),
        col("n", "bigint", "A long."),
      ],
      key: ["at"],
      partitionBy: [],
      sortBy: [],
    });
    const row = { at: new Date(1), gone: null, doc: '{"a":[1,2]}', n: Number.MAX_SAFE_INTEGER };
    // WHEN it is encoded, and sent
    const line = Buffer.from(encodeRow(table, row)).toString("utf8");
    const client = new Scripted(() => false);
    await new FirehoseSink(client, { encoded: "s" }, noWait).put(table, [row]);
    // THEN the Iceberg string column gets the JSON text, the long column the integer's digits
    expect(line).toBe('{"at":1000,"gone":null,"doc":"{\\"a\\":[1,2]}","n":9007199254740991}\n');
    expect(client.sent).toEqual([line]);
  });
});
