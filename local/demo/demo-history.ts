/**
 * The demo squad's load history: five weeks of sessions before the demo match, as a club would
 * import them from its GPS vests (origin 'import'), so the acute:chronic ratio has a chronic base.
 * One player is back from injury: three weeks of light rehab running, then a week of full
 * training before the match, the classic spike that ACWR monitoring is meant to catch.
 */

import type { PLAYER_LOADS, RowOf } from "../../lambdas/contracts/tables/index.js";
import { dayOf } from "../../lambdas/core/load/acwr.js";
import { DISTANCE_LOAD } from "../../lambdas/core/load/measures.js";
import { seededRandom } from "./demo-match.js";

const DAY_MS = 86_400_000;
/** Weeks of history: one chronic window (28 days) plus a week. */
export const DEMO_HISTORY_DAYS = 35;
/**
 * A week of an elite squad's sessions, total distance in metres, by days before the next match:
 * pre-match 3.5 km, tactical 5 km, main 6.5 km, 6 km, recovery 3 km, rest, the previous match
 * 10.5 km (typical of elite outfield players' match and training distances, e.g. Anderson et al. 2016).
 */
export const DEMO_WEEK_M = [3500, 5000, 6500, 6000, 3000, 0, 10500] as const;
/** The player back from injury, and his rehab running per day (m) from 4 to 1 weeks before the match. */
export const DEMO_RETURNING_PLAYER = "home_4";
export const DEMO_REHAB_M = 1200;

export function demoLoadHistory(
  playerIds: readonly string[],
  kickoffMs: number,
  seed: number,
): RowOf<typeof PLAYER_LOADS>[] {
  const rnd = seededRandom(seed ^ 0x5eed);
  const matchDay = dayOf(kickoffMs);
  const rows: RowOf<typeof PLAYER_LOADS>[] = [];
  for (const player of playerIds) {
    const scale = 0.85 + 0.3 * rnd();
    const goalkeeper = player.endsWith("_1");
    for (let k = DEMO_HISTORY_DAYS; k >= 1; k--) {
      let load = DEMO_WEEK_M[(k - 1) % 7]! * scale * (0.9 + 0.2 * rnd()) * (goalkeeper ? 0.5 : 1);
      const rehab = player === DEMO_RETURNING_PLAYER && k > 7 && k <= 28;
      if (rehab) load = k % 7 === 0 ? 0 : DEMO_REHAB_M;
      if (load <= 0) continue;
      const day = matchDay - k * DAY_MS;
      rows.push({
        player_id: player,
        session_id: `demo-history-${new Date(day).toISOString().slice(0, 10)}`,
        day: new Date(day),
        load,
        load_measure: DISTANCE_LOAD.id,
        minutes: k % 7 === 0 && !rehab ? 95 : 75,
        origin: "import",
      });
    }
  }
  return rows;
}
