/**
 * The physical valuation index of a scouting candidate: transparent, from percentile ranks.
 *
 *   raw         = 100 x sum_f w_f x pct_f / sum_f w_f        (pct_f: percent_rank among the lake's players)
 *   reliability = minutes / (minutes + VALUATION_HALF_MINUTES)
 *   value_index = reliability x raw + (1 - reliability) x 50
 *
 * pct_f ranks the player's per-90 value, over his last VALUATION_RECENT_MATCHES matches of at least
 * VALUATION_MIN_MATCH_MINUTES, against every player's same aggregate (stepfunctions/scouting-enrich.sql).
 * Few minutes pull the index towards the median (50): it values evidence, not one lucky match.
 */
import type { ProfileFeature } from "../tracking/match-profile.js";

/** Recent matches per player in the profile (a month of fixtures; Sideline choice). */
export const VALUATION_RECENT_MATCHES = 5;
/** Matches shorter than this (minutes) are left out: per-90 rates of cameos are noise (Sideline choice). */
export const VALUATION_MIN_MATCH_MINUTES = 20;
/** Shrinkage constant: n / (n + k) with k = three full matches, the sample at which per-90 running rates settle (Sideline choice, after Efron & Morris 1975). */
export const VALUATION_HALF_MINUTES = 270;
/** Equal weights: no feature is favoured without club data to say otherwise. */
export const VALUATION_WEIGHTS: Readonly<Record<ProfileFeature, number>> = {
  hsr_m_per90: 1,
  sprints_per90: 1,
  rhie_per90: 1,
  top_speed_mps: 1,
  avg_metabolic_power_wkg: 1,
};

export const VALUATION_FORMULA =
  `value_index = r x 100 x mean_f(percent_rank_f) + (1 - r) x 50, r = minutes / (minutes + ${VALUATION_HALF_MINUTES}); ` +
  `per-90 profile over the last ${VALUATION_RECENT_MATCHES} matches of >= ${VALUATION_MIN_MATCH_MINUTES} min, equal weights`;

export interface ValuationInput {
  readonly minutes: number;
  readonly matches: number;
  readonly population: number;
  readonly features: Readonly<Record<ProfileFeature, { value: number; pct: number }>>;
}

export interface Valuation {
  readonly valueIndex: number;
  readonly reliability: number;
  readonly raw: number;
  readonly inputs: readonly { name: ProfileFeature; value: number; pct: number; weight: number }[];
}

export function valuate(input: ValuationInput): Valuation {
  const names = Object.keys(VALUATION_WEIGHTS) as ProfileFeature[];
  const total = names.reduce((a, n) => a + VALUATION_WEIGHTS[n], 0);
  const inputs = names.map((name) => ({ name, ...input.features[name], weight: VALUATION_WEIGHTS[name] }));
  const raw = (100 * inputs.reduce((a, f) => a + f.weight * f.pct, 0)) / total;
  const reliability = input.minutes > 0 ? input.minutes / (input.minutes + VALUATION_HALF_MINUTES) : 0;
  return { valueIndex: reliability * raw + (1 - reliability) * 50, reliability, raw, inputs };
}
