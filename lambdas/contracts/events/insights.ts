/**
 * Insight events: what a player's data raised, as typed details. Every insight carries who, when,
 * why in words (summary), why in numbers (explanation) and why in a picture (visual_url).
 */
import "../zod-locale.js";
import * as z from "zod/mini";
import { explanationSchema } from "./explanation.js";

/** EventBridge `source` for insights derived from tracking data ("aws." is reserved by AWS). */
export const TRACKING_INSIGHT_SOURCE = "sideline.tracking";
/** Source of scouting matches (the matcher runs on each player's completed match profile). */
export const SCOUTING_SOURCE = "sideline.scouting";
/** Source of workload insights across sessions (acute:chronic ratio). */
export const LOAD_SOURCE = "sideline.load";
/** Source of insights from video pose (biomechanics). */
export const POSE_INSIGHT_SOURCE = "sideline.pose";

/** Version 2: the explanation's evidence is a map of named metrics (explanation.ts). */
export const INSIGHT_SCHEMA_VERSION = 2;

export const INSIGHT_TYPES = {
  playerFatigueSuspected: "Player Fatigue Suspected",
  playerLoadSpike: "Player Load Spike",
  scoutingCandidateMatched: "Scouting Candidate Matched",
  playerBiomechanicsDeviation: "Player Biomechanics Deviation",
} as const;

const insightBase = {
  schema_version: z.literal(INSIGHT_SCHEMA_VERSION),
  insight_id: z.string(),
  match_id: z.string(),
  player_id: z.string(),
  team: z.nullable(z.string()),
  observed_at: z.string(),
  summary: z.string(),
  explanation: explanationSchema,
  /** The rendered picture (SVG: the evidence, a pitch heatmap or a skeleton, and its trend line): s3:// in the cloud, file:// locally. */
  visual_url: z.string(),
};

export const playerFatigueSuspectedSchema = z.object(insightBase);

export const playerLoadSpikeSchema = z.object({
  ...insightBase,
  /** Acute:chronic workload ratio (EWMA) on the session day. */
  acwr: z.number(),
  acute_load: z.number(),
  chronic_load: z.number(),
  /** What the load is measured in, e.g. "distance_m": each measure has its own ratio. */
  load_measure: z.string(),
  /** Days of load history the chronic average is built from. */
  history_days: z.int(),
});

export const scoutingCandidateMatchedSchema = z.object({
  ...insightBase,
  need_id: z.string(),
  need_version: z.int(),
  role: z.string(),
  /** Weighted score in [0, 1]; the sum of the features' contributions. */
  score: z.number(),
  threshold: z.number(),
  /** Minutes of tracking the per-90 values come from (the sample size). */
  minutes_observed: z.number(),
  /** In [0, 1]: minutes / (minutes + SCOUTING_CONFIDENCE_HALF_MINUTES); falls with few minutes. */
  confidence: z.number(),
});

export const playerBiomechanicsDeviationSchema = z.object({
  ...insightBase,
  /** The camera whose frames showed it. */
  camera_id: z.string(),
  /** The biomech_windows column that deviated, e.g. knee_fppa_left_peak_deg. */
  feature: z.string(),
  unit: z.string(),
  value: z.number(),
  /** The player's own baseline: mean and standard deviation over his earlier windows. */
  baseline_mean: z.number(),
  baseline_sd: z.number(),
  /** The level the value passed: the baseline plus the margin. */
  threshold: z.number(),
  window_start: z.string(),
  window_end: z.string(),
});

export type PlayerFatigueSuspected = z.infer<typeof playerFatigueSuspectedSchema>;
export type PlayerBiomechanicsDeviation = z.infer<typeof playerBiomechanicsDeviationSchema>;
export type PlayerLoadSpike = z.infer<typeof playerLoadSpikeSchema>;
export type ScoutingCandidateMatched = z.infer<typeof scoutingCandidateMatchedSchema>;

/** An event as put on the bus: the PutEvents entry shape, with the detail still an object. */
export interface BusEntry<T extends string = string, D = unknown> {
  readonly source: string;
  readonly detailType: T;
  readonly time: Date;
  readonly detail: D;
  /** Deterministic: consumers deduplicate on it (delivery is at least once). */
  readonly id: string;
}

/** Every insight an extractor can raise, typed by its detail-type. */
export type Insight =
  | BusEntry<typeof INSIGHT_TYPES.playerFatigueSuspected, PlayerFatigueSuspected>
  | BusEntry<typeof INSIGHT_TYPES.playerLoadSpike, PlayerLoadSpike>
  | BusEntry<typeof INSIGHT_TYPES.scoutingCandidateMatched, ScoutingCandidateMatched>
  | BusEntry<typeof INSIGHT_TYPES.playerBiomechanicsDeviation, PlayerBiomechanicsDeviation>;
