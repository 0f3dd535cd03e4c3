/**
 * What the 90-minute demo match (seed 7) must look like in a lake, whoever ran it: a realistic elite
 * match, and the players the generator tires flagged. demo-chain.test.ts checks the lake the real
 * `sideline demo` wrote (the 90-minute run is not repeated: under Jest's module sandbox the feature
 * loop runs several times slower than in a process of its own).
 */
import type { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { playerFatigueSuspectedSchema } from "../../lambdas/contracts/events/index.js";
import type { DemoMatch } from "../../local/demo/demo-match.js";

export async function expectRealisticEliteMatch(lake: DuckDbLake, match: DemoMatch): Promise<void> {
  const players = await lake.queryObjects<{
    player_id: string;
    km: number;
    hsr: number;
    sprints: number;
    top: number;
    mp: number;
  }>(
    `SELECT player_id, sum(distance_m) / 1000 AS km, sum(hsr_distance_m) AS hsr, sum(sprint_count)::INTEGER AS sprints,
            max(top_speed_mps) AS top, sum(metabolic_energy_jkg) / sum(tracked_s) AS mp
       FROM player_windows GROUP BY player_id`,
  );
  const keepers = new Set(match.players.filter((p) => p.goalkeeper).map((p) => p.playerId));
  const tired = new Set(match.players.filter((p) => p.tires).map((p) => p.playerId));
  const outfield = players.filter((p) => !keepers.has(p.player_id));
  expect(outfield).toHaveLength(20);
  const halves = await lake.queryObjects<{ player_id: string; first: number; second: number }>(
    `SELECT player_id,
            sum(CASE WHEN window_start < TIMESTAMP '2026-05-16 15:45:00' THEN hi_distance_m END) AS first,
            sum(CASE WHEN window_start >= TIMESTAMP '2026-05-16 16:00:00' THEN hi_distance_m END) AS second
       FROM player_windows GROUP BY player_id`,
  );
  // Players who tire run less in the second half than in the first.
  for (const h of halves.filter((x) => tired.has(x.player_id))) expect(h.second).toBeLessThan(0.8 * h.first);
  for (const p of outfield.filter((x) => !tired.has(x.player_id))) {
    // Elite outfield ranges: 9-13 km (Bradley et al. 2009), HSR >= 19.8 km/h 400-1400 m, 5-40 sprints
    // (Di Salvo et al. 2010), peak speeds 8-10 m/s. Osgnach et al. (2010) report 10.7 +/- 1.2 W/kg of
    // average metabolic power; the synthetic match has fewer changes of pace than real play, so it
    // sits at the low end and the bound is wide.
    expect(p.km).toBeGreaterThan(9);
    expect(p.km).toBeLessThan(13);
    expect(p.hsr).toBeGreaterThan(400);
    expect(p.hsr).toBeLessThan(1400);
    expect(p.sprints).toBeGreaterThanOrEqual(5);
    expect(p.sprints).toBeLessThanOrEqual(40);
    expect(p.top).toBeGreaterThan(8);
    expect(p.top).toBeLessThan(10);
    expect(p.mp).toBeGreaterThan(6);
    expect(p.mp).toBeLessThan(13);
  }
  for (const p of players.filter((x) => keepers.has(x.player_id))) expect(p.km).toBeLessThan(8);
}

export async function expectTiredPlayersFlagged(lake: DuckDbLake, match: DemoMatch): Promise<void> {
  const tired = match.players.filter((p) => p.tires).map((p) => p.playerId);
  const keepers = match.players.filter((p) => p.goalkeeper).map((p) => p.playerId);
  const insights = await lake.queryObjects<{ player_id: string; detail: string; detail_type: string }>(
    "SELECT player_id, detail, detail_type FROM insights WHERE detail_type = 'Player Fatigue Suspected' ORDER BY time",
  );
  // A chance 15-minute dip in another player's running may be flagged too (it is a real drop in
  // output), but not more than one.
  const flagged = new Set(insights.map((i) => i.player_id));
  for (const p of tired) expect(flagged).toContain(p);
  for (const k of keepers) expect(flagged).not.toContain(k);
  expect([...flagged].filter((p) => !tired.includes(p)).length).toBeLessThanOrEqual(1);
  for (const i of insights) {
    const detail = playerFatigueSuspectedSchema.parse(JSON.parse(i.detail));
    expect(detail.explanation.trigger_windows).toHaveLength(5);
    expect(Date.parse(detail.observed_at)).toBeGreaterThan(match.kickoffMs + 60 * 60_000); // second half
    for (const f of Object.values(detail.explanation.evidence)) expect(f.value).toBeLessThan(f.threshold!);
  }
}
