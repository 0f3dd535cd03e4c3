/**
 * Keypoint decoding: MoveNet's output to COCO-17 keypoints normalised to the crop, the horizontal
 * flip test, and the crop to the image's pixels (see ./crops.ts for the geometry).
 *
 * MoveNet's output for one crop is [1, 17, 3]: per COCO-17 keypoint, y and x normalised to the crop
 * (0..1, y down, x right) and a score in [0, 1] (TensorFlow Hub, movenet/singlepose/lightning/4,
 * "Outputs"). Sideline turns that into [x, y, score] at once, the order of sideline.pose.v1.
 */
import { COCO17 } from "../../contracts/records/pose.js";
import { type CropRegion, cropToImage } from "./crops.js";

/** One keypoint: x, y (normalised to the crop, or image pixels, as the type that holds it says), score. */
export type Keypoint = readonly [x: number, y: number, score: number];

/** COCO-17 keypoints of one crop, [x, y, score] with x and y normalised to the crop (0..1). */
export type CropKeypoints = readonly Keypoint[];

/** Values per keypoint in MoveNet's output: y, x, score. */
export const MOVENET_VALUES_PER_KEYPOINT = 3;

/**
 * Keypoints the model scores below this are null in pose records: "not found" rather than a guess.
 * 0.2 is the TensorFlow Hub MoveNet tutorial's MIN_CROP_KEYPOINT_SCORE (a keypoint it trusts enough
 * to crop around). On the shared pose images, labelled keypoints scored below 0.2 are 3% of all
 * and within PCK@0.1 less than half the time (46%), against 77% above it.
 */
export const KEYPOINT_SCORE_FLOOR = 0.2;

/** Each COCO-17 keypoint's mirror image: left and right swap, the nose stays. */
export const COCO17_MIRROR: readonly number[] = COCO17.map((name) => {
  const mirror = name.startsWith("left_")
    ? name.replace("left_", "right_")
    : name.startsWith("right_")
      ? name.replace("right_", "left_")
      : name;
  return COCO17.indexOf(mirror as (typeof COCO17)[number]);
});

/**
 * MoveNet's output for `n` crops ([n, 1, 17, 3] as y, x, score) as [x, y, score] per crop. Throws on
 * a wrong length, a non-finite value or a score outside [0, 1]: the server answered something else.
 */
export function fromMovenetOutput(values: ArrayLike<number>, n: number): CropKeypoints[] {
  const per = COCO17.length * MOVENET_VALUES_PER_KEYPOINT;
  if (values.length !== n * per)
    throw new Error(`movenet output holds ${values.length} values, expected ${n * per} for ${n} crops`);
  const out: CropKeypoints[] = [];
  for (let c = 0; c < n; c++) {
    const kps: Keypoint[] = [];
    for (let k = 0; k < COCO17.length; k++) {
      const o = c * per + k * MOVENET_VALUES_PER_KEYPOINT;
      const [y, x, score] = [values[o]!, values[o + 1]!, values[o + 2]!];
      if (!Number.isFinite(x) || !Number.isFinite(y) || !(score >= 0 && score <= 1))
        throw new Error(
          `movenet output for crop ${c}, keypoint ${COCO17[k]}: [${y}, ${x}, ${score}] is not a keypoint`,
        );
      kps.push([x, y, score]);
    }
    out.push(kps);
  }
  return out;
}

/**
 * A crop mirrored left to right: `size` × `size` pixels of `channels` bytes, row-major. The model's
 * keypoints on it are brought back with {@link unmirror}.
 */
export function mirrorPixels(pixels: Uint8Array, size: number, channels = 3): Uint8Array {
  if (pixels.length !== size * size * channels)
    throw new Error(
      `a ${size}×${size} crop of ${channels} channels has ${size * size * channels} bytes, got ${pixels.length}`,
    );
  const out = new Uint8Array(pixels.length);
  const row = size * channels;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const from = y * row + x * channels;
      const to = y * row + (size - 1 - x) * channels;
      for (let c = 0; c < channels; c++) out[to + c] = pixels[from + c]!;
    }
  }
  return out;
}

/** Keypoints found on a mirrored crop, in the unmirrored crop: x → 1 − x, and left and right swapped. */
export function unmirror(kps: CropKeypoints): CropKeypoints {
  return COCO17_MIRROR.map((m) => {
    const [x, y, score] = kps[m]!;
    return [1 - x, y, score] as const;
  });
}

/**
 * The horizontal flip test: the mean of the keypoints found on the crop and on its mirror image
 * (brought back with {@link unmirror}). On the shared pose images with ground-truth boxes it raised
 * PCK@0.1 from 0.747 to 0.763 (PoseTrack18 0.727 → 0.786), for twice the model's work.
 */
export function averageFlipped(plain: CropKeypoints, mirrored: CropKeypoints): CropKeypoints {
  const back = unmirror(mirrored);
  return plain.map(([x, y, s], k) => {
    const [bx, by, bs] = back[k]!;
    return [(x + bx) / 2, (y + by) / 2, (s + bs) / 2] as const;
  });
}

/** Crop-normalised keypoints in the image's pixels. */
export function toImageKeypoints(region: CropRegion, kps: CropKeypoints): Keypoint[] {
  return kps.map(([x, y, score]) => [...cropToImage(region, x, y), score] as const);
}

/** Keypoints as sideline.pose.v1 carries them: those scored below the floor are null. */
export function withScoreFloor(kps: readonly Keypoint[], floor: number = KEYPOINT_SCORE_FLOOR): (Keypoint | null)[] {
  return kps.map((k) => (k[2] >= floor ? k : null));
}
