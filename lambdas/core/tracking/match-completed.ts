/**
 * The "match completed" step: when a player's final chunk has been applied, his match profile
 * becomes a row, a session of his load history, a score against each of the club's scouting
 * needs, and his acute:chronic ratio after the match. Pure: the history comes in, findings go out.
 */
import type { ScoutingNeedsFile } from "../../contracts/needs.js";
import type { PLAYER_DAILY_LOAD, PLAYER_LOADS, PLAYER_MATCH_PROFILES, RowOf } from "../../contracts/tables/index.js";
import type { SessionLoad } from "../../ports.js";
import type { BuiltInsight, PlayerRef, VisualLocator } from "../insights/common.js";
import { DISTANCE_LOAD } from "../load/measures.js";
import { recordSession } from "../load/session-load.js";
import { scoreNeed } from "../scouting/scouting.js";
import { scoutingInsight } from "../scouting/scouting-insight.js";
import type { MatchProfile } from "./match-profile.js";
import type { PlayerState } from "./player-features.js";

export interface MatchCompleted {
  readonly player: PlayerRef;
  readonly state: PlayerState;
  readonly profile: MatchProfile;
  /** The club's scouting needs. @default - none scored */
  readonly needs?: ScoutingNeedsFile | undefined;
  /** His sessions of DISTANCE_LOAD in the look-back; null when no history is kept (no load spike then). */
  readonly history: readonly SessionLoad[] | null;
  readonly visuals: VisualLocator;
}

export interface MatchFindings {
  readonly profile: RowOf<typeof PLAYER_MATCH_PROFILES>;
  readonly load: RowOf<typeof PLAYER_LOADS>;
  /** The match as a session of his DISTANCE_LOAD history. */
  readonly session: SessionLoad;
  /** The player_daily_load rows of total distance the match changes. */
  readonly daily: readonly RowOf<typeof PLAYER_DAILY_LOAD>[];
  readonly insights: readonly BuiltInsight[];
}

export function matchCompleted(c: MatchCompleted): MatchFindings {
  const { player: p, profile: m } = c;
  const insights: BuiltInsight[] = [];
  if (c.needs) {
    for (const need of c.needs.needs) {
      const score = scoreNeed(m, need);
      if (score.matched) insights.push(scoutingInsight(p, c.state, m, need, c.needs.version, score, c.visuals));
    }
  }
  const recorded = recordSession({
    player: p,
    measure: DISTANCE_LOAD,
    start: m.matchStart,
    end: m.matchEnd,
    load: m.distanceM,
    minutes: m.minutes,
    origin: "tracking",
    history: c.history,
    state: c.state,
    visuals: c.visuals,
  });
  insights.push(...recorded.insights);
  return {
    profile: profileRow(p, m),
    load: recorded.load,
    session: recorded.session,
    daily: recorded.daily,
    insights,
  };
}

/** The player_match_profiles row. */
export function profileRow(p: PlayerRef, m: MatchProfile): RowOf<typeof PLAYER_MATCH_PROFILES> {
  return {
    match_id: p.match_id,
    player_id: p.player_id,
    team: p.team ?? null,
    match_start: new Date(m.matchStart),
    match_end: new Date(m.matchEnd),
    minutes: m.minutes,
    distance_m: m.distanceM,
    hi_distance_m: m.hiDistanceM,
    hsr_distance_m: m.hsrDistanceM,
    sprint_count: m.sprintCount,
    accel_count: m.accelCount,
    top_speed_mps: m.topSpeedMps,
    avg_metabolic_power_wkg: m.avgMetabolicPowerWkg,
    rhie_bouts: m.rhieBouts,
    hsr_m_per90: m.features.hsr_m_per90,
    sprints_per90: m.features.sprints_per90,
    rhie_per90: m.features.rhie_per90,
  };
}
