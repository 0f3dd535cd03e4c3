/**
 * The generic stream runtime, seen through the tracking extractor: state keyed by modality and
 * checked by version, quarantine references stable across reruns, and the Lambda environment
 * validated at initialisation.
 */
import type { KinesisStreamRecord } from "aws-lambda";
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { MemoryStateStore } from "../../lambdas/adapters/local/memory-state-store.js";
import { newPlayerState } from "../../lambdas/core/tracking/player-features.js";
import { TRACKING_STATE_VERSION } from "../../lambdas/functions/tracking-features/extractor.js";
import { createTrackingFeaturesHandler } from "../../lambdas/functions/tracking-features/handler.js";
import { extractorEnvSchema, parseEnv } from "../../lambdas/runtime/env.js";
import {
  kinesisRecordFactory,
  lambdaContext,
  MemoryVisualStore,
  straightRun,
  wireChunks,
} from "../helpers/factories.js";

async function setup(store = new MemoryStateStore(), lake?: DuckDbLake) {
  const l = lake ?? (await DuckDbLake.open(":memory:"));
  const handler = createTrackingFeaturesHandler({
    sink: l,
    publisher: { publish: async () => undefined },
    stateStore: store,
    visuals: new MemoryVisualStore(),
    windowMs: 60_000,
  });
  return { lake: l, store, invoke: (records: KinesisStreamRecord[]) => handler({ Records: records }, lambdaContext) };
}

const run = wireChunks(straightRun({ durationMs: 10_000, speed: () => 2 }), 25);

describe("stream runtime: state", () => {
  it("keys state by modality, match and player, and stores its version with it", async () => {
    const { store, invoke } = await setup();
    await invoke(run.map((c) => kinesisRecordFactory(c)));
    const saved = await store.getMany(["tracking/m1/p1", "m1/p1"]);
    expect([...saved.keys()]).toEqual(["tracking/m1/p1"]);
    expect(saved.get("tracking/m1/p1")).toMatchObject({ modality: "tracking", version: TRACKING_STATE_VERSION });
  });

  it("refuses a stored state of another version rather than misreading it, failing its records in order", async () => {
    const store = new MemoryStateStore();
    const old = { modality: "tracking", version: 1, seq: { lastSeq: 3, held: [] }, state: newPlayerState(60_000) };
    await store.putMany(new Map([["tracking/m1/p1", old]]));
    const { invoke } = await setup(store);
    const records = run.slice(4).map((c) => kinesisRecordFactory(c));
    const res = await invoke(records);
    expect(res.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(records.map((r) => r.kinesis.sequenceNumber));
    // Nothing was applied, so nothing was saved over the old state.
    expect((await store.getMany(["tracking/m1/p1"])).get("tracking/m1/p1")).toEqual(old);
  });
});

describe("stream runtime: quarantine", () => {
  it("quarantines a record whose Kinesis partition key is not its own (order rests on it), and applies the rest", async () => {
    const { lake, invoke } = await setup();
    const records = run.map((c) => kinesisRecordFactory(c));
    records[3] = kinesisRecordFactory(run[3], { partitionKey: "m1/someone-else" });
    const res = await invoke(records);
    expect(res.batchItemFailures).toEqual([]);
    const q = await lake.queryObjects<{ record_ref: string; reason: string; sample_count: number }>(
      "SELECT record_ref, reason, sample_count FROM quarantine",
    );
    expect(q).toEqual([
      {
        record_ref: "tracking:m1/p1#3",
        reason:
          "partition key 'm1/someone-else' is not the record's own 'm1/p1' (match_id/player_id: one player's chunks stay in order on one shard): producers must key each record by it",
        sample_count: 25,
      },
    ]);
  });

  it("derives quarantine references from content, so a rerun upserts the same rows", async () => {
    const bad = () => [
      kinesisRecordFactory("this is not json"),
      kinesisRecordFactory({ ...run[0], x_mm: run[0]!.x_mm.map((x, i) => (i < 2 ? 900_000 : x)) }),
      kinesisRecordFactory({ ...run[1], schema: "sideline.tracking.v0" }),
    ];
    const lake = await DuckDbLake.open(":memory:");
    // Two runs, as two processes would do them: fresh state, new Kinesis sequence numbers.
    await (await setup(new MemoryStateStore(), lake)).invoke(bad());
    const first = await lake.queryObjects<{ record_ref: string }>("SELECT record_ref FROM quarantine ORDER BY 1");
    await (await setup(new MemoryStateStore(), lake)).invoke(bad());
    const second = await lake.queryObjects<{ record_ref: string }>("SELECT record_ref FROM quarantine ORDER BY 1");
    expect(second).toEqual(first);
    expect(first.map((r) => r.record_ref)).toEqual([
      "tracking:m1/p1#0@0",
      expect.stringMatching(/^tracking:sha256:[0-9a-f]{16}$/),
      expect.stringMatching(/^tracking:sha256:[0-9a-f]{16}$/),
    ]);
  });
});

describe("stream runtime: the Lambda environment", () => {
  const good = {
    DELIVERY_STREAMS: '{"player_windows":"pw"}',
    EVENT_BUS_NAME: "bus",
    STATE_TABLE_NAME: "state",
    VISUALS_BUCKET: "visuals",
    WINDOW_SECONDS: "60",
  };

  it("parses a good environment into typed values", () => {
    expect(parseEnv(extractorEnvSchema, good)).toEqual({
      ...good,
      DELIVERY_STREAMS: { player_windows: "pw" },
      WINDOW_SECONDS: 60,
    });
  });

  it.each([
    [{ WINDOW_SECONDS: "sixty" }, "WINDOW_SECONDS must be a whole number from 1 to 3600, got 'sixty'"],
    [{ WINDOW_SECONDS: "0" }, "WINDOW_SECONDS must be a whole number from 1 to 3600, got '0'"],
    [{ WINDOW_SECONDS: undefined }, "WINDOW_SECONDS is not set"],
    [{ DELIVERY_STREAMS: "[]" }, "DELIVERY_STREAMS must be a JSON object of table name to delivery stream name"],
  ])("names the variable and the problem: %j", (change, message) => {
    expect(() => parseEnv(extractorEnvSchema, { ...good, ...change })).toThrow(message);
  });

  it("fails the cold start of the deployed entry on a bad WINDOW_SECONDS, not each record", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, good, { WINDOW_SECONDS: "abc", AWS_REGION: "eu-west-1" });
    try {
      await expect(import("../../lambdas/functions/tracking-features/index.js")).rejects.toThrow(
        "invalid Lambda environment: WINDOW_SECONDS must be a whole number from 1 to 3600, got 'abc'",
      );
    } finally {
      process.env = saved;
    }
  });
});
