import type { KinesisStreamRecord } from "aws-lambda";
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { DuckDbLoadHistory } from "../../lambdas/adapters/local/duckdb-load-history.js";
import { MemoryStateStore } from "../../lambdas/adapters/local/memory-state-store.js";
import type { BusEntry } from "../../lambdas/contracts/events/index.js";
import type { ScoutingNeedsFile } from "../../lambdas/contracts/needs.js";
import { PLAYER_LOADS } from "../../lambdas/contracts/tables/index.js";
import { newPlayerState } from "../../lambdas/core/tracking/player-features.js";
import { TRACKING_STATE_VERSION } from "../../lambdas/functions/tracking-features/extractor.js";
import { createTrackingFeaturesHandler } from "../../lambdas/functions/tracking-features/handler.js";
import type { EventPublisher, FeatureSink } from "../../lambdas/ports.js";
import { addCounts, emptyCounts } from "../../lambdas/runtime/stream-invocation.js";
import { DemoMatch } from "../../local/demo/demo-match.js";
import {
  kinesisRecordFactory,
  lambdaContext,
  MemoryVisualStore,
  straightRun,
  T0,
  wireChunks,
} from "../helpers/factories.js";

class CapturingPublisher implements EventPublisher {
  readonly events: BusEntry[] = [];
  async publish(events: readonly BusEntry[]): Promise<void> {
    this.events.push(...events);
  }
}

async function setup(
  opts: { sink?: FeatureSink; store?: MemoryStateStore; needs?: ScoutingNeedsFile; history?: boolean } = {},
) {
  const lake = await DuckDbLake.open(":memory:");
  const publisher = new CapturingPublisher();
  const store = opts.store ?? new MemoryStateStore();
  const totals = emptyCounts();
  const visuals = new MemoryVisualStore();
  const handler = createTrackingFeaturesHandler({
    sink: opts.sink ?? lake,
    publisher,
    stateStore: store,
    visuals,
    ...(opts.needs ? { needs: opts.needs } : {}),
    ...(opts.history ? { loadHistory: new DuckDbLoadHistory(lake) } : {}),
    windowMs: 60_000,
    now: () => new Date("2026-05-16T18:00:00Z"),
    onInvocation: (c) => addCounts(totals, c),
  });
  const invoke = (records: KinesisStreamRecord[]) => handler({ Records: records }, lambdaContext);
  return { lake, publisher, store, totals, invoke, visuals };
}

const count = async (lake: DuckDbLake, sql: string) => Number((await lake.query(sql)).rows[0]![0]);

describe("tracking-features handler", () => {
  // A 130 s walk at 0.7 m/s along the pitch: 3,250 samples in 130 chunks of 1 s.
  const run = wireChunks(straightRun({ durationMs: 130_000, speed: () => 0.7 }), 25);

  it("turns chunks into window rows and reports no failures", async () => {
    const { lake, invoke, totals } = await setup();
    const res = await invoke(run.map((c) => kinesisRecordFactory(c)));
    expect(res).toEqual({ batchItemFailures: [] });
    expect(totals).toMatchObject({
      records: 130,
      recordsApplied: 130,
      samplesAccepted: 3250,
      rows: { player_windows: 3 },
    });
    const rows = await lake.queryObjects<{ samples: number; distance_m: number; window_start: Date }>(
      "SELECT samples, distance_m, window_start FROM player_windows ORDER BY window_start",
    );
    expect(rows.map((r) => r.samples)).toEqual([1500, 1500, 250]);
    expect(rows[0]!.window_start).toEqual(new Date(T0));
    // 1,499 intervals of 0.04 s at 0.7 m/s, to the millimetre rounding of the wire format.
    expect(rows[0]!.distance_m).toBeCloseTo(1499 * 0.04 * 0.7, 1);
  });

  it("quarantines bad records with a reason, never failing the batch, and accounts for every sample", async () => {
    const { lake, invoke, totals } = await setup();
    const good = run.slice(0, 10);
    const offPitch = { ...run[10]!, x_mm: run[10]!.x_mm.map((x, i) => (i < 3 ? 900_000 : x)) };
    const backwards = { ...run[11]!, t0: run[11]!.t0 - 5000 };
    const records = [
      ...good.map((c) => kinesisRecordFactory(c)),
      kinesisRecordFactory("this is not json"),
      kinesisRecordFactory('{"schema":"sideline.tracking.v1","t":[NaN]}'),
      kinesisRecordFactory({ ...run[12], schema: "sideline.tracking.v0" }),
      kinesisRecordFactory({ ...run[12], x_mm: run[12]!.x_mm.slice(1) }),
      kinesisRecordFactory(offPitch),
      kinesisRecordFactory(backwards),
    ];
    const res = await invoke(records);
    expect(res.batchItemFailures).toEqual([]);
    const q = await lake.queryObjects<{ reason: string; sample_count: number }>(
      "SELECT reason, sample_count FROM quarantine ORDER BY reason",
    );
    expect(q.map((r) => r.reason)).toEqual([
      "25 sample(s) from index 0: time runs backwards by more than 200 ms",
      "3 sample(s) from index 0: coordinates far outside the 105 x 68 m pitch",
      "non-finite number (NaN or Infinity) in payload",
      "not JSON: Unexpected token 'h', \"this is not json\" is not valid JSON",
      "wrong schema: record: t, x_mm and y_mm must have the same length (got 25, 24, 25)",
      'wrong schema: schema: Invalid input: expected "sideline.tracking.v1"',
    ]);
    expect(totals.recordsQuarantined).toBe(4);
    // Count in = accounted + quarantined, in samples, for every record whose samples could be counted:
    // 10 good chunks, the off-pitch and backwards chunks, and the two schema-invalid ones (25 each).
    expect(totals.samplesAccepted).toBe(10 * 25 + 22);
    expect(totals.samplesQuarantined).toBe(3 + 25 + 25 + 25);
    expect(totals.samplesAccepted + totals.samplesQuarantined).toBe(14 * 25);
    const quarantined = await count(lake, "SELECT sum(sample_count) FROM quarantine");
    expect(quarantined).toBe(totals.samplesQuarantined);
  });

  it("is idempotent: a redelivered batch adds no rows and changes no value", async () => {
    const { lake, invoke, totals } = await setup();
    const records = run.map((c) => kinesisRecordFactory(c));
    await invoke(records);
    const first = await lake.query("SELECT * FROM player_windows ORDER BY window_start");
    await invoke(records);
    const second = await lake.query("SELECT * FROM player_windows ORDER BY window_start");
    expect(second).toEqual(first);
    expect(totals.recordsDuplicate).toBe(130);
  });

  it("gives identical rows whatever the batch size", async () => {
    const match = new DemoMatch({ minutes: 6, seed: 3 });
    const records = [...match.chunks(1000)].map((c) => kinesisRecordFactory(c));
    const tables: unknown[] = [];
    for (const size of [1, 13, 250, records.length]) {
      const { lake, invoke } = await setup();
      for (let i = 0; i < records.length; i += size) await invoke(records.slice(i, i + size));
      tables.push(await lake.query("SELECT * FROM player_windows ORDER BY player_id, window_start"));
    }
    expect((tables[0] as { rows: unknown[] }).rows.length).toBe(22 * 6);
    for (const t of tables.slice(1)) expect(t).toEqual(tables[0]);
  });

  it("gives an unbroken run's rows when a batch that changed every state fails at its flush and is retried", async () => {
    // The states' cold parts are kept decoded between invocations (adapters/cold-cache.ts): the
    // failed batch changed them in memory, and the retry must start from what was stored.
    const match = new DemoMatch({ minutes: 3, seed: 3 });
    const records = [...match.chunks(1000)].map((c) => kinesisRecordFactory(c));
    const runs: unknown[] = [];
    for (const failAt of [-1, 11]) {
      // batch 11 (about 120-130 s) closes the second minute's windows
      const lake = await DuckDbLake.open(":memory:");
      let batch = 0;
      let failed = false;
      const sink: FeatureSink = {
        async put(table, rows) {
          if (batch === failAt && !failed) {
            failed = true;
            throw new Error("Firehose unavailable");
          }
          await lake.put(table, rows);
        },
      };
      const { invoke, store } = await setup({ sink });
      for (batch = 0; batch * 250 < records.length; batch++) {
        const slice = records.slice(batch * 250, (batch + 1) * 250);
        if (batch === failAt) await expect(invoke(slice)).rejects.toThrow("Firehose unavailable");
        await invoke(slice);
      }
      if (failAt >= 0) expect(store.coldParts.reused).toBeGreaterThan(0);
      runs.push([
        await lake.query("SELECT * FROM player_windows ORDER BY player_id, window_start"),
        await lake.query("SELECT * FROM player_match_profiles ORDER BY player_id"),
      ]);
    }
    expect((runs[0] as { rows: unknown[] }[])[1]!.rows).toHaveLength(22);
    expect(runs[1]).toEqual(runs[0]);
  });

  it("fails a record it cannot apply and every later one, so the mapping retries them in order", async () => {
    const store = new MemoryStateStore();
    const wrong = {
      modality: "tracking",
      version: TRACKING_STATE_VERSION,
      seq: { lastSeq: 4, held: [] },
      state: newPlayerState(30_000),
    };
    await store.putMany(new Map([["tracking/m1/p2", wrong]]));
    const { invoke, totals } = await setup({ store });
    const p1 = run.slice(0, 3).map((c) => kinesisRecordFactory(c));
    const p2 = kinesisRecordFactory({ ...run[0], player_id: "p2" });
    const later = run.slice(3, 5).map((c) => kinesisRecordFactory(c));
    const res = await invoke([...p1, p2, ...later]);
    expect(res.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      p2.kinesis.sequenceNumber,
      ...later.map((r) => r.kinesis.sequenceNumber),
    ]);
    expect(totals).toMatchObject({ recordsApplied: 3, recordsFailed: 3 });
    // The applied records' state was saved: redelivering from the failed record does not re-apply them.
    const saved = await store.getMany(["tracking/m1/p1"]);
    expect((saved.get("tracking/m1/p1")!.seq as { lastSeq: number }).lastSeq).toBe(2);
  });

  it("throws when the sink fails, saving no state, so the retried batch recomputes the same rows", async () => {
    const lake = await DuckDbLake.open(":memory:");
    let fail = true;
    const flaky: FeatureSink = {
      async put(table, rows) {
        if (fail) throw new Error("Firehose unavailable");
        await lake.put(table, rows);
      },
    };
    const store = new MemoryStateStore();
    const { invoke } = await setup({ sink: flaky, store });
    const records = run.map((c) => kinesisRecordFactory(c));
    await expect(invoke(records)).rejects.toThrow("Firehose unavailable");
    expect(store.size).toBe(0);
    fail = false;
    await invoke(records);
    expect(await count(lake, "SELECT count(*) FROM player_windows")).toBe(3);
  });
});

describe("tracking-features handler: the player's completed match", () => {
  // 130 s at 6 m/s on a 1 km track: all of it high-speed running (>= 5.5 m/s).
  const fast = wireChunks(straightRun({ durationMs: 130_000, speed: () => 6 }), 25).map((c) => ({
    ...c,
    pitch: { length_m: 1000, width_m: 68 },
  }));
  const needs: ScoutingNeedsFile = {
    version: 4,
    needs: [
      {
        need_id: "runner",
        role: "runner",
        description: "covers ground fast",
        threshold: 0.9,
        min_minutes: 1,
        features: [{ name: "hsr_m_per90", weight: 1, minimum: 1000, target: 2000 }],
      },
      {
        need_id: "sprinter",
        role: "sprinter",
        description: "sprints",
        threshold: 0.9,
        min_minutes: 1,
        features: [{ name: "sprints_per90", weight: 1, minimum: 1, target: 10 }],
      },
    ],
  };

  it("writes his match profile and fires a scouting match once, even when the final record is redelivered", async () => {
    const { lake, invoke, publisher, visuals, totals } = await setup({ needs });
    await invoke(fast.map((c) => kinesisRecordFactory(c)));
    await invoke(fast.slice(-3).map((c) => kinesisRecordFactory(c))); // redelivery of the last records
    const [p] = await lake.queryObjects<{ minutes: number; hsr_distance_m: number; sprint_count: number }>(
      "SELECT minutes, hsr_distance_m, sprint_count FROM player_match_profiles",
    );
    expect(p!.minutes).toBeCloseTo((3249 * 0.04) / 60, 3);
    expect(p!.hsr_distance_m).toBeCloseTo(780, -1);
    expect(p!.sprint_count).toBe(0);
    // Only "runner" matched (no sprints), once; the needs it used are in the lake
    const matched = publisher.events.filter((e) => e.detailType === "Scouting Candidate Matched");
    expect(matched).toHaveLength(1);
    expect(totals.rows.player_match_profiles).toBe(1);
    const d = matched[0]!.detail as { need_id: string; score: number; confidence: number; visual_url: string };
    expect(d.need_id).toBe("runner");
    expect(d.score).toBe(1); // capped at the target
    expect(d.confidence).toBeCloseTo(p!.minutes / (p!.minutes + 90), 12);
    expect(visuals.pictures.get(d.visual_url.replace("memory://", ""))).toMatch(/^<svg/);
    expect(await count(lake, "SELECT count(*) FROM scouting_needs WHERE version = 4")).toBe(2);
  });

  it("flags a load spike against the player's history across matches, and records the match load", async () => {
    const { lake, invoke, publisher } = await setup({ history: true });
    // 35 days of 100 m a day before this match: the 780 m match is a spike
    await lake.put(
      PLAYER_LOADS,
      Array.from({ length: 35 }, (_, i) => ({
        player_id: "p1",
        session_id: `s${i}`,
        day: new Date(T0 - (35 - i) * 86_400_000 - (T0 % 86_400_000)),
        load: 100,
        load_measure: "distance_m",
        minutes: 60,
        origin: "import",
      })),
    );
    await invoke(fast.map((c) => kinesisRecordFactory(c)));
    const spikes = publisher.events.filter((e) => e.detailType === "Player Load Spike");
    expect(spikes).toHaveLength(1);
    const d = spikes[0]!.detail as { acwr: number; acute_load: number; chronic_load: number; history_days: number };
    expect(d.history_days).toBe(36);
    expect(d.acwr).toBeCloseTo(d.acute_load / d.chronic_load, 12);
    expect(d.acwr).toBeGreaterThan(1.5);
    const [load] = await lake.queryObjects<{ load: number; origin: string }>(
      "SELECT load, origin FROM player_loads WHERE session_id = 'm1'",
    );
    expect(load!.origin).toBe("tracking");
    expect(load!.load).toBeCloseTo(780, -1);
  });
});
