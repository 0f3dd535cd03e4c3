/** `Player Fatigue Suspected`: the event, its explanation and its picture, from a fatigue finding. */
import { DETAIL_TYPES, type Explanation, insightId, TRACKING_INSIGHT_SOURCE } from "../../contracts/events/index.js";
import {
  type BuiltInsight,
  hiRolling,
  insightBase,
  iso,
  type PlayerRef,
  pct,
  picture,
  pictureKey,
  summedCells,
  type VisualLocator,
} from "../insights/common.js";
import {
  FATIGUE_FRACTION,
  FATIGUE_MIN_BASELINE_MS,
  FATIGUE_PERSISTENCE,
  FATIGUE_SUSTAINED_FRACTION,
  FATIGUE_TRAILING_MS,
  type FatigueFinding,
} from "./fatigue.js";
import type { PlayerState } from "./player-features.js";
import { HIGH_INTENSITY_SPEED_MPS } from "./thresholds.js";
import type { ClosedWindow } from "./windows.js";

export const HI_LABEL = `HI running (>= ${(HIGH_INTENSITY_SPEED_MPS * 3.6).toFixed(0)} km/h)`;
const UNIT = "m per 5 min";

export function fatigueInsight(
  p: PlayerRef,
  s: PlayerState,
  w: ClosedWindow,
  f: FatigueFinding,
  visuals: VisualLocator,
): BuiltInsight {
  const id = insightId(DETAIL_TYPES.playerFatigueSuspected, p.match_id, p.player_id, iso(w.end));
  const key = pictureKey(p.match_id, id);
  const [short, long] = f.features;
  const rate = f.baselineRatePer5Min;
  const summary =
    `${HI_LABEL} fell to ${short!.value.toFixed(0)} m in the last 5 min (${pct(short!.value / rate)} of his earlier ` +
    `${rate.toFixed(0)} m per 5 min) and ${pct(long!.value / rate)} over the last 15 min ` +
    `(thresholds ${pct(FATIGUE_FRACTION)} and ${pct(FATIGUE_SUSTAINED_FRACTION)}).`;
  const explanation: Explanation = {
    version: 2,
    rule:
      `HI running per 5 min in the last 5 min < ${FATIGUE_FRACTION} x and in the last 15 min < ` +
      `${FATIGUE_SUSTAINED_FRACTION} x the player's own rate before them (>= ${FATIGUE_MIN_BASELINE_MS / 60000} min ` +
      `tracked), on ${FATIGUE_PERSISTENCE} consecutive window closes (after Mohr, Krustrup & Bangsbo 2003). ` +
      "Tactics, score and role changes also lower running output: a coach should confirm.",
    evidence: Object.fromEntries(
      f.features.map((x) => [
        x.name,
        { value: x.value, unit: UNIT, baseline: x.baseline, threshold: x.threshold, contribution: x.contribution },
      ]),
    ),
    trigger_windows: f.trailing.map((x) => ({
      window_start: iso(x.start),
      window_end: iso(x.end),
      metrics: { hi_distance_m: x.hiM, tracked_s: x.trackedMs / 1000 },
    })),
    baseline: {
      first_start: iso(f.baseline.firstStart),
      last_end: iso(f.baseline.lastEnd),
      count: f.baseline.count,
      metrics: { hi_distance_m: f.baseline.hiM, tracked_s: f.baseline.trackedMs / 1000 },
    },
  };
  const from = f.trailing[0]!.start;
  const svg = picture(s, {
    title: `Player Fatigue Suspected: ${p.player_id} (${p.match_id})`,
    subtitle: summary,
    cells: summedCells(s, from, w.end),
    heatmapLabel: `Where he was in the last ${FATIGUE_TRAILING_MS / 60000} min (${iso(from).slice(11, 16)}-${iso(w.end).slice(11, 16)} UTC)`,
    trend: {
      label: `${HI_LABEL}, m per 5 min (rolling)`,
      points: hiRolling(s),
      baseline: rate,
      baselineLabel: `his baseline before the last 15 min: ${rate.toFixed(0)} m per 5 min`,
      threshold: FATIGUE_FRACTION * rate,
      thresholdLabel: `alert below ${pct(FATIGUE_FRACTION)} of baseline (and the 15-min rate too)`,
      highlight: [from, w.end],
      xLabel: "match time",
    },
  });
  return {
    event: {
      id,
      source: TRACKING_INSIGHT_SOURCE,
      detailType: DETAIL_TYPES.playerFatigueSuspected,
      time: new Date(w.end),
      detail: insightBase(p, id, w.end, summary, explanation, visuals.urlFor(key)),
    },
    picture: { key, svg },
  };
}
