/**
 * Synthetic COCO-17 skeletons for the biomechanics tests: image pixels, x right, y down, built so
 * that every angle can be worked out by hand.
 */
import { COCO17, type Coco17Name, KP } from "../../lambdas/contracts/records/pose.js";
import type { Keypoint } from "../../lambdas/core/pose/angles.js";

/** A skeleton with the named points (score 0.9 unless given) and null elsewhere. */
export function skeleton(points: Partial<Record<Coco17Name, readonly [number, number]>>, score = 0.9): Keypoint[] {
  return COCO17.map((name) => {
    const p = points[name];
    return p ? ([p[0], p[1], score] as const) : null;
  });
}

/** The same skeleton with one keypoint's score replaced. */
export function withScore(s: readonly Keypoint[], name: Coco17Name, score: number): Keypoint[] {
  return s.map((k, i) => (i === KP[name] && k ? ([k[0], k[1], score] as const) : k));
}

/** The knee of a two-segment leg: thigh and shank both `seg` long, bent toward +x (forward) or the given side. */
function knee(hip: readonly [number, number], ankle: readonly [number, number], seg: number, side: 1 | -1) {
  const mx = (hip[0] + ankle[0]) / 2;
  const my = (hip[1] + ankle[1]) / 2;
  const dx = ankle[0] - hip[0];
  const dy = ankle[1] - hip[1];
  const d = Math.sqrt(dx * dx + dy * dy);
  const h = Math.sqrt(Math.max(0, seg * seg - (d / 2) ** 2));
  // Unit normal to hip->ankle; pick the one pointing to `side` in x.
  let nx = -dy / d;
  let ny = dx / d;
  if (Math.sign(nx) !== side) {
    nx = -nx;
    ny = -ny;
  }
  return [mx + h * nx, my + h * ny] as const;
}

export const SEG = 80;
export const LEG = 2 * SEG;

/**
 * A player seen side-on, moving toward +x: both hips at (300, 200) (2 px apart), thighs and shanks
 * SEG px, ankles `sep(t)` × LEG / 2 ahead of and behind the hip, so that the ankle separation
 * (left − right, in leg lengths) along x is exactly sep(t). Knees bend forward.
 */
export function sideOnWalker(sep: number, hipToAnkle = 150): Keypoint[] {
  const hip: [number, number] = [300, 200];
  const half = (sep * LEG) / 2;
  const ankleL: [number, number] = [hip[0] + half, hip[1] + Math.sqrt(hipToAnkle ** 2 - half * half)];
  const ankleR: [number, number] = [hip[0] - half, hip[1] + Math.sqrt(hipToAnkle ** 2 - half * half)];
  return skeleton({
    nose: [305, 60],
    left_shoulder: [302, 90],
    right_shoulder: [298, 90],
    left_elbow: [310, 140],
    right_elbow: [290, 140],
    left_wrist: [330, 170],
    right_wrist: [270, 170],
    left_hip: [301, 200],
    right_hip: [299, 200],
    left_knee: knee([301, 200], ankleL, SEG, 1),
    right_knee: knee([299, 200], ankleR, SEG, 1),
    left_ankle: ankleL,
    right_ankle: ankleR,
  });
}

/**
 * A player facing the camera (his left on the image's right): hips at x = 270 (right) and 330
 * (left), y = 200; knees 80 px below, moved toward the midline (x = 300) by `medialL` / `medialR`
 * px; ankles 80 px below the knees, straight under the hips. Each FPPA is then 2·atan(medial / 80).
 * Shoulders at y = 80, shifted `leanPx` toward +x.
 */
export function facingPlayer(medialL: number, medialR: number, leanPx = 0): Keypoint[] {
  return skeleton({
    nose: [300 + leanPx, 50],
    left_shoulder: [340 + leanPx, 80],
    right_shoulder: [260 + leanPx, 80],
    left_elbow: [350, 130],
    right_elbow: [250, 130],
    left_wrist: [352, 180],
    right_wrist: [248, 180],
    left_hip: [330, 200],
    right_hip: [270, 200],
    left_knee: [330 - medialL, 280],
    right_knee: [270 + medialR, 280],
    left_ankle: [330, 360],
    right_ankle: [270, 360],
  });
}

/** Medial knee offset (px) that gives an FPPA of `deg` in facingPlayer. */
export const medialFor = (deg: number) => 80 * Math.tan(((deg / 2) * Math.PI) / 180);

/**
 * A side-on ankle separation (leg lengths) with steps of `aMs` (ending at a maximum) and `aMs +
 * dwellMs` (ending at a minimum): parabolic caps 200 ms wide around each extreme (amplitude 0.8),
 * joined by ramps of one slope; the B half-cycle pauses `dwellMs` at zero separation mid-ramp. Each
 * extreme is symmetric, so its time is unambiguous: steps are exactly aMs and aMs + dwellMs.
 */
export function gaitSeparation(ms: number, aMs = 400, dwellMs = 40): number {
  const amp = 0.8;
  const c = 100;
  const ramp = aMs - 2 * c;
  const k = amp / (c * (c + ramp));
  const slope = 2 * k * c;
  const edge = amp - k * c * c;
  const period = 2 * aMs + dwellMs;
  // Phase 0 at a maximum: cap, ramp down (with the dwell at its middle), cap at the minimum, ramp up.
  let p = ((ms % period) + period) % period;
  if (p < c) return amp - k * p * p;
  p -= c;
  if (p < ramp / 2) return edge - slope * p;
  p -= ramp / 2;
  if (p < dwellMs) return 0;
  p -= dwellMs;
  if (p < ramp / 2) return -slope * p;
  p -= ramp / 2;
  if (p < 2 * c) return -amp + k * (p - c) ** 2;
  p -= 2 * c;
  if (p < ramp) return -edge + slope * p;
  p -= ramp;
  return amp - k * (p - c) ** 2;
}
