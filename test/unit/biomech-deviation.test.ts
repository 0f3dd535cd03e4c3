import {
  DEVIATION_COOLDOWN_MS,
  DEVIATION_INSIGHT,
  DEVIATION_MIN_BASELINE_WINDOWS,
  DEVIATION_TREND_WINDOWS,
  type DeviationFinding,
  type DeviationInput,
  KNEE_FPPA_MDC_DEG,
  newDeviationState,
  stepDeviation,
  TRUNK_LEAN_MIN_MARGIN_DEG,
} from "../../lambdas/core/pose/deviation.js";

const MIN = 60_000;
const T0 = Date.parse("2026-05-16T15:00:00Z");

const win = (
  i: number,
  fppaL: number | null,
  opts: { trunk?: number | null; validS?: number } = {},
): DeviationInput => ({
  start: T0 + i * MIN,
  end: T0 + (i + 1) * MIN,
  validS: opts.validS ?? 30,
  features: { knee_fppa_peak_left_deg: fppaL, knee_fppa_peak_right_deg: 8, trunk_lean_peak_deg: opts.trunk ?? 5 },
});

function feed(inputs: readonly DeviationInput[]) {
  const s = newDeviationState();
  const fired: { index: number; finding: DeviationFinding }[] = [];
  inputs.forEach((w, index) => {
    for (const finding of stepDeviation(s, w)) fired.push({ index, finding });
  });
  return { s, fired };
}

describe("biomechanics deviation rule", () => {
  // A steady left FPPA peak of 10° +/- 1° for 15 windows, then 22°: the baseline SD is about 1°, so
  // the margin is the FPPA MDC, 8.93° (Munro et al. 2012), and the threshold 10 + 8.93 = 18.93°.
  const steady = (i: number) => 10 + (i % 2 === 0 ? 1 : -1);
  const inputs = [
    ...Array.from({ length: 15 }, (_, i) => win(i, steady(i))),
    ...Array.from({ length: 5 }, (_, i) => win(15 + i, 22)),
  ];

  it("fires on the second consecutive window beyond the MDC, with everything an explanation needs", () => {
    const { fired } = feed(inputs);
    expect(fired.map((f) => f.index)).toEqual([16]);
    const f = fired[0]!.finding;
    expect(f.insight).toBe(DEVIATION_INSIGHT);
    expect(f.feature).toBe("knee_fppa_peak_left_deg");
    expect(f.unit).toBe("deg");
    expect(f.value).toBe(22);
    expect(f.direction).toBe("above");
    // Baseline: windows 0-14, alternating 11 and 9: mean 10 + 1/15, SD by hand from 8 elevens and 7 nines.
    const mean = (8 * 11 + 7 * 9) / 15;
    const sd = Math.sqrt((8 * (11 - mean) ** 2 + 7 * (9 - mean) ** 2) / 14);
    expect(f.baseline.count).toBe(15);
    expect(f.baseline.mean).toBeCloseTo(mean, 12);
    expect(f.baseline.sd).toBeCloseTo(sd, 12);
    expect(f.baseline.firstStart).toBe(T0);
    expect(f.baseline.lastEnd).toBe(T0 + 15 * MIN);
    expect(f.margin).toBe(KNEE_FPPA_MDC_DEG);
    expect(f.marginBasis).toBe("mdc");
    expect(f.threshold).toBeCloseTo(mean + KNEE_FPPA_MDC_DEG, 12);
    expect(f.window).toEqual({ start: T0 + 16 * MIN, end: T0 + 17 * MIN });
    expect(f.consecutive).toBe(2);
    expect(f.trend).toHaveLength(17);
    expect(f.trend[0]).toEqual({ start: T0, value: 11 });
    expect(f.trend.at(-1)).toEqual({ start: T0 + 16 * MIN, value: 22 });
  });

  it("uses k·SD when the player's own spread is wider than the MDC", () => {
    // Alternating 4° and 16°: SD ~6.2°, so 2·SD ~12.4° > 8.93°; 25° is beyond 10 + 12.4.
    const noisy = Array.from({ length: 12 }, (_, i) => win(i, i % 2 === 0 ? 4 : 16));
    const { fired } = feed([...noisy, win(12, 25), win(13, 25)]);
    expect(fired).toHaveLength(1);
    const f = fired[0]!.finding;
    expect(f.marginBasis).toBe("sd");
    expect(f.margin).toBeCloseTo(2 * f.baseline.sd, 12);
    expect(feed([...noisy, win(12, 21), win(13, 21)]).fired).toEqual([]); // within 2 SD
  });

  it("does not fire on one deviating window, nor on a steady player", () => {
    expect(feed([...inputs.slice(0, 15), win(15, 22), win(16, 10)]).fired).toEqual([]);
    expect(feed(Array.from({ length: 60 }, (_, i) => win(i, steady(i)))).fired).toEqual([]);
  });

  it(`waits for ${DEVIATION_MIN_BASELINE_WINDOWS} baseline windows before judging`, () => {
    const early = [...Array.from({ length: 9 }, (_, i) => win(i, 10)), win(9, 30), win(10, 30), win(11, 30)];
    const { fired } = feed(early);
    // Windows 0-9 fill the baseline (the 30° one included); 10 and 11 are judged against it.
    expect(fired.map((f) => f.index)).toEqual([11]);
    expect(fired[0]!.finding.baseline.count).toBe(10);
  });

  it("fires again for a lasting change only after the cool-down, and keeps deviating windows out of the baseline", () => {
    const long = [...inputs.slice(0, 15), ...Array.from({ length: 70 }, (_, i) => win(15 + i, 22))];
    const { fired } = feed(long);
    const gap = DEVIATION_COOLDOWN_MS / MIN;
    expect(fired.map((f) => f.index)).toEqual([16, 16 + gap, 16 + 2 * gap]);
    for (const f of fired) expect(f.finding.baseline.count).toBe(15);
  });

  it("watches trunk lean with its borrowed 2D-angle margin, in both directions", () => {
    const lean = Array.from({ length: 12 }, (_, i) => win(i, 10, { trunk: 20 }));
    const { fired } = feed([...lean, win(12, 10, { trunk: 5 }), win(13, 10, { trunk: 5 })]);
    expect(fired).toHaveLength(1);
    const f = fired[0]!.finding;
    expect(f.feature).toBe("trunk_lean_peak_deg");
    expect(f.direction).toBe("below");
    expect(f.margin).toBe(TRUNK_LEAN_MIN_MARGIN_DEG);
    expect(f.threshold).toBeCloseTo(20 - TRUNK_LEAN_MIN_MARGIN_DEG, 12);
  });

  it("does not judge windows with too little video or a missing feature, and they do not break a run", () => {
    const base = inputs.slice(0, 15);
    const { fired } = feed([...base, win(15, 22), win(16, 22, { validS: 2 }), win(17, null), win(18, 22)]);
    expect(fired.map((f) => f.index)).toEqual([18]);
    expect(fired[0]!.finding.trend.slice(-4).map((p) => p.value)).toEqual([22, 22, null, 22]);
  });

  it("resets the run when the direction changes", () => {
    const { fired } = feed([...inputs.slice(0, 15), win(15, 22), win(16, -2), win(17, 22)]);
    expect(fired).toEqual([]);
  });

  it(`keeps the last ${DEVIATION_TREND_WINDOWS} windows of trend`, () => {
    const { s } = feed(Array.from({ length: DEVIATION_TREND_WINDOWS + 30 }, (_, i) => win(i, steady(i))));
    expect(s.starts).toHaveLength(DEVIATION_TREND_WINDOWS);
    expect(s.starts[0]).toBe(T0 + 30 * MIN);
    expect(s.features.knee_fppa_peak_left_deg.trend).toHaveLength(DEVIATION_TREND_WINDOWS);
    expect(JSON.stringify(s).length).toBeLessThan(10_000);
  });
});
