/**
 * "Player Fatigue Suspected": a player's high-intensity running (>= 15 km/h) in the last 5 minutes
 * AND in the last 15 minutes falls below half of his own earlier rate in the same match, so that
 * one quiet spell does not fire it.
 *
 * Basis: Mohr, Krustrup & Bangsbo (2003) found elite players' high-intensity running in the final
 * 15 min 14-45% below the first 15 min, with transient drops after intense 5-min periods. Five-
 * minute blocks are noisy (HI running comes in a handful of bouts), so the rule asks for both a
 * deep 5-minute drop and a sustained 15-minute one, on consecutive window closes.
 *
 * Known limits, stated in every explanation: tactics, score, position changes and substitutions
 * change running demands too; this flags a drop in output, which a coach interprets.
 */

/** The short trailing block (Sideline spec: the last 5 minutes). */
export const FATIGUE_TRAILING_MS = 5 * 60_000;
/** ...must fall below this fraction of the baseline rate: beyond the 14-45% end-of-match declines Mohr et al. (2003) report. */
export const FATIGUE_FRACTION = 0.5;
/** The sustained block: 15 min, the period Mohr et al. (2003) compare. */
export const FATIGUE_SUSTAINED_MS = 15 * 60_000;
/** ...must fall below this fraction of the baseline too: deeper than the largest decline (45%) Mohr et al. (2003) saw. */
export const FATIGUE_SUSTAINED_FRACTION = 0.5;
/** Consecutive window closes that must meet both conditions (noise guard). */
export const FATIGUE_PERSISTENCE = 2;
/** Tracked time the baseline (everything before the sustained block) needs: 15 min, as Mohr et al. (2003). */
export const FATIGUE_MIN_BASELINE_MS = 15 * 60_000;
/**
 * Baseline HI running below this (m per 5 min, 1.08 km per 90 min) is too low to judge a drop. Elite
 * outfield players average ~2.4 km at >= 15 km/h and centre-backs, the lowest, ~1.5 km (Mohr et al.
 * 2003; Di Salvo et al. 2007); goalkeepers run a few hundred metres. It keeps goalkeepers out.
 */
export const FATIGUE_MIN_BASELINE_HI_M_PER_5MIN = 60;
/** Each trailing window must be tracked for at least this share of its length. */
export const FATIGUE_MIN_WINDOW_COVERAGE = 0.8;
/** After firing, the same player is not flagged again for this long (match time). */
export const FATIGUE_COOLDOWN_MS = 30 * 60_000;

export interface ClosedWindowSummary {
  readonly start: number;
  readonly end: number;
  readonly hiM: number;
  readonly trackedMs: number;
}

export interface FatigueState {
  /** The last windows, up to the sustained block's length. */
  recent: ClosedWindowSummary[];
  /** Everything before them. */
  base: { count: number; hiM: number; trackedMs: number; firstStart: number | null; lastEnd: number | null };
  below: number;
  lastFiredAt: number | null;
}

export const newFatigueState = (): FatigueState => ({
  recent: [],
  base: { count: 0, hiM: 0, trackedMs: 0, firstStart: null, lastEnd: null },
  below: 0,
  lastFiredAt: null,
});

export interface FatigueFeature {
  readonly name: string;
  readonly value: number;
  readonly baseline: number;
  readonly threshold: number;
  readonly contribution: number;
}

export interface FatigueFinding {
  /** The windows of the short trailing block. */
  readonly trailing: readonly ClosedWindowSummary[];
  readonly features: readonly FatigueFeature[];
  readonly baselineRatePer5Min: number;
  readonly baseline: {
    readonly count: number;
    readonly hiM: number;
    readonly trackedMs: number;
    readonly firstStart: number;
    readonly lastEnd: number;
  };
}

const per5Min = (m: number, ms: number) => (ms > 0 ? (m / ms) * FATIGUE_TRAILING_MS : 0);

function rateOf(ws: readonly ClosedWindowSummary[]): number {
  let m = 0;
  let ms = 0;
  for (const w of ws) {
    m += w.hiM;
    ms += w.trackedMs;
  }
  return per5Min(m, ms);
}

const contiguousAndCovered = (ws: readonly ClosedWindowSummary[], windowMs: number) =>
  ws.every((x, i) => x.trackedMs >= FATIGUE_MIN_WINDOW_COVERAGE * windowMs && (i === 0 || x.start === ws[i - 1]!.end));

/** Feeds one closed window (in time order); returns a finding when the insight should fire. */
export function stepFatigue(state: FatigueState, w: ClosedWindowSummary, windowMs: number): FatigueFinding | null {
  const shortCount = Math.max(1, Math.ceil(FATIGUE_TRAILING_MS / windowMs));
  const longCount = Math.max(shortCount, Math.ceil(FATIGUE_SUSTAINED_MS / windowMs));
  state.recent.push(w);
  while (state.recent.length > longCount) {
    const old = state.recent.shift()!;
    const b = state.base;
    b.count++;
    b.hiM += old.hiM;
    b.trackedMs += old.trackedMs;
    b.firstStart ??= old.start;
    b.lastEnd = old.end;
  }
  const r = state.recent;
  const b = state.base;
  const short = r.slice(-shortCount);
  if (r.length < longCount || !contiguousAndCovered(r, windowMs) || b.trackedMs < FATIGUE_MIN_BASELINE_MS) {
    state.below = 0;
    return null;
  }
  const baseline = per5Min(b.hiM, b.trackedMs);
  const shortRate = rateOf(short);
  const longRate = rateOf(r);
  const shortThreshold = FATIGUE_FRACTION * baseline;
  const longThreshold = FATIGUE_SUSTAINED_FRACTION * baseline;
  if (baseline < FATIGUE_MIN_BASELINE_HI_M_PER_5MIN || shortRate >= shortThreshold || longRate >= longThreshold) {
    state.below = 0;
    return null;
  }
  state.below++;
  if (state.below < FATIGUE_PERSISTENCE) return null;
  if (state.lastFiredAt !== null && w.end - state.lastFiredAt < FATIGUE_COOLDOWN_MS) return null;
  state.lastFiredAt = w.end;
  // Each feature's share of the decision: its drop below the baseline, relative to the other's.
  const shortDrop = 1 - shortRate / baseline;
  const longDrop = 1 - longRate / baseline;
  const total = shortDrop + longDrop;
  return {
    trailing: short.map((x) => ({ ...x })),
    features: [
      {
        name: "hi_distance_m_per_5min_last_5min",
        value: shortRate,
        baseline,
        threshold: shortThreshold,
        contribution: total > 0 ? shortDrop / total : 0.5,
      },
      {
        name: "hi_distance_m_per_5min_last_15min",
        value: longRate,
        baseline,
        threshold: longThreshold,
        contribution: total > 0 ? longDrop / total : 0.5,
      },
    ],
    baselineRatePer5Min: baseline,
    baseline: {
      count: b.count,
      hiM: b.hiM,
      trackedMs: b.trackedMs,
      firstStart: b.firstStart!,
      lastEnd: b.lastEnd!,
    },
  };
}
