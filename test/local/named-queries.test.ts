import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { WEARABLES } from "../../lambdas/contracts/modalities.js";
import { WEARABLE_SCHEMA_V1, type WearableChunk } from "../../lambdas/contracts/records/wearable.js";
import { INSIGHTS, PLAYER_VALUATIONS, QUARANTINE, SCOUTING_DECISIONS } from "../../lambdas/contracts/tables/index.js";
import { DAY_MS } from "../../lambdas/core/load/acwr.js";
import { readNamedQueries } from "../../lib/constructs/analytics-workgroup.js";
import { PROJECT_ROOT } from "../../lib/constructs/sideline-function.js";
import { DemoMatch } from "../../local/demo/demo-match.js";
import { runPipeline } from "../../local/pipeline.js";
import { loadRecord } from "../../producers/readers/loads-csv.js";
import { scoutingDetailFactory } from "../helpers/factories.js";

// The Athena named queries (glue/queries/*.sql) are written in the subset of SQL that Trino and
// DuckDB share, so the same files answer the same questions on the local lake.
describe("named queries on the local DuckDB lake", () => {
  let lake: DuckDbLake;
  beforeAll(async () => {
    const lakePath = join(mkdtempSync(join(tmpdir(), "sideline-queries-")), "lake.duckdb");
    for (const seed of [1, 2]) {
      // Two 24-minute matches: the sprint leaderboard ranks players with at least 45 minutes tracked.
      const match = new DemoMatch({ minutes: 24, seed });
      // The in-process stream, as `sideline demo` uses: these tests are about the queries (kinesalite has its own).
      await runPipeline(
        { chunks: match.chunks(30_000) },
        { matchId: match.matchId, lakePath, readerSource: "demo", transport: "in-process" },
      );
    }
    // Wearables: 30 days of 300 AU session RPE, then 1,500 AU, and a 10-minute strap session at 165 bpm.
    const DAY = Date.UTC(2026, 4, 31);
    const loads = Array.from({ length: 31 }, (_, i) =>
      loadRecord(
        "home_2",
        `t${i}`,
        DAY - (30 - i) * DAY_MS,
        { measure: "srpe_au", load: i === 30 ? 1500 : 300, minutes: 60 },
        "q",
      ),
    );
    const strap: WearableChunk = {
      schema: WEARABLE_SCHEMA_V1,
      session_id: "t30",
      player_id: "home_2",
      device_id: "strap-2",
      device_kind: "hr-strap",
      seq: 0,
      t0: DAY + 10 * 3_600_000,
      hr: { t: Array.from({ length: 601 }, (_, k) => k * 1000), bpm: Array.from({ length: 601 }, () => 165) },
      final: true,
    };
    await runPipeline(
      { modality: WEARABLES.id, records: [...loads, strap] },
      { matchId: "wearables", lakePath, readerSource: "demo", automation: false, transport: "in-process" },
    );
    lake = await DuckDbLake.open(lakePath);
    await lake.put(QUARANTINE, [
      {
        source: "tracking-features",
        record_ref: "tracking:demo-1/home_1#0@0",
        match_id: "demo-1",
        reason: "3 sample(s) from index 0: coordinates far outside the 105 x 68 m pitch",
        sample_count: 3,
        payload: "{}",
        quarantined_at: new Date(),
      },
    ]);
    // A scouting candidate, valued and approved, as the scouting workflow leaves it
    const detail = { ...scoutingDetailFactory("ins-s", "home_9"), match_id: "demo-2" };
    await lake.put(INSIGHTS, [
      {
        insight_id: "ins-s",
        time: new Date("2026-05-16T16:45:00Z"),
        source: "sideline.scouting",
        detail_type: "Scouting Candidate Matched",
        match_id: "demo-2",
        player_id: "home_9",
        detail: JSON.stringify(detail),
      },
    ]);
    await lake.put(PLAYER_VALUATIONS, [
      {
        player_id: "home_9",
        insight_id: "ins-s",
        valued_at: new Date(),
        value_index: 61.24,
        reliability: 0.25,
        minutes_observed: 90,
        matches: 1,
        inputs: "{}",
        formula: "f",
      },
    ]);
    await lake.put(SCOUTING_DECISIONS, [
      {
        insight_id: "ins-s",
        player_id: "home_9",
        match_id: "demo-2",
        need_id: "pressing-forward",
        decision: "approve",
        reason: "watch live",
        decided_at: new Date(),
      },
    ]);
  }, 120_000);
  afterAll(() => lake.close());

  const queries = readNamedQueries(join(PROJECT_ROOT, "glue/queries"));

  it.each(queries.map((q) => [q.name, q] as const))("%s runs and answers", async (_name, q) => {
    const r = await lake.query(q.sql);
    expect(r.rows.length).toBeGreaterThan(0);
    expect(r.columns.length).toBeGreaterThan(2);
  });

  it("answers with the numbers the rows hold", async () => {
    const summary = await lake.queryObjects<{ match_id: string; player_id: string; distance_m: number }>(
      queries.find((q) => q.name === "physical_summary")!.sql,
    );
    expect(summary).toHaveLength(44);
    const direct = await lake.queryObjects<{ d: number }>(
      "SELECT round(sum(distance_m)) AS d FROM player_windows WHERE match_id = 'demo-1' AND player_id = 'home_5'",
    );
    expect(summary.find((s) => s.match_id === "demo-1" && s.player_id === "home_5")!.distance_m).toBe(direct[0]!.d);
    const trend = await lake.queryObjects<{ prev3_avg_distance_m: number | null }>(
      queries.find((q) => q.name === "load_trend")!.sql,
    );
    expect(trend.filter((r) => r.prev3_avg_distance_m === null)).toHaveLength(22); // each player's first match
    const review = await lake.queryObjects<{ reason: string; samples: number | bigint }>(
      queries.find((q) => q.name === "quarantine_review")!.sql,
    );
    expect(review).toEqual([expect.objectContaining({ reason: "coordinates far outside the 105 x 68 m pitch" })]);
    expect(Number(review[0]!.samples)).toBe(3);
    // The workload monitor: after 30 days of 300, a day of 1,500 moves the acute EWMA to 0.25 x 1500 + 0.75 x 300
    // = 600 and the chronic to 300 + 1200 x 2/29 = 382.8: a ratio of 1.57, flagged first.
    const monitor = await lake.queryObjects<{
      player_id: string;
      load_measure: string;
      load: number;
      flagged: boolean;
    }>(queries.find((q) => q.name === "workload_monitor")!.sql);
    expect(monitor[0]).toMatchObject({ player_id: "home_2", load_measure: "srpe_au", load: 1500, flagged: true });
    // Home_2's strap: 10 minutes at 165 bpm against his HRmax 194 (85 %, zone 4): Edwards 10 x 4 = 40.
    const sessions = await lake.queryObjects<{
      session_id: string;
      minutes_above_80pct_hrmax: number;
      trimp_edwards: number;
    }>(queries.find((q) => q.name === "wearable_sessions")!.sql);
    expect(sessions).toEqual([
      expect.objectContaining({ session_id: "t30", minutes_above_80pct_hrmax: 10, trimp_edwards: 40 }),
    ]);
    const board = await lake.queryObjects(queries.find((q) => q.name === "scouting_board")!.sql);
    expect(board).toEqual([
      {
        player_id: "home_9",
        match_id: "demo-2",
        need_id: "pressing-forward",
        score: 0.9,
        confidence: 0.5,
        value_index: 61.2,
        reliability: 0.25,
        decision: "approve",
        reason: "watch live",
        insight_id: "ins-s",
      },
    ]);
  });
});
