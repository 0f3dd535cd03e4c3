/**
 * Heatmap cell runs: the cell a player is in and the time spent there, added to its window's cells
 * when he leaves the cell or the window (see CellRun in ./match-profile.ts). Four comparisons per
 * sample instead of locating a cell and updating a map every 40 ms.
 */
import { type CellRun, cellOf, GRID_COLS, GRID_ROWS } from "./match-profile.js";
import type { WindowAcc } from "./windows.js";

/** The part of a player's state the cell runs use. */
export interface CellRunState {
  run: CellRun | null;
  open: WindowAcc[];
  /** Pitch length and width, metres: the grid's scale. */
  pitch: [number, number];
}

/** Beyond any accepted position (samples further off the pitch than PITCH_MARGIN_M are rejected). */
const OFF_PITCH_M = 1000;

/** Adds the current cell run to its window's cells. */
export function flushRun(s: CellRunState): void {
  const r = s.run;
  if (r === null || r.ms === 0) return;
  const w = s.open.find((o) => o.start === r.windowStart);
  if (w) w.cells[r.cell] = (w.cells[r.cell] ?? 0) + r.ms;
  r.ms = 0;
}

export function startRun(s: CellRunState, w: WindowAcc, x: number, y: number, dtMs: number): void {
  flushRun(s);
  const [len, wid] = s.pitch;
  const cell = cellOf(x, y, len, wid);
  const c = cell % GRID_COLS;
  const r = (cell - c) / GRID_COLS;
  const cw = len / GRID_COLS;
  const ch = wid / GRID_ROWS;
  // Edge cells reach past the pitch (cellOf clamps positions off it), to a finite bound that JSON keeps.
  s.run = {
    cell,
    windowStart: w.start,
    ms: dtMs,
    x0: c === 0 ? -OFF_PITCH_M : c * cw,
    x1: c === GRID_COLS - 1 ? len + OFF_PITCH_M : (c + 1) * cw,
    y0: r === 0 ? -OFF_PITCH_M : r * ch,
    y1: r === GRID_ROWS - 1 ? wid + OFF_PITCH_M : (r + 1) * ch,
  };
}
