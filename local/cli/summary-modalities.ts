/** What a run's summary says first, per modality: the numbers a coach or analyst looks for. */
import type { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import {
  LOAD_SOURCE,
  POSE_INSIGHT_SOURCE,
  SCOUTING_SOURCE,
  TRACKING_INSIGHT_SOURCE,
} from "../../lambdas/contracts/events/insights.js";
import { modalityById } from "../../lambdas/contracts/modalities.js";
import type { PipelineResult } from "../pipeline.js";

const n0 = (v: number) => Math.round(v).toLocaleString("en-US");
const f1 = (v: number | null) => (v === null ? "   -" : v.toFixed(1).padStart(5));

/** The table a run's samples are accounted in (the registry's accounting table). */
export const accountingTable = (r: PipelineResult) => modalityById(r.modality).accounting.table.name;

/** Where a run's samples are accounted, in words: the accounting table, and the one its imports landed in. */
export function accountedIn(r: PipelineResult): string {
  const a = modalityById(r.modality).accounting;
  return a.rowsIn && r.rowsImported > 0 ? `${a.table.name} and ${a.rowsIn.table.name} (imports)` : a.table.name;
}

/** The event sources each modality's insights come from. */
export const INSIGHT_SOURCES: Readonly<Record<string, readonly string[]>> = {
  tracking: [TRACKING_INSIGHT_SOURCE, LOAD_SOURCE, SCOUTING_SOURCE],
  pose: [POSE_INSIGHT_SOURCE],
  wearables: [LOAD_SOURCE],
};

async function tracking(lake: DuckDbLake, r: PipelineResult): Promise<string[]> {
  const top = await lake.queryObjects<{ player_id: string; team: string | null; km: number; hsr: number; top: number }>(
    `SELECT player_id, any_value(team) AS team, sum(distance_m) / 1000 AS km, sum(hsr_distance_m) AS hsr,
            max(top_speed_mps) AS top
       FROM player_windows WHERE match_id = ? GROUP BY player_id ORDER BY km DESC LIMIT 5`,
    [r.matchId],
  );
  const sprinters = await lake.queryObjects<{ player_id: string; sprints: number | bigint; sd: number; top: number }>(
    `SELECT player_id, sum(sprint_count) AS sprints, sum(sprint_distance_m) AS sd, max(top_speed_mps) AS top
       FROM player_windows WHERE match_id = ? GROUP BY player_id ORDER BY sprints DESC, sd DESC LIMIT 5`,
    [r.matchId],
  );
  const lines = ["Top distances"];
  for (const p of top)
    lines.push(
      `  ${p.player_id.padEnd(12)} ${(p.team ?? "").padEnd(6)} ${p.km.toFixed(2).padStart(6)} km   HSR ${n0(p.hsr).padStart(5)} m   top ${p.top.toFixed(2)} m/s`,
    );
  lines.push("Top sprinters (>= 7.0 m/s for >= 1 s)");
  for (const p of sprinters)
    lines.push(
      `  ${p.player_id.padEnd(12)} ${String(p.sprints).padStart(3)} sprints   ${n0(p.sd).padStart(5)} m   top ${p.top.toFixed(2)} m/s`,
    );
  return lines;
}

async function pose(lake: DuckDbLake, r: PipelineResult): Promise<string[]> {
  const subjects = await lake.queryObjects<{
    subject_id: string;
    camera_id: string;
    windows: number | bigint;
    frames: number | bigint;
    fppa_l: number | null;
    fppa_r: number | null;
    lean: number | null;
    cadence: number | null;
  }>(
    `SELECT subject_id, camera_id, count(*) AS windows, sum(frames) AS frames,
            max(knee_fppa_peak_left_deg) AS fppa_l, max(knee_fppa_peak_right_deg) AS fppa_r,
            max(trunk_lean_peak_deg) AS lean, median(cadence_spm) AS cadence
       FROM biomech_windows WHERE match_id = ? GROUP BY ALL ORDER BY subject_id, camera_id`,
    [r.matchId],
  );
  const lines = ["Biomechanics (biomech_windows; degrees; knee valgus = frontal-plane projection angle)"];
  lines.push(
    `  ${"subject".padEnd(12)} ${"camera".padEnd(16)} windows  frames  valgus L  valgus R  trunk lean  cadence`,
  );
  for (const s of subjects)
    lines.push(
      `  ${s.subject_id.padEnd(12)} ${s.camera_id.padEnd(16)} ${String(s.windows).padStart(7)} ${n0(Number(s.frames)).padStart(7)}     ${f1(s.fppa_l)}     ${f1(s.fppa_r)}       ${f1(s.lean)}  ${s.cadence === null ? "-" : `${n0(s.cadence)} spm`}`,
    );
  return lines;
}

async function wearables(lake: DuckDbLake, r: PipelineResult): Promise<string[]> {
  const rows = await lake.queryObjects<{
    player_id: string;
    device_kind: string;
    rate: number | null;
    min: number | null;
    pl: number | null;
    vendor: number | null;
    impacts: number | bigint | null;
    jumps: number | bigint | null;
    clipped: number | bigint | null;
    hr_mean: number | null;
    hr_peak: number | null;
    hi_min: number | null;
    edwards: number | null;
    banister: number | null;
  }>(
    `SELECT player_id, device_kind, max(sample_rate_hz) AS rate, sum(imu_covered_s) / 60 AS min,
            sum(player_load) AS pl, sum(vendor_player_load) AS vendor,
            sum(impacts_light + impacts_moderate + impacts_heavy) AS impacts, sum(jumps) AS jumps,
            sum(clipped_samples) AS clipped,
            sum(hr_mean_bpm * hr_covered_s) / nullif(sum(hr_covered_s), 0) AS hr_mean, max(hr_peak_bpm) AS hr_peak,
            sum(hr_z4_s + hr_z5_s) / 60 AS hi_min, sum(trimp_edwards) AS edwards, sum(trimp_banister) AS banister
       FROM wearable_windows WHERE session_id IN (${r.sessions.map(() => "?").join(", ")})
      GROUP BY player_id, device_kind ORDER BY player_id, device_kind`,
    [...r.sessions],
  );
  const lines = ["Wearables (wearable_windows, at each device's own rate; PlayerLoad AU, Boyd et al. 2011)"];
  lines.push(
    `  ${"player".padEnd(12)} ${"device".padEnd(18)} rate Hz  IMU min  PlayerLoad  PL/min  vendor PL  impacts  jumps  clipped  HR mean  HR peak  >80% min  TRIMP Ed  TRIMP Ban`,
  );
  const v = (x: number | bigint | null, w: number, d = 0) =>
    (x === null ? "-" : d === 0 ? n0(Number(x)) : Number(x).toFixed(d)).padStart(w);
  for (const p of rows) {
    const plMin = p.pl !== null && p.min ? p.pl / p.min : null;
    lines.push(
      `  ${p.player_id.padEnd(12)} ${p.device_kind.padEnd(18)} ${v(p.rate, 7, 1)} ${v(p.min, 8, 1)} ${v(p.pl, 11, 1)} ${v(plMin, 7, 2)} ${v(p.vendor, 10, 1)} ${v(p.impacts, 8)} ${v(p.jumps, 6)} ${v(p.clipped, 8)} ${v(p.hr_mean, 8)} ${v(p.hr_peak, 8)} ${v(p.hi_min, 9, 1)} ${v(p.edwards, 9)} ${v(p.banister, 10)}`,
    );
  }
  return lines;
}

export const HEADLINES: Readonly<Record<string, (lake: DuckDbLake, r: PipelineResult) => Promise<string[]>>> = {
  tracking,
  pose,
  wearables,
};
