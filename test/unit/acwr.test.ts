import {
  ACWR_ACUTE_DAYS,
  ACWR_CHRONIC_DAYS,
  ACWR_MIN_HISTORY_DAYS,
  ACWR_SEED_DAYS,
  acwr,
  dailySeries,
  isSpike,
  lambdaFor,
} from "../../lambdas/core/load/acwr.js";

const DAY = 86_400_000;
const D0 = Date.parse("2026-04-01T00:00:00Z");

describe("acute:chronic workload ratio (EWMA, Williams et al. 2017)", () => {
  it("uses lambda = 2 / (N + 1): 0.25 for 7 days, 2/29 for 28", () => {
    expect(lambdaFor(ACWR_ACUTE_DAYS)).toBe(0.25);
    expect(lambdaFor(ACWR_CHRONIC_DAYS)).toBeCloseTo(0.0689655, 7);
  });

  it("follows EWMA_t = l x load_t + (1 - l) x EWMA_t-1, seeded with the first days' mean, worked by hand", () => {
    // GIVEN 3 days: 100, 0 (rest), 200; the seed is their mean, 100 (fewer than 7 days)
    const r = acwr(
      [
        { day: D0, load: 100 },
        { day: D0 + 2 * DAY, load: 200 },
      ],
      D0 + 2 * DAY,
    );
    // acute: 100 -> 0.25*100+0.75*100 = 100 -> 0.75*100 = 75 -> 0.25*200 + 0.75*75 = 106.25
    expect(r.acute).toBeCloseTo(106.25, 10);
    // chronic (l = 2/29): 100 -> 100 -> 100*27/29 -> 200*2/29 + (27/29)^2*100
    expect(r.chronic).toBeCloseTo((200 * 2) / 29 + (27 / 29) ** 2 * 100, 10);
    expect(r.historyDays).toBe(3);
    expect(ACWR_SEED_DAYS).toBe(7);
  });

  it("gives 1.0 for a constant load, and no flag", () => {
    const sessions = Array.from({ length: 40 }, (_, i) => ({ day: D0 + i * DAY, load: 5000 }));
    const r = acwr(sessions, D0 + 39 * DAY);
    expect(r.ratio).toBeCloseTo(1, 12);
    expect(isSpike(r)).toBe(false);
  });

  it("flags a return from a layoff: three light weeks, then full load", () => {
    const sessions = [
      ...Array.from({ length: 28 }, (_, i) => ({ day: D0 + i * DAY, load: i < 7 ? 5000 : 1000 })),
      ...Array.from({ length: 7 }, (_, i) => ({ day: D0 + (28 + i) * DAY, load: 7000 })),
    ];
    const r = acwr(sessions, D0 + 34 * DAY);
    expect(r.ratio!).toBeGreaterThan(1.5);
    expect(isSpike(r)).toBe(true);
  });

  it("does not flag before a chronic window of history exists", () => {
    const sessions = [
      ...Array.from({ length: 20 }, (_, i) => ({ day: D0 + i * DAY, load: 500 })),
      { day: D0 + 20 * DAY, load: 20_000 },
    ];
    const r = acwr(sessions, D0 + 20 * DAY);
    expect(r.ratio!).toBeGreaterThan(1.5);
    expect(r.historyDays).toBeLessThan(ACWR_MIN_HISTORY_DAYS);
    expect(isSpike(r)).toBe(false);
  });

  it("sums sessions of one day, fills rest days with 0 and ignores later sessions", () => {
    const s = dailySeries(
      [
        { day: D0 + 3_600_000, load: 1 },
        { day: D0 + 7_200_000, load: 2 },
        { day: D0 + 2 * DAY, load: 4 },
        { day: D0 + 5 * DAY, load: 99 },
      ],
      D0 + 2 * DAY,
    );
    expect(s).toEqual([
      { day: D0, load: 3 },
      { day: D0 + DAY, load: 0 },
      { day: D0 + 2 * DAY, load: 4 },
    ]);
  });
});
