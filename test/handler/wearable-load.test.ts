import type { KinesisStreamRecord } from "aws-lambda";
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { DuckDbLoadHistory } from "../../lambdas/adapters/local/duckdb-load-history.js";
import { MemoryStateStore } from "../../lambdas/adapters/local/memory-state-store.js";
import { type BusEntry, DETAIL_TYPES } from "../../lambdas/contracts/events/index.js";
import { WEARABLE_RECORD, WEARABLE_SCHEMA_V1, type WearableChunk } from "../../lambdas/contracts/records/wearable.js";
import { acwr, DAY_MS } from "../../lambdas/core/load/acwr.js";
import { DEFAULT_SQUAD } from "../../lambdas/functions/extractors.js";
import { createWearableLoadHandler } from "../../lambdas/functions/wearable-load/handler.js";
import type { EventPublisher } from "../../lambdas/ports.js";
import { addCounts, emptyCounts } from "../../lambdas/runtime/stream-invocation.js";
import { loadRecord } from "../../producers/readers/loads-csv.js";
import { kinesisRecordFactory, lambdaContext, MemoryVisualStore } from "../helpers/factories.js";

class CapturingPublisher implements EventPublisher {
  readonly events: BusEntry[] = [];
  async publish(events: readonly BusEntry[]): Promise<void> {
    this.events.push(...events);
  }
}

/** 2026-05-01 10:00 UTC: a whole minute, so the 60 s windows start with the session. */
const START = Date.parse("2026-05-01T10:00:00Z");
const DAY = Date.parse("2026-05-01T00:00:00Z");

const record = (c: WearableChunk | Record<string, unknown>) =>
  kinesisRecordFactory(c, { partitionKey: WEARABLE_RECORD.identity(c as WearableChunk).partitionKey });

async function setup(opts: { history?: boolean } = {}) {
  const lake = await DuckDbLake.open(":memory:");
  const publisher = new CapturingPublisher();
  const visuals = new MemoryVisualStore();
  const totals = emptyCounts();
  const handler = createWearableLoadHandler({
    sink: lake,
    publisher,
    stateStore: new MemoryStateStore(),
    visuals,
    squad: DEFAULT_SQUAD,
    ...(opts.history ? { loadHistory: new DuckDbLoadHistory(lake) } : {}),
    windowMs: 60_000,
    now: () => new Date("2026-05-01T18:00:00Z"),
    onInvocation: (c) => addCounts(totals, c),
  });
  const invoke = async (records: KinesisStreamRecord[], batch = 100) => {
    for (let i = 0; i < records.length; i += batch) {
      const res = await handler({ Records: records.slice(i, i + batch) }, lambdaContext);
      expect(res).toEqual({ batchItemFailures: [] });
    }
  };
  return { lake, publisher, visuals, totals, invoke };
}

const base = (playerId: string, deviceId: string, deviceKind: string, sessionId = "train-0501") => ({
  schema: WEARABLE_SCHEMA_V1 as typeof WEARABLE_SCHEMA_V1,
  session_id: sessionId,
  player_id: playerId,
  device_id: deviceId,
  device_kind: deviceKind,
});

/**
 * A heart-rate strap at a constant `bpm`, one reading a second from `start` to `start + seconds`
 * inclusive (seconds + 1 readings: each 1 s interval puts one grid second in its window), in
 * chunks of 60 readings, the last one final.
 */
function hrSession(playerId: string, bpm: number, seconds: number, start = START): WearableChunk[] {
  const out: WearableChunk[] = [];
  for (let from = 0, seq = 0; from <= seconds; from += 60, seq++) {
    const ks = [];
    for (let k = from; k < from + 60 && k <= seconds; k++) ks.push(k);
    out.push({
      ...base(playerId, "strap-1", "hr-strap"),
      seq,
      t0: start + from * 1000,
      hr: { t: ks.map((k) => (k - from) * 1000), bpm: ks.map(() => bpm) },
      ...(from + 60 > seconds ? { final: true } : {}),
    });
  }
  return out;
}

/** The vertical acceleration of sample k: 1 g plus or minus 0.1 g, alternating every sample. */
const azAt = (k: number) => (k % 2 === 0 ? 1.1 : 0.9);

/** An IMU at `rate` Hz for `n` samples from START, the vertical axis z alternating (azAt), x and y still; chunks of 3,000. */
function imuSession(playerId: string, n: number, rate = 100): WearableChunk[] {
  const out: WearableChunk[] = [];
  const period = 1000 / rate;
  for (let from = 0, seq = 0; from < n; from += 3000, seq++) {
    const ks = [];
    for (let k = from; k < Math.min(n, from + 3000); k++) ks.push(k);
    out.push({
      ...base(playerId, "vest-1", "catapult-s6"),
      seq,
      t0: START + from * period,
      imu: {
        rate_hz: rate,
        vertical_axis: "z",
        t: ks.map((k) => (k - from) * period),
        ax: ks.map(() => 0),
        ay: ks.map(() => 0),
        az: ks.map(azAt),
      },
      ...(from + 3000 >= n ? { final: true } : {}),
    });
  }
  return out;
}

/** Banister TRIMP of `minutes` at a heart-rate reserve fraction `hrr`, men: minutes x HRr x 0.64 e^(1.92 HRr). */
const banister = (minutes: number, hrr: number) => minutes * hrr * 0.64 * Math.exp(1.92 * hrr);

const WINDOWS_SQL = "SELECT * FROM wearable_windows ORDER BY player_id, device_id, window_start";
const LOADS_SQL = "SELECT * FROM player_loads ORDER BY player_id, load_measure, session_id";
const DAILY_SQL = "SELECT * FROM player_daily_load ORDER BY player_id, load_measure, day";

describe("wearable-load handler", () => {
  it("turns a heart-rate strap's 10 minutes in zone 4 into 40 Edwards TRIMP and the hand-worked Banister TRIMP", async () => {
    const { lake, invoke, totals } = await setup();
    // home_2 in config/squad.json: HRmax 194, HRrest 54. 165 bpm is 165/194 = 85.1 % of HRmax: Edwards zone 4 (80-90 %).
    // An unlisted player gets the file's assumptions, 195 and 60: 165/195 = 84.6 %, zone 4 as well.
    await invoke([...hrSession("home_2", 165, 600), ...hrSession("trialist", 165, 600)].map(record));

    expect(totals).toMatchObject({ records: 22, recordsApplied: 22, samplesAccepted: 2 * 601, samplesQuarantined: 0 });
    const w = await lake.queryObjects<Record<string, unknown>>(
      `SELECT player_id, epoch_ms(window_start)::DOUBLE AS start, hr_readings, hr_covered_s, hr_gap_s, hr_mean_bpm,
              hr_z1_s, hr_z2_s, hr_z3_s, hr_z4_s, hr_z5_s, trimp_edwards, trimp_banister,
              hr_max_ref_bpm, hr_rest_ref_bpm, hr_ref_source, imu_samples, player_load, sample_rate_hz
         FROM wearable_windows WHERE player_id = 'home_2' ORDER BY window_start`,
    );
    // Ten whole minutes of 60 grid seconds at 165 bpm: 60 s in zone 4 each, Edwards 1 min x 4 = 4 AU. The
    // reading at 10:10:00 closes the tenth minute and opens an eleventh window holding only itself.
    expect(w).toHaveLength(11);
    const ten = w.slice(0, 10);
    ten.forEach((r, i) => {
      expect(r).toMatchObject({
        player_id: "home_2",
        start: START + i * 60_000,
        hr_readings: 60,
        hr_covered_s: 60,
        hr_gap_s: 0,
        hr_mean_bpm: 165,
        hr_z1_s: 0,
        hr_z2_s: 0,
        hr_z3_s: 0,
        hr_z4_s: 60,
        hr_z5_s: 0,
        hr_max_ref_bpm: 194,
        hr_rest_ref_bpm: 54,
        hr_ref_source: "squad",
        imu_samples: 0,
        player_load: null,
        sample_rate_hz: null,
      });
      expect(r.trimp_edwards).toBeCloseTo(4, 12);
      // One minute at HRr = (165 - 54) / (194 - 54) = 111/140 = 0.79286: 0.79286 x 0.64 x e^1.52229 = 2.32539 AU.
      expect(r.trimp_banister).toBeCloseTo(2.32539, 5);
    });
    expect(w[10]).toMatchObject({
      start: START + 600_000,
      hr_readings: 1,
      hr_covered_s: 0,
      trimp_edwards: null,
      trimp_banister: null,
    });

    const loads = await lake.queryObjects<Record<string, unknown>>(
      "SELECT player_id, session_id, epoch_ms(day)::DOUBLE AS day, load_measure, load, minutes, origin FROM player_loads ORDER BY 1, 4",
    );
    expect(loads.map((l) => [l.player_id, l.load_measure])).toEqual([
      ["home_2", "trimp_banister_au"],
      ["home_2", "trimp_edwards_au"],
      ["trialist", "trimp_banister_au"],
      ["trialist", "trimp_edwards_au"],
    ]);
    for (const l of loads)
      expect(l).toMatchObject({ session_id: "train-0501", day: DAY, minutes: 10, origin: "wearable" });
    // Edwards: 10 min x zone 4 = 40 AU, whatever HRmax as long as 165 bpm stays in zone 4.
    expect(loads[1]!.load).toBeCloseTo(40, 10);
    expect(loads[3]!.load).toBeCloseTo(40, 10);
    // Banister, home_2: 10 x 0.792857 x 0.64 x e^(1.92 x 0.792857) = 10 x 0.792857 x 0.64 x 4.582688 = 23.2539 AU.
    expect(loads[0]!.load).toBeCloseTo(banister(10, 111 / 140), 9);
    expect(loads[0]!.load).toBeCloseTo(23.2539, 4);
    // Banister, trialist on the assumed 195/60: HRr = 105/135 = 0.777778, 10 x 0.777778 x 0.64 x 4.451911 = 22.1606 AU.
    expect(loads[2]!.load).toBeCloseTo(banister(10, 105 / 135), 9);
    expect(loads[2]!.load).toBeCloseTo(22.1606, 4);

    const trialist = await lake.queryObjects<Record<string, unknown>>(
      "SELECT DISTINCT hr_max_ref_bpm, hr_rest_ref_bpm, hr_ref_source FROM wearable_windows WHERE player_id = 'trialist'",
    );
    expect(trialist).toEqual([{ hr_max_ref_bpm: 195, hr_rest_ref_bpm: 60, hr_ref_source: "assumed" }]);
    lake.close();
  });

  it("measures an IMU's PlayerLoad at its own rate: az alternating 1 +- 0.1 g at 100 Hz", async () => {
    const { lake, invoke } = await setup();
    // 2 minutes at 100 Hz: 12,000 samples, 11,999 steps of |daz| = 0.2 g, each 0.2 / 100 = 0.002 AU.
    await invoke(imuSession("home_5", 12_000).map(record));
    const w = await lake.queryObjects<Record<string, number | null>>(
      `SELECT imu_samples, sample_rate_hz, imu_covered_s, player_load, player_load_2d, player_load_per_min,
              impacts_light + impacts_moderate + impacts_heavy AS impacts, jumps, clipped_samples, hr_readings
         FROM wearable_windows ORDER BY window_start`,
    );
    // The step into a window belongs to it: the first window has 5,999 steps, the second 6,000.
    expect(w).toHaveLength(2);
    expect(w[0]).toMatchObject({ imu_samples: 6000, sample_rate_hz: 100, impacts: 0, jumps: 0, clipped_samples: 0 });
    expect(w[1]).toMatchObject({ imu_samples: 6000, sample_rate_hz: 100, hr_readings: null });
    expect(w[0]!.player_load).toBeCloseTo(5999 * 0.002, 9);
    expect(w[1]!.player_load).toBeCloseTo(6000 * 0.002, 9);
    expect(w[0]!.imu_covered_s).toBeCloseTo(59.99, 9);
    expect(w[1]!.imu_covered_s).toBeCloseTo(60, 9);
    // 12 AU over 60 s of coverage: 12 AU/min.
    expect(w[1]!.player_load_per_min).toBeCloseTo(12, 9);
    // Only the vertical axis moves: PlayerLoad 2D, which leaves it out, is 0.
    expect(w[0]!.player_load_2d).toBe(0);

    const loads = await lake.queryObjects<Record<string, unknown>>(
      "SELECT player_id, load_measure, load, minutes, origin FROM player_loads",
    );
    // (12,000 - 1) x 0.2 / 100 = 23.998 AU over 119.99 s (first to last sample).
    expect(loads).toEqual([
      {
        player_id: "home_5",
        load_measure: "player_load_au",
        load: expect.closeTo(23.998, 9),
        minutes: expect.closeTo(119.99 / 60, 12),
        origin: "wearable",
      },
    ]);
    lake.close();
  });

  it("gives identical windows, loads and daily rows whatever the batch size (1, 7, 100)", async () => {
    // Three imported TRIMP sessions the days before, then a strap and a vest on 1 May.
    const history = [3, 2, 1].map((d) =>
      loadRecord(
        "home_2",
        `train-d${d}`,
        DAY - d * DAY_MS,
        { measure: "trimp_edwards_au", load: 30, minutes: 60 },
        "imp",
      ),
    );
    const records = () => [...history, ...hrSession("home_2", 165, 600), ...imuSession("home_2", 12_000)].map(record);
    const dump = async (lake: DuckDbLake) => ({
      windows: (await lake.query(WINDOWS_SQL)).rows,
      loads: (await lake.query(LOADS_SQL)).rows,
      daily: (await lake.query(DAILY_SQL)).rows,
    });
    const results = [];
    for (const batch of [1, 7, 100]) {
      const s = await setup({ history: true });
      await s.invoke(records(), batch);
      results.push(await dump(s.lake));
      s.lake.close();
    }
    // 11 strap windows + 2 vest windows; 3 imports + Edwards + Banister + PlayerLoad; 4 Edwards days, 1 each of the others.
    expect(results[0]!.windows).toHaveLength(13);
    expect(results[0]!.loads).toHaveLength(6);
    expect(results[0]!.daily).toHaveLength(6);
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it("changes nothing when a batch is delivered again", async () => {
    const { lake, invoke, totals } = await setup({ history: true });
    const records = [...hrSession("home_2", 165, 600), ...imuSession("home_2", 12_000)].map(record);
    await invoke(records);
    const before = {
      windows: (await lake.query(WINDOWS_SQL)).rows,
      loads: (await lake.query(LOADS_SQL)).rows,
      daily: (await lake.query(DAILY_SQL)).rows,
    };
    await invoke(records.slice(5));
    expect(totals.recordsDuplicate).toBe(records.length - 5);
    expect({
      windows: (await lake.query(WINDOWS_SQL)).rows,
      loads: (await lake.query(LOADS_SQL)).rows,
      daily: (await lake.query(DAILY_SQL)).rows,
    }).toEqual(before);
    lake.close();
  });

  it("takes HRmax from the birth year by Tanaka's formula when the squad has no measured one", async () => {
    const { lake, invoke } = await setup();
    // home_9: born 2001, HRrest 50, no HRmax. In 2026 he is 25: 208 - 0.7 x 25 = 190.5 bpm (Tanaka et al. 2001).
    // home_11: listed with his sex only, so both values are the file's assumptions (195, 60).
    await invoke([...hrSession("home_9", 165, 120), ...hrSession("home_11", 165, 120)].map(record));
    expect(
      await lake.queryObjects(
        "SELECT DISTINCT player_id, hr_max_ref_bpm, hr_rest_ref_bpm, hr_ref_source FROM wearable_windows ORDER BY 1",
      ),
    ).toEqual([
      { player_id: "home_11", hr_max_ref_bpm: 195, hr_rest_ref_bpm: 60, hr_ref_source: "assumed" },
      { player_id: "home_9", hr_max_ref_bpm: 190.5, hr_rest_ref_bpm: 50, hr_ref_source: "squad" },
    ]);
    // Banister, home_9, 2 min: HRr = (165 - 50) / (190.5 - 50) = 115/140.5 = 0.818505,
    // 2 x 0.818505 x 0.64 x e^(1.92 x 0.818505) = 2 x 0.818505 x 0.64 x 4.814009 = 5.0436 AU.
    const b = await lake.queryObjects<{ load: number }>(
      "SELECT load FROM player_loads WHERE player_id = 'home_9' AND load_measure = 'trimp_banister_au'",
    );
    expect(b[0]!.load).toBeCloseTo(banister(2, 115 / 140.5), 9);
    expect(b[0]!.load).toBeCloseTo(5.0436, 4);
    lake.close();
  });

  describe("history and the Player Load Spike", () => {
    /** 35 days of 5 AU Edwards TRIMP (days D-35 .. D-1), imported one session a day. */
    const lowTrimp = Array.from({ length: 35 }, (_, i) =>
      loadRecord(
        "home_2",
        `train-${i}`,
        DAY - (35 - i) * DAY_MS,
        {
          measure: "trimp_edwards_au",
          load: 5,
          minutes: 60,
        },
        "imp",
      ),
    );
    /** 35 days of heavy PlayerLoad on the same days: another measure, which must not move the TRIMP ratio. */
    const heavyPlayerLoad = Array.from({ length: 35 }, (_, i) =>
      loadRecord(
        "home_2",
        `train-${i}`,
        DAY - (35 - i) * DAY_MS,
        {
          measure: "player_load_au",
          load: 900,
          minutes: 60,
        },
        "imp",
      ),
    );

    it("flags a heavy strap session over a low TRIMP history, with a picture of his daily load and no pitch", async () => {
      const { lake, invoke, publisher, visuals } = await setup({ history: true });
      await invoke([...lowTrimp, ...heavyPlayerLoad].map(record));
      expect(publisher.events.filter((e) => e.detailType === DETAIL_TYPES.playerLoadSpike)).toHaveLength(0);
      // Then 10 minutes at 165 bpm on day D: 40 AU of Edwards TRIMP (first test).
      await invoke(hrSession("home_2", 165, 600).map(record));

      const spikes = publisher.events.filter((e) => e.detailType === DETAIL_TYPES.playerLoadSpike);
      // Banister TRIMP has one day of history (< 28) and PlayerLoad no new session: one spike, Edwards.
      expect(spikes).toHaveLength(1);
      const d = spikes[0]!.detail as Record<string, unknown>;
      // Constant 5 AU/day: both EWMAs stay at their 5 AU seed. Day D, 40 AU:
      //   acute   = 0.25 x 40 + 0.75 x 5          = 13.75
      //   chronic = (2/29) x 40 + (27/29) x 5     = 215/29 = 7.41379
      //   ratio   = 13.75 x 29 / 215              = 1.854651 (> 1.5), 36 days of history.
      expect(d).toMatchObject({ player_id: "home_2", load_measure: "trimp_edwards_au", history_days: 36 });
      expect(d.acwr).toBeCloseTo(1.854651, 6);
      expect(d.acute_load).toBeCloseTo(13.75, 9);
      expect(d.chronic_load).toBeCloseTo(215 / 29, 9);

      // The picture of a load without positions: the daily load and ratio trends, no heatmap.
      expect(visuals.pictures.size).toBe(1);
      const [key, svg] = [...visuals.pictures][0]!;
      expect(d.visual_url).toBe(`memory://${key}`);
      expect(svg).toMatch(/^<svg/);
      expect(svg).toContain("Daily Edwards TRIMP (AU/day)");
      expect(svg).toContain("Acute:chronic ratio (EWMA) of Edwards TRIMP, by day");
      expect(svg).not.toContain("Where he played");

      // The daily rows: one per day D-35 .. D, each the ratio acwr() gives on the same sessions as of
      // that day (this checks the wiring, history read and rows written, not the formula).
      const daily = await lake.queryObjects<{ day: number; load: number; sessions: number; acwr_ewma: number | null }>(
        `SELECT epoch_ms(day)::DOUBLE AS day, load, sessions, acwr_ewma FROM player_daily_load
          WHERE player_id = 'home_2' AND load_measure = 'trimp_edwards_au' ORDER BY day`,
      );
      expect(daily).toHaveLength(36);
      const sessions = [
        ...Array.from({ length: 35 }, (_, i) => ({ day: DAY - (35 - i) * DAY_MS, load: 5 })),
        { day: DAY, load: 40 },
      ];
      daily.forEach((r, i) => {
        expect(r.day).toBe(DAY - (35 - i) * DAY_MS);
        expect(r.sessions).toBe(1);
        // No ratio before 28 days of history (ACWR_MIN_HISTORY_DAYS), as the spike rule trusts none.
        if (i < 27) expect(r.acwr_ewma).toBeNull();
        else expect(r.acwr_ewma).toBeCloseTo(acwr(sessions, r.day).ratio!, 12);
      });
      expect(daily[35]).toMatchObject({ load: expect.closeTo(40, 9), acwr_ewma: expect.closeTo(1.854651, 6) });
      // The PlayerLoad history kept its own ratio: constant 900 AU/day, ratio 1 on its last day.
      const pl = await lake.queryObjects<{ n: number; last: number }>(
        `SELECT count(*)::INT AS n, arg_max(acwr_ewma, day) AS last FROM player_daily_load
          WHERE player_id = 'home_2' AND load_measure = 'player_load_au'`,
      );
      expect(pl).toEqual([{ n: 35, last: expect.closeTo(1, 12) }]);
      lake.close();
    });

    it("never mixes measures: a PlayerLoad history leaves the TRIMP ratio as it was", async () => {
      const ratioAfter = async (records: WearableChunk[]) => {
        const { lake, invoke, publisher } = await setup({ history: true });
        await invoke([...records, ...hrSession("home_2", 165, 600)].map(record));
        const rows = await lake.queryObjects<{ acwr_ewma: number }>(
          `SELECT acwr_ewma FROM player_daily_load
            WHERE player_id = 'home_2' AND load_measure = 'trimp_edwards_au' AND day = make_timestamp(${DAY}::BIGINT * 1000)`,
        );
        lake.close();
        const spike = publisher.events.find((e) => e.detailType === DETAIL_TYPES.playerLoadSpike);
        return { ratio: rows[0]!.acwr_ewma, spike: (spike?.detail as { acwr?: number } | undefined)?.acwr };
      };
      const alone = await ratioAfter(lowTrimp);
      const mixed = await ratioAfter([...lowTrimp, ...heavyPlayerLoad]);
      expect(alone.ratio).toBeCloseTo(1.854651, 6);
      expect(mixed).toEqual(alone);
    });
  });

  it("keeps the corrected load of an imported session, in one invocation or two", async () => {
    // Session RPE 5 x 60 min = 300 AU, then corrected to RPE 7 x 60 = 420 AU (another device_id: another record).
    const first = loadRecord("home_3", "train-0501", DAY, { measure: "srpe_au", load: 300, minutes: 60, rpe: 5 }, "a");
    const corrected = loadRecord(
      "home_3",
      "train-0501",
      DAY,
      { measure: "srpe_au", load: 420, minutes: 60, rpe: 7 },
      "b",
    );
    expect(corrected.device_id).not.toBe(first.device_id);
    for (const batch of [1, 2]) {
      const { lake, invoke, totals } = await setup({ history: true });
      await invoke([record(first), record(corrected)], batch);
      expect(totals).toMatchObject({ records: 2, recordsApplied: 2, recordsDuplicate: 0 });
      expect(
        await lake.queryObjects("SELECT player_id, session_id, load_measure, load, minutes, origin FROM player_loads"),
      ).toEqual([
        {
          player_id: "home_3",
          session_id: "train-0501",
          load_measure: "srpe_au",
          load: 420,
          minutes: 60,
          origin: "import",
        },
      ]);
      // The day's row counts the session once, at its corrected load.
      expect(await lake.queryObjects("SELECT load, sessions FROM player_daily_load")).toEqual([
        { load: 420, sessions: 1 },
      ]);
      lake.close();
    }
  });

  it("takes a correction back when the first value is imported again, with the state kept between imports", async () => {
    // One state store across three imports (the cloud's DynamoDB keeps states a week): 300, 420, then 300
    // again. Keyed by content alone, the third would repeat the first record's key and be skipped as a duplicate.
    const { lake, invoke, totals } = await setup({ history: true });
    const srpe = (load: number, importId: string) =>
      loadRecord("home_3", "train-0501", DAY, { measure: "srpe_au", load, minutes: 60 }, importId);
    await invoke([record(srpe(300, "import-1"))]);
    await invoke([record(srpe(420, "import-2"))]);
    await invoke([record(srpe(300, "import-3"))]);
    // A producer's retry of the last import is the same record: a duplicate, and nothing changes.
    await invoke([record(srpe(300, "import-3"))]);
    expect(totals).toMatchObject({ records: 4, recordsApplied: 3, recordsDuplicate: 1 });
    expect(await lake.queryObjects("SELECT load FROM player_loads")).toEqual([{ load: 300 }]);
    lake.close();
  });

  it("quarantines malformed records and out-of-order readings with their reasons, and accounts for every sample", async () => {
    const { lake, invoke, totals } = await setup();
    const mk = (device: string, seq: number, t0: number, hr: { t: number[]; bpm: number[] }) => ({
      ...base("home_4", device, "hr-strap"),
      seq,
      t0,
      hr,
    });
    const good0 = mk("strap-9", 0, START, { t: [0, 1000, 2000], bpm: [150, 151, 152] });
    // Another strap's two malformed records: 3 times with 2 values, and times that do not increase.
    const short = mk("strap-8", 0, START, { t: [0, 1000, 2000], bpm: [150, 151] });
    const backwards = mk("strap-8", 1, START, { t: [0, 2000, 1000], bpm: [150, 151, 152] });
    // strap-9's next chunk starts at START + 1.5 s, before its reading at START + 2 s: that reading
    // alone is rejected, the two after it (START + 10.5 s and + 11.5 s) are accepted.
    const late = { ...mk("strap-9", 1, START + 1500, { t: [0, 9000, 10_000], bpm: [150, 151, 152] }), final: true };
    // A session_load must travel alone: with samples beside it, the whole record is quarantined.
    const mixed = {
      ...loadRecord("home_4", "t9", DAY, { measure: "srpe_au", load: 300, minutes: 60 }, "imp"),
      hr: { t: [0], bpm: [150] },
    };
    await invoke([record(good0), record(short), record(backwards), record(mixed), record(late)]);

    const q = await lake.queryObjects<{ reason: string; sample_count: number }>(
      "SELECT reason, sample_count FROM quarantine ORDER BY reason",
    );
    expect(q).toEqual([
      {
        reason: "1 sample(s) from index 0: heart-rate reading not after the device's previous sample",
        sample_count: 1,
      },
      { reason: "wrong schema: hr.bpm: has 2 values for 3 times", sample_count: 3 },
      { reason: "wrong schema: hr.t: times must increase", sample_count: 3 },
      {
        reason: "wrong schema: record: a session_load travels alone: its chunk carries no imu or hr samples",
        sample_count: 2,
      },
    ]);
    // Count in = accepted + quarantined: 4 records of 3 readings, and one of a reading and a session load.
    expect(totals.samplesAccepted + totals.samplesQuarantined).toBe(14);
    expect(totals).toMatchObject({ samplesAccepted: 5, samplesQuarantined: 9, recordsQuarantined: 3 });
    expect(await lake.queryObjects("SELECT count(*)::INT AS n FROM player_loads WHERE session_id = 't9'")).toEqual([
      { n: 0 },
    ]);
    expect(Number((await lake.query("SELECT sum(hr_readings) FROM wearable_windows")).rows[0]![0])).toBe(5);
    lake.close();
  });
});
