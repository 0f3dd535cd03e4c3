/**
 * Pose preprocessing with sharp (libvips): decode a frame once, cut each person's square crop
 * (core/pose/crops.ts decides where; black where it reaches past the image's edges), resize it to
 * the model's 192 × 192, and ask the PoseEstimator; the keypoints come back in the image's pixels.
 * Used by the pose invoker (Lambda), the `sideline pose` command and the accuracy script alike.
 *
 * The image is taken as stored: EXIF orientation is not applied, so pixels are those the JPEG's
 * own width and height describe, the frame sampler's boxes included.
 *
 * sharp is a native module: it loads on first use, so a Lambda bundle that keeps it external
 * imports without it (the function installs it for Lambda's platform).
 */
import { type Box, type CropRegion, cropRegion, cropWindow } from "../core/pose/crops.js";
import { type Keypoint, toImageKeypoints } from "../core/pose/keypoints.js";
import type { PoseEstimator } from "../ports.js";
import { MOVENET } from "./kserve.js";

let sharpModule: Promise<typeof import("sharp")> | null = null;
async function loadSharp() {
  sharpModule ??= import("sharp");
  return (await sharpModule).default;
}

/** An image decoded to 8-bit RGB, row-major. */
export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  readonly rgb: Buffer;
}

/** The bytes are not an image sharp can decode (truncated, corrupt, not an image). */
export class ImageDecodeError extends Error {}

/** Decodes JPEG, PNG or WebP to RGB (grey and CMYK converted, alpha dropped); throws ImageDecodeError. */
export async function decodeImage(bytes: Uint8Array): Promise<DecodedImage> {
  const sharp = await loadSharp();
  try {
    const { data, info } = await sharp(bytes, { failOn: "warning" })
      .removeAlpha()
      .toColourspace("srgb")
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, not RGB`);
    return { width: info.width, height: info.height, rgb: data };
  } catch (e) {
    throw new ImageDecodeError((e as Error).message.split("\n")[0]!);
  }
}

/**
 * The region's pixels resized to `size` × `size` RGB (sharp's default Lanczos-3 kernel, which
 * filters before it shrinks). Throws when the region lies wholly outside the image.
 */
export async function cropPixels(
  image: DecodedImage,
  region: CropRegion,
  size: number = MOVENET.size,
): Promise<Uint8Array> {
  const window = cropWindow(region, image.width, image.height);
  if (!window)
    throw new Error(
      `the crop [${region.left}, ${region.top}, ${region.size}, ${region.size}] lies outside the ${image.width}×${image.height} image`,
    );
  const sharp = await loadSharp();
  const raw = { raw: { width: image.width, height: image.height, channels: 3 as const } };
  const { pad } = window;
  const padded = pad.left + pad.top + pad.right + pad.bottom > 0;
  // sharp extends after it resizes, so a padded crop is made square first, then resized.
  const square = padded
    ? await sharp(image.rgb, raw)
        .extract(window.extract)
        .extend({ ...pad, background: { r: 0, g: 0, b: 0 } })
        .raw()
        .toBuffer()
    : null;
  const source = square
    ? sharp(square, { raw: { width: region.size, height: region.size, channels: 3 } })
    : sharp(image.rgb, raw).extract(window.extract);
  return new Uint8Array(await source.resize(size, size, { fit: "fill" }).raw().toBuffer());
}

/** A box that cannot be cropped: not a box, or wholly outside the image. The message names it. */
export class InvalidBoxError extends Error {}

/** One person's estimate: his box, the crop the model saw, and COCO-17 keypoints in image pixels. */
export interface Skeleton {
  readonly box: Box;
  readonly region: CropRegion;
  /** [x, y, score] in image pixels, every keypoint (the score says how sure the model is). */
  readonly keypoints: Keypoint[];
}

/**
 * Skeletons for boxes in one image, one crop per box (a person behind another is estimated from
 * his own box). Throws, naming the box, when a box is not a box or lies wholly outside the image.
 */
export async function estimateSkeletons(
  image: DecodedImage,
  boxes: readonly Box[],
  estimator: PoseEstimator,
): Promise<Skeleton[]> {
  const regions = boxes.map((box, i) => {
    try {
      const region = cropRegion(box);
      if (!cropWindow(region, image.width, image.height))
        throw new Error(`lies outside the ${image.width}×${image.height} image`);
      return region;
    } catch (e) {
      throw new InvalidBoxError(`box ${i} [${box.join(", ")}]: ${(e as Error).message}`);
    }
  });
  const crops = await Promise.all(regions.map((r) => cropPixels(image, r)));
  const found = await estimator.estimate(crops);
  if (found.length !== boxes.length)
    throw new Error(`the pose estimator returned ${found.length} results for ${boxes.length} crops`);
  return regions.map((region, i) => ({ box: boxes[i]!, region, keypoints: toImageKeypoints(region, found[i]!) }));
}
