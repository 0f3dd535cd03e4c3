import { renderInsightSvg, wrap } from "../../lambdas/core/insights/visuals.js";
import {
  cellOf,
  GRID_COLS,
  GRID_ROWS,
  newMatchProfileState,
  RHIE_MAX_GAP_MS,
  stepRhie,
} from "../../lambdas/core/tracking/match-profile.js";

describe("match profile", () => {
  it("maps pitch positions to 5 m cells, clamping positions off the pitch", () => {
    expect(cellOf(0, 0, 105, 68)).toBe(0);
    expect(cellOf(104.9, 67.9, 105, 68)).toBe(GRID_COLS * GRID_ROWS - 1);
    expect(cellOf(-10, 80, 105, 68)).toBe((GRID_ROWS - 1) * GRID_COLS);
    expect(cellOf(52.5, 34, 105, 68)).toBe(7 * GRID_COLS + 10);
  });

  it("counts a repeated high-intensity bout at the third effort within 21 s of the last (Spencer et al. 2004)", () => {
    const p = newMatchProfileState();
    for (const t of [0, 10_000, 20_000, 30_000]) stepRhie(p, t);
    expect(p.rhie.bouts).toBe(1); // the fourth effort extends the same bout
    for (const t of [100_000, 100_000 + RHIE_MAX_GAP_MS + 1, 200_000]) stepRhie(p, t);
    expect(p.rhie.bouts).toBe(1); // gaps over 21 s: no bout
  });

  it("counts a sprint that grows out of an acceleration once", () => {
    const p = newMatchProfileState();
    for (const t of [0, 1500, 10_000, 11_000, 20_000]) stepRhie(p, t);
    expect(p.rhie.bouts).toBe(1);
    expect(p.rhie.run).toBe(3);
  });
});

describe("insight picture", () => {
  const picture = (cells: number[]) =>
    renderInsightSvg({
      title: "Fatigue <home_7> & more",
      subtitle: "why",
      pitchLengthM: 105,
      pitchWidthM: 68,
      cells,
      heatmapLabel: "last 5 min",
      trend: {
        label: "HI",
        points: [
          [0, 10],
          [60_000, 20],
          [10 * 60_000, 5],
        ],
        baseline: 15,
        baselineLabel: "baseline",
        threshold: 7.5,
        thresholdLabel: "threshold",
        highlight: [0, 60_000],
        xLabel: "match time",
      },
    });

  it("draws one heat cell per visited cell, escapes text and breaks the line at a gap", () => {
    const cells = new Array<number>(GRID_COLS * GRID_ROWS).fill(0);
    cells[0] = 1000;
    cells[5] = 500;
    const svg = picture(cells);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.match(/fill="#ffeb3b"/g)).toHaveLength(2);
    expect(svg).toContain("Fatigue &lt;home_7&gt; &amp; more");
    // three points, the third 9 steps after the second: M L M
    expect(svg).toMatch(/<path d="M[\d.]+,[\d.]+ L[\d.]+,[\d.]+ M[\d.]+,[\d.]+"/);
  });

  it("wraps long subtitles at spaces, cutting the last line", () => {
    expect(wrap("aa bb cc dd", 5, 3)).toEqual(["aa bb", "cc dd"]);
    expect(wrap("aa bb cc dd ee ff", 5, 2)).toEqual(["aa bb", "cc..."]);
  });
});

describe("heatmap cells in the feature engine", () => {
  it("puts every tracked millisecond in one cell, identically at any chunk size", async () => {
    const { engineChunks, straightRun } = await import("../helpers/factories.js");
    const { applyChunk, newPlayerState } = await import("../../lambdas/core/tracking/player-features.js");
    // 150 s at 0.4 m/s, back and forth across cells and windows on a 105 x 68 pitch
    const tr = straightRun({ durationMs: 150_000, speed: (t) => 0.4 + 0.3 * Math.sin(t / 7), x0: 20, y0: 30 });
    const grids = [1, 25, 1000].map((size) => {
      const s = newPlayerState(60_000);
      const chunks = engineChunks(tr, size).map((c) => ({ ...c, pitch: { lengthM: 105, widthM: 68 } }));
      for (const c of chunks) applyChunk(s, c);
      expect(s.profile.grid.reduce((a, b) => a + b, 0)).toBe(s.profile.totals.trackedMs);
      return s.profile.grid;
    });
    expect(grids[1]).toEqual(grids[0]);
    expect(grids[2]).toEqual(grids[0]);
    expect(grids[0]!.filter((ms) => ms > 0).length).toBeGreaterThan(2);
  });
});
