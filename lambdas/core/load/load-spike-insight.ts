/** `Player Load Spike`: a session pushed a player's acute:chronic ratio past the flag, for one load measure. */
import { DETAIL_TYPES, type Explanation, insightId, LOAD_SOURCE } from "../../contracts/events/index.js";
import {
  type BuiltInsight,
  insightBase,
  iso,
  type PlayerRef,
  picture,
  pictureKey,
  type VisualLocator,
} from "../insights/common.js";
import { insightFrame, PICTURE, type TrendSeries, trend } from "../insights/visuals.js";
import type { PlayerState } from "../tracking/player-features.js";
import {
  ACWR_ACUTE_DAYS,
  ACWR_CHRONIC_DAYS,
  ACWR_MIN_HISTORY_DAYS,
  ACWR_SPIKE_RATIO,
  type AcwrResult,
  DAY_MS,
} from "./acwr.js";

/** A load measure: what a session's load is, and its unit per day. */
export interface LoadMeasure {
  /** The player_loads.load_measure value, e.g. distance_m. */
  readonly id: string;
  /** In words, e.g. "total distance". */
  readonly label: string;
  /** The unit of a day's load, e.g. "m/day". */
  readonly unitPerDay: string;
}

/** The session that was added: what it was, when, and its load. */
export interface SessionRef {
  readonly start: number;
  readonly end: number;
  readonly load: number;
  readonly minutes: number;
}

export function loadSpikeInsight(
  p: PlayerRef,
  /** His tracking state when the load came from tracking (the picture shows where he played); null otherwise. */
  s: PlayerState | null,
  session: SessionRef,
  measure: LoadMeasure,
  r: AcwrResult,
  visuals: VisualLocator,
): BuiltInsight {
  const id = insightId(DETAIL_TYPES.playerLoadSpike, p.match_id, p.player_id, measure.id);
  const key = pictureKey(p.match_id, id);
  const ratio = r.ratio ?? 0;
  const day = Math.floor(session.start / DAY_MS) * DAY_MS;
  const summary =
    `Acute:chronic workload ratio ${ratio.toFixed(2)} after this ${s ? "match" : "session"} (flag above ${ACWR_SPIKE_RATIO}): ` +
    `acute ${r.acute.toFixed(0)} ${measure.unitPerDay} vs chronic ${r.chronic.toFixed(0)} ${measure.unitPerDay} (EWMA ${ACWR_ACUTE_DAYS} and ` +
    `${ACWR_CHRONIC_DAYS} days, ${measure.label}, ${r.historyDays} days of history).`;
  const first = r.series[0]!;
  const explanation: Explanation = {
    version: 2,
    rule:
      `EWMA acute:chronic ratio of ${measure.label} (${measure.id}), lambda = 2/(N+1), N = ${ACWR_ACUTE_DAYS} and ${ACWR_CHRONIC_DAYS} days, rest days 0, > ${ACWR_SPIKE_RATIO} ` +
      `with >= ${ACWR_MIN_HISTORY_DAYS} days of history (Williams et al. 2017; Gabbett 2016). A monitoring flag, not an ` +
      "injury prediction: the ratio couples its terms and swings when chronic load is low (Impellizzeri et al. 2020).",
    evidence: {
      acwr_ewma: { value: ratio, unit: "ratio", baseline: 1, threshold: ACWR_SPIKE_RATIO, contribution: 1 },
      acute_load: { value: r.acute, unit: measure.unitPerDay, baseline: r.chronic, threshold: null, contribution: 0 },
    },
    trigger_windows: [
      {
        window_start: iso(session.start),
        window_end: iso(session.end),
        metrics: { [measure.id]: session.load, minutes: session.minutes },
      },
    ],
    baseline: {
      first_start: iso(first.day),
      last_end: iso(day + DAY_MS),
      count: r.historyDays,
      metrics: { chronic_load: r.chronic },
    },
  };
  const ratioTrend: TrendSeries = {
    label: `Acute:chronic ratio (EWMA) of ${measure.label}, by day`,
    points: r.series.map((q) => [q.day, q.chronic > 0 ? q.acute / q.chronic : 0] as const),
    baseline: 1,
    baselineLabel: "acute = chronic",
    threshold: ACWR_SPIKE_RATIO,
    thresholdLabel: `flag above ${ACWR_SPIKE_RATIO}`,
    highlight: [day - DAY_MS / 2, day + DAY_MS / 2],
    xLabel: `the last ${r.historyDays} days`,
  };
  const title = `Player Load Spike: ${p.player_id} (${p.match_id})`;
  const svg = s
    ? picture(s, {
        title,
        subtitle: summary,
        cells: s.profile.grid,
        heatmapLabel: `Where he played in this match (${session.minutes.toFixed(0)} min)`,
        trend: ratioTrend,
      })
    : loadPicture(title, summary, measure, r, ratioTrend, day);
  return {
    event: {
      id,
      source: LOAD_SOURCE,
      detailType: DETAIL_TYPES.playerLoadSpike,
      time: new Date(session.end),
      detail: {
        ...insightBase(p, id, session.end, summary, explanation, visuals.urlFor(key)),
        acwr: ratio,
        acute_load: r.acute,
        chronic_load: r.chronic,
        load_measure: measure.id,
        history_days: r.historyDays,
      },
    },
    picture: { key, svg },
  };
}

/**
 * The picture of a load without positions (a wearable or an imported session): his daily load with
 * the chronic EWMA beside it, and the ratio by day.
 */
function loadPicture(
  title: string,
  summary: string,
  measure: LoadMeasure,
  r: AcwrResult,
  ratio: TrendSeries,
  day: number,
): string {
  const { width, pad } = PICTURE;
  const half = (width - 3 * pad - 40) / 2;
  const daily: TrendSeries = {
    label: `Daily ${measure.label} (${measure.unitPerDay})`,
    points: r.series.map((q) => [q.day, q.load] as const),
    baseline: r.series.map((q) => [q.day, q.chronic] as const),
    baselineLabel: `chronic load (EWMA ${ACWR_CHRONIC_DAYS} days)`,
    threshold: null,
    thresholdLabel: "",
    highlight: [day - DAY_MS / 2, day + DAY_MS / 2],
    xLabel: `the last ${r.historyDays} days, rest days 0`,
  };
  return insightFrame(title, summary, [
    ...trend(daily, pad, 104, half, 246),
    ...trend(ratio, pad * 2 + half + 40, 104, half, 246),
  ]);
}
