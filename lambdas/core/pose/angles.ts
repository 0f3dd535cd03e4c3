/**
 * Joint angles from one 2D COCO-17 skeleton (lambdas/contracts/records/pose.ts): keypoints are
 * `[x, y, score]` in image pixels, x to the right and y DOWN, or null when not found.
 *
 * Every angle is the angle of the 2D projection in the image plane, in degrees. A flexion angle is
 * 180° minus the angle at the joint between its two segments, so a straight limb is 0° and a knee
 * bent to a right angle is 90°. Missing keypoints, or two points closer than MIN_SEGMENT_PX (a
 * segment with no direction), give null, never NaN.
 *
 * Coordinates: the only place where the image's y-down convention matters is trunk lean's sign
 * (below); every other angle is unsigned or signed relative to the body itself.
 */
import { KP } from "../../contracts/records/pose.js";

/** One COCO-17 keypoint: x, y (image pixels, y down) and the model's score, or null when not found. */
export type Keypoint = readonly [x: number, y: number, score: number] | null;
/** The 17 keypoints of one frame, in COCO-17 order. */
export type Skeleton = readonly Keypoint[];
export type Side = "left" | "right";

/**
 * Segments shorter than one pixel have no measurable direction: pixel quantisation alone turns a
 * 1-pixel segment by up to 45°. Angles that need one are null (JHMDB's goalkeeper clip puts elbow,
 * wrist and knee on one point in frame 2: a real case, see /work/shared/datasets/README.md).
 */
export const MIN_SEGMENT_PX = 1;

/**
 * The knee FPPA needs a frontal view. Face-on, the two hip keypoints are about 0.78 of a thigh
 * apart (hip width 0.191 H, thigh 0.245 H: Drillis & Contini 1966, as drawn in Winter 2009,
 * Fig. 4.1), and the projected hip width shrinks with the cosine of the body's turn away from the
 * camera. Below 0.5 thigh lengths (a turn of roughly 50° or more, or a side view, where the "FPPA"
 * would be mostly knee flexion) the FPPA is null. Sideline rule, derived from that anthropometry.
 */
export const FPPA_MIN_HIP_WIDTH_TO_THIGH = 0.5;

const SIDES = {
  left: {
    shoulder: KP.left_shoulder,
    elbow: KP.left_elbow,
    wrist: KP.left_wrist,
    hip: KP.left_hip,
    knee: KP.left_knee,
    ankle: KP.left_ankle,
    otherHip: KP.right_hip,
  },
  right: {
    shoulder: KP.right_shoulder,
    elbow: KP.right_elbow,
    wrist: KP.right_wrist,
    hip: KP.right_hip,
    knee: KP.right_knee,
    ankle: KP.right_ankle,
    otherHip: KP.left_hip,
  },
} as const;

const DEG = 180 / Math.PI;

/** A point with finite coordinates (the score, if any, is ignored), or null. */
type Pt = readonly [number, number, ...number[]] | null | undefined;

const usable = (p: Pt): p is readonly [number, number, ...number[]] =>
  p != null && Number.isFinite(p[0]) && Number.isFinite(p[1]);

/** Distance between two points, pixels. */
export const distance = (a: readonly [number, number, ...number[]], b: readonly [number, number, ...number[]]) =>
  Math.sqrt((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2);

/**
 * The angle at `b` between the segments b→a and b→c, in degrees in [0, 180]: 90 for a right angle,
 * 180 when a, b and c are collinear with b between them, 0 when a and c lie on the same ray.
 * atan2(|cross|, dot) rather than acos(dot / |u||v|): exact near 0° and 180°, where acos loses
 * digits. Null when a point is missing or not finite, or a segment is shorter than MIN_SEGMENT_PX.
 */
export function jointAngle(a: Pt, b: Pt, c: Pt): number | null {
  if (!usable(a) || !usable(b) || !usable(c)) return null;
  const ux = a[0] - b[0];
  const uy = a[1] - b[1];
  const vx = c[0] - b[0];
  const vy = c[1] - b[1];
  if (ux * ux + uy * uy < MIN_SEGMENT_PX ** 2 || vx * vx + vy * vy < MIN_SEGMENT_PX ** 2) return null;
  return Math.atan2(Math.abs(ux * vy - uy * vx), ux * vx + uy * vy) * DEG;
}

const flexion = (a: Pt, b: Pt, c: Pt): number | null => {
  const angle = jointAngle(a, b, c);
  return angle === null ? null : 180 - angle;
};

/** Knee flexion: 180° − the hip–knee–ankle angle (0° straight leg). */
export const kneeFlexion = (s: Skeleton, side: Side): number | null =>
  flexion(s[SIDES[side].hip], s[SIDES[side].knee], s[SIDES[side].ankle]);

/** Hip flexion: 180° − the shoulder–hip–knee angle (0° when trunk and thigh are in line). */
export const hipFlexion = (s: Skeleton, side: Side): number | null =>
  flexion(s[SIDES[side].shoulder], s[SIDES[side].hip], s[SIDES[side].knee]);

/** Elbow flexion: 180° − the shoulder–elbow–wrist angle (0° straight arm). */
export const elbowFlexion = (s: Skeleton, side: Side): number | null =>
  flexion(s[SIDES[side].shoulder], s[SIDES[side].elbow], s[SIDES[side].wrist]);

/** The midpoint of two keypoints, or null when either is missing. */
function midpoint(a: Pt, b: Pt): [number, number] | null {
  if (!usable(a) || !usable(b)) return null;
  return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
}

/**
 * Knee frontal-plane projection angle, FPPA (Munro, Herrington & Carolan 2012, J Sport Rehabil
 * 21:7-11): the angle between the thigh (hip→knee) and the shank (knee→ankle), i.e. 180° − the
 * hip–knee–ankle angle, SIGNED: positive (valgus) when the knee lies medial of the hip–ankle line,
 * negative (varus) when lateral, 0 when the three are in line. Medial means toward the body's
 * midline, taken as the mid-hip point, so the sign is right whether the player faces the camera or
 * turns his back to it (a valgus knee moves toward the midline in both views).
 *
 * View assumption: the camera looks at the player's front or back, square to his frontal plane, as
 * in Munro et al.'s protocol. A side view (hips less than FPPA_MIN_HIP_WIDTH_TO_THIGH of a thigh
 * apart) gives null. An oblique view passes that gate, and then knee flexion leaks into the angle:
 * in Penn Action's squat 1760 (hips 48 px apart for a 58 px thigh) the far knee's "FPPA" follows its
 * flexion to 93°. A 2D image cannot tell that from valgus. Values from game video are therefore
 * comparable within one player and one camera set-up, which is how the deviation rule uses them,
 * not with Munro et al.'s laboratory norms.
 */
export function kneeFppa(s: Skeleton, side: Side): number | null {
  const k = SIDES[side];
  const hip = s[k.hip];
  const knee = s[k.knee];
  const ankle = s[k.ankle];
  const otherHip = s[k.otherHip];
  const flex = flexion(hip, knee, ankle);
  if (flex === null || !usable(hip) || !usable(knee) || !usable(ankle) || !usable(otherHip)) return null;
  if (distance(hip, otherHip) < FPPA_MIN_HIP_WIDTH_TO_THIGH * distance(hip, knee)) return null;
  const mid = midpoint(hip, otherHip)!;
  // Which side of the hip→ankle line the knee and the midline lie on: the signs of two cross products.
  const lx = ankle[0] - hip[0];
  const ly = ankle[1] - hip[1];
  const len = Math.sqrt(lx * lx + ly * ly);
  const kneeSide = lx * (knee[1] - hip[1]) - ly * (knee[0] - hip[0]);
  const midSide = lx * (mid[1] - hip[1]) - ly * (mid[0] - hip[0]);
  // The midline within a pixel of the leg's line: medial is undefined.
  if (Math.abs(midSide) < MIN_SEGMENT_PX * len) return null;
  if (kneeSide === 0 || flex === 0) return 0;
  return Math.sign(kneeSide) === Math.sign(midSide) ? flex : -flex;
}

/**
 * Trunk lean: the angle of the mid-hip → mid-shoulder segment from the image vertical, in degrees
 * in (−180, 180]. 0 is upright; SIGNED, positive when the shoulders are to the image's right (+x)
 * of the hips, negative to its left; ±180 upside down. Image y points down, so "up" is −y. The
 * image vertical is the true vertical only for a level camera (no roll). Windows summarise its
 * absolute value (lean either way). Null unless both shoulders and both hips are present.
 */
export function trunkLean(s: Skeleton): number | null {
  const sh = midpoint(s[KP.left_shoulder], s[KP.right_shoulder]);
  const hp = midpoint(s[KP.left_hip], s[KP.right_hip]);
  if (sh === null || hp === null) return null;
  const dx = sh[0] - hp[0];
  const up = hp[1] - sh[1];
  if (dx * dx + up * up < MIN_SEGMENT_PX ** 2) return null;
  const lean = Math.atan2(dx, up) * DEG;
  return lean === -180 ? 180 : lean;
}
