import type { Keypoint } from "../../lambdas/core/pose/angles.js";
import {
  applyPoseChunk,
  type BiomechChunkResult,
  type BiomechState,
  FILTER_PAD_MS,
  newBiomechState,
} from "../../lambdas/core/pose/biomech-windows.js";
import { KNEE_FPPA_MDC_DEG } from "../../lambdas/core/pose/deviation.js";
import { facingPlayer, gaitSeparation, medialFor, sideOnWalker, withScore } from "./biomech-fixtures.js";

const MIN = 60_000;
const T0 = Date.parse("2026-05-16T15:00:00Z"); // on a minute: windows start here
type Frame = { t: number; keypoints: Keypoint[] };

const ATAN_3_4 = (Math.atan2(3, 4) * 180) / Math.PI;

/** Feeds frames in chunks of `size` (the last one final), optionally through JSON between chunks. */
function run(frames: readonly Frame[], size: number, roundTrip = false, windowMs = MIN) {
  let s: BiomechState = newBiomechState(windowMs);
  const results: BiomechChunkResult[] = [];
  for (let i = 0; i < frames.length; i += size) {
    const chunk = frames.slice(i, i + size);
    const t0 = T0 + chunk[0]!.t;
    results.push(
      applyPoseChunk(s, {
        t0,
        frames: chunk.map((f) => ({ t: T0 + f.t - t0, keypoints: f.keypoints })),
        final: i + size >= frames.length,
      }),
    );
    if (roundTrip) s = JSON.parse(JSON.stringify(s)) as BiomechState;
  }
  return {
    s,
    closed: results.flatMap((r) => r.closed),
    deviations: results.flatMap((r) => r.deviations),
  };
}

/**
 * 150 s of a player seen side-on at 25 fps with timestamp jitter of ±2 ms, starting 15 s into a
 * minute: steps of 400 and 440 ms; knees scored 0.1 (masked) for 3 s; one frame dropped at 70 s;
 * nothing from 100 s to 105 s.
 */
function walk(): Frame[] {
  const out: Frame[] = [];
  for (let i = 0; i < 150 * 25; i++) {
    if (i === 70 * 25 || (i >= 100 * 25 && i < 105 * 25)) continue;
    const ms = 15_000 + i * 40 + (((i * 7) % 5) - 2);
    let k = sideOnWalker(gaitSeparation(ms));
    if (i >= 40 * 25 && i < 43 * 25) k = withScore(withScore(k, "left_knee", 0.1), "right_knee", 0.1);
    out.push({ t: ms, keypoints: k });
  }
  return out;
}

describe("biomechanics windows", () => {
  it("gives the hand-worked angles of a still player facing the camera", () => {
    // FPPA 20° left, −10° right; shoulders 90 px to the right over 120 px of trunk: lean atan(3/4).
    const still = facingPlayer(medialFor(20), -medialFor(10), 90);
    const frames = Array.from({ length: 25 * 20 }, (_, i) => ({ t: i * 40, keypoints: still }));
    const { closed } = run(frames, frames.length, false, 10_000);
    expect(closed).toHaveLength(2);
    const w = closed[0]!;
    expect(w).toMatchObject({ start: T0, end: T0 + 10_000, frames: 250, validFrames: 250, fps: 25, filtered: true });
    expect(w.filteredShare).toBe(1);
    expect(w.kneeFppaPeakLeftDeg).toBeCloseTo(20, 6);
    expect(w.kneeFppaPeakRightDeg).toBeCloseTo(-10, 6);
    expect(w.kneeFlexionPeakLeftDeg).toBeCloseTo(20, 6); // the same bend, unsigned
    expect(w.kneeFlexionMeanRightDeg).toBeCloseTo(10, 6);
    expect(w.kneeFlexionSymmetryIndexPct).toBeCloseTo((10 / 15) * 100, 4); // |20 − 10| / 15
    expect(w.trunkLeanMeanDeg).toBeCloseTo(Math.round(ATAN_3_4 * 10) / 10, 6); // stored to 0.1°
    expect(w.trunkLeanPeakDeg).toBeCloseTo(36.9, 6);
    expect(w.cadenceSpm).toBeNull();
    expect(w.steps).toBe(0);
  });

  it("finds the cadence and step-time asymmetry of a side-on walker", () => {
    const { closed } = run(walk(), 1000);
    expect(closed.map((w) => (w.start - T0) / 1000)).toEqual([0, 60, 120]);
    const full = closed[1]!;
    expect(full.stepAxis).toBe("x");
    expect(full.steps).toBeGreaterThan(120);
    // 400 and 440 ms steps: 120 000 / 840 = 142.857 steps/min; GA = 100 ln(1.1) = 9.531%. At 25 fps
    // the filtered extremes land within a millisecond of the truth: GA moves 0.48% per ms.
    expect(full.cadenceSpm).toBeCloseTo(142.857, 0);
    expect(Math.abs(full.stepTimeAsymmetryPct! - 100 * Math.log(1.1))).toBeLessThan(0.5);
    expect(full.kneeFppaPeakLeftDeg).toBeNull(); // side view
    expect(full.fps).toBeCloseTo(25, 1); // ±2 ms jitter: the window holds part of a pattern
  });

  it("reports knees masked below the score threshold as missing, not as angles", () => {
    const frames = walk().filter((f) => f.t >= 55_010 && f.t < 57_990); // clear of the ±2 ms jitter
    const { closed } = run(frames, frames.length);
    expect(closed[0]!.kneeFlexionMeanLeftDeg).toBeNull();
    expect(closed[0]!.validFrames).toBe(0);
    expect(closed[0]!.elbowFlexionMeanLeftDeg).not.toBeNull();
  });

  it("does not filter at 10 fps and says so; cadence needs 10 fps", () => {
    const frames = Array.from({ length: 10 * 30 }, (_, i) => ({
      t: i * 100,
      keypoints: sideOnWalker(gaitSeparation(i * 100)),
    }));
    const w = run(frames, frames.length).closed[0]!;
    expect(w.fps).toBe(10);
    expect(w.filtered).toBe(false);
    expect(w.filteredShare).toBe(0);
    expect(w.kneeFlexionMeanLeftDeg).not.toBeNull();
    expect(w.cadenceSpm).not.toBeNull();
    const slow = Array.from({ length: 5 * 30 }, (_, i) => ({
      t: i * 200,
      keypoints: sideOnWalker(gaitSeparation(i * 200)),
    }));
    expect(run(slow, slow.length).closed[0]!.cadenceSpm).toBeNull();
  });

  it("closes a window only once a frame at or after its end plus the filter's pad has arrived", () => {
    const s = newBiomechState();
    const frame = (ms: number) => ({ t: ms, keypoints: sideOnWalker(gaitSeparation(ms)) });
    const first = Array.from({ length: (60_000 + FILTER_PAD_MS) / 40 }, (_, i) => frame(i * 40));
    expect(applyPoseChunk(s, { t0: T0, frames: first }).closed).toEqual([]);
    const r = applyPoseChunk(s, { t0: T0, frames: [frame(60_000 + FILTER_PAD_MS)] });
    expect(r.closed.map((w) => w.start)).toEqual([T0]);
    expect(r.closed[0]!.frames).toBe(1500);
  });

  it("gives identical windows at any chunking, and through JSON between chunks", () => {
    const frames = walk();
    const reference = run(frames, frames.length);
    expect(reference.closed).toHaveLength(3);
    for (const size of [1, 7, 25]) {
      const chunked = run(frames, size, true);
      expect(chunked.closed).toEqual(reference.closed);
      expect(chunked.deviations).toEqual(reference.deviations);
      expect(chunked.s).toEqual(reference.s);
    }
  });

  it("keeps its state well under 50 KB: a 60 s window at 25 fps, and at 60 fps", () => {
    const frames = walk().filter((f) => f.t < 15_000 + 90_000); // 30 s into the second window
    const at25 = JSON.stringify(run(frames, 250).s).length;
    expect(at25).toBeLessThan(15_000);
    const fast = Array.from({ length: 90 * 60 }, (_, i) => ({
      t: Math.round((i * 1000) / 60),
      keypoints: sideOnWalker(gaitSeparation((i * 1000) / 60)),
    }));
    expect(JSON.stringify(run(fast, 600).s).length).toBeLessThan(30_000);
  });

  it("drops frames that do not move forward in time and counts them", () => {
    const s = newBiomechState();
    const k = sideOnWalker(0);
    const r = applyPoseChunk(s, {
      t0: T0,
      frames: [
        { t: 0, keypoints: k },
        { t: 40, keypoints: k },
        { t: 40, keypoints: k },
        { t: 20, keypoints: k },
        { t: 80, keypoints: k },
      ],
    });
    expect(r.accepted).toBe(3);
    expect(r.outOfOrder).toBe(2);
  });

  it("raises the deviation finding when a player's FPPA jumps", () => {
    // Ten-second windows: 12 at 10° of left valgus, then 25°; the baseline SD is 0, so the margin is
    // the MDC (8.93°) and the second 25° window fires. The player is out of view for the second
    // before the change, so the zero-phase filter does not smear the jump into window 11.
    const frames = Array.from({ length: 15 * 250 }, (_, i) => ({
      t: i * 40,
      keypoints: facingPlayer(medialFor(i < 12 * 250 ? 10 : 25), 0),
    })).filter((f) => f.t < 119_000 || f.t >= 120_000);
    const { closed, deviations } = run(frames, 100, true, 10_000);
    expect(closed).toHaveLength(15);
    expect(deviations).toHaveLength(1);
    const { window, finding } = deviations[0]!;
    expect(window.start).toBe(T0 + 13 * 10_000);
    expect(finding.feature).toBe("knee_fppa_peak_left_deg");
    expect(finding.value).toBeCloseTo(25, 6);
    expect(finding.baseline.mean).toBeCloseTo(10, 6);
    expect(finding.baseline.count).toBe(12);
    expect(finding.threshold).toBeCloseTo(10 + KNEE_FPPA_MDC_DEG, 6);
    expect(finding.trend.map((p) => Math.round(p.value!))).toEqual([...Array(12).fill(10), 25, 25]);
  });

  it("fails on a window that is not a whole number of seconds", () => {
    expect(() => newBiomechState(1500)).toThrow(/whole number of seconds/);
  });
});
