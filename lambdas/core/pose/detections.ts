/**
 * Person detections: overlap between boxes, and greedy non-maximum suppression (keep the best
 * scored box, drop those that overlap it more than a threshold, repeat), as TensorFlow's
 * `image.non_max_suppression` does.
 */
import type { Box } from "./crops.js";

export interface Detection {
  readonly box: Box;
  /** The detector's confidence, 0..1. */
  readonly score: number;
}

/** Intersection over union of two boxes; 0 when either is empty. */
export function boxIou(a: Box, b: Box): number {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a[2] * a[3] + b[2] * b[3] - inter);
}

/** The detections kept by greedy NMS, best score first; ties keep their input order. */
export function nonMaxSuppression(detections: readonly Detection[], maxIou: number): Detection[] {
  const sorted = detections.map((d, i) => ({ d, i })).sort((a, b) => b.d.score - a.d.score || a.i - b.i);
  const kept: Detection[] = [];
  for (const { d } of sorted) if (kept.every((k) => boxIou(k.box, d.box) <= maxIou)) kept.push(d);
  return kept;
}
