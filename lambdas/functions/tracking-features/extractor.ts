/**
 * The tracking extractor: the pure tracking steps (core/tracking) plugged into the generic stream
 * runtime. Per chunk: the feature engine closes windows and finds fatigue; after the batch, every
 * player whose final chunk was applied goes through the "match completed" step with his load
 * history. The ball's chunks are accounted for, not profiled.
 */
import { TRACKING } from "../../contracts/modalities.js";
import { needRows, type ScoutingNeedsFile } from "../../contracts/needs.js";
import { chunkPitch, type TrackingChunk, WIRE_METRES_PER_UNIT } from "../../contracts/records/tracking.js";
import {
  PLAYER_DAILY_LOAD,
  PLAYER_LOADS,
  PLAYER_MATCH_PROFILES,
  PLAYER_WINDOWS,
  type RowOf,
  SCOUTING_NEEDS,
} from "../../contracts/tables/index.js";
import type { PlayerRef, VisualLocator } from "../../core/insights/common.js";
import { ACWR_LOOKBACK_DAYS, DAY_MS } from "../../core/load/acwr.js";
import { DISTANCE_LOAD } from "../../core/load/measures.js";
import { fatigueInsight } from "../../core/tracking/fatigue-insight.js";
import { matchCompleted } from "../../core/tracking/match-completed.js";
import type { MatchProfile } from "../../core/tracking/match-profile.js";
import {
  applyChunk,
  type ClosedWindow,
  newPlayerState,
  PLAYER_STATE_COLD_FIELDS,
  type PlayerState,
} from "../../core/tracking/player-features.js";
import type { Extractor } from "../../runtime/extractor.js";

/** Version of the stored tracking state: 2 since the sequencer moved out of the player state, 3 since the cold fields are stored apart. */
export const TRACKING_STATE_VERSION = 3;

export interface TrackingConfig {
  readonly windowMs: number;
  readonly visuals: VisualLocator;
  /** The club's scouting needs. @default - no scouting matches */
  readonly needs?: ScoutingNeedsFile | undefined;
}

export function windowRow(p: PlayerRef, w: ClosedWindow): RowOf<typeof PLAYER_WINDOWS> {
  return {
    match_id: p.match_id,
    player_id: p.player_id,
    team: p.team ?? null,
    window_start: new Date(w.start),
    window_end: new Date(w.end),
    samples: w.samples,
    discarded_samples: w.discardedSamples,
    tracked_s: w.trackedS,
    distance_m: w.distanceM,
    hi_distance_m: w.hiDistanceM,
    hsr_distance_m: w.hsrDistanceM,
    sprint_distance_m: w.sprintDistanceM,
    sprint_count: w.sprintCount,
    accel_count: w.accelCount,
    decel_count: w.decelCount,
    top_speed_mps: w.topSpeedMps,
    metabolic_energy_jkg: w.metabolicEnergyJkg,
    avg_metabolic_power_wkg: w.avgMetabolicPowerWkg,
  };
}

export function trackingExtractor(config: TrackingConfig): Extractor<TrackingChunk, PlayerState> {
  const { windowMs, visuals, needs } = config;
  return {
    modality: TRACKING,
    stateVersion: TRACKING_STATE_VERSION,
    newState: () => newPlayerState(windowMs),
    cold: { fields: PLAYER_STATE_COLD_FIELDS, rev: (s) => s.coldRev },
    checkState(s, key) {
      if (s.windowMs !== windowMs)
        throw new Error(
          `state for ${key} uses ${s.windowMs} ms windows but the function is configured for ${windowMs} ms`,
        );
    },
    // The ball has no physical profile; its samples are counted, not profiled.
    passThrough: (c) => c.entity === "ball",
    begin() {
      const completed: { player: PlayerRef; state: PlayerState; profile: MatchProfile }[] = [];
      return {
        apply(state, chunk, out) {
          const r = applyChunk(state, {
            t0: chunk.t0,
            t: chunk.t,
            x: chunk.x_mm,
            y: chunk.y_mm,
            metresPerUnit: WIRE_METRES_PER_UNIT,
            period: chunk.period,
            final: chunk.final,
            pitch: chunkPitch(chunk),
          });
          out.accepted(r.accepted);
          for (const x of r.rejected) out.rejected(x);
          if (r.closed.length > 0)
            out.rows(
              PLAYER_WINDOWS,
              r.closed.map((w) => windowRow(chunk, w)),
            );
          for (const f of r.fatigue) out.insight(fatigueInsight(chunk, state, f.window, f.finding, visuals));
          if (r.completed) completed.push({ player: chunk, state, profile: r.completed });
        },
        async finish(ctx, out) {
          if (completed.length === 0) return;
          const players = [...new Set(completed.map((c) => c.player.player_id))];
          const from = Math.min(...completed.map((c) => c.profile.matchStart)) - ACWR_LOOKBACK_DAYS * DAY_MS;
          const history = ctx.loadHistory ? await ctx.loadHistory.get(players, DISTANCE_LOAD.id, from) : null;
          for (const c of completed) {
            const f = matchCompleted({
              ...c,
              needs,
              visuals,
              history: history ? (history.get(c.player.player_id) ?? []) : null,
            });
            out.rows(PLAYER_MATCH_PROFILES, [f.profile]);
            out.rows(PLAYER_LOADS, [f.load]);
            if (f.daily.length > 0) out.rows(PLAYER_DAILY_LOAD, f.daily);
            out.load(c.player.player_id, DISTANCE_LOAD.id, f.session);
            for (const i of f.insights) out.insight(i);
          }
          // The needs that scored these profiles, so the lake can audit every match against its version.
          if (needs) out.rows(SCOUTING_NEEDS, needRows(needs));
        },
      };
    },
  };
}
