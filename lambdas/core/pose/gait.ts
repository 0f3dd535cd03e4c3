/**
 * Gait from 2D ankle trajectories: steps, cadence and left/right asymmetry.
 *
 * Steps. The signal is the separation of the two ankles, left minus right, along one image axis,
 * in leg lengths (so that it does not depend on the player's size in the image). Seen from the side
 * the horizontal separation swings between "left foot ahead" and "right foot ahead"; seen from the
 * front or behind the vertical one does (the leading foot sits lower in the image, the swinging foot
 * higher). Each extreme of that swing is a heel strike, as in Zeni, Richards & Higginson (2008,
 * Gait Posture 27:710-714), who take heel strike at the foot's greatest anterior distance from the
 * pelvis; here the other foot is the reference, so extremes alternate: a maximum (left leading)
 * then a minimum (right leading). A step is the time from one extreme to the next. Extremes are
 * confirmed with hysteresis (the signal must retreat STEP_HYSTERESIS_LEG from a candidate) and timed
 * to a fraction of a frame by the vertex of the parabola through the extreme and its neighbours.
 *
 * Left and right are not attributed: which extreme is a left heel strike depends on the direction
 * of travel, which a 2D image does not give. Steps ending at a maximum are "A" steps and at a
 * minimum "B" steps. Cadence needs no labels, and both asymmetry measures below are symmetric in
 * their two arguments, so swapping A and B never changes them.
 */
import { KP } from "../../contracts/records/pose.js";
import { distance, MIN_SEGMENT_PX, type Skeleton } from "./angles.js";

const LEGS = [
  [KP.left_hip, KP.left_knee, KP.left_ankle],
  [KP.right_hip, KP.right_knee, KP.right_ankle],
] as const;

/**
 * The shortest step counted: 200 ms, 5 steps/s. Elite 100 m sprinters step at about 4-5 Hz (Salo
 * et al. 2011, Med Sci Sports Exerc 43:1055-1062; Hunter, Marshall & McNair 2004); a shorter
 * "step" is noise.
 */
export const MIN_STEP_MS = 200;
/**
 * The longest step counted: 1000 ms, 60 steps/min. Below 60 steps/min is sporadic or purposeful
 * stepping, not walking (Tudor-Locke et al. 2018, Br J Sports Med 52:776-788); a longer interval is
 * a pause, not a step.
 */
export const MAX_STEP_MS = 1000;
/**
 * An ankle-separation extreme is confirmed once the signal has moved back this far from it, in leg
 * lengths. About one SD of the inter-ankle separation's noise implied by COCO's ankle keypoint
 * spread (OKS sigma 0.089 of the object scale, Lin et al. 2014): noise alone rarely makes a step,
 * while a running or walking stride swings the side-on separation by a whole leg length or more.
 * Sideline rule.
 */
export const STEP_HYSTERESIS_LEG = 0.1;
/**
 * Cadence is computed only at or above this frame rate: a 200 ms step (MIN_STEP_MS) then spans at
 * least two frames, twice the Nyquist rate of the ankle separation's 2.5 Hz cycle at 5 steps/s.
 * Sideline rule.
 */
export const CADENCE_MIN_FPS = 10;
/** Cadence needs at least this many steps: two strides, so a lone pair of steps does not set a rate. Sideline rule. */
export const MIN_STEPS_FOR_CADENCE = 4;
/** Step-time asymmetry needs at least this many steps of each kind (A and B). Sideline rule. */
export const MIN_STEPS_PER_SIDE = 2;

/**
 * Symmetry index, % (Robinson, Herzog & Nigg 1987, J Manipulative Physiol Ther 10:172-176):
 * SI = |L − R| / (0.5 · (L + R)) · 100. 0 is perfect symmetry. Null when L + R is not positive (the
 * index is meant for positive magnitudes and grows without bound as L + R nears 0).
 */
export function symmetryIndex(left: number | null, right: number | null): number | null {
  if (left === null || right === null || !(left + right > 0)) return null;
  return (Math.abs(left - right) / (0.5 * (left + right))) * 100;
}

/**
 * Gait asymmetry, % (Plotnik, Giladi & Hausdorff 2007, Exp Brain Res 181:561-570):
 * GA = 100 · |ln(L / R)|, defined there on the two legs' swing times and used here on step times.
 * 0 is perfect symmetry. Null unless both are positive.
 */
export function gaitAsymmetry(left: number | null, right: number | null): number | null {
  if (left === null || right === null || !(left > 0) || !(right > 0)) return null;
  return 100 * Math.abs(Math.log(left / right));
}

/**
 * The ankles' separation, left minus right, along x and along y, in leg lengths: the mean over both
 * legs of thigh + shank (hip–knee + knee–ankle), which knee flexion does not shorten. Null unless
 * both hips, knees and ankles are present.
 */
export function ankleSeparation(s: Skeleton): [number, number] | null {
  let leg = 0;
  for (const [hip, knee, ankle] of LEGS) {
    const h = s[hip];
    const k = s[knee];
    const a = s[ankle];
    if (!h || !k || !a) return null;
    leg += distance(h, k) + distance(k, a);
  }
  leg /= 2;
  if (leg < MIN_SEGMENT_PX) return null;
  const l = s[KP.left_ankle]!;
  const r = s[KP.right_ankle]!;
  return [(l[0] - r[0]) / leg, (l[1] - r[1]) / leg];
}

/** A candidate extreme with its neighbouring samples (for the parabola). */
interface Candidate {
  t: number;
  v: number;
  tp: number | null;
  vp: number | null;
  tn: number | null;
  vn: number | null;
}

/** The step detector's state: plain JSON, carried between chunks. */
export interface StepTracker {
  /** 0: no extreme confirmed yet in this run; 1: looking for a maximum; -1: for a minimum. */
  seek: 0 | 1 | -1;
  hi: Candidate | null;
  lo: Candidate | null;
  prevT: number | null;
  prevV: number | null;
  /** The last confirmed extreme of this run. */
  last: { t: number; kind: 1 | -1 } | null;
}

/** A confirmed extreme: kind 1 a maximum, -1 a minimum; `stepMs` from the previous extreme of the run. */
export interface StepEvent {
  readonly t: number;
  readonly kind: 1 | -1;
  readonly stepMs: number | null;
}

export const newStepTracker = (): StepTracker => ({
  seek: 0,
  hi: null,
  lo: null,
  prevT: null,
  prevV: null,
  last: null,
});

/** Ends the current run (a gap or a missing sample): the next extreme starts a new chain of steps. */
export function resetStepTracker(tr: StepTracker): void {
  tr.seek = 0;
  tr.hi = null;
  tr.lo = null;
  tr.prevT = null;
  tr.prevV = null;
  tr.last = null;
}

/** The time of the vertex of the parabola through a candidate and its neighbours, within them. */
function vertexTime(c: Candidate): number {
  if (c.tp === null || c.vp === null || c.tn === null || c.vn === null) return c.t;
  const d1 = c.t - c.tp;
  const d3 = c.t - c.tn;
  const den = d1 * (c.v - c.vn) - d3 * (c.v - c.vp);
  if (den === 0) return c.t;
  const tv = c.t - (0.5 * (d1 * d1 * (c.v - c.vn) - d3 * d3 * (c.v - c.vp))) / den;
  return Math.min(Math.max(tv, c.tp), c.tn);
}

/**
 * Confirms a candidate. One at the first sample of a run is not known to be an extreme (the run may
 * start mid-swing): it switches the search but is not an event.
 */
function confirm(tr: StepTracker, c: Candidate, kind: 1 | -1): StepEvent | null {
  if (c.tp === null) return null;
  const t = vertexTime(c);
  const stepMs = tr.last === null ? null : t - tr.last.t;
  tr.last = { t, kind };
  return { t, kind, stepMs };
}

const candidate = (t: number, v: number, tr: StepTracker): Candidate => ({
  t,
  v,
  tp: tr.prevT,
  vp: tr.prevV,
  tn: null,
  vn: null,
});

/**
 * Feeds one sample of the separation (in time order, within one run); returns the extreme it
 * confirms, if any.
 */
export function pushStepSample(
  tr: StepTracker,
  t: number,
  v: number,
  hysteresis = STEP_HYSTERESIS_LEG,
): StepEvent | null {
  for (const c of [tr.hi, tr.lo]) {
    if (c !== null && c.tn === null && c.t === tr.prevT) {
      c.tn = t;
      c.vn = v;
    }
  }
  let event: StepEvent | null = null;
  let switched = false;
  if (tr.seek >= 0) {
    if (tr.hi === null || v > tr.hi.v) tr.hi = candidate(t, v, tr);
    else if (v < tr.hi.v - hysteresis) {
      event = confirm(tr, tr.hi, 1);
      switched = true;
      tr.seek = -1;
      tr.hi = null;
      tr.lo = candidate(t, v, tr);
    }
  }
  if (!switched && tr.seek <= 0) {
    if (tr.lo === null || v < tr.lo.v) tr.lo = candidate(t, v, tr);
    else if (v > tr.lo.v + hysteresis) {
      event = confirm(tr, tr.lo, -1);
      tr.seek = 1;
      tr.lo = null;
      tr.hi = candidate(t, v, tr);
    }
  }
  tr.prevT = t;
  tr.prevV = v;
  return event;
}

/** Step times by kind, as running sums: plain JSON. */
export interface StepTally {
  /** Steps ending at a maximum of the separation. */
  nA: number;
  sumA: number;
  /** Steps ending at a minimum. */
  nB: number;
  sumB: number;
  /** Intervals outside [MIN_STEP_MS, MAX_STEP_MS], not counted. */
  rejected: number;
}

export const newStepTally = (): StepTally => ({ nA: 0, sumA: 0, nB: 0, sumB: 0, rejected: 0 });

/** Counts an event's step when it has one within [MIN_STEP_MS, MAX_STEP_MS]. */
export function tallyStep(tally: StepTally, e: StepEvent): void {
  if (e.stepMs === null) return;
  if (e.stepMs < MIN_STEP_MS || e.stepMs > MAX_STEP_MS) {
    tally.rejected++;
    return;
  }
  if (e.kind === 1) {
    tally.nA++;
    tally.sumA += e.stepMs;
  } else {
    tally.nB++;
    tally.sumB += e.stepMs;
  }
}

/**
 * Cadence, steps per minute: two steps per stride, 120 000 / (mean A step + mean B step) in ms, so
 * an odd count of one kind does not tilt it; 60 000 / the mean step when only one kind was seen.
 * Null with fewer than MIN_STEPS_FOR_CADENCE steps.
 */
export function cadence(tally: StepTally): number | null {
  const n = tally.nA + tally.nB;
  if (n < MIN_STEPS_FOR_CADENCE) return null;
  if (tally.nA === 0 || tally.nB === 0) return (60_000 * n) / (tally.sumA + tally.sumB);
  return 120_000 / (tally.sumA / tally.nA + tally.sumB / tally.nB);
}

/** Step-time asymmetry, % (Plotnik GA) of the mean A and B step times, or null with too few of either. */
export function stepTimeAsymmetry(tally: StepTally): number | null {
  if (tally.nA < MIN_STEPS_PER_SIDE || tally.nB < MIN_STEPS_PER_SIDE) return null;
  return gaitAsymmetry(tally.sumA / tally.nA, tally.sumB / tally.nB);
}

/**
 * Whole-series step detection (the streaming accumulator does the same sample by sample): runs are
 * split at missing samples and at steps longer than `maxStepMs` between samples.
 */
export function detectSteps(
  t: readonly number[],
  v: readonly (number | null)[],
  maxStepMs: number,
  hysteresis = STEP_HYSTERESIS_LEG,
): StepEvent[] {
  const tr = newStepTracker();
  const out: StepEvent[] = [];
  let prev: number | null = null;
  for (let i = 0; i < t.length; i++) {
    const x = v[i];
    if (x === null || x === undefined) {
      resetStepTracker(tr);
      prev = null;
      continue;
    }
    if (prev !== null && t[i]! - prev > maxStepMs) resetStepTracker(tr);
    prev = t[i]!;
    const e = pushStepSample(tr, t[i]!, x, hysteresis);
    if (e) out.push(e);
  }
  return out;
}
