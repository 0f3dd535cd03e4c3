import { linearFitAt, ringFitAt2, ringSlope, savgolLinear } from "../../lambdas/core/stream/smoothing.js";

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

  it("fits over a ring exactly, to the bit, as over the same samples in order", () => {
    // Irregular times and noisy values; windows of 2..7 samples starting at every slot of a 7-slot ring.
    const t = [0, 40, 80, 125, 160, 200, 240, 281, 320, 362, 400];
    const a = [1.13, 3.7, 2.01, 5.5, 4.25, 6.125, 5.3, 4.4, 7.07, 6.6, 8.8];
    const b = [0.3, -1.2, 2.25, 1.1, 0.01, 3.3, 2.2, 2.9, 1.5, 0.7, -0.4];
    const size = 7;
    const ring = (v: number[], upTo: number) => {
      const r = new Array<number>(size).fill(0);
      for (let k = 0; k < upTo; k++) r[k % size] = v[k]!;
      return r;
    };
    const out: [number, number] = [0, 0];
    for (let end = 2; end <= t.length; end++)
      for (let count = 2; count <= Math.min(size, end); count++) {
        const lo = end - count;
        const at = t[lo + Math.floor(count / 2)]!;
        ringFitAt2(ring(t, end), ring(a, end), ring(b, end), lo, count, at, out);
        expect(out).toEqual([linearFitAt(t, a, lo, end, at), linearFitAt(t, b, lo, end, at)]);
        // An array in order is a ring that never wraps.
        expect(ringSlope(ring(t, end), ring(a, end), lo, count)).toBe(ringSlope(t, a, lo, count));
      }
  });

  it("fails when given no samples", () => {
    expect(() => linearFitAt([], [], 0, 0, 0)).toThrow(/at least one sample/);
  });
});
