/**
 * The pose extractor: the pure biomechanics steps (core/pose) plugged into the generic stream
 * runtime. Per chunk: every skeleton becomes a pose_frames row, the frames feed the subject's
 * biomechanics windows (per camera), closed windows become biomech_windows rows, and a window whose
 * joint feature leaves the player's own baseline raises a Player Biomechanics Deviation (for named
 * players) with the skeleton of the frame that showed it most.
 */
import { type Modality, POSE } from "../../contracts/modalities.js";
import { COCO17, type PoseChunk, type PoseFrame, poseSubject } from "../../contracts/records/pose.js";
import { BIOMECH_WINDOWS, POSE_FRAMES, type RowOf } from "../../contracts/tables/index.js";
import type { VisualLocator } from "../../core/insights/common.js";
import type { Keypoint, Skeleton } from "../../core/pose/angles.js";
import {
  applyPoseChunk,
  type BiomechState,
  type BiomechWindow,
  newBiomechState,
  SERIES,
} from "../../core/pose/biomech-windows.js";
import type { DeviationFeatureName } from "../../core/pose/deviation.js";
import { deviationInsight } from "../../core/pose/deviation-insight.js";
import type { Extractor } from "../../runtime/extractor.js";

/** Version of the stored pose state's shape. */
export const POSE_STATE_VERSION = 1;

/** The skeleton (rounded to 0.1 px) of the frame where a watched feature was largest, per open window. */
type Peaks = Partial<Record<DeviationFeatureName, { value: number; keypoints: Skeleton }>>;

export interface PoseState {
  biomech: BiomechState;
  /** Window start -> the peak skeletons of that window, for the pictures. */
  peaks: Record<string, Peaks>;
}

export interface PoseConfig {
  readonly windowMs: number;
  readonly visuals: VisualLocator;
}

const round1 = (v: number) => Math.round(v * 10) / 10;
/** The keypoint columns' names, in COCO-17 order: built once, not per frame. */
const KP_COLUMNS = COCO17.map((n) => [`${n}_x`, `${n}_y`, `${n}_score`] as const);

/** The pose_frames row of one skeleton. */
export function poseFrameRow(c: PoseChunk, f: PoseFrame): RowOf<typeof POSE_FRAMES> {
  const found = f.keypoints.filter((k) => k !== null);
  const row: Record<string, unknown> = {
    match_id: c.match_id,
    subject_id: poseSubject(c),
    player_id: c.player_id ?? null,
    track_id: c.track_id ?? null,
    team: c.team ?? null,
    camera_id: c.camera_id,
    t: new Date(c.t0 + f.t),
    frame_index: f.frame_index ?? null,
    image_width: c.image.width,
    image_height: c.image.height,
    model_id: c.model.id,
    model_version: c.model.version,
    bbox_x: f.bbox?.[0] ?? null,
    bbox_y: f.bbox?.[1] ?? null,
    bbox_w: f.bbox?.[2] ?? null,
    bbox_h: f.bbox?.[3] ?? null,
    keypoints_found: found.length,
    mean_score: found.length > 0 ? found.reduce((a, k) => a + k[2], 0) / found.length : null,
    keypoints_3d: f.keypoints_3d ? JSON.stringify(f.keypoints_3d) : null,
  };
  for (let i = 0; i < KP_COLUMNS.length; i++) {
    const k = f.keypoints[i] ?? null;
    const [x, y, score] = KP_COLUMNS[i]!;
    row[x] = k ? k[0] : null;
    row[y] = k ? k[1] : null;
    row[score] = k ? k[2] : null;
  }
  return row as RowOf<typeof POSE_FRAMES>;
}

export function biomechRow(c: PoseChunk, w: BiomechWindow): RowOf<typeof BIOMECH_WINDOWS> {
  return {
    match_id: c.match_id,
    subject_id: poseSubject(c),
    player_id: c.player_id ?? null,
    team: c.team ?? null,
    camera_id: c.camera_id,
    window_start: new Date(w.start),
    window_end: new Date(w.end),
    frames: w.frames,
    valid_frames: w.validFrames,
    fps: w.fps,
    filtered: w.filtered,
    filtered_share: w.filteredShare,
    knee_flexion_mean_left_deg: w.kneeFlexionMeanLeftDeg,
    knee_flexion_mean_right_deg: w.kneeFlexionMeanRightDeg,
    knee_flexion_peak_left_deg: w.kneeFlexionPeakLeftDeg,
    knee_flexion_peak_right_deg: w.kneeFlexionPeakRightDeg,
    hip_flexion_peak_left_deg: w.hipFlexionPeakLeftDeg,
    hip_flexion_peak_right_deg: w.hipFlexionPeakRightDeg,
    elbow_flexion_mean_left_deg: w.elbowFlexionMeanLeftDeg,
    elbow_flexion_mean_right_deg: w.elbowFlexionMeanRightDeg,
    knee_fppa_peak_left_deg: w.kneeFppaPeakLeftDeg,
    knee_fppa_peak_right_deg: w.kneeFppaPeakRightDeg,
    trunk_lean_mean_deg: w.trunkLeanMeanDeg,
    trunk_lean_peak_deg: w.trunkLeanPeakDeg,
    step_axis: w.stepAxis,
    steps: w.steps,
    cadence_spm: w.cadenceSpm,
    knee_flexion_si_pct: w.kneeFlexionSymmetryIndexPct,
    step_time_asymmetry_pct: w.stepTimeAsymmetryPct,
  };
}

/** The series (core/pose/biomech-windows.ts SERIES) behind each watched feature's peak. */
const PEAK_SERIES: readonly (readonly [DeviationFeatureName, number])[] = [
  ["knee_fppa_peak_left_deg", SERIES.indexOf("knee_fppa_left")],
  ["knee_fppa_peak_right_deg", SERIES.indexOf("knee_fppa_right")],
  ["trunk_lean_peak_deg", SERIES.indexOf("trunk_lean")],
];

/**
 * Keeps, per window, the skeleton of the frame where each watched feature was largest, from the
 * frame's raw (unfiltered) series as the windows compute them: trunk lean by its size, either side.
 */
function trackPeaks(
  s: PoseState,
  windowMs: number,
  t: number,
  series: readonly (number | null)[],
  keypoints: readonly Keypoint[],
): void {
  const start = String(Math.floor(t / windowMs) * windowMs);
  s.peaks[start] ??= {};
  const peaks = s.peaks[start];
  for (const [name, i] of PEAK_SERIES) {
    const raw = series[i] ?? null;
    const v = raw === null ? null : Math.abs(raw);
    if (v === null || (peaks[name] && peaks[name].value >= v)) continue;
    peaks[name] = { value: v, keypoints: keypoints.map((k) => (k ? [round1(k[0]), round1(k[1]), k[2]] : null)) };
  }
}

export function poseExtractor(config: PoseConfig): Extractor<PoseChunk, PoseState> {
  const { windowMs, visuals } = config;
  return {
    modality: POSE as Modality<PoseChunk>,
    stateVersion: POSE_STATE_VERSION,
    newState: () => ({ biomech: newBiomechState(windowMs), peaks: {} }),
    checkState(s, key) {
      if (s.biomech.windowMs !== windowMs)
        throw new Error(
          `state for ${key} uses ${s.biomech.windowMs} ms windows but the function is configured for ${windowMs} ms`,
        );
    },
    begin: () => ({
      apply(s, chunk, out) {
        // Frames must move forward in time: one that does not is quarantined (its time is wrong, or it repeats one).
        const inOrder: PoseFrame[] = [];
        let last = s.biomech.lastT;
        chunk.frames.forEach((f, i) => {
          const t = chunk.t0 + f.t;
          if (last !== null && t <= last) {
            out.rejected({
              firstIndex: i,
              count: 1,
              reason: "frame time not after the subject's previous frame",
              sample: JSON.stringify({ t }),
            });
            return;
          }
          last = t;
          inOrder.push(f);
        });
        out.accepted(inOrder.length);
        if (inOrder.length > 0)
          out.rows(
            POSE_FRAMES,
            inOrder.map((f) => poseFrameRow(chunk, f)),
          );
        const r = applyPoseChunk(s.biomech, {
          t0: chunk.t0,
          frames: inOrder,
          final: chunk.final,
          onFrame: (t, series, keypoints) => trackPeaks(s, windowMs, t, series, keypoints),
        });
        if (r.closed.length > 0)
          out.rows(
            BIOMECH_WINDOWS,
            r.closed.map((w) => biomechRow(chunk, w)),
          );
        for (const { window, finding } of r.deviations) {
          // Deviation insights are about named players: an anonymous track has nobody to alert about.
          if (!chunk.player_id) continue;
          const peak = s.peaks[String(window.start)]?.[finding.feature];
          const player = { match_id: chunk.match_id, player_id: chunk.player_id, team: chunk.team };
          out.insight(deviationInsight(player, chunk.camera_id, window, finding, peak?.keypoints ?? null, visuals));
        }
        for (const w of r.closed) delete s.peaks[String(w.start)];
      },
    }),
  };
}
