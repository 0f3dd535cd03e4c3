import {
  butterLowpass,
  filtfilt,
  KEYPOINT_SCORE_THRESHOLD,
  lfilter,
  lfilterZi,
  maskKeypoints,
  padLength,
  runs,
  sports2dLowpass,
  stepStats,
  timeSteps,
  zeroPhaseLowpass,
} from "../../lambdas/core/pose/signal.js";
import { facingPlayer, withScore } from "./biomech-fixtures.js";

const SQRT2 = Math.SQRT2;

function expectAllClose(actual: readonly number[], expected: readonly number[], digits: number): void {
  expect(actual).toHaveLength(expected.length);
  for (const [i, v] of expected.entries()) expect(actual[i]).toBeCloseTo(v, digits);
}

/** Amplitude of the f-Hz component of y[from..to) sampled at fs, by least squares on sin and cos. */
function amplitude(y: readonly number[], f: number, fs: number, from: number, to: number): number {
  let ss = 0;
  let sc = 0;
  let cc = 0;
  let ys = 0;
  let yc = 0;
  for (let i = from; i < to; i++) {
    const s = Math.sin((2 * Math.PI * f * i) / fs);
    const c = Math.cos((2 * Math.PI * f * i) / fs);
    ss += s * s;
    sc += s * c;
    cc += c * c;
    ys += y[i]! * s;
    yc += y[i]! * c;
  }
  const det = ss * cc - sc * sc;
  const a = (ys * cc - yc * sc) / det;
  const b = (yc * ss - ys * sc) / det;
  return Math.sqrt(a * a + b * b);
}

describe("keypoint masking", () => {
  it("masks keypoints scored below 0.3 (Sports2D, MoveNet demo) and keeps the rest", () => {
    expect(KEYPOINT_SCORE_THRESHOLD).toBe(0.3);
    const s = withScore(withScore(facingPlayer(0, 0), "left_knee", 0.29), "right_knee", 0.3);
    const m = maskKeypoints(s);
    expect(m[13]).toBeNull();
    expect(m[14]).toEqual(s[14]);
    expect(m[0]).toEqual(s[0]);
    expect(m[1]).toBeNull(); // not found stays not found
  });
});

describe("Butterworth design (bilinear transform with pre-warping, as scipy.signal.butter)", () => {
  it("butter(2, 0.5) = b [1, 2, 1] / (2 + √2), a [1, 0, 3 − 2√2] (0.2929, 0.5858, 0.2929; 1, 0, 0.1716)", () => {
    const f = butterLowpass(2, 0.5);
    const k = 1 / (2 + SQRT2);
    expectAllClose(f.b, [k, 2 * k, k], 14);
    expectAllClose(f.a, [1, 0, 3 - 2 * SQRT2], 14);
    expect(f.b.map((v) => Math.round(v * 1e4) / 1e4)).toEqual([0.2929, 0.5858, 0.2929]);
  });

  it("butter(1, 0.5) is the two-tap average b [0.5, 0.5], a [1, 0]", () => {
    const f = butterLowpass(1, 0.5);
    expect(f.b[0]).toBeCloseTo(0.5, 15);
    expect(f.b[1]).toBeCloseTo(0.5, 15);
    expect(f.a[1]).toBeCloseTo(0, 15);
  });

  it("Sports2D at 25 fps is butter(2, 6 / 12.5), the closed-form second-order bilinear Butterworth", () => {
    // K = tan(π·Wn/2); b0 = K² / (1 + √2K + K²); a1 = 2(K² − 1) / (...); a2 = (1 − √2K + K²) / (...).
    const K = Math.tan((Math.PI * 0.48) / 2);
    const d = 1 + SQRT2 * K + K * K;
    const f = sports2dLowpass(25)!;
    expectAllClose(f.b, [(K * K) / d, (2 * K * K) / d, (K * K) / d], 14);
    expectAllClose(f.a, [1, (2 * (K * K - 1)) / d, (1 - SQRT2 * K + K * K) / d], 14);
    expect(padLength(f)).toBe(9);
  });

  it("is not designed below 4 × the cut-off (24 fps for 6 Hz), nor for an odd zero-phase order", () => {
    expect(sports2dLowpass(23.9)).toBeNull();
    expect(sports2dLowpass(24)).not.toBeNull();
    expect(() => sports2dLowpass(25, 6, 3)).toThrow(/must be even/);
    expect(() => butterLowpass(0, 0.5)).toThrow(/positive integer/);
    expect(() => butterLowpass(2, 1)).toThrow(/in \(0, 1\)/);
  });
});

describe("filtfilt (scipy.signal.filtfilt defaults)", () => {
  it("starts a constant in its steady state: lfilter from lfilter_zi × x0 returns the constant", () => {
    const f = sports2dLowpass(25)!;
    const zi = lfilterZi(f).map((z) => z * 3.5);
    for (const y of lfilter(f, new Array(20).fill(3.5), zi)) expect(y).toBeCloseTo(3.5, 12);
    for (const y of filtfilt(f, new Array(20).fill(3.5))!) expect(y).toBeCloseTo(3.5, 12);
  });

  it("with butter(1, 0.5) is the zero-phase kernel [1/4, 1/2, 1/4], edges kept by the odd extension (by hand)", () => {
    // Forward u_i = (x_i + x_{i−1}) / 2, backward y_i = (u_i + u_{i+1}) / 2; at the ends the odd
    // extension x_{−1} = 2x_0 − x_1 gives y_0 = x_0 (and likewise y_6 = x_6).
    const y = filtfilt(butterLowpass(1, 0.5), [0, 0, 0, 4, 0, 0, 8])!;
    expectAllClose(y, [0, 0, 1, 2, 1, 2, 8], 12);
  });

  it("refuses runs no longer than padlen = 3·max(len(a), len(b)), as scipy does", () => {
    expect(filtfilt(butterLowpass(1, 0.5), [1, 2, 3, 4, 5, 6])).toBeNull();
    expect(filtfilt(sports2dLowpass(25)!, new Array(9).fill(1))).toBeNull();
    expect(filtfilt(sports2dLowpass(25)!, new Array(10).fill(1))).not.toBeNull();
  });

  it("passes each frequency with the squared Butterworth gain 1 / (1 + (tan(πf/fs) / tan(πfc/fs))^4)", () => {
    const fs = 25;
    const f = sports2dLowpass(fs)!;
    for (const hz of [1, 2, 6, 9]) {
      const x = Array.from({ length: 2000 }, (_, i) => Math.sin((2 * Math.PI * hz * i) / fs + 0.3));
      const y = filtfilt(f, x)!;
      const ratio = Math.tan((Math.PI * hz) / fs) / Math.tan((Math.PI * 6) / fs);
      expect(amplitude(y, hz, fs, 500, 1500)).toBeCloseTo(1 / (1 + ratio ** 4), 6);
    }
    // At the cut-off the cascade is exactly half (−6 dB): Sports2D does not correct for the second pass.
  });

  it("is zero-phase: a symmetric pulse stays symmetric and centred, where one pass delays it", () => {
    const f = sports2dLowpass(25)!;
    const x = Array.from({ length: 201 }, (_, i) => Math.exp(-(((i - 100) / 3) ** 2)));
    const y = filtfilt(f, x)!;
    for (let k = 1; k <= 100; k++) expect(y[100 - k]).toBeCloseTo(y[100 + k]!, 10);
    expect(y.indexOf(Math.max(...y))).toBe(100);
    const once = lfilter(f, x);
    expect(once.indexOf(Math.max(...once))).toBeGreaterThan(100);
  });
});

describe("zero-phase low-pass over a timestamped series with gaps", () => {
  const t = Array.from({ length: 40 }, (_, i) => i * 40);
  const v = t.map((ms) => Math.sin(ms / 150) + (ms % 120 === 0 ? 0.2 : 0));

  it("filters each run between missing samples on its own and interpolates nothing", () => {
    const gappy: (number | null)[] = [...v];
    gappy[20] = null;
    const r = zeroPhaseLowpass(t, gappy);
    expect(r.fs).toBe(25);
    expect(r.rateAllows).toBe(true);
    expect(r.values[20]).toBeNull();
    expect(r.filtered[20]).toBe(false);
    const f = sports2dLowpass(25)!;
    expect(r.values.slice(0, 20)).toEqual(filtfilt(f, v.slice(0, 20)));
    expect(r.values.slice(21)).toEqual(filtfilt(f, v.slice(21)));
  });

  it("splits at a time gap longer than 1.5 median frame steps", () => {
    const tg = t.map((ms, i) => (i >= 20 ? ms + 80 : ms)); // two frames dropped after the 20th
    const r = zeroPhaseLowpass(tg, v);
    const f = sports2dLowpass(25)!;
    expect(r.values.slice(0, 20)).toEqual(filtfilt(f, v.slice(0, 20)));
    expect(r.values.slice(20)).toEqual(filtfilt(f, v.slice(20)));
    expect(runs(tg, v, 60)).toEqual([
      [0, 20],
      [20, 40],
    ]);
  });

  it("leaves runs of padlen samples or fewer unfiltered, as Sports2D does", () => {
    const short: (number | null)[] = [...v];
    short[5] = null;
    const r = zeroPhaseLowpass(t, short);
    expect(r.values.slice(0, 5)).toEqual(v.slice(0, 5));
    expect(r.filtered.slice(0, 5)).toEqual([false, false, false, false, false]);
    expect(r.filtered[6]).toBe(true);
  });

  it("does not filter below 24 fps and says so", () => {
    const slow = t.map((ms) => ms * 1.25); // 20 fps
    const r = zeroPhaseLowpass(slow, v);
    expect(r.fs).toBe(20);
    expect(r.rateAllows).toBe(false);
    expect(r.values).toEqual(v);
    expect(zeroPhaseLowpass([0], [1]).fs).toBeNull();
  });

  it("takes the frame step as the mean of the steps that are not gaps (> 1.5 × the median)", () => {
    expect(stepStats(timeSteps([0, 40, 80, 1000, 1040]))).toEqual({ median: 40, gapMs: 60, step: 40 });
    // A jitter pattern: the median (42) would say 23.8 fps, the mean of non-gap steps says 25.
    expect(stepStats([42, 42, 37, 42, 37])!.step).toBe(40);
    expect(stepStats(timeSteps([0]))).toBeNull();
    expect(stepStats([0, 0])).toBeNull();
  });
});
