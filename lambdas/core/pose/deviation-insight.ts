/** `Player Biomechanics Deviation`: a window's joint feature left the player's own baseline; its explanation and picture. */
import { DETAIL_TYPES, type Explanation, insightId, POSE_INSIGHT_SOURCE } from "../../contracts/events/index.js";
import type { Coco17Name } from "../../contracts/records/pose.js";
import {
  type BuiltInsight,
  insightBase,
  iso,
  type PlayerRef,
  pictureKey,
  type VisualLocator,
} from "../insights/common.js";
import { type Keypoint, renderSkeletonInsightSvg } from "../insights/skeleton.js";
import type { BiomechWindow } from "./biomech-windows.js";
import {
  DEVIATION_COOLDOWN_MS,
  DEVIATION_MIN_BASELINE_WINDOWS,
  DEVIATION_PERSISTENCE,
  type DeviationFeatureName,
  type DeviationFinding,
} from "./deviation.js";

/** The joints each watched feature is measured on: highlighted in the picture. */
export const FEATURE_JOINTS: Readonly<Record<DeviationFeatureName, readonly Coco17Name[]>> = {
  knee_fppa_peak_left_deg: ["left_hip", "left_knee", "left_ankle"],
  knee_fppa_peak_right_deg: ["right_hip", "right_knee", "right_ankle"],
  trunk_lean_peak_deg: ["left_hip", "right_hip", "left_shoulder", "right_shoulder"],
};

const hhmm = (ms: number) => iso(ms).slice(11, 16);
const deg = (v: number) => `${v.toFixed(1)} deg`;

export function deviationInsight(
  p: PlayerRef,
  cameraId: string,
  w: BiomechWindow,
  f: DeviationFinding,
  /** The skeleton of the window's frame that showed the feature most, if kept. */
  skeleton: readonly Keypoint[] | null,
  visuals: VisualLocator,
): BuiltInsight {
  const id = insightId(
    DETAIL_TYPES.playerBiomechanicsDeviation,
    p.match_id,
    p.player_id,
    cameraId,
    f.feature,
    iso(w.end),
  );
  const key = pictureKey(p.match_id, id);
  const marginText =
    f.marginBasis === "mdc"
      ? `the minimal detectable change ${deg(f.minMargin)} (${f.minMarginSource})`
      : `${f.sdMultiplier} SD (${deg(f.baseline.sd)} each)`;
  const finding =
    `${f.label[0]!.toUpperCase()}${f.label.slice(1)} ${f.direction === "above" ? "rose" : "fell"} to ${deg(f.value)} in ` +
    `${hhmm(w.start)}-${hhmm(w.end)} UTC on ${cameraId}, against his own ${deg(f.baseline.mean)} over ${f.baseline.count} ` +
    `earlier windows (alert ${f.direction} ${deg(f.threshold)}`;
  const summary =
    `${finding}: the baseline ${f.direction === "above" ? "+" : "-"} ${marginText}). ` +
    "2D video: compare him with himself under this camera, and have it looked at.";
  const explanation: Explanation = {
    version: 2,
    rule:
      `A window's ${f.label} outside the player's own baseline (mean of at least ${DEVIATION_MIN_BASELINE_WINDOWS} earlier ` +
      `windows of this camera) by more than max(${f.sdMultiplier} SD, ${deg(f.minMargin)}: ${f.minMarginSource}), on ` +
      `${DEVIATION_PERSISTENCE} consecutive windows, then quiet for ${DEVIATION_COOLDOWN_MS / 60_000} min. Knee valgus is the ` +
      "2D frontal-plane projection angle (Munro, Herrington & Carolan 2012): an oblique camera turns flexion into apparent valgus, " +
      "so it is judged against the player's own windows from the same camera, not laboratory norms.",
    evidence: {
      [f.feature]: {
        value: f.value,
        unit: f.unit,
        baseline: f.baseline.mean,
        threshold: f.threshold,
        contribution: 1,
      },
    },
    trigger_windows: [
      {
        window_start: iso(w.start),
        window_end: iso(w.end),
        metrics: {
          [f.feature]: f.value,
          valid_frames: w.validFrames,
          ...(w.fps !== null ? { fps: w.fps } : {}),
          consecutive_windows: f.consecutive,
        },
      },
    ],
    baseline: {
      first_start: iso(f.baseline.firstStart),
      last_end: iso(f.baseline.lastEnd),
      count: f.baseline.count,
      metrics: { mean: f.baseline.mean, sd: f.baseline.sd },
    },
  };
  const svg = renderSkeletonInsightSvg({
    title: `Player Biomechanics Deviation: ${p.player_id} (${p.match_id})`,
    // The finding without the margin's source (it is in the explanation): two lines of the picture.
    subtitle: `${finding}).`,
    keypoints: skeleton ?? [],
    highlight: FEATURE_JOINTS[f.feature],
    skeletonLabel: skeleton
      ? `The frame of the window where the ${f.label} was largest`
      : "No skeleton kept for this window",
    trend: {
      label: `${f.label}, deg, per window`,
      points: f.trend.flatMap((x) => (x.value === null ? [] : [[x.start, x.value] as const])),
      baseline: f.baseline.mean,
      baselineLabel: `his baseline: ${deg(f.baseline.mean)} (${f.baseline.count} windows)`,
      threshold: f.threshold,
      thresholdLabel: `alert ${f.direction} ${deg(f.threshold)}`,
      // The consecutive windows that triggered it: the last points of the trend, plotted at their starts.
      highlight: [f.trend[Math.max(0, f.trend.length - f.consecutive)]?.start ?? w.start, w.start],
      xLabel: "window start",
    },
  });
  return {
    event: {
      id,
      source: POSE_INSIGHT_SOURCE,
      detailType: DETAIL_TYPES.playerBiomechanicsDeviation,
      time: new Date(w.end),
      detail: {
        ...insightBase(p, id, w.end, summary, explanation, visuals.urlFor(key)),
        camera_id: cameraId,
        feature: f.feature,
        unit: f.unit,
        value: f.value,
        baseline_mean: f.baseline.mean,
        baseline_sd: f.baseline.sd,
        threshold: f.threshold,
        window_start: iso(w.start),
        window_end: iso(w.end),
      },
    },
    picture: { key, svg },
  };
}
