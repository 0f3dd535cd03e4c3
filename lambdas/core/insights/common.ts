/**
 * What every insight builder shares: the event's common fields, the picture's storage key, and the
 * player's trend and heatmap as his tracking state holds them.
 */
import { type Explanation, INSIGHT_SCHEMA_VERSION, type Insight } from "../../contracts/events/index.js";
import { FATIGUE_TRAILING_MS } from "../tracking/fatigue.js";
import { GRID_COLS, GRID_ROWS, hiSeries } from "../tracking/match-profile.js";
import type { PlayerState } from "../tracking/player-features.js";
import { type InsightPicture, renderInsightSvg } from "./visuals.js";

/** A picture behind an insight, stored under `key` (the event's visual_url points at it). */
export interface Picture {
  readonly key: string;
  readonly svg: string;
}

/** An insight as a pure step builds it: the event and its picture. */
export interface BuiltInsight {
  readonly event: Insight;
  readonly picture: Picture;
}

/** Who an insight is about. */
export interface PlayerRef {
  readonly match_id: string;
  readonly player_id: string;
  readonly team?: string | undefined;
}

/** Where a picture is stored, and the link the event carries (known before it is written). */
export interface VisualLocator {
  urlFor(key: string): string;
}

export const iso = (ms: number) => new Date(ms).toISOString();
export const pct = (x: number) => `${Math.round(x * 100)}%`;

/** The picture's storage key: one folder per match, one file per insight. */
export const pictureKey = (matchId: string, id: string) => `visuals/${encodeURIComponent(matchId)}/${id}.svg`;

/** The fields every insight detail carries. */
export function insightBase(
  p: PlayerRef,
  id: string,
  observedAt: number,
  summary: string,
  explanation: Explanation,
  url: string,
) {
  return {
    schema_version: INSIGHT_SCHEMA_VERSION as typeof INSIGHT_SCHEMA_VERSION,
    insight_id: id,
    match_id: p.match_id,
    player_id: p.player_id,
    team: p.team ?? null,
    observed_at: iso(observedAt),
    summary,
    explanation,
    visual_url: url,
  };
}

/**
 * His HI running as a rolling 5-minute rate (m per 5 min, the fatigue rule's unit) at each window
 * end: single 60 s windows swing between 0 and 100 m with each run, which hides the trend.
 */
export function hiRolling(s: PlayerState): (readonly [number, number])[] {
  const ser = hiSeries(s.profile, s.windowMs);
  const out: (readonly [number, number])[] = [];
  let from = 0;
  let sum = 0;
  for (let i = 0; i < ser.length; i++) {
    const end = ser[i]![0] + s.windowMs;
    sum += ser[i]![1];
    while (ser[from]![0] < end - FATIGUE_TRAILING_MS) sum -= ser[from++]![1];
    const spanMs = Math.min(FATIGUE_TRAILING_MS, (i - from + 1) * s.windowMs);
    out.push([end, (sum * FATIGUE_TRAILING_MS) / spanMs]);
  }
  return out;
}

/** Milliseconds in each heatmap cell over the recent windows starting in [from, to). */
export function summedCells(s: PlayerState, from: number, to: number): number[] {
  const out = new Array<number>(GRID_COLS * GRID_ROWS).fill(0);
  for (const w of s.profile.recentCells) {
    if (w.start < from || w.start >= to) continue;
    for (const [k, ms] of Object.entries(w.cells)) out[Number(k)]! += ms;
  }
  return out;
}

/** The insight's SVG, on the pitch the player's last chunk named. */
export function picture(s: PlayerState, p: Omit<InsightPicture, "pitchLengthM" | "pitchWidthM">): string {
  return renderInsightSvg({ ...p, pitchLengthM: s.pitch[0], pitchWidthM: s.pitch[1] });
}
