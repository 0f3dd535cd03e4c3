/**
 * The wearables extractor: the pure wearable steps (core/wearables) plugged into the generic stream
 * runtime. Per chunk: IMU samples and heart-rate readings advance the device's windows at the
 * device's native rate, and closed windows become wearable_windows rows. When a device's session
 * ends (its final chunk), or a session's load arrives whole (an import), the session's loads join
 * the player's history, one measure each: PlayerLoad from an IMU, Edwards and Banister TRIMP from
 * a heart-rate strap, or the imported measure (session RPE, distance); the daily rows and the
 * acute:chronic ratio follow (core/load/session-load.ts), and a Player Load Spike when it flags.
 */
import { type Modality, WEARABLES } from "../../contracts/modalities.js";
import type { WearableChunk } from "../../contracts/records/wearable.js";
import { hrReference, type SquadFile } from "../../contracts/squad.js";
import { PLAYER_DAILY_LOAD, PLAYER_LOADS, type RowOf, WEARABLE_WINDOWS } from "../../contracts/tables/index.js";
import type { VisualLocator } from "../../core/insights/common.js";
import { ACWR_LOOKBACK_DAYS, DAY_MS } from "../../core/load/acwr.js";
import { loadMeasure, PLAYER_LOAD, TRIMP_BANISTER_LOAD, TRIMP_EDWARDS_LOAD } from "../../core/load/measures.js";
import { recordSession, type SessionToRecord } from "../../core/load/session-load.js";
import {
  applyWearableChunk,
  newWearableState,
  type WearableState,
  type WearableWindow,
} from "../../core/wearables/wearable-windows.js";
import type { SessionLoad } from "../../ports.js";
import type { Extractor } from "../../runtime/extractor.js";

/** Version of the stored wearable state's shape. */
export const WEARABLE_STATE_VERSION = 1;

export interface WearableConfig {
  readonly windowMs: number;
  readonly visuals: VisualLocator;
  /** Heart-rate references per player (config/squad.json). */
  readonly squad: SquadFile;
}

/** The wearable_windows row of one closed window. */
export function wearableRow(c: WearableChunk, w: WearableWindow): RowOf<typeof WEARABLE_WINDOWS> {
  return {
    session_id: c.session_id,
    player_id: c.player_id,
    team: c.team ?? null,
    device_id: c.device_id,
    device_kind: c.device_kind,
    window_start: new Date(w.windowStart),
    window_end: new Date(w.windowEnd),
    samples: w.samples,
    imu_samples: w.imuSamples,
    sample_rate_hz: w.sampleRateHz,
    imu_covered_s: w.imuCoveredS,
    player_load: w.playerLoad,
    player_load_2d: w.playerLoad2d,
    player_load_per_min: w.playerLoadPerMin,
    vendor_player_load: w.vendorPlayerLoad,
    impacts_light: w.impactsLight,
    impacts_moderate: w.impactsModerate,
    impacts_heavy: w.impactsHeavy,
    jumps: w.jumps,
    jump_height_max_m: w.jumpHeightMaxM,
    clipped_samples: w.clippedSamples,
    hr_readings: w.hrReadings,
    hr_covered_s: w.hrCoveredS,
    hr_gap_s: w.hrGapS,
    hr_mean_bpm: w.hrMeanBpm,
    hr_peak_bpm: w.hrPeakBpm,
    hr_z1_s: w.hrZ1S,
    hr_z2_s: w.hrZ2S,
    hr_z3_s: w.hrZ3S,
    hr_z4_s: w.hrZ4S,
    hr_z5_s: w.hrZ5S,
    trimp_edwards: w.trimpEdwards,
    trimp_banister: w.trimpBanister,
    hr_max_ref_bpm: w.hrMaxRefBpm,
    hr_rest_ref_bpm: w.hrRestRefBpm,
    hr_ref_source: w.hrRefSource,
  };
}

/** A session load to record after the batch: the session step's input, less what the batch adds. */
type Pending = Omit<SessionToRecord, "history" | "state" | "visuals">;

export function wearableExtractor(config: WearableConfig): Extractor<WearableChunk, WearableState> {
  const { windowMs, visuals, squad } = config;
  return {
    modality: WEARABLES as Modality<WearableChunk>,
    stateVersion: WEARABLE_STATE_VERSION,
    newState: () => newWearableState(windowMs),
    checkState(s, key) {
      if (s.windowMs !== windowMs)
        throw new Error(
          `state for ${key} uses ${s.windowMs} ms windows but the function is configured for ${windowMs} ms`,
        );
    },
    begin() {
      const pending: Pending[] = [];
      return {
        apply(state, chunk, out) {
          const player = { match_id: chunk.session_id, player_id: chunk.player_id, team: chunk.team };
          if (chunk.session_load) {
            const l = chunk.session_load;
            out.accepted(1);
            pending.push({
              player,
              measure: loadMeasure(l.measure),
              start: chunk.t0,
              end: chunk.t0 + l.minutes * 60_000,
              load: l.load,
              minutes: l.minutes,
              origin: "import",
            });
            return;
          }
          const r = applyWearableChunk(state, chunk, hrReference(squad, chunk.player_id, chunk.t0));
          out.accepted(r.accepted);
          for (const x of r.rejected) out.rejected(x);
          if (r.closed.length > 0)
            out.rows(
              WEARABLE_WINDOWS,
              r.closed.map((w) => wearableRow(chunk, w)),
            );
          const s = r.session;
          // A session with no accepted sample has no load to record.
          if (!s || s.start === null || s.end === null) return;
          const base = {
            player,
            start: s.start as number,
            end: s.end as number,
            minutes: s.minutes,
            origin: "wearable" as const,
          };
          if (s.playerLoad !== null) pending.push({ ...base, measure: PLAYER_LOAD, load: s.playerLoad });
          if (s.trimpEdwards !== null) pending.push({ ...base, measure: TRIMP_EDWARDS_LOAD, load: s.trimpEdwards });
          if (s.trimpBanister !== null) pending.push({ ...base, measure: TRIMP_BANISTER_LOAD, load: s.trimpBanister });
        },
        async finish(ctx, out) {
          // One history read per measure for every player the batch completed, then one step per session.
          const byMeasure = new Map<string, Pending[]>();
          for (const p of pending) byMeasure.set(p.measure.id, [...(byMeasure.get(p.measure.id) ?? []), p]);
          for (const [measure, list] of byMeasure) {
            const players = [...new Set(list.map((p) => p.player.player_id))];
            const from = Math.min(...list.map((p) => p.start)) - ACWR_LOOKBACK_DAYS * DAY_MS;
            const history = ctx.loadHistory ? await ctx.loadHistory.get(players, measure, from) : null;
            // Sessions of this batch join the history as they are recorded, so a later one sees an earlier one.
            const seen = new Map<string, Map<string, SessionLoad>>();
            for (const p of list) {
              const id = p.player.player_id;
              const mine = seen.get(id) ?? new Map((history?.get(id) ?? []).map((x) => [x.sessionId, x] as const));
              const r = recordSession({ ...p, history: history ? [...mine.values()] : null, visuals });
              mine.set(r.session.sessionId, r.session);
              seen.set(id, mine);
              out.rows(PLAYER_LOADS, [r.load]);
              if (r.daily.length > 0) out.rows(PLAYER_DAILY_LOAD, r.daily);
              out.load(p.player.player_id, measure, r.session);
              for (const i of r.insights) out.insight(i);
            }
          }
        },
      };
    },
  };
}
