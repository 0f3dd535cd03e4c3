import {
  type ClosedWindowSummary,
  FATIGUE_COOLDOWN_MS,
  newFatigueState,
  stepFatigue,
} from "../../lambdas/core/tracking/fatigue.js";

const MIN = 60_000;
const T0 = Date.parse("2026-05-16T15:00:00Z");
const win = (i: number, hiM: number, trackedMs = MIN): ClosedWindowSummary => ({
  start: T0 + i * MIN,
  end: T0 + (i + 1) * MIN,
  hiM,
  trackedMs,
});

function feed(his: readonly number[], opts: { trackedMs?: (i: number) => number; skip?: number } = {}) {
  const s = newFatigueState();
  const fired: { index: number; finding: NonNullable<ReturnType<typeof stepFatigue>> }[] = [];
  his.forEach((hi, i) => {
    if (i === opts.skip) return;
    const f = stepFatigue(s, win(i, hi, opts.trackedMs?.(i) ?? MIN), MIN);
    if (f) fired.push({ index: i, finding: f });
  });
  return fired;
}

describe("fatigue rule", () => {
  // 30 min at 30 m/min of HI running (150 m per 5 min), then 5 m/min.
  // Short block (5 min) is 25 m per 5 min from the 5th low window: 17% < 50%.
  // Long block (15 min) per 5 min = (5k + 30(15 - k)) / 3, below 0.5 x 150 = 75 from k = 10;
  // two consecutive closes -> the 11th low window (index 40) fires.
  const his = [...Array(30).fill(30), ...Array(30).fill(5)];

  it("fires once the 5- and 15-minute drops hold on two consecutive windows", () => {
    const fired = feed(his);
    expect(fired[0]!.index).toBe(40);
    const f = fired[0]!.finding;
    expect(f.baselineRatePer5Min).toBeCloseTo(150, 9);
    expect(f.features.map((x) => [x.name, Math.round(x.value * 1000) / 1000, x.threshold])).toEqual([
      ["hi_distance_m_per_5min_last_5min", 25, 75],
      ["hi_distance_m_per_5min_last_15min", 58.333, 75],
    ]);
    expect(f.features[0]!.contribution + f.features[1]!.contribution).toBeCloseTo(1, 12);
    expect(f.trailing.map((w) => w.start)).toEqual([36, 37, 38, 39, 40].map((i) => T0 + i * MIN));
    expect(f.baseline.count).toBe(26);
  });

  it("does not fire again within the cool-down", () => {
    const fired = feed(his);
    expect(fired).toHaveLength(1 + Math.floor((his.length - 41) / (FATIGUE_COOLDOWN_MS / MIN)));
    for (let i = 1; i < fired.length; i++) {
      expect(fired[i]!.index - fired[i - 1]!.index).toBeGreaterThanOrEqual(FATIGUE_COOLDOWN_MS / MIN);
    }
  });

  it("does not fire on a steady player", () => {
    expect(feed(Array(90).fill(30))).toEqual([]);
  });

  it("does not judge a baseline below 60 m per 5 min (goalkeepers)", () => {
    // 11 m/min is 55 m per 5 min: a drop to nothing is still not judged.
    expect(feed([...Array(30).fill(11), ...Array(30).fill(0)])).toEqual([]);
  });

  it("does not judge blocks with a missing window or poor coverage", () => {
    expect(feed(his, { skip: 37 }).every((f) => f.index >= 37 + 15)).toBe(true);
    expect(feed(his, { trackedMs: (i) => (i >= 30 ? 0.5 * MIN : MIN) })).toEqual([]);
  });
});
