/**
 * The scouting matcher: scores a player's match profile against a club's tactical need.
 *
 * score = sum_f w_f * min(1, value_f / target_f) / sum_f w_f, in [0, 1]; a feature below its
 * minimum rules the player out. Each feature's contribution is its term of that sum, so the
 * contributions add up to the score. The score is per match; confidence says how much the
 * minutes behind it support it.
 */
import type { ScoutingNeed } from "../../contracts/needs.js";
import type { MatchProfile, ProfileFeature } from "../tracking/match-profile.js";

/**
 * Confidence = minutes / (minutes + 90): the n / (n + k) weight of empirical-Bayes shrinkage (Efron
 * & Morris 1975), with k = one full match, so a single full match gives 0.5 and three give 0.75.
 */
export const SCOUTING_CONFIDENCE_HALF_MINUTES = 90;

export interface FeatureScore {
  readonly name: ProfileFeature;
  readonly value: number;
  readonly target: number;
  readonly minimum: number | null;
  readonly weight: number;
  /** min(1, value / target). */
  readonly attainment: number;
  /** weight x attainment / sum of weights: the feature's share of the score. */
  readonly contribution: number;
}

export interface NeedScore {
  readonly needId: string;
  readonly score: number;
  readonly matched: boolean;
  /** Why it did not match, in words; null when it matched. */
  readonly rejection: string | null;
  readonly confidence: number;
  readonly minutes: number;
  readonly features: readonly FeatureScore[];
}

export const confidenceFor = (minutes: number) =>
  minutes > 0 ? minutes / (minutes + SCOUTING_CONFIDENCE_HALF_MINUTES) : 0;

export function scoreNeed(profile: MatchProfile, need: ScoutingNeed): NeedScore {
  const total = need.features.reduce((a, f) => a + f.weight, 0);
  const features = need.features.map((f): FeatureScore => {
    const value = profile.features[f.name];
    const attainment = Math.min(1, value / f.target);
    return {
      name: f.name,
      value,
      target: f.target,
      minimum: f.minimum ?? null,
      weight: f.weight,
      attainment,
      contribution: (f.weight * attainment) / total,
    };
  });
  const score = features.reduce((a, f) => a + f.contribution, 0);
  const belowMin = features.find((f) => f.minimum !== null && f.value < f.minimum);
  let rejection: string | null = null;
  if (profile.minutes < need.min_minutes)
    rejection = `${profile.minutes.toFixed(0)} min observed, need ${need.min_minutes}`;
  else if (belowMin) rejection = `${belowMin.name} ${belowMin.value.toFixed(2)} below minimum ${belowMin.minimum}`;
  else if (score < need.threshold) rejection = `score ${score.toFixed(3)} below threshold ${need.threshold}`;
  return {
    needId: need.need_id,
    score,
    matched: rejection === null,
    rejection,
    confidence: confidenceFor(profile.minutes),
    minutes: profile.minutes,
    features,
  };
}
