/**
 * Pose preprocessing with sharp (lambdas/adapters/pose-crops.ts) on images generated here: decoding,
 * the crop the model sees (padding included), and keypoints back in image pixels.
 */
import sharp from "sharp";
import { cropPixels, decodeImage, estimateSkeletons, ImageDecodeError } from "../../lambdas/adapters/pose-crops.js";
import type { CropKeypoints } from "../../lambdas/core/pose/keypoints.js";
import type { PoseEstimator } from "../../lambdas/ports.js";

/** A PNG `width` × `height`, red on the left half, blue on the right. */
async function redBlue(width: number, height: number): Promise<Buffer> {
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) rgb.set(x < width / 2 ? [255, 0, 0] : [0, 0, 255], (y * width + x) * 3);
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** The RGB of pixel (x, y) of a 192 × 192 crop. */
const at = (crop: Uint8Array, x: number, y: number) => [...crop.subarray((y * 192 + x) * 3, (y * 192 + x) * 3 + 3)];

describe("decodeImage", () => {
  it("decodes JPEG and PNG (alpha dropped, grey made RGB) to 8-bit RGB", async () => {
    const jpeg = await sharp({ create: { width: 40, height: 30, channels: 3, background: "#808080" } })
      .jpeg()
      .toBuffer();
    const img = await decodeImage(jpeg);
    expect([img.width, img.height, img.rgb.length]).toEqual([40, 30, 40 * 30 * 3]);
    const rgba = await sharp({
      create: { width: 4, height: 2, channels: 4, background: { r: 9, g: 8, b: 7, alpha: 0.5 } },
    })
      .png()
      .toBuffer();
    expect([...(await decodeImage(rgba)).rgb.subarray(0, 3)]).toEqual([9, 8, 7]);
    const grey = await sharp({ create: { width: 2, height: 2, channels: 3, background: "#404040" } })
      .toColourspace("b-w")
      .png()
      .toBuffer();
    expect((await decodeImage(grey)).rgb.length).toBe(12);
  });

  it("refuses bytes that are not a whole image, with sharp's reason", async () => {
    await expect(decodeImage(Buffer.from("not an image"))).rejects.toThrow(ImageDecodeError);
    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#102030" } })
      .jpeg()
      .toBuffer();
    await expect(decodeImage(jpeg.subarray(0, jpeg.length - 200))).rejects.toThrow(ImageDecodeError);
  });
});

describe("cropPixels", () => {
  it("resizes a region inside the image to 192 × 192 RGB", async () => {
    // GIVEN a 100 × 100 image, red left of x = 50, blue right of it
    const img = await decodeImage(await redBlue(100, 100));
    // WHEN the 40-pixel square at (30, 10) is cropped: x 30..49 red, 50..69 blue
    const crop = await cropPixels(img, { left: 30, top: 10, size: 40 });
    // THEN the crop's left quarter is red and its right quarter blue
    expect(crop.length).toBe(192 * 192 * 3);
    expect(at(crop, 10, 96)).toEqual([255, 0, 0]);
    expect(at(crop, 180, 96)).toEqual([0, 0, 255]);
  });

  it("pads black where the region reaches past the image's edges, keeping the person's scale", async () => {
    // GIVEN the 100-pixel square at (-50, 0) on that image: its left half lies outside
    const img = await decodeImage(await redBlue(100, 100));
    const crop = await cropPixels(img, { left: -50, top: 0, size: 100 });
    // THEN the crop's left half is black and its right half the image's red left edge
    expect(at(crop, 40, 96)).toEqual([0, 0, 0]);
    expect(at(crop, 150, 96)).toEqual([255, 0, 0]);
  });

  it("refuses a region wholly outside the image", async () => {
    const img = await decodeImage(await redBlue(10, 10));
    await expect(cropPixels(img, { left: 20, top: 0, size: 5 })).rejects.toThrow(
      "the crop [20, 0, 5, 5] lies outside the 10×10 image",
    );
  });
});

describe("estimateSkeletons", () => {
  /** Every keypoint at the crop's centre, scored by the crop's index. */
  const centres: PoseEstimator = {
    estimate: async (crops) =>
      crops.map((_, i): CropKeypoints => Array.from({ length: 17 }, () => [0.5, 0.5, (i + 1) / 10] as const)),
  };

  it("crops each box and returns its keypoints in image pixels, in the boxes' order", async () => {
    const img = await decodeImage(await redBlue(100, 80));
    const [a, b] = await estimateSkeletons(
      img,
      [
        [10, 10, 20, 40],
        [60, 30, 30, 30],
      ],
      centres,
    );
    // box a: 50-pixel crop at (-5, 5), centre (20, 30); box b: 38-pixel crop at (56, 26), centre (75, 45)
    expect(a!.region).toEqual({ left: -5, top: 5, size: 50 });
    expect(a!.keypoints[0]).toEqual([20, 30, 0.1]);
    expect(b!.region).toEqual({ left: 56, top: 26, size: 38 });
    expect(b!.keypoints[16]).toEqual([75, 45, 0.2]);
  });

  it("names a box that is not a box, or lies outside the image", async () => {
    const img = await decodeImage(await redBlue(100, 80));
    await expect(estimateSkeletons(img, [[200, 0, 10, 10]], centres)).rejects.toThrow(
      "box 0 [200, 0, 10, 10]: lies outside the 100×80 image",
    );
    await expect(estimateSkeletons(img, [[0, 0, -1, 10]], centres)).rejects.toThrow(
      "box 0 [0, 0, -1, 10]: box must have a positive width and height",
    );
  });
});
