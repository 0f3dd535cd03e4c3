/**
 * Heart-rate load from a strap's readings: time in zones of HRmax and TRIMP, per second.
 *
 * Readings come at the strap's own times (1 s for a FIT file, 1-6 s for TCX "smart recording"), so
 * they are resampled to a 1 s grid first: the grid points are the whole epoch seconds g with
 * t1 <= g < t2 between consecutive readings (t1, t2) no more than HR_MAX_GAP_S apart, each given the
 * linear interpolation of the two readings and standing for one second. A longer gap is a dropout:
 * its grid points are counted as gap seconds, never as 0 bpm, and take no part in zones or TRIMP.
 *
 * - Zones (Edwards 1993): 50-60, 60-70, 70-80, 80-90 and >= 90 % of HRmax, weighted 1 to 5; time
 *   under 50 % is in no zone. Edwards TRIMP = sum over zones of minutes x weight.
 * - Banister TRIMP (Banister 1991): sum over seconds of (1/60) x HRr x 0.64 e^(1.92 HRr) for men,
 *   0.86 e^(1.67 HRr) for women, HRr = (HR - HRrest) / (HRmax - HRrest) clamped to [0, 1].
 */

/** Readings at most 10 s apart are interpolated: TCX smart recording spaces them 1-6 s (datasets README), FIT 1 s. Longer is a dropout. */
export const HR_MAX_GAP_S = 10;
export const HR_MAX_GAP_MS = HR_MAX_GAP_S * 1000;
/** Resampling grid, ms: one value a second (Edwards and Banister sum over time at 1 s resolution here). */
export const HR_GRID_MS = 1000;
/** Lower bounds of Edwards' five zones, as fractions of HRmax (Edwards 1993, The Heart Rate Monitor Book). */
export const EDWARDS_ZONE_FRACTIONS = [0.5, 0.6, 0.7, 0.8, 0.9] as const;
/** Banister's weighting, men: 0.64 e^(1.92 HRr) (Banister 1991, in Green et al. (eds), Physiological Testing of Elite Athletes). */
export const BANISTER_MALE = { a: 0.64, b: 1.92 } as const;
/** Banister's weighting, women: 0.86 e^(1.67 HRr) (Banister 1991). */
export const BANISTER_FEMALE = { a: 0.86, b: 1.67 } as const;

/** The heart rates a player's zones and TRIMP are computed against, and where they came from. */
export interface HrReference {
  readonly hrMaxBpm: number;
  readonly hrRestBpm: number;
  readonly sex: "male" | "female";
  /** squad: config/squad.json; assumed: its defaults. */
  readonly source: "squad" | "assumed";
}

/** Edwards zone 1-5 of a heart rate, or 0 under 50 % of HRmax. */
export function hrZone(bpm: number, hrMaxBpm: number): number {
  const f = bpm / hrMaxBpm;
  for (let k = EDWARDS_ZONE_FRACTIONS.length - 1; k >= 0; k--) if (f >= EDWARDS_ZONE_FRACTIONS[k]!) return k + 1;
  return 0;
}

/** The heart-rate reserve fraction, clamped to [0, 1]. */
export function heartRateReserve(bpm: number, ref: HrReference): number {
  const r = (bpm - ref.hrRestBpm) / (ref.hrMaxBpm - ref.hrRestBpm);
  return Math.min(1, Math.max(0, r));
}

/** Banister TRIMP of one second at `bpm`, AU: (1/60) x HRr x a e^(b HRr). */
export function banisterSecond(bpm: number, ref: HrReference): number {
  const w = ref.sex === "female" ? BANISTER_FEMALE : BANISTER_MALE;
  const hrr = heartRateReserve(bpm, ref);
  return (hrr * w.a * Math.exp(w.b * hrr)) / 60;
}

/** Edwards TRIMP, AU, from seconds in zones 1-5: sum of minutes x zone number. */
export function edwardsTrimp(zoneSeconds: readonly number[]): number {
  let sum = 0;
  for (let k = 0; k < zoneSeconds.length; k++) sum += (zoneSeconds[k]! * (k + 1)) / 60;
  return sum;
}

/** First grid point (whole epoch second) at or after t. */
export const gridCeil = (t: number): number => Math.ceil(t / HR_GRID_MS) * HR_GRID_MS;

/** Grid points in [from, to). */
export const gridPoints = (from: number, to: number): number =>
  to > from ? Math.max(0, (gridCeil(to) - gridCeil(from)) / HR_GRID_MS) : 0;

/**
 * Visits the grid points between two consecutive readings (t1 <= g < t2) with their interpolated
 * heart rates. The caller has checked t2 - t1 <= HR_MAX_GAP_MS.
 */
export function interpolateSeconds(
  t1: number,
  bpm1: number,
  t2: number,
  bpm2: number,
  visit: (g: number, bpm: number) => void,
): void {
  for (let g = gridCeil(t1); g < t2; g += HR_GRID_MS) visit(g, bpm1 + ((bpm2 - bpm1) * (g - t1)) / (t2 - t1));
}

export interface HeartRateLoad {
  /** Seconds with a heart rate (grid points inside gaps of at most HR_MAX_GAP_S). */
  readonly coveredS: number;
  /** Seconds inside dropouts (gaps over HR_MAX_GAP_S between readings). */
  readonly gapS: number;
  readonly meanBpm: number | null;
  /** Highest reading (the interpolation never exceeds it). */
  readonly peakBpm: number | null;
  /** Seconds in Edwards zones 1-5. */
  readonly zoneS: readonly number[];
  readonly trimpEdwards: number | null;
  readonly trimpBanister: number | null;
}

/** The heart-rate load of a series of readings (times ms, increasing) at once. */
export function heartRateLoad(t: ArrayLike<number>, bpm: ArrayLike<number>, ref: HrReference): HeartRateLoad {
  let covered = 0;
  let gap = 0;
  let sum = 0;
  let banister = 0;
  let peak: number | null = null;
  const zoneS = [0, 0, 0, 0, 0];
  const visit = (_g: number, b: number) => {
    covered++;
    sum += b;
    const z = hrZone(b, ref.hrMaxBpm);
    if (z > 0) zoneS[z - 1]!++;
    banister += banisterSecond(b, ref);
  };
  for (let i = 0; i < t.length; i++) {
    if (peak === null || bpm[i]! > peak) peak = bpm[i]!;
    if (i === 0) continue;
    if (t[i]! - t[i - 1]! <= HR_MAX_GAP_MS) interpolateSeconds(t[i - 1]!, bpm[i - 1]!, t[i]!, bpm[i]!, visit);
    else gap += gridPoints(t[i - 1]!, t[i]!);
  }
  return {
    coveredS: covered,
    gapS: gap,
    meanBpm: covered > 0 ? sum / covered : null,
    peakBpm: peak,
    zoneS,
    trimpEdwards: covered > 0 ? edwardsTrimp(zoneS) : null,
    trimpBanister: covered > 0 ? banister : null,
  };
}
