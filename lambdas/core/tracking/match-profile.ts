/**
 * A player's whole-match profile, accumulated as his windows close: totals, repeated high-intensity
 * effort bouts, where he was on the pitch (a coarse occupancy grid) and his output window by window.
 * It is plain JSON inside the player state, so it survives between invocations like the rest.
 */
import type { ClosedWindow } from "./windows.js";

/** Heatmap grid: 21 x 14 cells, 5 m x ~4.9 m on a 105 x 68 m pitch (the scale of StatsBomb's and Opta's coarse zone grids). */
export const GRID_COLS = 21;
export const GRID_ROWS = 14;

/**
 * Repeated high-intensity effort bout: at least 3 efforts (sprints or accelerations), each starting
 * no more than 21 s after the previous one (Spencer et al. 2004, J Sports Sci 22:843; Gabbett et al. 2012).
 */
export const RHIE_MIN_EFFORTS = 3;
export const RHIE_MAX_GAP_MS = 21_000;
/** A sprint that qualifies within 2 s of an acceleration is the same action (the sprint grows out of it), counted once. */
export const RHIE_SAME_ACTION_MS = 2_000;

export interface MatchTotals {
  trackedMs: number;
  distance: number;
  hi: number;
  hsr: number;
  sprints: number;
  accels: number;
  decels: number;
  top: number;
  energy: number;
  firstStart: number | null;
  lastEnd: number | null;
}

export interface MatchProfileState {
  totals: MatchTotals;
  rhie: { bouts: number; run: number; lastEffortAt: number | null };
  /** Milliseconds spent in each grid cell over the match (row-major, row 0 at y = 0). */
  grid: number[];
  /** Per closed window: [windows since the first window's start, HI distance in decimetres], for the trend line (small integers keep the stored state small). */
  series: [number, number][];
  /** The last windows' cells (cell index -> ms), for the heatmap of an insight's trigger windows. */
  recentCells: { start: number; cells: Record<number, number> }[];
}

/** The trend series as [window start ms, HI metres]. */
export function hiSeries(p: MatchProfileState, windowMs: number): [number, number][] {
  const first = p.totals.firstStart ?? 0;
  return p.series.map(([k, dm]) => [first + k * windowMs, dm / 10]);
}

/**
 * The heatmap cell the player is in, and the time spent there since he entered it: samples only
 * add to the run while he stays inside the cell's bounds (four comparisons), and the run is added
 * to its window's cells when he leaves the cell or the window. Exact, and far cheaper per sample
 * than locating a cell and updating a map every 40 ms.
 */
export interface CellRun {
  cell: number;
  windowStart: number;
  ms: number;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export const newMatchProfileState = (): MatchProfileState => ({
  totals: {
    trackedMs: 0,
    distance: 0,
    hi: 0,
    hsr: 0,
    sprints: 0,
    accels: 0,
    decels: 0,
    top: 0,
    energy: 0,
    firstStart: null,
    lastEnd: null,
  },
  rhie: { bouts: 0, run: 0, lastEffortAt: null },
  grid: new Array<number>(GRID_COLS * GRID_ROWS).fill(0),
  series: [],
  recentCells: [],
});

/** The grid cell holding a position (metres, origin bottom-left); positions off the pitch go to the edge cell. */
export function cellOf(x: number, y: number, lengthM: number, widthM: number): number {
  const c = Math.min(GRID_COLS - 1, Math.max(0, Math.floor((x / lengthM) * GRID_COLS)));
  const r = Math.min(GRID_ROWS - 1, Math.max(0, Math.floor((y / widthM) * GRID_ROWS)));
  return r * GRID_COLS + c;
}

/** One high-intensity effort qualified at time t: counts towards a repeated-effort bout. */
export function stepRhie(p: MatchProfileState, t: number): void {
  const r = p.rhie;
  if (r.lastEffortAt !== null && t - r.lastEffortAt <= RHIE_SAME_ACTION_MS) return;
  r.run = r.lastEffortAt !== null && t - r.lastEffortAt <= RHIE_MAX_GAP_MS ? r.run + 1 : 1;
  r.lastEffortAt = t;
  if (r.run === RHIE_MIN_EFFORTS) r.bouts++;
}

/** Folds a closed window (with the cells it covered) into the profile; keeps `keepCells` windows' cells. */
export function addWindow(
  p: MatchProfileState,
  w: ClosedWindow,
  cells: Record<number, number>,
  keepCells: number,
): void {
  const t = p.totals;
  t.trackedMs += w.trackedS * 1000;
  t.distance += w.distanceM;
  t.hi += w.hiDistanceM;
  t.hsr += w.hsrDistanceM;
  t.sprints += w.sprintCount;
  t.accels += w.accelCount;
  t.decels += w.decelCount;
  t.top = Math.max(t.top, w.topSpeedMps);
  t.energy += w.metabolicEnergyJkg;
  t.firstStart ??= w.start;
  t.lastEnd = w.end;
  for (const [k, ms] of Object.entries(cells)) p.grid[Number(k)]! += ms;
  p.series.push([Math.round((w.start - t.firstStart) / (w.end - w.start)), Math.round(w.hiDistanceM * 10)]);
  p.recentCells.push({ start: w.start, cells });
  while (p.recentCells.length > keepCells) p.recentCells.shift();
}

export interface MatchProfile {
  readonly minutes: number;
  readonly matchStart: number;
  readonly matchEnd: number;
  readonly distanceM: number;
  readonly hiDistanceM: number;
  readonly hsrDistanceM: number;
  readonly sprintCount: number;
  readonly accelCount: number;
  readonly topSpeedMps: number;
  readonly avgMetabolicPowerWkg: number;
  readonly rhieBouts: number;
  /** The per-90 rates and single values the scouting needs refer to by name. */
  readonly features: Readonly<Record<ProfileFeature, number>>;
}

/** Profile features a scouting need may weight (names as in player_match_profiles). */
export const PROFILE_FEATURES = [
  "hsr_m_per90",
  "sprints_per90",
  "rhie_per90",
  "top_speed_mps",
  "avg_metabolic_power_wkg",
] as const;
export type ProfileFeature = (typeof PROFILE_FEATURES)[number];

/** Units of each profile feature, for explanations. */
export const PROFILE_FEATURE_UNITS: Readonly<Record<ProfileFeature, string>> = {
  hsr_m_per90: "m per 90 min",
  sprints_per90: "sprints per 90 min",
  rhie_per90: "bouts per 90 min",
  top_speed_mps: "m/s",
  avg_metabolic_power_wkg: "W/kg",
};

/** A per-90 rate: count / minutes x 90 (0 when nothing was observed). */
export const per90 = (x: number, minutes: number) => (minutes > 0 ? (x / minutes) * 90 : 0);

/** The finished profile, or null when no window closed. */
export function finishProfile(p: MatchProfileState): MatchProfile | null {
  const t = p.totals;
  if (t.firstStart === null || t.lastEnd === null) return null;
  const minutes = t.trackedMs / 60_000;
  const power = t.trackedMs > 0 ? t.energy / (t.trackedMs / 1000) : 0;
  return {
    minutes,
    matchStart: t.firstStart,
    matchEnd: t.lastEnd,
    distanceM: t.distance,
    hiDistanceM: t.hi,
    hsrDistanceM: t.hsr,
    sprintCount: t.sprints,
    accelCount: t.accels,
    topSpeedMps: t.top,
    avgMetabolicPowerWkg: power,
    rhieBouts: p.rhie.bouts,
    features: {
      hsr_m_per90: per90(t.hsr, minutes),
      sprints_per90: per90(t.sprints, minutes),
      rhie_per90: per90(p.rhie.bouts, minutes),
      top_speed_mps: t.top,
      avg_metabolic_power_wkg: power,
    },
  };
}
