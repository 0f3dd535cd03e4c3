/**
 * Signal preparation for pose series: keypoint masking, and the zero-phase Butterworth low-pass
 * that Sports2D applies to 2D pose kinematics (Pagnon, Sports2D, `Utilities/filter.py`):
 *
 *   b, a = scipy.signal.butter(order / 2, cutoff / (framerate / 2), 'low')
 *   padlen = 3 * max(len(a), len(b))
 *   for each run of non-missing samples longer than padlen: scipy.signal.filtfilt(b, a, run)
 *
 * with order 4 and a 6 Hz cut-off (Sports2D's Config_demo.toml). Sports2D designs the filter at
 * HALF the order because filtfilt runs it twice (forward, then backward): the cascade is a 4th-order
 * zero-phase response, as Winter's dual-pass Butterworth. The cut-off is NOT corrected for the
 * second pass (Winter's 0.802 factor), again as Sports2D: the cascade is 6 dB down at 6 Hz.
 *
 * The digital filter is designed here, as scipy.signal.butter designs it: the analog Butterworth
 * prototype's poles, the cut-off pre-warped to 4·tan(π·Wn/2) (scipy's `fs = 2` convention), and
 * the bilinear transform, which maps each analog pole p to (4 + p) / (4 − p) and puts all zeros at
 * z = −1. filtfilt reproduces scipy.signal.filtfilt's defaults: odd extension of padlen samples at
 * both ends, and initial conditions from lfilter_zi (the step response's steady state) scaled by the
 * first sample of each pass. Missing samples and time gaps split a series into runs that are
 * filtered separately; nothing is interpolated across a gap, as in Sports2D.
 */
import type { Keypoint, Skeleton } from "./angles.js";

/**
 * Keypoints scored below this are treated as not found. Sports2D's `keypoint_likelihood_threshold`
 * (Config_demo.toml: 0.3) and the MoveNet demo of @tensorflow-models/pose-detection
 * (`MOVENET_CONFIG.scoreThreshold: 0.3`, demos/live_video/src/params.js) use the same value.
 */
export const KEYPOINT_SCORE_THRESHOLD = 0.3;
/** Zero-phase (cascade) order: Sports2D's `[post-processing.butterworth] order = 4`; designed as butter(order / 2). */
export const BUTTERWORTH_ORDER = 4;
/** Low-pass cut-off, Hz: Sports2D's `cut_off_frequency = 6`, the common cut-off for human gait kinematics (Winter 2009). */
export const BUTTERWORTH_CUTOFF_HZ = 6;
/**
 * Filter only when the frame rate is at least this multiple of the cut-off (24 fps for 6 Hz): twice
 * the Nyquist minimum of 2 × cut-off (Shannon), so the normalised cut-off stays at or below 0.5 and
 * there is real signal to separate from noise above it. Sideline rule. Broadcast 24, 25, 30, 50 and
 * 60 fps pass; sampled pose at 5-15 fps is left unfiltered and says so.
 */
export const FILTER_MIN_RATE_TO_CUTOFF = 4;
/**
 * A step between frames longer than this many median frame intervals is a gap (a dropped frame
 * at least): halfway between one and two intervals, so one missing frame splits the series and
 * timestamp jitter does not. Sideline rule.
 */
export const GAP_FRAME_FACTOR = 1.5;

/** Keypoints below the score threshold become null; the rest are returned as they are. */
export function maskKeypoints(s: Skeleton, threshold = KEYPOINT_SCORE_THRESHOLD): Keypoint[] {
  return s.map((k) => (k !== null && k !== undefined && k[2] >= threshold ? k : null));
}

/** Transfer-function coefficients of a digital filter, `a[0] = 1`. */
export interface Iir {
  readonly b: readonly number[];
  readonly a: readonly number[];
}

/**
 * scipy.signal.butter(order, wn, 'low'): a digital Butterworth low-pass of `order` poles with its
 * −3 dB point at `wn` × Nyquist, by the bilinear transform with pre-warping (see the header).
 */
export function butterLowpass(order: number, wn: number): Iir {
  if (!Number.isInteger(order) || order < 1) throw new Error(`filter order must be a positive integer, got ${order}`);
  if (!(wn > 0 && wn < 1)) throw new Error(`normalised cut-off must be in (0, 1), got ${wn}`);
  const warped = 4 * Math.tan((Math.PI * wn) / 2);
  // Polynomial with the digital poles as roots, complex coefficients (re, im), highest power first.
  let re = [1];
  let im = [0];
  // prod(4 - p) over the analog poles: the bilinear transform's gain factor.
  let gRe = 1;
  let gIm = 0;
  for (let k = 0; k < order; k++) {
    const theta = (Math.PI * (2 * k + order + 1)) / (2 * order);
    const pr = warped * Math.cos(theta);
    const pi = warped * Math.sin(theta);
    const dRe = 4 - pr;
    const dIm = -pi;
    [gRe, gIm] = [gRe * dRe - gIm * dIm, gRe * dIm + gIm * dRe];
    // z = (4 + p) / (4 - p)
    const den = dRe * dRe + dIm * dIm;
    const zr = (16 - pr * pr - pi * pi) / den;
    const zi = (8 * pi) / den;
    // Multiply the polynomial by (z - root).
    const nRe = new Array<number>(re.length + 1).fill(0);
    const nIm = new Array<number>(re.length + 1).fill(0);
    for (let j = 0; j < re.length; j++) {
      nRe[j]! += re[j]!;
      nIm[j]! += im[j]!;
      nRe[j + 1]! -= re[j]! * zr - im[j]! * zi;
      nIm[j + 1]! -= re[j]! * zi + im[j]! * zr;
    }
    re = nRe;
    im = nIm;
  }
  const gain = warped ** order / gRe;
  const b: number[] = [];
  let binom = 1;
  for (let j = 0; j <= order; j++) {
    b.push(gain * binom);
    binom = (binom * (order - j)) / (j + 1);
  }
  return { b, a: re };
}

/**
 * The Sports2D filter for a frame rate: butter(order / 2, cutoff / (fs / 2)), or null when the
 * frame rate is below FILTER_MIN_RATE_TO_CUTOFF × cut-off (not filtered).
 */
export function sports2dLowpass(fs: number, cutoffHz = BUTTERWORTH_CUTOFF_HZ, order = BUTTERWORTH_ORDER): Iir | null {
  if (order % 2 !== 0) throw new Error(`the zero-phase order must be even (filtfilt doubles it), got ${order}`);
  if (!(fs >= FILTER_MIN_RATE_TO_CUTOFF * cutoffHz)) return null;
  return butterLowpass(order / 2, cutoffHz / (fs / 2));
}

/** scipy.signal.filtfilt's default pad length: 3 × max(len(a), len(b)). */
export const padLength = (f: Iir): number => 3 * Math.max(f.a.length, f.b.length);

/**
 * scipy.signal.lfilter_zi: the direct-form-II-transposed state of the filter's steady response to
 * a unit step, so that filtering a constant from this state returns the constant. With s = Σb / Σa
 * (the DC gain), zi[i] = Σ_{k>i} (b[k] − a[k]·s).
 */
export function lfilterZi(f: Iir): number[] {
  const n = Math.max(f.a.length, f.b.length) - 1;
  const b = (k: number) => f.b[k] ?? 0;
  const a = (k: number) => f.a[k] ?? 0;
  let sb = 0;
  let sa = 0;
  for (let k = 0; k <= n; k++) {
    sb += b(k);
    sa += a(k);
  }
  const dc = sb / sa;
  const zi = new Array<number>(n).fill(0);
  let acc = 0;
  for (let i = n - 1; i >= 0; i--) {
    acc += b(i + 1) - a(i + 1) * dc;
    zi[i] = acc;
  }
  return zi;
}

/** scipy.signal.lfilter(b, a, x, zi=zi)[0]: direct form II transposed; `a[0]` must be 1. */
export function lfilter(f: Iir, x: ArrayLike<number>, zi?: readonly number[]): number[] {
  const n = Math.max(f.a.length, f.b.length) - 1;
  const b = Array.from({ length: n + 1 }, (_, k) => f.b[k] ?? 0);
  const a = Array.from({ length: n + 1 }, (_, k) => f.a[k] ?? 0);
  if (a[0] !== 1) throw new Error(`lfilter expects a[0] = 1, got ${a[0]}`);
  const z = zi ? [...zi] : new Array<number>(n).fill(0);
  const y = new Array<number>(x.length);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const yi = b[0]! * xi + (n > 0 ? z[0]! : 0);
    for (let k = 0; k < n - 1; k++) z[k] = b[k + 1]! * xi + z[k + 1]! - a[k + 1]! * yi;
    if (n > 0) z[n - 1] = b[n]! * xi - a[n]! * yi;
    y[i] = yi;
  }
  return y;
}

/**
 * scipy.signal.filtfilt(b, a, x) with its defaults (padtype='odd', padlen = 3·max(len(a), len(b)),
 * initial conditions lfilter_zi × the first sample of each pass). Null when x has no more than
 * padlen samples, where scipy raises and Sports2D leaves the run unfiltered.
 */
export function filtfilt(f: Iir, x: readonly number[]): number[] | null {
  const pad = padLength(f);
  const n = x.length;
  if (n <= pad) return null;
  const ext = new Array<number>(n + 2 * pad);
  for (let i = 0; i < pad; i++) {
    ext[i] = 2 * x[0]! - x[pad - i]!;
    ext[n + pad + i] = 2 * x[n - 1]! - x[n - 2 - i]!;
  }
  for (let i = 0; i < n; i++) ext[pad + i] = x[i]!;
  const zi = lfilterZi(f);
  const forward = lfilter(
    f,
    ext,
    zi.map((z) => z * ext[0]!),
  );
  forward.reverse();
  const backward = lfilter(
    f,
    forward,
    zi.map((z) => z * forward[0]!),
  );
  backward.reverse();
  return backward.slice(pad, pad + n);
}

/** Steps between consecutive times. */
export function timeSteps(t: readonly number[]): number[] {
  const d = new Array<number>(Math.max(0, t.length - 1));
  for (let i = 1; i < t.length; i++) d[i - 1] = t[i]! - t[i - 1]!;
  return d;
}

export interface StepStats {
  /** The median step (ms). */
  readonly median: number;
  /** Steps longer than this are gaps: GAP_FRAME_FACTOR × the median. */
  readonly gapMs: number;
  /** The frame step: the mean of the steps that are not gaps (ms). */
  readonly step: number;
}

/**
 * The frame step of a series of frame steps: the mean of those that are not gaps, a gap being
 * longer than GAP_FRAME_FACTOR × the median step. The median alone would follow a jitter pattern
 * (steps of 42, 42, 37, 42, 37 ms have a median of 42 and a mean of 40); the mean alone would
 * follow the gaps. Null without a positive step.
 */
export function stepStats(steps: readonly number[]): StepStats | null {
  if (steps.length === 0) return null;
  const sorted = [...steps].sort((p, q) => p - q);
  const m = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
  if (!(median > 0)) return null;
  const gapMs = GAP_FRAME_FACTOR * median;
  let sum = 0;
  let n = 0;
  for (const d of steps) {
    if (d <= gapMs) {
      sum += d;
      n++;
    }
  }
  return { median, gapMs, step: sum / n };
}

/**
 * Runs of consecutive present samples with no time gap: [from, to) index pairs. A gap is a step
 * longer than `maxStepMs`; a null sample ends a run too.
 */
export function runs(t: readonly number[], v: readonly (number | null)[], maxStepMs: number): [number, number][] {
  const out: [number, number][] = [];
  let from = -1;
  for (let i = 0; i < v.length; i++) {
    const present = v[i] !== null && v[i] !== undefined;
    const joined = from >= 0 && present && t[i]! - t[i - 1]! <= maxStepMs;
    if (from >= 0 && !joined) {
      out.push([from, i]);
      from = -1;
    }
    if (present && from < 0) from = i;
  }
  if (from >= 0) out.push([from, v.length]);
  return out;
}

export interface LowpassResult {
  /** The series, filtered where it could be; null where the input was null. */
  readonly values: (number | null)[];
  /** Per sample: true where the value went through the filter. */
  readonly filtered: boolean[];
  /** The frame rate the filter was designed for (1000 / the frame step, stepStats), Hz. */
  readonly fs: number | null;
  /** True when the frame rate allowed filtering (FILTER_MIN_RATE_TO_CUTOFF). */
  readonly rateAllows: boolean;
}

/**
 * The Sports2D zero-phase low-pass over a timestamped series (ms) with missing samples: each run of
 * present samples between gaps is filtered with filtfilt when it is longer than padlen and the frame
 * rate allows; shorter runs, and all runs at too low a frame rate, are returned as they are.
 */
export function zeroPhaseLowpass(
  t: readonly number[],
  v: readonly (number | null)[],
  cutoffHz = BUTTERWORTH_CUTOFF_HZ,
  order = BUTTERWORTH_ORDER,
): LowpassResult {
  const values = v.map((x) => x ?? null);
  const filtered = new Array<boolean>(v.length).fill(false);
  const steps = stepStats(timeSteps(t));
  if (steps === null) return { values, filtered, fs: null, rateAllows: false };
  const fs = 1000 / steps.step;
  const f = sports2dLowpass(fs, cutoffHz, order);
  if (f === null) return { values, filtered, fs, rateAllows: false };
  for (const [from, to] of runs(t, v, steps.gapMs)) {
    const y = filtfilt(f, v.slice(from, to) as number[]);
    if (y === null) continue;
    for (let i = from; i < to; i++) {
      values[i] = y[i - from]!;
      filtered[i] = true;
    }
  }
  return { values, filtered, fs, rateAllows: true };
}
