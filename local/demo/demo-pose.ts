/**
 * The demo's pose clip: COCO-17 keypoints, as an edge camera that estimates pose itself would send
 * them (`sideline.pose.v1`), for a few players jogging toward a touchline camera. A kinematic stick
 * model in the camera's image: hips, knees and ankles move with a running cycle at a steady cadence,
 * the arms swing against the legs, and the trunk leans slightly. One player's left knee collapses
 * inward (dynamic knee valgus) late in the clip, which the biomechanics rule should notice against
 * his own earlier windows; the others stay as they were. Seeded: every demo is the same.
 */
import {
  type COCO17,
  KP,
  POSE_SCHEMA_V1,
  type PoseChunk,
  type PoseFrame,
} from "../../lambdas/contracts/records/pose.js";
import { DEVIATION_MIN_BASELINE_WINDOWS, DEVIATION_PERSISTENCE } from "../../lambdas/core/pose/deviation.js";
import { seededRandom } from "./squad.js";

/** The demo camera's image: 1080p, as broadcast and most club cameras record. */
export const DEMO_POSE_IMAGE = { width: 1920, height: 1080 } as const;
/** The camera the clip comes from. */
export const DEMO_POSE_CAMERA = "touchline-cam-1";
/** Frames per second the edge camera estimates pose at (broadcast rate; above twice the 6 Hz filter cut-off). */
export const DEMO_POSE_FPS = 25;
/** Steps per minute of the jog (recreational to training running is ~160-180 spm; Heiderscheit et al. 2011). */
const CADENCE_SPM = 168;
/** Keypoint position noise of a pose model, 1 sigma, pixels (MoveNet's keypoint error on a 400 px person is a few px). */
const NOISE_PX = 2.5;
/** The person's height in the image, pixels (a player ~25 m from a 1080p touchline camera). */
const BODY_PX = 420;

export interface DemoPoseOptions {
  readonly matchId: string;
  /** The clip starts here (epoch ms). */
  readonly startMs: number;
  /** @default DEMO_POSE_MINUTES */
  readonly minutes?: number;
  /** Who is filmed. @default DEMO_POSE_PLAYERS */
  readonly players?: readonly string[];
  /** Whose left knee caves in late in the clip. @default the first player */
  readonly deviating?: string;
  /** @default 7 */
  readonly seed?: number;
  /** Frames per record. @default 25 (one second) */
  readonly framesPerChunk?: number;
}

/**
 * The clip's length: ten minutes of baseline (the deviation rule's minimum of 10 earlier windows)
 * and two of the caving knee (its persistence of 2 windows), so the demo shows the insight fire.
 */
export const DEMO_POSE_MINUTES = DEVIATION_MIN_BASELINE_WINDOWS + DEVIATION_PERSISTENCE; // with 1-minute windows
/** Two players of the demo squad: one whose knee caves in, and one who stays as he was (the control). */
export const DEMO_POSE_PLAYERS: readonly string[] = ["home_7", "home_9"];

/** The clip's minute from which the deviating player's knee caves in (the rest is his baseline). */
export const DEVIATION_FROM_MINUTE = DEVIATION_MIN_BASELINE_WINDOWS;
/**
 * How far his left knee moves toward the midline at mid-stance, in heads of the figure (~17 deg of
 * frontal-plane projection angle with ~2-head thigh and shank): past the 8-12 deg that healthy players
 * show in screening tasks (Munro et al. 2012), as a knee that tires or hurts would.
 */
const VALGUS_HEADS = 0.3;

interface Pt {
  x: number;
  y: number;
}

/**
 * One frame of one player, facing the camera: his left side is on the image's right. `phase` is the
 * running cycle in [0, 1); `valgusPx` moves the left knee toward the midline (inward).
 */
function skeleton(cx: number, footY: number, phase: number, valgusPx: number): Pt[] {
  const s = BODY_PX / 7.5; // one "head" of a 7.5-head figure
  const swing = Math.sin(2 * Math.PI * phase);
  const hipY = footY - 4 * s + 0.08 * s * Math.abs(Math.cos(2 * Math.PI * phase));
  const shoulderY = hipY - 2.9 * s;
  const lean = 0.12 * s; // a slight forward lean, toward the camera: the shoulders look a little lower
  const pts: Pt[] = new Array(17);
  const put = (name: (typeof COCO17)[number], x: number, y: number) => {
    pts[KP[name]] = { x, y };
  };
  put("nose", cx, shoulderY - 0.9 * s + lean);
  put("left_eye", cx + 0.17 * s, shoulderY - 1.05 * s + lean);
  put("right_eye", cx - 0.17 * s, shoulderY - 1.05 * s + lean);
  put("left_ear", cx + 0.42 * s, shoulderY - 0.95 * s + lean);
  put("right_ear", cx - 0.42 * s, shoulderY - 0.95 * s + lean);
  put("left_shoulder", cx + 0.95 * s, shoulderY + lean);
  put("right_shoulder", cx - 0.95 * s, shoulderY + lean);
  // Arms swing against the legs: seen from the front, the hands rise and fall.
  put("left_elbow", cx + 1.1 * s, shoulderY + 1.3 * s - 0.25 * s * swing);
  put("right_elbow", cx - 1.1 * s, shoulderY + 1.3 * s + 0.25 * s * swing);
  put("left_wrist", cx + 0.9 * s, shoulderY + 2.2 * s - 0.6 * s * swing);
  put("right_wrist", cx - 0.9 * s, shoulderY + 2.2 * s + 0.6 * s * swing);
  put("left_hip", cx + 0.55 * s, hipY);
  put("right_hip", cx - 0.55 * s, hipY);
  // Each leg's knee rises as it swings through (the other leg is in stance).
  const lift = (p: number) => Math.max(0, Math.sin(2 * Math.PI * p));
  const leftLift = lift(phase);
  const rightLift = lift(phase + 0.5);
  const kneeY = (l: number) => hipY + 2 * s - 0.7 * s * l;
  const ankleY = (l: number) => footY - 1.1 * s * l;
  // In stance the left knee caves in by valgusPx (it is worst at mid-stance, when the leg bears the body).
  const stance = Math.max(0, -Math.sin(2 * Math.PI * phase));
  put("left_knee", cx + 0.55 * s - valgusPx * stance, kneeY(leftLift));
  put("right_knee", cx - 0.55 * s, kneeY(rightLift));
  put("left_ankle", cx + 0.5 * s, ankleY(leftLift));
  put("right_ankle", cx - 0.5 * s, ankleY(rightLift));
  return pts;
}

/** The clip as pose records, one subject's frames per record in time order, all subjects interleaved by time. */
export function* demoPoseChunks(o: DemoPoseOptions): Generator<PoseChunk> {
  const players = o.players ?? DEMO_POSE_PLAYERS;
  const deviating = o.deviating ?? players[0]!;
  const minutes = o.minutes ?? DEMO_POSE_MINUTES;
  const per = o.framesPerChunk ?? DEMO_POSE_FPS;
  const random = seededRandom(o.seed ?? 7);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const frames = minutes * 60 * DEMO_POSE_FPS;
  const stepHz = CADENCE_SPM / 60;
  const state = players.map((p, i) => ({
    player: p,
    team: p.split("_")[0]!,
    cx: DEMO_POSE_IMAGE.width * ((i + 1) / (players.length + 1)),
    phase0: random(),
    seq: 0,
    pending: [] as PoseFrame[],
    t0: 0,
  }));
  for (let f = 0; f < frames; f++) {
    const tMs = Math.round((f * 1000) / DEMO_POSE_FPS);
    const minute = tMs / 60_000;
    for (const s of state) {
      // A stride (two steps) per cycle.
      const phase = (s.phase0 + (tMs / 1000) * (stepHz / 2)) % 1;
      const valgus = s.player === deviating && minute >= DEVIATION_FROM_MINUTE ? VALGUS_HEADS * (BODY_PX / 7.5) : 0;
      const pts = skeleton(s.cx, DEMO_POSE_IMAGE.height * 0.85, phase, valgus);
      const keypoints = pts.map((p) => {
        const score = 0.55 + 0.4 * random();
        return [round1(p.x + NOISE_PX * gauss()), round1(p.y + NOISE_PX * gauss()), round2(score)] as [
          number,
          number,
          number,
        ];
      });
      if (s.pending.length === 0) s.t0 = o.startMs + tMs;
      s.pending.push({ t: o.startMs + tMs - s.t0, frame_index: f, keypoints });
      if (s.pending.length === per || f === frames - 1) {
        yield {
          schema: POSE_SCHEMA_V1,
          match_id: o.matchId,
          player_id: s.player,
          team: s.team,
          camera_id: DEMO_POSE_CAMERA,
          seq: s.seq++,
          model: { id: "demo-edge-movenet", version: "synthetic-1" },
          image: { ...DEMO_POSE_IMAGE },
          t0: s.t0,
          frames: s.pending,
          ...(f === frames - 1 ? { final: true } : {}),
        };
        s.pending = [];
      }
    }
  }
}

const round1 = (v: number) => Math.round(v * 10) / 10;
const round2 = (v: number) => Math.round(v * 100) / 100;
