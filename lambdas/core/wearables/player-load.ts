/**
 * PlayerLoad (Boyd, Ball & Aughey 2011, IJSPP 6:311-321): the accumulated size of the change of
 * acceleration between consecutive accelerometer samples,
 *
 *   PL = sum over consecutive samples of sqrt(dax^2 + day^2 + daz^2) / 100, accelerations in g,
 *
 * in arbitrary units (AU). PlayerLoad 2D leaves out the axis that points up when the device is worn.
 *
 * Always on the device's native samples, never resampled: the sum of differences grows with the
 * sample rate (a smooth signal's differences shrink as 1/rate but their number grows as rate, a noisy
 * one's do not shrink), so a value is only comparable with values at the same rate, and the rate is
 * stored beside it. The divisor is 100 at every rate: it is a scale, not a sample period (see the
 * wearables-player-load test for what dividing by the rate instead does at 52 Hz).
 *
 * A difference across a gap of more than IMU_MAX_GAP_PERIODS sample periods is not counted: a device
 * restart or a radio dropout is not movement.
 */

/** Boyd et al. 2011 scale the summed vector change by 1/100 (at 100 Hz that is per-second units; the scale is kept at any rate). */
export const PLAYER_LOAD_DIVISOR = 100;
/**
 * A difference spanning more than 5 sample periods is a gap, not a step (Sideline spec): real IMU
 * timestamps jitter by well under one period (Movesense packets of 4 at 52 Hz come 76-77 ms apart),
 * so 5 periods is only ever crossed by a lost packet run or a restart (96 ms at 52 Hz, 50 ms at 100 Hz).
 */
export const IMU_MAX_GAP_PERIODS = 5;

export type Axis = "x" | "y" | "z";

/** The largest time step (ms) between two samples at `rateHz` that still counts as consecutive. */
export const imuMaxGapMs = (rateHz: number): number => (IMU_MAX_GAP_PERIODS * 1000) / rateHz;

/** PlayerLoad of one step between consecutive samples: the change of acceleration (g) on each axis. */
export function playerLoadStep(dx: number, dy: number, dz: number): number {
  return Math.sqrt(dx * dx + dy * dy + dz * dz) / PLAYER_LOAD_DIVISOR;
}

/** PlayerLoad 2D of one step: the change on the two axes other than `vertical`. */
export function playerLoad2dStep(dx: number, dy: number, dz: number, vertical: Axis): number {
  const a = vertical === "x" ? dy : dx;
  const b = vertical === "z" ? dy : dz;
  return Math.sqrt(a * a + b * b) / PLAYER_LOAD_DIVISOR;
}

/** PlayerLoad per minute of IMU coverage (gaps left out); null without coverage. */
export function playerLoadPerMin(playerLoad: number, coveredS: number): number | null {
  return coveredS > 0 ? playerLoad / (coveredS / 60) : null;
}

/** One device's accelerometer series: times in ms (increasing), accelerations in g. */
export interface ImuSeries {
  readonly t: ArrayLike<number>;
  readonly ax: ArrayLike<number>;
  readonly ay: ArrayLike<number>;
  readonly az: ArrayLike<number>;
  readonly rateHz: number;
  readonly verticalAxis: Axis;
}

export interface PlayerLoadResult {
  /** AU. */
  readonly playerLoad: number;
  readonly playerLoad2d: number;
  /** Seconds spanned by the counted steps (gaps left out). */
  readonly coveredS: number;
  /** AU per minute of coverage; null without coverage. */
  readonly playerLoadPerMin: number | null;
}

/**
 * PlayerLoad of a whole series at once. The streaming windows (wearable-windows.ts) take the same
 * steps in the same order, so a one-window run gives the same numbers to the last bit.
 */
export function playerLoad(s: ImuSeries): PlayerLoadResult {
  const gap = imuMaxGapMs(s.rateHz);
  let pl = 0;
  let pl2d = 0;
  let coveredMs = 0;
  for (let i = 1; i < s.t.length; i++) {
    const dt = s.t[i]! - s.t[i - 1]!;
    if (!(dt > 0 && dt <= gap)) continue;
    const dx = s.ax[i]! - s.ax[i - 1]!;
    const dy = s.ay[i]! - s.ay[i - 1]!;
    const dz = s.az[i]! - s.az[i - 1]!;
    pl += playerLoadStep(dx, dy, dz);
    pl2d += playerLoad2dStep(dx, dy, dz, s.verticalAxis);
    coveredMs += dt;
  }
  const coveredS = coveredMs / 1000;
  return { playerLoad: pl, playerLoad2d: pl2d, coveredS, playerLoadPerMin: playerLoadPerMin(pl, coveredS) };
}
