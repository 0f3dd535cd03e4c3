/**
 * "Player Fatigue Suspected": a player's high-intensity running (>= 15 km/h) in the last 5 minutes
 * falls below a fraction of his own earlier rate in the same match, and stays there.
 *
 * Basis: Mohr, Krustrup & Bangsbo (2003) found elite players' high-intensity running in the final
 * 15 min 14-45% below the first 15 min, and transient drops after intense 5-min periods. A drop to
 * below HALF of the player's own earlier rate is therefore beyond the usual end-of-match decline.
 * Five-minute blocks are noisy (HI running comes in a few bouts), so the drop must persist for
 * several consecutive windows before the insight fires.
 *
 * Known limits, stated in every explanation: tactics, score and substitutions change running
 * demands too; this flags a drop in output, which a coach interprets.
 */

/** Length of the trailing block compared with the baseline (Sideline spec: the last 5 minutes). */
export const FATIGUE_TRAILING_MS = 5 * 60_000;
/** The trailing HI rate must fall below this fraction of the baseline rate (Mohr et al. 2003, see above). */
export const FATIGUE_FRACTION = 0.5;
/** Consecutive window closes that must all be below the threshold (noise guard, see above). */
export const FATIGUE_PERSISTENCE = 3;
/** Tracked time needed before the baseline counts: the first 15 min, as Mohr et al. (2003) compare. */
export const FATIGUE_MIN_BASELINE_MS = 15 * 60_000;
/**
 * Baseline HI running below this (m per 5 min) is too low to judge a drop: ~30% of the elite mean of
 * ~2.4 km per match at >= 15 km/h (Mohr et al. 2003). It keeps goalkeepers out.
 */
export const FATIGUE_MIN_BASELINE_HI_M_PER_5MIN = 40;
/** Each trailing window must be tracked for at least this share of its length. */
export const FATIGUE_MIN_WINDOW_COVERAGE = 0.8;
/** After firing, the same player is not flagged again for this long (match time). */
export const FATIGUE_COOLDOWN_MS = 15 * 60_000;

export interface ClosedWindowSummary {
  readonly start: number;
  readonly end: number;
  readonly hiM: number;
  readonly trackedMs: number;
}

export interface FatigueState {
  recent: ClosedWindowSummary[];
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

export interface FatigueFinding {
  readonly trailing: readonly ClosedWindowSummary[];
  readonly trailingRatePer5Min: number;
  readonly baselineRatePer5Min: number;
  readonly threshold: number;
  readonly baseline: {
    readonly count: number;
    readonly hiM: number;
    readonly trackedMs: number;
    readonly firstStart: number;
    readonly lastEnd: number;
  };
}

const per5Min = (m: number, ms: number) => (ms > 0 ? (m / ms) * FATIGUE_TRAILING_MS : 0);

/** Feeds one closed window (in time order); returns a finding when the insight should fire. */
export function stepFatigue(
  state: FatigueState,
  w: ClosedWindowSummary,
  windowMs: number,
): FatigueFinding | null {
  const trailingCount = Math.max(1, Math.ceil(FATIGUE_TRAILING_MS / windowMs));
  state.recent.push(w);
  while (state.recent.length > trailingCount) {
    const old = state.recent.shift()!;
    const b = state.base;
    b.count++;
    b.hiM += old.hiM;
    b.trackedMs += old.trackedMs;
    b.firstStart ??= old.start;
    b.lastEnd = old.end;
  }
  const r = state.recent;
  const full =
    r.length === trailingCount &&
    r.every((x, i) => x.trackedMs >= FATIGUE_MIN_WINDOW_COVERAGE * windowMs && (i === 0 || x.start === r[i - 1]!.end));
  const b = state.base;
  if (!full || b.trackedMs < FATIGUE_MIN_BASELINE_MS) {
    state.below = 0;
    return null;
  }
  const baselineRate = per5Min(b.hiM, b.trackedMs);
  const trailingRate = per5Min(
    r.reduce((s, x) => s + x.hiM, 0),
    r.reduce((s, x) => s + x.trackedMs, 0),
  );
  const threshold = FATIGUE_FRACTION * baselineRate;
  if (baselineRate < FATIGUE_MIN_BASELINE_HI_M_PER_5MIN || trailingRate >= threshold) {
    state.below = 0;
    return null;
  }
  state.below++;
  if (state.below < FATIGUE_PERSISTENCE) return null;
  if (state.lastFiredAt !== null && w.end - state.lastFiredAt < FATIGUE_COOLDOWN_MS) return null;
  state.lastFiredAt = w.end;
  return {
    trailing: r.map((x) => ({ ...x })),
    trailingRatePer5Min: trailingRate,
    baselineRatePer5Min: baselineRate,
    threshold,
    baseline: { count: b.count, hiM: b.hiM, trackedMs: b.trackedMs, firstStart: b.firstStart!, lastEnd: b.lastEnd! },
  };
}
