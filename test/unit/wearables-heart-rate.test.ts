import {
  banisterSecond,
  edwardsTrimp,
  gridPoints,
  HR_MAX_GAP_S,
  type HrReference,
  heartRateLoad,
  heartRateReserve,
  hrZone,
} from "../../lambdas/core/wearables/heart-rate.js";

const REF: HrReference = { hrMaxBpm: 200, hrRestBpm: 60, sex: "male", source: "squad" };

/** Readings every `stepS` seconds from 0 to `seconds` inclusive, at `bpm(t in s)`. */
function readings(seconds: number, stepS: number, bpm: (s: number) => number) {
  const t: number[] = [];
  const b: number[] = [];
  for (let s = 0; s <= seconds; s += stepS) {
    t.push(s * 1000);
    b.push(bpm(s));
  }
  return { t, bpm: b };
}

describe("heart-rate zones and TRIMP", () => {
  it("puts 10 min at 85 % of HRmax in zone 4: Edwards 40, Banister by hand", () => {
    const r = readings(600, 1, () => 170);
    const load = heartRateLoad(r.t, r.bpm, REF);
    expect(load.coveredS).toBe(600);
    expect(load.gapS).toBe(0);
    expect(load.zoneS).toEqual([0, 0, 0, 600, 0]);
    expect(load.trimpEdwards).toBe(40); // 10 min x 4
    // HRr = (170 - 60) / (200 - 60) = 0.785714; 1.92 x HRr = 1.508571; Math.exp(1.508571) = 4.520269;
    // per minute 0.785714 x 0.64 x 4.520269 = 2.273049; 10 min: 22.73049.
    expect(load.trimpBanister).toBeCloseTo(22.73049, 5);
    expect(load.meanBpm).toBe(170);
    expect(load.peakBpm).toBe(170);
  });

  it("uses the women's weighting for female players", () => {
    // HRr = 0.5: 0.5 x 0.86 x Math.exp(0.835) = 0.5 x 0.86 x 2.304814 = 0.991070 per minute.
    const ref: HrReference = { ...REF, sex: "female" };
    expect(banisterSecond(130, ref) * 60).toBeCloseTo(0.99107, 5);
    // Men: 0.5 x 0.64 x exp(1.92 x 0.5) = 0.5 x 0.64 x 2.611696 = 0.835743 per minute.
    expect(banisterSecond(130, REF) * 60).toBeCloseTo(0.835743, 6);
  });

  it("bands by fraction of HRmax, with nothing under 50 %", () => {
    expect([99, 100, 119.9, 120, 140, 160, 179.9, 180, 210].map((b) => hrZone(b, 200))).toEqual([
      0, 1, 1, 2, 3, 4, 4, 5, 5,
    ]);
    expect(edwardsTrimp([60, 60, 60, 60, 60])).toBe(15);
  });

  it("clamps the heart-rate reserve to [0, 1]", () => {
    expect(heartRateReserve(50, REF)).toBe(0);
    expect(heartRateReserve(130, REF)).toBe(0.5);
    expect(heartRateReserve(210, REF)).toBe(1);
    expect(banisterSecond(50, REF)).toBe(0);
  });

  it("interpolates linearly to 1 s between readings up to 10 s apart", () => {
    expect(HR_MAX_GAP_S).toBe(10);
    // 100 bpm at 0 s, 150 at 5 s: grid seconds 0-4 at 100, 110, 120, 130, 140.
    const load = heartRateLoad([0, 5000], [100, 150], REF);
    expect(load.coveredS).toBe(5);
    expect(load.meanBpm).toBe(120);
    expect(load.peakBpm).toBe(150);
    expect(load.zoneS).toEqual([2, 2, 1, 0, 0]); // 100, 110 in zone 1; 120, 130 in zone 2; 140 in zone 3
    // Off-grid readings: 500 ms and 2500 ms hold the grid seconds 1 and 2.
    expect(heartRateLoad([500, 2500], [100, 120], REF)).toMatchObject({ coveredS: 2, meanBpm: 110 });
    // Exactly 10 s apart is still interpolated.
    expect(heartRateLoad([0, 10_000], [150, 150], REF)).toMatchObject({ coveredS: 10, gapS: 0 });
  });

  it("counts a longer gap as dropout seconds, never as 0 bpm", () => {
    const load = heartRateLoad([0, 5000, 20_000, 21_000], [150, 150, 150, 150], REF);
    expect(load.coveredS).toBe(6);
    expect(load.gapS).toBe(15);
    expect(load.meanBpm).toBe(150);
    expect(load.zoneS).toEqual([0, 0, 6, 0, 0]);
    expect(load.trimpEdwards).toBeCloseTo((6 * 3) / 60, 12);
  });

  it("has no TRIMP without a covered second", () => {
    expect(heartRateLoad([0], [150], REF)).toMatchObject({
      coveredS: 0,
      trimpEdwards: null,
      trimpBanister: null,
      peakBpm: 150,
    });
    expect(gridPoints(0, 0)).toBe(0);
    expect(gridPoints(1, 3001)).toBe(3); // 1000, 2000, 3000
  });
});
