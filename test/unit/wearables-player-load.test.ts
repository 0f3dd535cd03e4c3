import {
  IMU_MAX_GAP_PERIODS,
  type ImuSeries,
  imuMaxGapMs,
  PLAYER_LOAD_DIVISOR,
  playerLoad,
  playerLoad2dStep,
  playerLoadPerMin,
  playerLoadStep,
} from "../../lambdas/core/wearables/player-load.js";

/**
 * The KNOWN WRONG variant, kept here only to show it differs: dividing the summed change by the
 * sample rate instead of by 100. It coincides with PlayerLoad at 100 Hz and nowhere else.
 */
function playerLoadDividedByRate(s: ImuSeries): number {
  let sum = 0;
  for (let i = 1; i < s.t.length; i++) {
    const dx = s.ax[i]! - s.ax[i - 1]!;
    const dy = s.ay[i]! - s.ay[i - 1]!;
    const dz = s.az[i]! - s.az[i - 1]!;
    sum += Math.sqrt(dx * dx + dy * dy + dz * dz);
  }
  return sum / s.rateHz;
}

/**
 * A vector of `amp` g turning at `freqHz` in the x-y plane over 1 g on z, sampled at `rateHz`:
 * every step changes it by the chord 2 amp sin(pi freq / rate), so PlayerLoad is analytic.
 */
function rotating(rateHz: number, seconds: number, amp: number, freqHz: number): ImuSeries {
  const n = Math.round(seconds * rateHz);
  const t = Array.from({ length: n }, (_, i) => (i * 1000) / rateHz);
  const phase = t.map((ms) => 2 * Math.PI * freqHz * (ms / 1000));
  return {
    t,
    ax: phase.map((p) => amp * Math.cos(p)),
    ay: phase.map((p) => amp * Math.sin(p)),
    az: t.map(() => 1),
    rateHz,
    verticalAxis: "z",
  };
}

describe("PlayerLoad", () => {
  it("gives the hand-worked sum of three samples, and 2D without the vertical axis", () => {
    // (0,0,1) -> (0.3,0.4,1): |d| = 0.5; -> (0.3,0.4,2): |d| = 1. PL = 1.5/100; 2D (z up) = 0.5/100.
    const s: ImuSeries = {
      t: [0, 10, 20],
      ax: [0, 0.3, 0.3],
      ay: [0, 0.4, 0.4],
      az: [1, 1, 2],
      rateHz: 100,
      verticalAxis: "z",
    };
    const r = playerLoad(s);
    expect(r.playerLoad).toBeCloseTo(0.015, 15);
    expect(r.playerLoad2d).toBeCloseTo(0.005, 15);
    expect(r.coveredS).toBeCloseTo(0.02, 15);
    expect(r.playerLoadPerMin).toBeCloseTo(0.015 / (0.02 / 60), 10);
    // The vertical axis picks which two axes 2D keeps: with y up it is dx and dz (0.3, then 1).
    expect(playerLoad({ ...s, verticalAxis: "y" }).playerLoad2d).toBeCloseTo((0.3 + 1) / 100, 15);
    expect(playerLoad({ ...s, verticalAxis: "x" }).playerLoad2d).toBeCloseTo((0.4 + 1) / 100, 15);
  });

  it("matches the analytic chord sum of a rotating vector at 52 Hz", () => {
    const s = rotating(52, 60, 0.5, 2);
    const chord = 2 * 0.5 * Math.sin((Math.PI * 2) / 52);
    const expected = ((s.t.length - 1) * chord) / PLAYER_LOAD_DIVISOR;
    const r = playerLoad(s);
    expect(r.playerLoad).toBeCloseTo(expected, 10);
    expect(r.playerLoad2d).toBeCloseTo(expected, 10); // z is constant: nothing to leave out
    expect(r.coveredS).toBeCloseTo((s.t.length - 1) / 52, 9);
  });

  it("differs from the divide-by-rate variant by 100/52 at 52 Hz, and coincides at 100 Hz", () => {
    const at52 = rotating(52, 30, 0.5, 2);
    expect(playerLoadDividedByRate(at52) / playerLoad(at52).playerLoad).toBeCloseTo(100 / 52, 12);
    const at100 = rotating(100, 30, 0.5, 2);
    expect(playerLoadDividedByRate(at100)).toBeCloseTo(playerLoad(at100).playerLoad, 12);
  });

  it("does not count a difference across a gap of more than five sample periods", () => {
    expect(IMU_MAX_GAP_PERIODS).toBe(5);
    expect(imuMaxGapMs(100)).toBe(50);
    // 100 Hz: steps of 10 ms, then 60 ms (a gap: the 3 g jump is a restart, not movement), then 50 ms (counted).
    const s: ImuSeries = {
      t: [0, 10, 70, 120],
      ax: [0, 0.1, 3.1, 3.3],
      ay: [0, 0, 0, 0],
      az: [1, 1, 1, 1],
      rateHz: 100,
      verticalAxis: "z",
    };
    const r = playerLoad(s);
    expect(r.playerLoad).toBeCloseTo((0.1 + 0.2) / 100, 15);
    expect(r.coveredS).toBeCloseTo(0.06, 15);
  });

  it("has no rate per minute without coverage", () => {
    expect(playerLoadPerMin(1, 0)).toBeNull();
    expect(playerLoad({ t: [0], ax: [0], ay: [0], az: [1], rateHz: 52, verticalAxis: "y" })).toEqual({
      playerLoad: 0,
      playerLoad2d: 0,
      coveredS: 0,
      playerLoadPerMin: null,
    });
    expect(playerLoadStep(3, 4, 0)).toBe(0.05);
    expect(playerLoad2dStep(3, 4, 12, "y")).toBeCloseTo(Math.hypot(3, 12) / 100, 15);
  });
});
