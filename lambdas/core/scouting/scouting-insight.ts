/** `Scouting Candidate Matched`: a completed match profile scored past a need, with its explanation and picture. */
import { DETAIL_TYPES, type Explanation, insightId, SCOUTING_SOURCE } from "../../contracts/events/index.js";
import type { ScoutingNeed } from "../../contracts/needs.js";
import {
  type BuiltInsight,
  hiRolling,
  insightBase,
  iso,
  type PlayerRef,
  picture,
  pictureKey,
  type VisualLocator,
} from "../insights/common.js";
import { FATIGUE_TRAILING_MS } from "../tracking/fatigue.js";
import { HI_LABEL } from "../tracking/fatigue-insight.js";
import { type MatchProfile, PROFILE_FEATURE_UNITS } from "../tracking/match-profile.js";
import type { PlayerState } from "../tracking/player-features.js";
import type { NeedScore } from "./scouting.js";

export function scoutingInsight(
  p: PlayerRef,
  s: PlayerState,
  m: MatchProfile,
  need: ScoutingNeed,
  version: number,
  score: NeedScore,
  visuals: VisualLocator,
): BuiltInsight {
  const id = insightId(DETAIL_TYPES.scoutingCandidateMatched, need.need_id, String(version), p.match_id, p.player_id);
  const key = pictureKey(p.match_id, id);
  const top = [...score.features].sort((a, b) => b.contribution - a.contribution);
  const summary =
    `Scored ${score.score.toFixed(2)} (threshold ${need.threshold}) for '${need.role}' over ${m.minutes.toFixed(0)} min: ` +
    top.map((f) => `${f.name} ${f.value.toFixed(f.value < 20 ? 1 : 0)} (target ${f.target})`).join(", ") +
    `. Confidence ${score.confidence.toFixed(2)} from the minutes observed.`;
  const explanation: Explanation = {
    version: 2,
    rule:
      `score = sum(weight x min(1, value / target)) / sum(weight) >= ${need.threshold}, every feature at or above its ` +
      `minimum, >= ${need.min_minutes} min tracked; per-90 values from this match (need ${need.need_id} v${version}). ` +
      "Each feature's baseline is its target (full marks) and its threshold its minimum (a hard gate), if it has one.",
    evidence: Object.fromEntries(
      score.features.map((f) => [
        f.name,
        {
          value: f.value,
          unit: PROFILE_FEATURE_UNITS[f.name],
          baseline: f.target,
          threshold: f.minimum ?? null,
          contribution: f.contribution,
        },
      ]),
    ),
    trigger_windows: [
      {
        window_start: iso(m.matchStart),
        window_end: iso(m.matchEnd),
        metrics: { minutes: m.minutes, distance_m: m.distanceM, hi_distance_m: m.hiDistanceM },
      },
    ],
    // Judged against the club's targets, not against a baseline of his own.
    baseline: null,
  };
  const mean = m.minutes > 0 ? (m.hiDistanceM / m.minutes) * (FATIGUE_TRAILING_MS / 60_000) : 0;
  const svg = picture(s, {
    title: `Scouting Candidate Matched: ${p.player_id} for ${need.role} (${p.match_id})`,
    subtitle: summary,
    cells: s.profile.grid,
    heatmapLabel: `Where he played, whole match (${m.minutes.toFixed(0)} min)`,
    trend: {
      label: `${HI_LABEL}, m per 5 min (rolling)`,
      points: hiRolling(s),
      baseline: mean,
      baselineLabel: `his match average: ${mean.toFixed(0)} m per 5 min`,
      threshold: null,
      thresholdLabel: "",
      highlight: [m.matchStart, m.matchEnd],
      xLabel: "match time",
    },
  });
  return {
    event: {
      id,
      source: SCOUTING_SOURCE,
      detailType: DETAIL_TYPES.scoutingCandidateMatched,
      time: new Date(m.matchEnd),
      detail: {
        ...insightBase(p, id, m.matchEnd, summary, explanation, visuals.urlFor(key)),
        need_id: need.need_id,
        need_version: version,
        role: need.role,
        score: score.score,
        threshold: need.threshold,
        minutes_observed: m.minutes,
        confidence: score.confidence,
      },
    },
    picture: { key, svg },
  };
}
