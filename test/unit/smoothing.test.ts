import { linearFitAt, linearFitAt2, savgolLinear } from "../../lambdas/core/stream/smoothing.js";

describe("Savitzky-Golay, window 7, order 1", () => {
  it("matches scipy.signal.savgol_filter(v, 7, 1) with mode='interp' on evenly spaced samples", () => {
    // v = k^2. Interior points are the centred 7-point mean; the first and last 3 points take the
    // least-squares line of the first / last 7 samples (scipy docs, mode='interp'), worked by hand:
    // first window: mean 13, slope 6 -> -5, 1, 7, 13; last window: mean 29, slope 10 -> 29, 39, 49, 59.
    const t = [0, 1, 2, 3, 4, 5, 6, 7, 8];
    const v = t.map((k) => k * k);
    expect(savgolLinear(t, v).map((x) => Math.round(x * 1e9) / 1e9)).toEqual([-5, 1, 7, 13, 20, 29, 39, 49, 59]);
  });

  it("uses actual times when sampling is irregular: a straight line is returned unchanged", () => {
    const t = [0, 40, 90, 120, 200, 240, 260, 330, 400];
    const v = t.map((x) => 3 + 0.01 * x);
    for (const [i, s] of savgolLinear(t, v).entries()) expect(s).toBeCloseTo(v[i]!, 10);
  });

  it("fits short segments over all their samples", () => {
    expect(savgolLinear([0, 1, 2], [1, 2, 3])).toEqual([1, 2, 3]);
    expect(savgolLinear([0], [5])).toEqual([5]);
  });

  it("fits two series in one pass exactly as two single fits", () => {
    const t = [0, 40, 80, 125, 160, 200, 240];
    const a = [1, 3, 2, 5, 4, 6, 5];
    const b = [0, -1, 2, 1, 0, 3, 2];
    const out: [number, number] = [0, 0];
    linearFitAt2(t, a, b, 0, 7, 125, out);
    expect(out[0]).toBeCloseTo(linearFitAt(t, a, 0, 7, 125), 12);
    expect(out[1]).toBeCloseTo(linearFitAt(t, b, 0, 7, 125), 12);
  });

  it("fails when given no samples", () => {
    expect(() => linearFitAt([], [], 0, 0, 0)).toThrow(/at least one sample/);
  });
});
