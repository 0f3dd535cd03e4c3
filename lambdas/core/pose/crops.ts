/**
 * Top-down pose geometry: from a person's box to the square crop the model sees, and from the
 * model's crop-normalised keypoints back to the image's pixels.
 *
 * Coordinates are the image's pixels as in sideline.pose.v1 and sideline.frame.v1: x right, y down,
 * (0, 0) the top-left corner of the top-left pixel, so pixel (i, j) covers [i, i + 1) × [j, j + 1).
 * A crop is a square of whole pixels; where it reaches past the image's edges it is padded with
 * black (zeros), as MoveNet's own cropping pads (TensorFlow Hub MoveNet tutorial, `crop_and_resize`
 * with extrapolation value 0), so the person stays centred and undistorted at the image's edge.
 */

/** A box in image pixels: x, y of its top-left corner, width, height. */
export type Box = readonly [x: number, y: number, width: number, height: number];

/**
 * The crop's side over the box's longer side. MoveNet sees a square with the person centred and a
 * margin around him: the TensorFlow Hub MoveNet tutorial's cropping algorithm takes 1.2 × the body's
 * extent from its centre (BODY_EXPANSION_RATIO); MMPose's top-down pipeline pads boxes by 1.25
 * (`bbox_xywh2cs(padding=1.25)`). 1.25 scored best of 1.1-1.5 on the shared pose images with
 * ground-truth boxes (test/bench/pose-accuracy.ts).
 */
export const CROP_SCALE = 1.25;

/** A square region of the image in whole pixels; it may reach past the image's edges. */
export interface CropRegion {
  readonly left: number;
  readonly top: number;
  /** Side, pixels, at least 1. */
  readonly size: number;
}

/** The part of a crop region inside the image, and the black padding around it, in source pixels. */
export interface CropWindow {
  /** The image's pixels the crop holds. */
  readonly extract: { readonly left: number; readonly top: number; readonly width: number; readonly height: number };
  /** Black pixels added on each side to make the square; all 0 for a region inside the image. */
  readonly pad: { readonly left: number; readonly top: number; readonly right: number; readonly bottom: number };
}

/** Throws unless the box has finite coordinates and a positive width and height. */
export function assertBox(box: Box, what = "box"): void {
  if (box.length !== 4 || !box.every(Number.isFinite))
    throw new Error(`${what} must be 4 finite numbers [x, y, width, height], got ${JSON.stringify(box)}`);
  if (box[2] <= 0 || box[3] <= 0)
    throw new Error(`${what} must have a positive width and height, got ${JSON.stringify(box)}`);
}

/**
 * The square crop for a box: centred on the box, side `scale` × the box's longer side, rounded to
 * whole pixels (so the crop is exact, and decoding uses the crop the model actually saw).
 */
export function cropRegion(box: Box, scale: number = CROP_SCALE): CropRegion {
  assertBox(box);
  const [x, y, w, h] = box;
  const size = Math.max(1, Math.round(Math.max(w, h) * scale));
  return { left: Math.round(x + w / 2 - size / 2), top: Math.round(y + h / 2 - size / 2), size };
}

/**
 * How a region falls on a `width` × `height` image: what to take from it, and the padding; null
 * when the region lies wholly outside the image (there is nothing of the person to see).
 */
export function cropWindow(region: CropRegion, width: number, height: number): CropWindow | null {
  const { left, top, size } = region;
  const x0 = Math.max(0, left);
  const y0 = Math.max(0, top);
  const x1 = Math.min(width, left + size);
  const y1 = Math.min(height, top + size);
  if (x1 <= x0 || y1 <= y0) return null;
  return {
    extract: { left: x0, top: y0, width: x1 - x0, height: y1 - y0 },
    pad: { left: x0 - left, top: y0 - top, right: left + size - x1, bottom: top + size - y1 },
  };
}

/** A point normalised to the crop (0..1 across its side, x right, y down) in image pixels. */
export function cropToImage(region: CropRegion, x: number, y: number): [x: number, y: number] {
  return [region.left + x * region.size, region.top + y * region.size];
}
