/**
 * The picture behind an insight, as a self-contained SVG: a pitch heatmap of where the player was
 * in the windows that triggered it, and a trend line of his output against the baseline. Pure:
 * strings in, a string out; the handler decides where it is stored.
 */
import { GRID_COLS, GRID_ROWS } from "../tracking/match-profile.js";

export interface TrendSeries {
  readonly label: string;
  /** [x, y]: x in ms (time) or any increasing number. */
  readonly points: readonly (readonly [number, number])[];
  /** A horizontal reference line (the baseline), or a series of its own (e.g. chronic load). */
  readonly baseline: number | readonly (readonly [number, number])[] | null;
  readonly baselineLabel: string;
  readonly threshold: number | null;
  readonly thresholdLabel: string;
  /** x range to shade: the trigger. */
  readonly highlight: readonly [number, number] | null;
  readonly xLabel: string;
}

export interface InsightPicture {
  readonly title: string;
  readonly subtitle: string;
  readonly pitchLengthM: number;
  readonly pitchWidthM: number;
  /** Milliseconds per grid cell (GRID_COLS x GRID_ROWS, row 0 at y = 0). */
  readonly cells: readonly number[];
  readonly heatmapLabel: string;
  readonly trend: TrendSeries;
}

const W = 960;
const H = 450;
const PAD = 24;
const SCALE = 4; // px per metre: a 105 x 68 pitch is 420 x 272 px
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const f1 = (n: number) => (Math.round(n * 10) / 10).toString();

function pitch(p: InsightPicture, ox: number, oy: number): string[] {
  const L = p.pitchLengthM * SCALE;
  const Wd = p.pitchWidthM * SCALE;
  const out: string[] = [`<g transform="translate(${ox},${oy})">`];
  out.push(`<rect width="${L}" height="${Wd}" fill="#2e7d32"/>`);
  const max = Math.max(1, ...p.cells);
  const cw = L / GRID_COLS;
  const ch = Wd / GRID_ROWS;
  p.cells.forEach((ms, i) => {
    if (ms <= 0) return;
    const c = i % GRID_COLS;
    const r = Math.floor(i / GRID_COLS);
    // y up on the pitch, down in SVG.
    out.push(
      `<rect x="${f1(c * cw)}" y="${f1(Wd - (r + 1) * ch)}" width="${f1(cw)}" height="${f1(ch)}" fill="#ffeb3b" fill-opacity="${(0.1 + 0.8 * (ms / max)).toFixed(2)}"><title>${f1(ms / 1000)} s</title></rect>`,
    );
  });
  const line = 'stroke="#fff" stroke-width="1.5" fill="none"';
  const m = (v: number) => v * SCALE;
  out.push(`<rect width="${L}" height="${Wd}" ${line}/>`);
  out.push(`<line x1="${L / 2}" y1="0" x2="${L / 2}" y2="${Wd}" ${line}/>`);
  out.push(`<circle cx="${L / 2}" cy="${Wd / 2}" r="${m(9.15)}" ${line}/>`);
  for (const x0 of [0, L - m(16.5)])
    out.push(`<rect x="${x0}" y="${Wd / 2 - m(20.16)}" width="${m(16.5)}" height="${m(40.32)}" ${line}/>`);
  out.push(
    `<text x="0" y="${Wd + 16}" font-size="12" fill="#333">${esc(p.heatmapLabel)}</text>`,
    `<text x="0" y="${Wd + 32}" font-size="11" fill="#555">105 x 68 m scale, in the provider's orientation; brighter = longer there</text>`,
  );
  out.push("</g>");
  return out;
}

export function trend(t: TrendSeries, ox: number, oy: number, w: number, h: number): string[] {
  const pts = t.points;
  const out: string[] = [`<g transform="translate(${ox},${oy})">`];
  const baseSeries = Array.isArray(t.baseline) ? (t.baseline as readonly (readonly [number, number])[]) : [];
  const ys = [...pts.map((p) => p[1]), ...baseSeries.map((p) => p[1])];
  if (typeof t.baseline === "number") ys.push(t.baseline);
  if (t.threshold !== null) ys.push(t.threshold);
  const yMax = Math.max(1, ...ys) * 1.1;
  const xs = pts.map((p) => p[0]);
  const x0 = Math.min(...xs);
  const x1 = Math.max(x0 + 1, ...xs);
  const X = (x: number) => f1(((x - x0) / (x1 - x0)) * w);
  const Y = (y: number) => f1(h - (y / yMax) * h);
  out.push(`<rect width="${w}" height="${h}" fill="#fafafa" stroke="#ccc"/>`);
  if (t.highlight)
    out.push(
      `<rect x="${X(t.highlight[0])}" y="0" width="${f1(Math.max(2, Number(X(t.highlight[1])) - Number(X(t.highlight[0]))))}" height="${h}" fill="#ef5350" fill-opacity="0.15"/>`,
    );
  // A gap in x wider than 3 of the smallest steps (half-time, a substitution) breaks the line.
  let step = Number.POSITIVE_INFINITY;
  for (let i = 1; i < pts.length; i++) step = Math.min(step, pts[i]![0] - pts[i - 1]![0]);
  const path = (p: readonly (readonly [number, number])[]) =>
    p.map((q, i) => `${i && q[0] - p[i - 1]![0] <= 3 * step ? "L" : "M"}${X(q[0])},${Y(q[1])}`).join(" ");
  if (typeof t.baseline === "number")
    out.push(
      `<line x1="0" x2="${w}" y1="${Y(t.baseline)}" y2="${Y(t.baseline)}" stroke="#1565c0" stroke-dasharray="6 4"/>`,
    );
  else if (baseSeries.length > 0)
    out.push(`<path d="${path(baseSeries)}" stroke="#1565c0" stroke-dasharray="6 4" fill="none"/>`);
  if (t.threshold !== null)
    out.push(
      `<line x1="0" x2="${w}" y1="${Y(t.threshold)}" y2="${Y(t.threshold)}" stroke="#c62828" stroke-dasharray="2 3"/>`,
    );
  if (pts.length > 0) out.push(`<path d="${path(pts)}" stroke="#212121" stroke-width="1.8" fill="none"/>`);
  out.push(`<text x="0" y="-8" font-size="12" fill="#212121">${esc(t.label)} (0 to ${f1(yMax)})</text>`);
  out.push(
    `<text x="0" y="${h + 16}" font-size="11" fill="#1565c0">- - ${esc(t.baselineLabel)}</text>`,
    `<text x="0" y="${h + 32}" font-size="11" fill="#c62828">${t.threshold !== null ? `.. ${esc(t.thresholdLabel)}` : ""}</text>`,
    `<text x="0" y="${h + 48}" font-size="11" fill="#555">${esc(t.xLabel)}; shaded: what triggered it</text>`,
  );
  out.push("</g>");
  return out;
}

/** Characters per subtitle line at 12 px across the 960 px picture. */
const SUBTITLE_CHARS = 150;

/** Splits text at spaces into at most `maxLines` lines of about `width` characters (the last one cut with an ellipsis). */
export function wrap(text: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${kept[maxLines - 1]!.slice(0, width - 3)}...`;
  return kept;
}

/** The picture's frame: the SVG element, its title and the wrapped subtitle; `body` goes between. */
export function insightFrame(title: string, subtitle: string, body: readonly string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${PAD}" y="26" font-size="16" font-weight="bold">${esc(title)}</text>`,
    ...wrap(subtitle, SUBTITLE_CHARS, 2).map(
      (line, i) => `<text x="${PAD}" y="${46 + i * 15}" font-size="12" fill="#444">${esc(line)}</text>`,
    ),
    ...body,
    "</svg>",
  ].join("\n");
}

/** The picture's size and margin, for panels drawn beside the trend line. */
export const PICTURE = { width: W, height: H, pad: PAD } as const;

export { esc };

export function renderInsightSvg(p: InsightPicture): string {
  return insightFrame(p.title, p.subtitle, [
    ...pitch(p, PAD, 84),
    ...trend(p.trend, PAD + p.pitchLengthM * SCALE + 40, 104, W - (PAD + p.pitchLengthM * SCALE + 40) - PAD, 246),
  ]);
}
