/**
 * Acute:chronic workload ratio with exponentially weighted moving averages (Williams et al. 2017,
 * Br J Sports Med 51:209): per day, EWMA_t = lambda * load_t + (1 - lambda) * EWMA_{t-1}, with
 * lambda = 2 / (N + 1); rest days count as zero load.
 *
 * Known limits (read before acting on it):
 * - the ratio couples its terms: the acute days are inside the chronic average (Lolli et al. 2019);
 * - a ratio of two noisy estimates swings when the chronic load is small, e.g. after a layoff;
 * - it is a monitoring flag, not an injury predictor: the evidence for a causal link is weak
 *   (Impellizzeri et al. 2020, Int J Sports Physiol Perform 15:907);
 * - it only sees the load Sideline knows: match distance from tracking, plus any imported training.
 */

/** Acute window (days): lambda_a = 2 / (7 + 1) = 0.25 (Williams et al. 2017). */
export const ACWR_ACUTE_DAYS = 7;
/** Chronic window (days): lambda_c = 2 / (28 + 1) (Williams et al. 2017). */
export const ACWR_CHRONIC_DAYS = 28;
/** Flag above this ratio: the "danger zone" of Gabbett 2016 (Br J Sports Med 50:273) and Blanch & Gabbett 2016. */
export const ACWR_SPIKE_RATIO = 1.5;
/** History a ratio needs before it is trusted: one chronic window (Sideline choice, after Williams et al. 2017). */
export const ACWR_MIN_HISTORY_DAYS = 28;
/** Both EWMAs start at the mean daily load of the first 7 days, not 0, to damp the start-up bias (Sideline choice). */
export const ACWR_SEED_DAYS = 7;
/** History older than this no longer moves the chronic EWMA (weight (1 - 2/29)^120 < 0.02 %). */
export const ACWR_LOOKBACK_DAYS = 120;

export const lambdaFor = (days: number) => 2 / (days + 1);
export const DAY_MS = 86_400_000;
export const dayOf = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

export interface DailyLoad {
  /** Midnight UTC, ms. */
  readonly day: number;
  readonly load: number;
}

export interface AcwrResult {
  readonly acute: number;
  readonly chronic: number;
  /** acute / chronic; null when the chronic load is 0. */
  readonly ratio: number | null;
  readonly historyDays: number;
  /** The day-by-day series the ratio came from, for the trend picture. */
  readonly series: readonly { day: number; load: number; acute: number; chronic: number }[];
}

/** Sessions to a gap-free daily series from the first session day to `day`, summing same-day sessions. */
export function dailySeries(sessions: readonly DailyLoad[], day: number): DailyLoad[] {
  const byDay = new Map<number, number>();
  for (const s of sessions) {
    const d = dayOf(s.day);
    if (d <= day) byDay.set(d, (byDay.get(d) ?? 0) + s.load);
  }
  if (byDay.size === 0) return [];
  const first = Math.max(Math.min(...byDay.keys()), day - ACWR_LOOKBACK_DAYS * DAY_MS);
  const out: DailyLoad[] = [];
  for (let d = first; d <= day; d += DAY_MS) out.push({ day: d, load: byDay.get(d) ?? 0 });
  return out;
}

/** The EWMA acute:chronic ratio on `day` (midnight UTC) from every session up to and including it. */
export function acwr(sessions: readonly DailyLoad[], day: number): AcwrResult {
  const days = dailySeries(sessions, day);
  const la = lambdaFor(ACWR_ACUTE_DAYS);
  const lc = lambdaFor(ACWR_CHRONIC_DAYS);
  const seedN = Math.min(ACWR_SEED_DAYS, days.length);
  const seed = seedN > 0 ? days.slice(0, seedN).reduce((a, d) => a + d.load, 0) / seedN : 0;
  let acute = seed;
  let chronic = seed;
  const series: { day: number; load: number; acute: number; chronic: number }[] = [];
  for (const d of days) {
    acute = la * d.load + (1 - la) * acute;
    chronic = lc * d.load + (1 - lc) * chronic;
    series.push({ day: d.day, load: d.load, acute, chronic });
  }
  return { acute, chronic, ratio: chronic > 0 ? acute / chronic : null, historyDays: days.length, series };
}

/** True when the ratio is trustworthy (enough history) and above the spike threshold. */
export const isSpike = (r: AcwrResult) =>
  r.historyDays >= ACWR_MIN_HISTORY_DAYS && r.ratio !== null && r.ratio > ACWR_SPIKE_RATIO;
