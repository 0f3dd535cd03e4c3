/**
 * The insights a player's tracking raises, built from the feature engine's findings: the event
 * (with its explanation and the link to its picture), the picture, and the lake rows behind them.
 */
import {
  DETAIL_TYPES,
  type Explanation,
  type InsightEvent,
  insightId,
  LOAD_SOURCE,
  type PlayerFatigueSuspected,
  type PlayerLoadSpike,
  SCOUTING_SOURCE,
  type ScoutingCandidateMatched,
  TRACKING_INSIGHT_SOURCE,
} from "../../contracts/events.js";
import type { ScoutingNeed } from "../../contracts/needs.js";
import type { TrackingChunk } from "../../contracts/records/tracking.js";
import type { Row } from "../../contracts/tables.js";
import {
  ACWR_ACUTE_DAYS,
  ACWR_CHRONIC_DAYS,
  ACWR_MIN_HISTORY_DAYS,
  ACWR_SPIKE_RATIO,
  type AcwrResult,
  dayOf,
} from "../load/acwr.js";
import type { NeedScore } from "../scouting/scouting.js";
import {
  FATIGUE_FRACTION,
  FATIGUE_MIN_BASELINE_MS,
  FATIGUE_PERSISTENCE,
  FATIGUE_SUSTAINED_FRACTION,
  FATIGUE_TRAILING_MS,
  type FatigueFinding,
} from "../tracking/fatigue.js";
import { GRID_COLS, GRID_ROWS, hiSeries, type MatchProfile, PROFILE_FEATURE_UNITS } from "../tracking/match-profile.js";
import type { PlayerState } from "../tracking/player-features.js";
import { HIGH_INTENSITY_SPEED_MPS } from "../tracking/thresholds.js";
import type { ClosedWindow } from "../tracking/windows.js";
import { type InsightPicture, renderInsightSvg } from "./visuals.js";

/** Load measure of the acute:chronic ratio: total distance from tracking (available for every player). */
export const LOAD_MEASURE = "distance_m";

export type PlayerRef = Pick<TrackingChunk, "match_id" | "player_id" | "team">;

/** Where a picture is stored, and the link the event carries (known before it is written). */
export interface VisualLocator {
  urlFor(key: string): string;
}

export interface Picture {
  readonly key: string;
  readonly svg: string;
}

export interface BuiltInsight<D> {
  readonly event: InsightEvent<D>;
  readonly picture: Picture;
}

const iso = (ms: number) => new Date(ms).toISOString();
const pct = (x: number) => `${Math.round(x * 100)}%`;
/** The whole match as one window: what scouting matches and load spikes are about. */
const matchWindow = (m: MatchProfile) => ({
  window_start: iso(m.matchStart),
  window_end: iso(m.matchEnd),
  hi_distance_m: m.hiDistanceM,
  tracked_s: m.minutes * 60,
});
const hiLabel = `HI running (>= ${(HIGH_INTENSITY_SPEED_MPS * 3.6).toFixed(0)} km/h)`;

/** The picture's storage key: one folder per match, one file per insight. */
export const pictureKey = (matchId: string, id: string) => `visuals/${encodeURIComponent(matchId)}/${id}.svg`;

function base(p: PlayerRef, id: string, observedAt: number, summary: string, explanation: Explanation, url: string) {
  return {
    schema_version: 1 as const,
    insight_id: id,
    match_id: p.match_id,
    player_id: p.player_id,
    team: p.team ?? null,
    observed_at: iso(observedAt),
    summary,
    explanation,
    visual_url: url,
  };
}

/**
 * His HI running as a rolling 5-minute rate (m per 5 min, the fatigue rule's unit) at each window
 * end: single 60 s windows swing between 0 and 100 m with each run, which hides the trend.
 */
function hiRolling(s: PlayerState): (readonly [number, number])[] {
  const ser = hiSeries(s.profile, s.windowMs);
  const out: (readonly [number, number])[] = [];
  let from = 0;
  let sum = 0;
  for (let i = 0; i < ser.length; i++) {
    const end = ser[i]![0] + s.windowMs;
    sum += ser[i]![1];
    while (ser[from]![0] < end - FATIGUE_TRAILING_MS) sum -= ser[from++]![1];
    const spanMs = Math.min(FATIGUE_TRAILING_MS, (i - from + 1) * s.windowMs);
    out.push([end, (sum * FATIGUE_TRAILING_MS) / spanMs]);
  }
  return out;
}

function summedCells(s: PlayerState, from: number, to: number): number[] {
  const out = new Array<number>(GRID_COLS * GRID_ROWS).fill(0);
  for (const w of s.profile.recentCells) {
    if (w.start < from || w.start >= to) continue;
    for (const [k, ms] of Object.entries(w.cells)) out[Number(k)]! += ms;
  }
  return out;
}

function picture(s: PlayerState, p: Omit<InsightPicture, "pitchLengthM" | "pitchWidthM">): string {
  return renderInsightSvg({ ...p, pitchLengthM: s.pitch[0], pitchWidthM: s.pitch[1] });
}

export function fatigueInsight(
  p: PlayerRef,
  s: PlayerState,
  w: ClosedWindow,
  f: FatigueFinding,
  visuals: VisualLocator,
): BuiltInsight<PlayerFatigueSuspected> {
  const id = insightId(DETAIL_TYPES.playerFatigueSuspected, p.match_id, p.player_id, iso(w.end));
  const key = pictureKey(p.match_id, id);
  const [short, long] = f.features;
  const rate = f.baselineRatePer5Min;
  const summary =
    `${hiLabel} fell to ${short!.value.toFixed(0)} m in the last 5 min (${pct(short!.value / rate)} of his earlier ` +
    `${rate.toFixed(0)} m per 5 min) and ${pct(long!.value / rate)} over the last 15 min ` +
    `(thresholds ${pct(FATIGUE_FRACTION)} and ${pct(FATIGUE_SUSTAINED_FRACTION)}).`;
  const explanation: Explanation = {
    rule:
      `HI running per 5 min in the last 5 min < ${FATIGUE_FRACTION} x and in the last 15 min < ` +
      `${FATIGUE_SUSTAINED_FRACTION} x the player's own rate before them (>= ${FATIGUE_MIN_BASELINE_MS / 60000} min ` +
      `tracked), on ${FATIGUE_PERSISTENCE} consecutive window closes (after Mohr, Krustrup & Bangsbo 2003). ` +
      "Tactics, score and role changes also lower running output: a coach should confirm.",
    features: f.features.map((x) => ({ unit: "m per 5 min", ...x })),
    trigger_windows: f.trailing.map((x) => ({
      window_start: iso(x.start),
      window_end: iso(x.end),
      hi_distance_m: x.hiM,
      tracked_s: x.trackedMs / 1000,
    })),
    baseline_windows: {
      first_start: iso(f.baseline.firstStart),
      last_end: iso(f.baseline.lastEnd),
      count: f.baseline.count,
      tracked_s: f.baseline.trackedMs / 1000,
      hi_distance_m: f.baseline.hiM,
    },
  };
  const from = f.trailing[0]!.start;
  const svg = picture(s, {
    title: `Player Fatigue Suspected: ${p.player_id} (${p.match_id})`,
    subtitle: summary,
    cells: summedCells(s, from, w.end),
    heatmapLabel: `Where he was in the last ${FATIGUE_TRAILING_MS / 60000} min (${iso(from).slice(11, 16)}-${iso(w.end).slice(11, 16)} UTC)`,
    trend: {
      label: `${hiLabel}, m per 5 min (rolling)`,
      points: hiRolling(s),
      baseline: rate,
      baselineLabel: `his baseline before the last 15 min: ${rate.toFixed(0)} m per 5 min`,
      threshold: FATIGUE_FRACTION * rate,
      thresholdLabel: `alert below ${pct(FATIGUE_FRACTION)} of baseline (and the 15-min rate too)`,
      highlight: [from, w.end],
      xLabel: "match time",
    },
  });
  const detail: PlayerFatigueSuspected = base(p, id, w.end, summary, explanation, visuals.urlFor(key));
  return {
    event: {
      id,
      source: TRACKING_INSIGHT_SOURCE,
      detailType: DETAIL_TYPES.playerFatigueSuspected,
      time: new Date(w.end),
      detail,
    },
    picture: { key, svg },
  };
}

/** The player_match_profiles row. */
export function profileRow(p: PlayerRef, m: MatchProfile): Row {
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

/** The player_loads row for a completed match. */
export function matchLoadRow(p: PlayerRef, m: MatchProfile): Row {
  return {
    player_id: p.player_id,
    session_id: p.match_id,
    day: new Date(dayOf(m.matchStart)),
    load: m.distanceM,
    load_measure: LOAD_MEASURE,
    minutes: m.minutes,
    origin: "tracking",
  };
}

export function scoutingInsight(
  p: PlayerRef,
  s: PlayerState,
  m: MatchProfile,
  need: ScoutingNeed,
  version: number,
  score: NeedScore,
  visuals: VisualLocator,
): BuiltInsight<ScoutingCandidateMatched> {
  const id = insightId(DETAIL_TYPES.scoutingCandidateMatched, need.need_id, String(version), p.match_id, p.player_id);
  const key = pictureKey(p.match_id, id);
  const top = [...score.features].sort((a, b) => b.contribution - a.contribution);
  const summary =
    `Scored ${score.score.toFixed(2)} (threshold ${need.threshold}) for '${need.role}' over ${m.minutes.toFixed(0)} min: ` +
    top.map((f) => `${f.name} ${f.value.toFixed(f.value < 20 ? 1 : 0)} (target ${f.target})`).join(", ") +
    `. Confidence ${score.confidence.toFixed(2)} from the minutes observed.`;
  const explanation: Explanation = {
    rule:
      `score = sum(weight x min(1, value / target)) / sum(weight) >= ${need.threshold}, every feature at or above its ` +
      `minimum, >= ${need.min_minutes} min tracked; per-90 values from this match (need ${need.need_id} v${version}).`,
    features: score.features.map((f) => ({
      name: f.name,
      unit: PROFILE_FEATURE_UNITS[f.name],
      value: f.value,
      baseline: f.target,
      threshold: f.minimum ?? 0,
      contribution: f.contribution,
    })),
    trigger_windows: [matchWindow(m)],
    baseline_windows: {
      first_start: iso(m.matchStart),
      last_end: iso(m.matchEnd),
      count: s.profile.series.length,
      tracked_s: m.minutes * 60,
      hi_distance_m: m.hiDistanceM,
    },
  };
  const mean = m.minutes > 0 ? (m.hiDistanceM / m.minutes) * (FATIGUE_TRAILING_MS / 60_000) : 0;
  const svg = picture(s, {
    title: `Scouting Candidate Matched: ${p.player_id} for ${need.role} (${p.match_id})`,
    subtitle: summary,
    cells: s.profile.grid,
    heatmapLabel: `Where he played, whole match (${m.minutes.toFixed(0)} min)`,
    trend: {
      label: `${hiLabel}, m per 5 min (rolling)`,
      points: hiRolling(s),
      baseline: mean,
      baselineLabel: `his match average: ${mean.toFixed(0)} m per 5 min`,
      threshold: null,
      thresholdLabel: "",
      highlight: [m.matchStart, m.matchEnd],
      xLabel: "match time",
    },
  });
  const detail: ScoutingCandidateMatched = {
    ...base(p, id, m.matchEnd, summary, explanation, visuals.urlFor(key)),
    need_id: need.need_id,
    need_version: version,
    role: need.role,
    score: score.score,
    threshold: need.threshold,
    minutes_observed: m.minutes,
    confidence: score.confidence,
  };
  return {
    event: {
      id,
      source: SCOUTING_SOURCE,
      detailType: DETAIL_TYPES.scoutingCandidateMatched,
      time: new Date(m.matchEnd),
      detail,
    },
    picture: { key, svg },
  };
}

export function loadSpikeInsight(
  p: PlayerRef,
  s: PlayerState,
  m: MatchProfile,
  r: AcwrResult,
  visuals: VisualLocator,
): BuiltInsight<PlayerLoadSpike> {
  const id = insightId(DETAIL_TYPES.playerLoadSpike, p.match_id, p.player_id);
  const key = pictureKey(p.match_id, id);
  const ratio = r.ratio ?? 0;
  const day = dayOf(m.matchStart);
  const summary =
    `Acute:chronic workload ratio ${ratio.toFixed(2)} after this match (flag above ${ACWR_SPIKE_RATIO}): ` +
    `acute ${r.acute.toFixed(0)} m/day vs chronic ${r.chronic.toFixed(0)} m/day (EWMA ${ACWR_ACUTE_DAYS} and ` +
    `${ACWR_CHRONIC_DAYS} days, total distance, ${r.historyDays} days of history).`;
  const first = r.series[0]!;
  const explanation: Explanation = {
    rule:
      `EWMA acute:chronic ratio, lambda = 2/(N+1), N = ${ACWR_ACUTE_DAYS} and ${ACWR_CHRONIC_DAYS} days, rest days 0, > ${ACWR_SPIKE_RATIO} ` +
      `with >= ${ACWR_MIN_HISTORY_DAYS} days of history (Williams et al. 2017; Gabbett 2016). A monitoring flag, not an ` +
      "injury prediction: the ratio couples its terms and swings when chronic load is low (Impellizzeri et al. 2020).",
    features: [
      {
        name: "acwr_ewma",
        unit: "ratio",
        value: ratio,
        baseline: 1,
        threshold: ACWR_SPIKE_RATIO,
        contribution: 1,
      },
    ],
    trigger_windows: [matchWindow(m)],
    baseline_windows: {
      first_start: iso(first.day),
      last_end: iso(day),
      count: r.historyDays,
      tracked_s: 0,
      hi_distance_m: 0,
    },
  };
  const svg = picture(s, {
    title: `Player Load Spike: ${p.player_id} (${p.match_id})`,
    subtitle: summary,
    cells: s.profile.grid,
    heatmapLabel: `Where he played in this match (${m.minutes.toFixed(0)} min)`,
    trend: {
      label: "Acute:chronic ratio (EWMA), by day",
      points: r.series.map((q) => [q.day, q.chronic > 0 ? q.acute / q.chronic : 0] as const),
      baseline: 1,
      baselineLabel: "acute = chronic",
      threshold: ACWR_SPIKE_RATIO,
      thresholdLabel: `flag above ${ACWR_SPIKE_RATIO}`,
      highlight: [day - 43_200_000, day + 43_200_000],
      xLabel: `the last ${r.historyDays} days`,
    },
  });
  const detail: PlayerLoadSpike = {
    ...base(p, id, m.matchEnd, summary, explanation, visuals.urlFor(key)),
    acwr: ratio,
    acute_load: r.acute,
    chronic_load: r.chronic,
    load_measure: LOAD_MEASURE,
    history_days: r.historyDays,
  };
  return {
    event: { id, source: LOAD_SOURCE, detailType: DETAIL_TYPES.playerLoadSpike, time: new Date(m.matchEnd), detail },
    picture: { key, svg },
  };
}
