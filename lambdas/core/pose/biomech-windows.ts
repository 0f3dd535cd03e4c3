/**
 * Streaming biomechanics for one subject (a player or an anonymous track). Pose frames go in chunk
 * by chunk; closed windows and deviation findings come out. The state is plain JSON and small, so
 * it is stored between invocations, and the output never depends on how the frames were chunked.
 *
 * Per subject, from the frames' own timestamps (never an assumed rate):
 * 1. each frame's keypoints scored below KEYPOINT_SCORE_THRESHOLD are masked; its joint angles
 *    (angles.ts) and ankle separations (gait.ts) are kept, rounded (ANGLE_RESOLUTION_DEG,
 *    SEPARATION_RESOLUTION_LEG), not its keypoints;
 * 2. time is cut into blocks of BLOCK_MS aligned to the epoch. A block is analysed once a frame at
 *    or after its end + FILTER_PAD_MS has arrived: each series over [start − pad, end + pad) goes
 *    through the Sports2D zero-phase Butterworth (signal.ts), split at missing samples and time gaps,
 *    so the filter sees both sides of every frame of the block; the block's frames are then added to
 *    their window's sums and peaks, and the ankle separations to the step detectors;
 * 3. tumbling windows are aligned to multiples of windowMs. A window closes once all its blocks are
 *    analysed (a frame at or after its end + FILTER_PAD_MS has arrived), or on the final chunk; its
 *    features go to the deviation rule (deviation.ts).
 * Only FILTER_PAD_MS + BLOCK_MS + FILTER_PAD_MS of per-frame values is ever held (3 s: 75 frames at
 * 25 fps), plus one sum-and-peak accumulator per open window.
 *
 * A block's filter is designed for the frame rate of its own span (stepStats in signal.ts).
 * Filtering the span rather than a whole run differs from filtering the whole run only through the
 * filter's memory beyond the pad: FILTER_PAD_MS explains why that is below 1e-11 of the signal.
 */
import { KP } from "../../contracts/records/pose.js";
import { DEFAULT_WINDOW_MS } from "../tracking/thresholds.js";
import { elbowFlexion, hipFlexion, type Keypoint, kneeFlexion, kneeFppa, type Skeleton, trunkLean } from "./angles.js";
import { type DeviationFinding, type DeviationState, newDeviationState, stepDeviation } from "./deviation.js";
import {
  ankleSeparation,
  CADENCE_MIN_FPS,
  cadence,
  newStepTally,
  newStepTracker,
  pushStepSample,
  resetStepTracker,
  type StepTally,
  type StepTracker,
  stepTimeAsymmetry,
  symmetryIndex,
  tallyStep,
} from "./gait.js";
import { BUTTERWORTH_CUTOFF_HZ, maskKeypoints, stepStats, timeSteps, zeroPhaseLowpass } from "./signal.js";

export { DEFAULT_WINDOW_MS };

/** Analysis blocks, ms: one second, so that any whole-second window is a whole number of blocks. */
export const BLOCK_MS = 1000;
/**
 * Frames on each side of a block that its filter sees, ms. The 6 Hz Butterworth's impulse response
 * decays as exp(−2π·6/√2 · t) (its analog poles' real part, −ωc/√2): after 1 s it is 3e-12 of its
 * start, so cutting the run 1 s from the block changes the block's values by less than that.
 */
export const FILTER_PAD_MS = 1000;
/** Stored angles are rounded to 0.1°: a 27th of the 2D FPPA's SEM (2.72°, Munro et al. 2012), and short JSON. */
export const ANGLE_RESOLUTION_DEG = 0.1;
/** Stored ankle separations are rounded to 0.001 leg lengths: a hundredth of STEP_HYSTERESIS_LEG. */
export const SEPARATION_RESOLUTION_LEG = 0.001;

/** The per-frame series, in the order the state stores them. */
export const SERIES = [
  "knee_flexion_left",
  "knee_flexion_right",
  "hip_flexion_left",
  "hip_flexion_right",
  "elbow_flexion_left",
  "elbow_flexion_right",
  "knee_fppa_left",
  "knee_fppa_right",
  "trunk_lean",
  "ankle_separation_x",
  "ankle_separation_y",
] as const;
const KNEE_L = 0;
const KNEE_R = 1;
const HIP_L = 2;
const HIP_R = 3;
const ELBOW_L = 4;
const ELBOW_R = 5;
const FPPA_L = 6;
const FPPA_R = 7;
const TRUNK = 8;
const SEP_X = 9;
const SEP_Y = 10;
const ANGLES = 9;

const LOWER_BODY = [KP.left_hip, KP.right_hip, KP.left_knee, KP.right_knee, KP.left_ankle, KP.right_ankle];

const round = (v: number | null, perUnit: number) => (v === null ? null : Math.round(v * perUnit) / perUnit);

/**
 * One frame's series, in SERIES order, from keypoints already masked: angles rounded to
 * ANGLE_RESOLUTION_DEG, separations to SEPARATION_RESOLUTION_LEG; null where not computable.
 */
export function frameSeries(s: Skeleton): (number | null)[] {
  const deg = 1 / ANGLE_RESOLUTION_DEG;
  const sep = ankleSeparation(s);
  return [
    round(kneeFlexion(s, "left"), deg),
    round(kneeFlexion(s, "right"), deg),
    round(hipFlexion(s, "left"), deg),
    round(hipFlexion(s, "right"), deg),
    round(elbowFlexion(s, "left"), deg),
    round(elbowFlexion(s, "right"), deg),
    round(kneeFppa(s, "left"), deg),
    round(kneeFppa(s, "right"), deg),
    round(trunkLean(s), deg),
    round(sep?.[0] ?? null, 1 / SEPARATION_RESOLUTION_LEG),
    round(sep?.[1] ?? null, 1 / SEPARATION_RESOLUTION_LEG),
  ];
}

/** An open window's sums and peaks: plain JSON. */
export interface BiomechWindowAcc {
  start: number;
  frames: number;
  /** Frames with both hips, knees and ankles found. */
  valid: number;
  /** Frame step (ms, rounded) -> count: the window's frame rate is 1000 / their mean without gaps. */
  steps: Record<string, number>;
  /** Angle samples in the window, and how many of them went through the filter. */
  angleSamples: number;
  filteredSamples: number;
  /** Per angle series (SERIES[0..8]): samples, sum and peak; trunk lean as its absolute value. */
  n: number[];
  sum: number[];
  max: (number | null)[];
  /** Per separation axis (x, y): samples, sum and sum of squares (its SD picks the step axis). */
  sepN: number[];
  sepSum: number[];
  sepSq: number[];
  /** Per separation axis: the steps it confirmed in this window. */
  tally: StepTally[];
}

export interface BiomechState {
  windowMs: number;
  /** Time of the last accepted frame (epoch ms). */
  lastT: number | null;
  /** Start of the first block not yet analysed. */
  nextBlock: number | null;
  /** Per-frame series from nextBlock − FILTER_PAD_MS on: times, and one array per SERIES entry. */
  buf: { t: number[]; v: (number | null)[][] };
  /** Open windows, in time order. */
  open: BiomechWindowAcc[];
  /** Step detectors on the x and y separations, and the time of their last sample. */
  trackers: StepTracker[];
  gaitT: number | null;
  deviation: DeviationState;
}

/** A closed window: null wherever a feature could not be computed. Angles in degrees. */
export interface BiomechWindow {
  readonly start: number;
  readonly end: number;
  readonly frames: number;
  /** Frames with both hips, knees and ankles found (score >= KEYPOINT_SCORE_THRESHOLD). */
  readonly validFrames: number;
  /** 1000 / the mean step between the window's frames, gaps left out (signal.ts, stepStats). */
  readonly fps: number | null;
  /** True when some of the window's angles went through the low-pass filter. */
  readonly filtered: boolean;
  /** Share of the window's angle samples that went through it (0-1). */
  readonly filteredShare: number | null;
  readonly kneeFlexionMeanLeftDeg: number | null;
  readonly kneeFlexionMeanRightDeg: number | null;
  readonly kneeFlexionPeakLeftDeg: number | null;
  readonly kneeFlexionPeakRightDeg: number | null;
  readonly hipFlexionPeakLeftDeg: number | null;
  readonly hipFlexionPeakRightDeg: number | null;
  readonly elbowFlexionMeanLeftDeg: number | null;
  readonly elbowFlexionMeanRightDeg: number | null;
  /** Peak signed FPPA: the most valgus (positive) value of the window. */
  readonly kneeFppaPeakLeftDeg: number | null;
  readonly kneeFppaPeakRightDeg: number | null;
  /** Mean and peak of the absolute trunk lean. */
  readonly trunkLeanMeanDeg: number | null;
  readonly trunkLeanPeakDeg: number | null;
  /** The image axis the steps were read on: the one where the ankle separation varies most. */
  readonly stepAxis: "x" | "y" | null;
  readonly steps: number;
  readonly cadenceSpm: number | null;
  /** Robinson SI of the left and right peak knee flexion, %. */
  readonly kneeFlexionSymmetryIndexPct: number | null;
  /** Plotnik GA of the mean A and B step times, %. */
  readonly stepTimeAsymmetryPct: number | null;
}

export interface BiomechChunkInput {
  /** Epoch ms of the chunk; frame times are relative to it. */
  readonly t0: number;
  /** In time order. */
  readonly frames: readonly { readonly t: number; readonly keypoints: readonly Keypoint[] }[];
  /** True on the subject's last chunk: every open window is closed. */
  readonly final?: boolean | undefined;
  /**
   * Called for each frame taken, with its time, its series (SERIES order, as stored) and its raw
   * keypoints: lets the caller follow per-frame values (the extractor's peak skeletons) without
   * computing them again.
   */
  readonly onFrame?:
    | ((t: number, series: readonly (number | null)[], keypoints: readonly Keypoint[]) => void)
    | undefined;
}

export interface BiomechChunkResult {
  readonly accepted: number;
  /** Frames not after the previous one in time: dropped. */
  readonly outOfOrder: number;
  readonly closed: readonly BiomechWindow[];
  readonly deviations: readonly { readonly window: BiomechWindow; readonly finding: DeviationFinding }[];
}

export function newBiomechState(windowMs = DEFAULT_WINDOW_MS): BiomechState {
  if (!(windowMs > 0 && windowMs % BLOCK_MS === 0)) {
    throw new Error(`window length must be a positive whole number of seconds, got ${windowMs} ms`);
  }
  return {
    windowMs,
    lastT: null,
    nextBlock: null,
    buf: { t: [], v: SERIES.map(() => []) },
    open: [],
    trackers: [newStepTracker(), newStepTracker()],
    gaitT: null,
    deviation: newDeviationState(),
  };
}

function windowFor(s: BiomechState, t: number): BiomechWindowAcc {
  const start = Math.floor(t / s.windowMs) * s.windowMs;
  const last = s.open[s.open.length - 1];
  if (last !== undefined && last.start === start) return last;
  for (const w of s.open) if (w.start === start) return w;
  const w: BiomechWindowAcc = {
    start,
    frames: 0,
    valid: 0,
    steps: {},
    angleSamples: 0,
    filteredSamples: 0,
    n: new Array(ANGLES).fill(0),
    sum: new Array(ANGLES).fill(0),
    max: new Array(ANGLES).fill(null),
    sepN: [0, 0],
    sepSum: [0, 0],
    sepSq: [0, 0],
    tally: [newStepTally(), newStepTally()],
  };
  s.open.push(w);
  s.open.sort((a, b) => a.start - b.start);
  return w;
}

/** First index with t[i] >= x (t ascending). */
function lowerBound(t: readonly number[], x: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Analyses the block [start, start + BLOCK_MS): filter its padded span, add its frames to their windows. */
function analyseBlock(s: BiomechState, start: number): void {
  const b = s.buf;
  const i0 = lowerBound(b.t, start - FILTER_PAD_MS);
  const i1 = lowerBound(b.t, start + BLOCK_MS + FILTER_PAD_MS);
  const j0 = lowerBound(b.t, start) - i0;
  const j1 = lowerBound(b.t, start + BLOCK_MS) - i0;
  if (j0 >= j1) return;
  const t = b.t.slice(i0, i1);
  const series = b.v.map((v) => zeroPhaseLowpass(t, v.slice(i0, i1), BUTTERWORTH_CUTOFF_HZ));
  const gapMs = stepStats(timeSteps(t))?.gapMs ?? Number.POSITIVE_INFINITY;
  for (let j = j0; j < j1; j++) {
    const tj = t[j]!;
    const w = windowFor(s, tj);
    for (let k = 0; k < ANGLES; k++) {
      const x = series[k]!.values[j];
      if (x === null || x === undefined) continue;
      const y = k === TRUNK ? Math.abs(x) : x;
      w.angleSamples++;
      if (series[k]!.filtered[j]) w.filteredSamples++;
      w.n[k]!++;
      w.sum[k]! += y;
      const peak = w.max[k];
      w.max[k] = peak === null || peak === undefined || y > peak ? y : peak;
    }
    const sx = series[SEP_X]!.values[j];
    const sy = series[SEP_Y]!.values[j];
    if (sx === null || sx === undefined || sy === null || sy === undefined) {
      for (const tr of s.trackers) resetStepTracker(tr);
      s.gaitT = null;
      continue;
    }
    if (s.gaitT !== null && tj - s.gaitT > gapMs) for (const tr of s.trackers) resetStepTracker(tr);
    s.gaitT = tj;
    [sx, sy].forEach((v, a) => {
      w.sepN[a]!++;
      w.sepSum[a]! += v;
      w.sepSq[a]! += v * v;
      const e = pushStepSample(s.trackers[a]!, tj, v);
      if (e) tallyStep(w.tally[a]!, e);
    });
  }
}

/** The frame step of a window, from its histogram of steps (stepStats), or null without steps. */
function windowStep(steps: Record<string, number>): number | null {
  const all: number[] = [];
  for (const [k, n] of Object.entries(steps)) for (let i = 0; i < n; i++) all.push(Number(k));
  return stepStats(all)?.step ?? null;
}

function sd(n: number, sum: number, sq: number): number | null {
  if (n < 2) return null;
  const m = sum / n;
  return Math.sqrt(Math.max(0, sq / n - m * m));
}

function toClosed(w: BiomechWindowAcc, windowMs: number): BiomechWindow {
  const step = windowStep(w.steps);
  const fps = step !== null ? 1000 / step : null;
  const mean = (k: number) => (w.n[k]! > 0 ? w.sum[k]! / w.n[k]! : null);
  const peak = (k: number) => w.max[k] ?? null;
  const sdX = sd(w.sepN[0]!, w.sepSum[0]!, w.sepSq[0]!);
  const sdY = sd(w.sepN[1]!, w.sepSum[1]!, w.sepSq[1]!);
  const axis = sdX === null || sdY === null ? null : sdX >= sdY ? 0 : 1;
  const tally = axis === null ? null : w.tally[axis]!;
  const gaitOk = tally !== null && fps !== null && fps >= CADENCE_MIN_FPS;
  return {
    start: w.start,
    end: w.start + windowMs,
    frames: w.frames,
    validFrames: w.valid,
    fps,
    filtered: w.filteredSamples > 0,
    filteredShare: w.angleSamples > 0 ? w.filteredSamples / w.angleSamples : null,
    kneeFlexionMeanLeftDeg: mean(KNEE_L),
    kneeFlexionMeanRightDeg: mean(KNEE_R),
    kneeFlexionPeakLeftDeg: peak(KNEE_L),
    kneeFlexionPeakRightDeg: peak(KNEE_R),
    hipFlexionPeakLeftDeg: peak(HIP_L),
    hipFlexionPeakRightDeg: peak(HIP_R),
    elbowFlexionMeanLeftDeg: mean(ELBOW_L),
    elbowFlexionMeanRightDeg: mean(ELBOW_R),
    kneeFppaPeakLeftDeg: peak(FPPA_L),
    kneeFppaPeakRightDeg: peak(FPPA_R),
    trunkLeanMeanDeg: mean(TRUNK),
    trunkLeanPeakDeg: peak(TRUNK),
    stepAxis: axis === null ? null : axis === 0 ? "x" : "y",
    steps: tally === null ? 0 : tally.nA + tally.nB,
    cadenceSpm: gaitOk ? cadence(tally) : null,
    kneeFlexionSymmetryIndexPct: symmetryIndex(peak(KNEE_L), peak(KNEE_R)),
    stepTimeAsymmetryPct: gaitOk ? stepTimeAsymmetry(tally) : null,
  };
}

type Out = { closed: BiomechWindow[]; deviations: { window: BiomechWindow; finding: DeviationFinding }[] };

/**
 * Analyses every block that can no longer change (all of them when `latest` is null: the final
 * chunk) and closes the windows whose blocks are all analysed.
 */
function advance(s: BiomechState, latest: number | null, out: Out): void {
  const b = s.buf;
  while (s.nextBlock !== null && b.t.length > 0) {
    const start = s.nextBlock;
    if (latest !== null ? latest < start + BLOCK_MS + FILTER_PAD_MS : b.t[b.t.length - 1]! < start) break;
    analyseBlock(s, start);
    // The next block, or straight to the block of the next frame across a gap.
    const i = lowerBound(b.t, start + BLOCK_MS);
    const next =
      i < b.t.length ? Math.max(start + BLOCK_MS, Math.floor(b.t[i]! / BLOCK_MS) * BLOCK_MS) : start + BLOCK_MS;
    s.nextBlock = next;
    const keep = lowerBound(b.t, next - FILTER_PAD_MS);
    if (keep > 0) {
      b.t.splice(0, keep);
      for (const v of b.v) v.splice(0, keep);
    }
  }
  const frontier = latest === null ? Number.POSITIVE_INFINITY : (s.nextBlock ?? Number.NEGATIVE_INFINITY);
  while (s.open.length > 0 && s.open[0]!.start + s.windowMs <= frontier) {
    const closed = toClosed(s.open.shift()!, s.windowMs);
    out.closed.push(closed);
    const findings = stepDeviation(s.deviation, {
      start: closed.start,
      end: closed.end,
      validS: closed.fps !== null ? closed.validFrames / closed.fps : 0,
      features: {
        knee_fppa_peak_left_deg: closed.kneeFppaPeakLeftDeg,
        knee_fppa_peak_right_deg: closed.kneeFppaPeakRightDeg,
        trunk_lean_peak_deg: closed.trunkLeanPeakDeg,
      },
    });
    for (const finding of findings) out.deviations.push({ window: closed, finding });
  }
}

/**
 * Applies one chunk of a subject's frames, which must come in order (the stream runtime's sequencer
 * sees to it): windows that can no longer change close, with their deviation findings.
 */
export function applyPoseChunk(s: BiomechState, c: BiomechChunkInput): BiomechChunkResult {
  const out: Out = { closed: [], deviations: [] };
  let accepted = 0;
  let outOfOrder = 0;
  for (const f of c.frames) {
    const t = c.t0 + f.t;
    if (!Number.isFinite(t) || (s.lastT !== null && t <= s.lastT)) {
      outOfOrder++;
      continue;
    }
    accepted++;
    const w = windowFor(s, t);
    w.frames++;
    if (s.lastT !== null) {
      const key = String(Math.round(t - s.lastT));
      w.steps[key] = (w.steps[key] ?? 0) + 1;
    }
    const masked = maskKeypoints(f.keypoints);
    if (LOWER_BODY.every((k) => masked[k] !== null && masked[k] !== undefined)) w.valid++;
    s.buf.t.push(t);
    const series = frameSeries(masked);
    for (const [k, v] of series.entries()) s.buf.v[k]!.push(v);
    c.onFrame?.(t, series, f.keypoints);
    s.lastT = t;
    s.nextBlock ??= Math.floor(t / BLOCK_MS) * BLOCK_MS;
    advance(s, t, out);
  }
  if (c.final) advance(s, null, out);
  return { accepted, outOfOrder, ...out };
}
