/**
 * A session's load joins a player's history for one measure: its player_loads row, the
 * player_daily_load rows it changes, and a Player Load Spike when it pushes the measure's EWMA
 * acute:chronic ratio past the flag. One step for every origin (a tracked match or GNSS session,
 * a wearable session, an imported session RPE), so every measure is treated alike and none is mixed
 * with another. Pure: the history comes in, rows and findings go out.
 */
import type { PLAYER_DAILY_LOAD, PLAYER_LOADS, RowOf } from "../../contracts/tables/index.js";
import type { SessionLoad } from "../../ports.js";
import type { BuiltInsight, PlayerRef, VisualLocator } from "../insights/common.js";
import type { PlayerState } from "../tracking/player-features.js";
import { acwr, dayOf, isSpike } from "./acwr.js";
import { type DailyLoadRow, dailyLoadRows } from "./daily-load.js";
import { type LoadMeasure, loadSpikeInsight } from "./load-spike-insight.js";

/** Where a session's load was measured. */
export type LoadOrigin = "tracking" | "wearable" | "import";

export interface SessionToRecord {
  /** The player, and the session (match_id) the load belongs to. */
  readonly player: PlayerRef;
  readonly measure: LoadMeasure;
  readonly start: number;
  readonly end: number;
  readonly load: number;
  readonly minutes: number;
  readonly origin: LoadOrigin;
  /** His sessions of this measure in the look-back; null when no history is kept (no rows beyond player_loads, no spike). */
  readonly history: readonly SessionLoad[] | null;
  /** His tracking state, when the load came from tracking: the spike's picture then shows where he played. */
  readonly state?: PlayerState | undefined;
  readonly visuals: VisualLocator;
}

export interface RecordedSession {
  readonly load: RowOf<typeof PLAYER_LOADS>;
  /** The session as an entry of his history of this measure. */
  readonly session: SessionLoad;
  readonly daily: readonly RowOf<typeof PLAYER_DAILY_LOAD>[];
  readonly insights: readonly BuiltInsight[];
}

export function recordSession(c: SessionToRecord): RecordedSession {
  const { player: p, measure } = c;
  const session: SessionLoad = { sessionId: p.match_id, day: dayOf(c.start), load: c.load };
  const load: RowOf<typeof PLAYER_LOADS> = {
    player_id: p.player_id,
    session_id: p.match_id,
    day: new Date(session.day),
    load: c.load,
    load_measure: measure.id,
    minutes: c.minutes,
    origin: c.origin,
  };
  if (!c.history) return { load, session, daily: [], insights: [] };
  const all = [...c.history.filter((x) => x.sessionId !== session.sessionId), session];
  const insights: BuiltInsight[] = [];
  const r = acwr(all, session.day);
  if (isSpike(r)) {
    const ref = { start: c.start, end: c.end, load: c.load, minutes: c.minutes };
    insights.push(loadSpikeInsight(p, c.state ?? null, ref, measure, r, c.visuals));
  }
  const daily = dailyLoadRows(all, session.day).map((d) => dailyRow(p.player_id, measure, d));
  return { load, session, daily, insights };
}

export function dailyRow(playerId: string, measure: LoadMeasure, d: DailyLoadRow): RowOf<typeof PLAYER_DAILY_LOAD> {
  return {
    player_id: playerId,
    day: new Date(d.day),
    load_measure: measure.id,
    load: d.load,
    sessions: d.sessions,
    acute_ewma: d.acuteEwma,
    chronic_ewma: d.chronicEwma,
    acwr_ewma: d.acwrEwma,
    acute_rolling: d.acuteRolling,
    chronic_rolling: d.chronicRolling,
    acwr_rolling: d.acwrRolling,
    week_load: d.weekLoad,
    monotony: d.monotony,
    strain: d.strain,
    history_days: d.historyDays,
  };
}
