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

/** The event sources each modality's insights come from. */
export const INSIGHT_SOURCES: Readonly<Record<string, readonly string[]>> = {
  tracking: [TRACKING_INSIGHT_SOURCE, LOAD_SOURCE, SCOUTING_SOURCE],
  pose: [POSE_INSIGHT_SOURCE],
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

export const HEADLINES: Readonly<Record<string, (lake: DuckDbLake, r: PipelineResult) => Promise<string[]>>> = {
  tracking,
  pose,
};
