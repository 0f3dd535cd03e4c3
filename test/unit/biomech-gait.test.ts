import {
  ankleSeparation,
  cadence,
  detectSteps,
  gaitAsymmetry,
  MAX_STEP_MS,
  MIN_STEP_MS,
  newStepTally,
  stepTimeAsymmetry,
  symmetryIndex,
  tallyStep,
} from "../../lambdas/core/pose/gait.js";
import { gaitSeparation, sideOnWalker, skeleton } from "./biomech-fixtures.js";

function tallyOf(t: readonly number[], v: readonly number[]) {
  const tally = newStepTally();
  for (const e of detectSteps(t, v, 60)) tallyStep(tally, e);
  return tally;
}

describe("symmetry index (Robinson, Herzog & Nigg 1987)", () => {
  it("is |L − R| / (0.5 (L + R)) × 100, by hand", () => {
    expect(symmetryIndex(100, 90)).toBeCloseTo((10 / 95) * 100, 12); // 10.526%
    expect(symmetryIndex(90, 100)).toBeCloseTo((10 / 95) * 100, 12);
    expect(symmetryIndex(50, 50)).toBe(0);
  });

  it("is null when L + R is not positive or a side is missing", () => {
    expect(symmetryIndex(0, 0)).toBeNull();
    expect(symmetryIndex(-5, 2)).toBeNull();
    expect(symmetryIndex(null, 2)).toBeNull();
  });
});

describe("gait asymmetry (Plotnik, Giladi & Hausdorff 2007)", () => {
  it("is 100 |ln(L / R)|, by hand: 0.55 s vs 0.50 s is 100 ln 1.1 = 9.531%", () => {
    expect(gaitAsymmetry(0.55, 0.5)).toBeCloseTo(100 * Math.log(1.1), 12);
    expect(gaitAsymmetry(0.5, 0.55)).toBeCloseTo(9.531, 3);
    expect(gaitAsymmetry(0.5, 0.5)).toBe(0);
  });

  it("is null unless both are positive", () => {
    expect(gaitAsymmetry(0, 0.5)).toBeNull();
    expect(gaitAsymmetry(0.5, null)).toBeNull();
  });
});

describe("ankle separation", () => {
  it("is left minus right along x and y, in leg lengths (thigh + shank)", () => {
    const sep = ankleSeparation(sideOnWalker(0.5))!;
    expect(sep[0]).toBeCloseTo(0.5, 12);
    expect(sep[1]).toBeCloseTo(0, 12);
  });

  it("is null without both legs", () => {
    expect(ankleSeparation(skeleton({ left_hip: [0, 0], left_knee: [0, 80], left_ankle: [0, 160] }))).toBeNull();
  });
});

describe("steps from the ankle separation's extremes", () => {
  // gaitSeparation: steps of 400 ms (ending at a maximum) and 440 ms (ending at a minimum), each
  // extreme a parabolic cap, so the parabola through three samples finds it exactly at any phase.
  const t = Array.from({ length: 300 }, (_, i) => 13 + i * 40); // 25 fps, extremes between frames

  it("times each step to the millisecond between frames", () => {
    const events = detectSteps(
      t,
      t.map((ms) => gaitSeparation(ms)),
      60,
    );
    const steps = events.filter((e) => e.stepMs !== null);
    expect(steps.length).toBeGreaterThan(20);
    for (const e of steps) expect(e.stepMs).toBeCloseTo(e.kind === 1 ? 400 : 440, 9);
    // The run starts on the way down from a maximum it did not see: the first event is the minimum
    // at 440 ms, with no step before it.
    expect(events[0]!.t).toBeCloseTo(440, 9);
    expect(events[0]!.stepMs).toBeNull();
  });

  it("gives cadence 120 000 / (mean A step + mean B step) and the step-time asymmetry of the two kinds", () => {
    const tally = tallyOf(
      t,
      t.map((ms) => gaitSeparation(ms)),
    );
    expect(tally.nA).not.toBe(tally.nB); // an odd count of one kind does not tilt the cadence
    expect(cadence(tally)).toBeCloseTo(120_000 / (400 + 440), 9); // 142.857 steps/min
    expect(stepTimeAsymmetry(tally)).toBeCloseTo(100 * Math.log(440 / 400), 9); // 9.531%
  });

  it("ignores jitter smaller than the hysteresis: standing still makes no steps", () => {
    const tally = tallyOf(
      t,
      t.map((ms) => 0.04 * Math.sin(ms / 30)),
    );
    expect(tally.nA + tally.nB + tally.rejected).toBe(0);
    expect(cadence(tally)).toBeNull();
  });

  it(`rejects intervals shorter than ${MIN_STEP_MS} ms or longer than ${MAX_STEP_MS} ms`, () => {
    const fast = tallyOf(
      t,
      t.map((ms) => 0.5 * Math.cos((Math.PI * ms) / 120)), // a "step" every 120 ms
    );
    expect(fast.nA + fast.nB).toBe(0);
    expect(fast.rejected).toBeGreaterThan(0);
    const slow = tallyOf(
      t,
      t.map((ms) => 0.5 * Math.cos((Math.PI * ms) / 1200)), // 1.2 s between extremes: pauses
    );
    expect(slow.nA + slow.nB).toBe(0);
    expect(slow.rejected).toBeGreaterThan(0);
  });

  it("restarts the chain of steps after a gap or a missing sample", () => {
    const v: (number | null)[] = t.map((ms) => gaitSeparation(ms));
    v[100] = null;
    const events = detectSteps(t, v, 60);
    const afterGap = events.filter((e) => e.t > t[100]!);
    expect(afterGap[0]!.stepMs).toBeNull();
    const tg = t.map((ms, i) => (i > 150 ? ms + 5000 : ms));
    const gapped = detectSteps(
      tg,
      t.map((ms) => gaitSeparation(ms)),
      60,
    );
    expect(gapped.filter((e) => e.t > tg[151]! && e.stepMs === null)).toHaveLength(1);
  });

  it("needs two strides for a cadence and two steps of each kind for an asymmetry", () => {
    const tally = newStepTally();
    tallyStep(tally, { t: 400, kind: 1, stepMs: 400 });
    tallyStep(tally, { t: 840, kind: -1, stepMs: 440 });
    tallyStep(tally, { t: 1240, kind: 1, stepMs: 400 });
    expect(cadence(tally)).toBeNull();
    expect(stepTimeAsymmetry(tally)).toBeNull();
    tallyStep(tally, { t: 1680, kind: -1, stepMs: 440 });
    expect(cadence(tally)).toBeCloseTo(60_000 / 420, 9);
    const oneKind = newStepTally();
    for (let i = 1; i <= 4; i++) tallyStep(oneKind, { t: 500 * i, kind: 1, stepMs: 500 });
    expect(cadence(oneKind)).toBeCloseTo(120, 9);
    expect(stepTimeAsymmetry(tally)).toBeCloseTo(100 * Math.log(1.1), 9);
  });
});
