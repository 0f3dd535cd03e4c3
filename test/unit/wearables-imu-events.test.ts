import {
  CLIP_FRACTION,
  detectImuEvents,
  FLIGHT_ACC_G,
  IMPACT_MAX_EXCURSION_MS,
  IMPACT_QUIET_MS,
  impactBand,
  isClipped,
  jumpHeightM,
  MIN_FLIGHT_MS,
  newImpactDetector,
  newJumpDetector,
  STANDARD_GRAVITY_MPS2,
  stepImpact,
  stepJump,
} from "../../lambdas/core/wearables/imu-events.js";
import { imuMaxGapMs } from "../../lambdas/core/wearables/player-load.js";

const RATE = 52;
const NO_GAP = Number.POSITIVE_INFINITY;

/** A vertical-only signal (|a| on y) at `rate` Hz from a list of |a| values: times k x 1000 / rate. */
function signal(values: readonly number[], rate = RATE) {
  return {
    t: values.map((_, k) => (k * 1000) / rate),
    ax: values.map(() => 0),
    ay: [...values],
    az: values.map(() => 0),
  };
}

const repeat = (v: number, n: number): number[] => new Array(n).fill(v);

describe("impacts", () => {
  it("bands peaks at 5, 6.5 and 8 g", () => {
    expect([4.99, 5, 6.49, 6.5, 7.99, 8, 12].map(impactBand)).toEqual([
      null,
      "light",
      "light",
      "moderate",
      "moderate",
      "heavy",
      "heavy",
    ]);
  });

  it("counts one impact per spike, at its peak, ended by 100 ms below 5 g", () => {
    expect(IMPACT_QUIET_MS).toBe(100);
    // 100 Hz. A: 5.5, 7, 6 -> one moderate at 7. B: 9 alone -> heavy. C: 6, then 8.2 50 ms later
    // (higher: the peak moves) -> one heavy. D: 6, then 5.5 50 ms later (lower, inside) -> one light.
    // E: 6, then 5.5 150 ms later (outside) -> two light.
    const v = repeat(1, 200);
    v.splice(10, 3, 5.5, 7, 6);
    v[40] = 9;
    v[70] = 6;
    v[75] = 8.2;
    v[110] = 6;
    v[115] = 5.5;
    v[150] = 6;
    v[165] = 5.5;
    const ev = detectImuEvents(signal(v, 100), NO_GAP, 16);
    expect(ev.impacts.map((i) => [Math.round(i.t), i.g, i.band])).toEqual([
      [110, 7, "moderate"],
      [400, 9, "heavy"],
      [750, 8.2, "heavy"],
      [1100, 6, "light"],
      [1500, 6, "light"],
      [1650, 5.5, "light"],
    ]);
  });

  it("counts one impact on a long spike that decays slowly, at its peak", () => {
    // 40 Hz: 6, 5.8, 5.6, 5.4, 5.2, 5.1 g at 0-125 ms stay above 5 g for 125 ms, longer than the
    // quiet time: still one excursion, one impact (a refractory time from the peak gave two, at 0 and 100 ms).
    const ev = detectImuEvents(signal([6, 5.8, 5.6, 5.4, 5.2, 5.1, ...repeat(1, 10)], 40), NO_GAP, 16);
    expect(ev.impacts).toEqual([{ t: 0, g: 6, band: "light" }]);
  });

  it("closes an excursion held above 5 g for a second (a stuck sensor), so it cannot hold the windows open", () => {
    // 100 Hz, 2.5 s at a constant 6 g then quiet: one impact per IMPACT_MAX_EXCURSION_MS (at 0, 1,000 and
    // 2,000 ms), never one excursion the length of the fault.
    const ev = detectImuEvents(signal([...repeat(6, 250), ...repeat(1, 20)], 100), NO_GAP, 16);
    expect(IMPACT_MAX_EXCURSION_MS).toBe(1000);
    expect(ev.impacts.map((i) => i.t)).toEqual([0, 1000, 2000]);
  });

  it("merges a dip below 5 g shorter than the quiet time, and bands the excursion by its peak", () => {
    // 100 Hz: 6 g at 100 ms, 3 g for 80 ms, then 7 g 90 ms after the 6: one moderate at the 7.
    const dip = (after: number) => {
      const v = repeat(1, 60);
      v[10] = 6;
      for (let k = 11; k < 10 + after; k++) v[k] = 3;
      v[10 + after] = 7;
      return detectImuEvents(signal(v, 100), NO_GAP, 16).impacts.map((i) => [Math.round(i.t), i.g, i.band]);
    };
    expect(dip(9)).toEqual([[190, 7, "moderate"]]);
    // 100 ms after it: the first excursion was over (below 5 g for the whole quiet time), two impacts.
    expect(dip(10)).toEqual([
      [100, 6, "light"],
      [200, 7, "moderate"],
    ]);
  });

  it("says an impact is over only once |a| has stayed below 5 g for the quiet time, and flushes the last one", () => {
    const d = newImpactDetector();
    expect(stepImpact(d, 0, 6)).toBeNull();
    expect(stepImpact(d, 99, 1)).toBeNull();
    expect(stepImpact(d, 100, 1)).toEqual({ t: 0, g: 6, band: "light" });
    expect(d).toEqual(newImpactDetector());
    // The quiet time runs from the excursion's last sample at or above 5 g, not from its peak.
    expect(stepImpact(d, 1000, 6)).toBeNull();
    expect(stepImpact(d, 1050, 5.5)).toBeNull();
    expect(stepImpact(d, 1149, 1)).toBeNull();
    expect(stepImpact(d, 1150, 1)).toEqual({ t: 1000, g: 6, band: "light" });
    expect(JSON.parse(JSON.stringify(d))).toEqual(newImpactDetector());
    // A spike at the very end of the data comes out with the flush.
    expect(detectImuEvents(signal([1, 1, 7]), NO_GAP, 8).impacts).toEqual([{ t: 2000 / 52, g: 7, band: "moderate" }]);
  });
});

describe("jumps", () => {
  it("finds a 0.5 s flight ended by a 5 g landing: h = g t^2 / 8 = 0.3065 m", () => {
    // 1 s standing, 26 samples (0.5 s at 52 Hz) at 0 g, the landing at 5 g, 1 s standing.
    const ev = detectImuEvents(signal([...repeat(1, 52), ...repeat(0, 26), 5, ...repeat(1, 52)]), NO_GAP, 8);
    expect(ev.jumps).toHaveLength(1);
    const j = ev.jumps[0]!;
    expect(j.t).toBe(1500);
    expect(j.flightS).toBe(0.5);
    expect(j.heightM).toBeCloseTo((STANDARD_GRAVITY_MPS2 * 0.25) / 8, 12);
    expect(j.heightM).toBeCloseTo(0.3065, 4);
    expect(ev.impacts.map((i) => i.band)).toEqual(["light"]); // the landing is also an impact
  });

  it("finds no jump in running strides with 0.12 s flights and 3 g foot strikes", () => {
    // One stride: 6 samples (0.115 s) near 0 g, a 3 g strike, 10 samples of stance at 1.5-2 g.
    const stride = [0.1, 0.05, 0.1, 0.2, 0.15, 0.3, 3, 2.2, 2, 1.8, 1.6, 1.5, 1.5, 1.6, 1.8, 2, 1.2];
    const ev = detectImuEvents(signal(Array.from({ length: 40 }, () => stride).flat()), NO_GAP, 8);
    expect(ev.jumps).toEqual([]);
    expect(ev.impacts).toEqual([]);
  });

  it("needs a flight of 0.25-1 s, near zero on average, and a landing within 100 ms", () => {
    const jumps = (v: number[]) => detectImuEvents(signal(v), NO_GAP, 8).jumps.length;
    const before = repeat(1, 10);
    expect(jumps([...before, ...repeat(0.1, 13), 5, 1])).toBe(1); // 0.25 s: the shortest jump
    expect(MIN_FLIGHT_MS).toBe(250);
    expect(jumps([...before, ...repeat(0.1, 12), 5, 1])).toBe(0); // 0.23 s: a stride's flight
    expect(jumps([...before, ...repeat(0.1, 52), 5, 1])).toBe(1); // 1.0 s
    expect(jumps([...before, ...repeat(0.1, 53), 5, 1])).toBe(0); // 1.02 s: a device falling
    expect(jumps([...before, ...repeat(0.7, 26), 5, 1])).toBe(0); // under FLIGHT_ACC_G, but not near zero
    expect(FLIGHT_ACC_G).toBe(0.8);
    expect(jumps([...before, ...repeat(0.1, 26), ...repeat(1, 20)])).toBe(0); // no landing spike
    expect(jumps([...before, ...repeat(0.1, 26), 0.9, 1.5, 4, 1])).toBe(1); // spike 38 ms after
    expect(jumps([...before, ...repeat(0.1, 26), 0.9, 1.5, 1.5, 1.5, 1.5, 1.5, 4, 1])).toBe(0); // 115 ms after
    // Single samples up to 0.7 g inside the flight are tolerated (as in the Movesense jumps).
    expect(jumps([...before, ...repeat(0.2, 10), 0.7, 0.55, 0.68, ...repeat(0.2, 10), 4.9, 1])).toBe(1);
  });

  it("drops a flight broken by a gap in the samples", () => {
    const s = signal([...repeat(1, 10), ...repeat(0, 26), 5, 1]);
    s.t = s.t.map((t, k) => (k >= 30 ? t + 200 : t)); // 200 ms lost mid-flight: 0.38 s, then 0.12 s
    expect(detectImuEvents(s, imuMaxGapMs(RATE), 8).jumps).toEqual([]);
    expect(detectImuEvents(s, NO_GAP, 8).jumps).toHaveLength(1);
  });

  it("starts a new flight when |a| drops again while waiting for the landing", () => {
    const d = newJumpDetector();
    for (let k = 0; k < 26; k++) stepJump(d, k * 20, 0);
    expect(stepJump(d, 520, 1)).toBeNull();
    expect(d.phase).toBe("landing");
    expect(stepJump(d, 540, 0.2)).toBeNull();
    expect(d).toMatchObject({ phase: "flight", from: 540, n: 1 });
  });

  it("gives heights from flight times", () => {
    expect(jumpHeightM(0)).toBe(0);
    expect(jumpHeightM(1)).toBeCloseTo(1.2258, 4);
  });
});

describe("clipping", () => {
  it("counts a sample with an axis at 99 % of the full scale", () => {
    expect(CLIP_FRACTION).toBe(0.99);
    expect(isClipped(0, 7.92, 0, 8)).toBe(true);
    expect(isClipped(-7.99, 0, 0, 8)).toBe(true);
    expect(isClipped(7.9, 7.9, 7.9, 8)).toBe(false); // a 13.7 g resultant, no axis at full scale
    expect(isClipped(0, 0, 8, 16)).toBe(false);
    const ev = detectImuEvents({ t: [0, 10, 20], ax: [0, 7.99, 0], ay: [1, 1, 1], az: [0, 0, -8] }, NO_GAP, 8);
    expect(ev.clippedSamples).toBe(2);
  });
});
