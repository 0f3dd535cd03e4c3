import type { KinesisStreamRecord } from "aws-lambda";
import { DuckDbLake } from "../../lambdas/adapters/duckdb-lake.js";
import { MemoryStateStore } from "../../lambdas/adapters/memory-state-store.js";
import type { InsightEvent } from "../../lambdas/contracts/events.js";
import type { Row, TableName } from "../../lambdas/contracts/tables.js";
import { newPlayerState } from "../../lambdas/core/player-features.js";
import type { EventPublisher, FeatureSink } from "../../lambdas/ports.js";
import { createTrackingFeaturesHandler } from "../../lambdas/tracking-features/handler.js";
import { emptyCounts, type InvocationCounts } from "../../lambdas/tracking-features/process.js";
import { DemoMatch } from "../../local/demo-match.js";
import {
  kinesisRecordFactory,
  lambdaContext,
  MemoryVisualStore,
  straightRun,
  T0,
  wireChunks,
} from "../helpers/factories.js";

class CapturingPublisher implements EventPublisher {
  readonly events: InsightEvent[] = [];
  async publish(events: readonly InsightEvent[]): Promise<void> {
    this.events.push(...events);
  }
}

async function setup(opts: { sink?: FeatureSink; store?: MemoryStateStore } = {}) {
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
    windowMs: 60_000,
    now: () => new Date("2026-05-16T18:00:00Z"),
    onInvocation: (c) => {
      for (const k of Object.keys(totals) as (keyof InvocationCounts)[]) totals[k] += c[k];
    },
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
      windowsClosed: 3,
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
      "SELECT reason, sample_count FROM quarantine ORDER BY quarantined_at, record_ref",
    );
    expect(q.map((r) => r.reason)).toEqual([
      "not JSON: Unexpected token 'h', \"this is not json\" is not valid JSON",
      "non-finite number (NaN or Infinity) in payload",
      'wrong schema: schema: Invalid input: expected "sideline.tracking.v1"',
      "wrong schema: record: t, x_mm and y_mm must have the same length (got 25, 24, 25)",
      "3 sample(s) from index 0: coordinates far outside the 105 x 68 m pitch",
      "25 sample(s) from index 0: time runs backwards by more than 200 ms",
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

  it("fails a record it cannot apply and every later one, so the mapping retries them in order", async () => {
    const store = new MemoryStateStore();
    const wrong = newPlayerState(30_000);
    wrong.lastSeq = 4;
    await store.putMany(new Map([["m1/p2", wrong]]));
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
    const saved = await store.getMany(["m1/p1"]);
    expect(saved.get("m1/p1")!.lastSeq).toBe(2);
  });

  it("throws when the sink fails, saving no state, so the retried batch recomputes the same rows", async () => {
    const lake = await DuckDbLake.open(":memory:");
    let fail = true;
    const flaky: FeatureSink = {
      async put(table: TableName, rows: readonly Row[]) {
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
