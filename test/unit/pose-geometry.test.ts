/**
 * Pose geometry and keypoint decoding (lambdas/core/pose), checked against values worked by hand.
 */
import { CROP_SCALE, cropRegion, cropToImage, cropWindow } from "../../lambdas/core/pose/crops.js";
import { boxIou, nonMaxSuppression } from "../../lambdas/core/pose/detections.js";
import {
  averageFlipped,
  COCO17_MIRROR,
  type CropKeypoints,
  fromMovenetOutput,
  KEYPOINT_SCORE_FLOOR,
  type Keypoint,
  mirrorPixels,
  toImageKeypoints,
  unmirror,
  withScoreFloor,
} from "../../lambdas/core/pose/keypoints.js";

/** 17 keypoints, keypoint k at (k / 100, 0.5 + k / 100) with score 0.5. */
const ramp = (): CropKeypoints => Array.from({ length: 17 }, (_, k) => [k / 100, 0.5 + k / 100, 0.5] as const);

describe("crop regions", () => {
  it("centres a square of CROP_SCALE × the longer side on the box, in whole pixels", () => {
    // GIVEN a box 40 wide and 80 tall centred on (120, 240)
    // THEN the crop is 80 × 1.25 = 100 pixels square, centred there
    expect(CROP_SCALE).toBe(1.25);
    expect(cropRegion([100, 200, 40, 80])).toEqual({ left: 70, top: 190, size: 100 });
    // AND a wide box uses its width: 30 × 1.25 = 37.5 rounds to 38, centred on (25, 20): 25 - 19, 20 - 19
    expect(cropRegion([10, 10, 30, 20])).toEqual({ left: 6, top: 1, size: 38 });
    // AND the scale can be given
    expect(cropRegion([0, 0, 10, 10], 2)).toEqual({ left: -5, top: -5, size: 20 });
  });

  it("fails when a box is not a box", () => {
    expect(() => cropRegion([0, 0, 0, 10])).toThrow("box must have a positive width and height, got [0,0,0,10]");
    expect(() => cropRegion([0, Number.NaN, 1, 1])).toThrow("box must be 4 finite numbers [x, y, width, height]");
  });

  it("takes what lies on the image and pads the rest black, each side in source pixels", () => {
    // GIVEN a 50-pixel crop at (-10, 5) on a 30 × 40 image
    const w = cropWindow({ left: -10, top: 5, size: 50 }, 30, 40);
    // THEN columns 0..29 and rows 5..39 are taken, 10 + 30 + 10 and 0 + 35 + 15 pixels make the square
    expect(w).toEqual({
      extract: { left: 0, top: 5, width: 30, height: 35 },
      pad: { left: 10, top: 0, right: 10, bottom: 15 },
    });
    // AND a crop inside the image has no padding
    expect(cropWindow({ left: 2, top: 3, size: 10 }, 30, 40)).toEqual({
      extract: { left: 2, top: 3, width: 10, height: 10 },
      pad: { left: 0, top: 0, right: 0, bottom: 0 },
    });
  });

  it("has no window for a crop wholly outside the image, touching edges included", () => {
    expect(cropWindow({ left: 100, top: 0, size: 10 }, 50, 50)).toBeNull();
    expect(cropWindow({ left: -10, top: 0, size: 10 }, 50, 50)).toBeNull();
  });

  it("maps crop-normalised points to image pixels", () => {
    expect(cropToImage({ left: 70, top: 190, size: 100 }, 0.5, 0.25)).toEqual([120, 215]);
    expect(cropToImage({ left: -10, top: 5, size: 50 }, 0, 1)).toEqual([-10, 55]);
  });
});

describe("keypoint decoding", () => {
  it("reads MoveNet's y, x, score per keypoint as x, y, score, crop by crop", () => {
    // GIVEN two crops' output, keypoint k of crop c at y = c + k/100, x = k/100, score 0.1 × (c + 1)
    const values = Array.from({ length: 2 * 51 }, (_, i) => {
      const [c, k, v] = [Math.floor(i / 51), Math.floor((i % 51) / 3), i % 3];
      return v === 0 ? c + k / 100 : v === 1 ? k / 100 : 0.1 * (c + 1);
    });
    // WHEN decoded
    const kps = fromMovenetOutput(values, 2);
    // THEN x comes first, then y, then the score
    expect(kps).toHaveLength(2);
    expect(kps[0]![3]).toEqual([0.03, 0.03, 0.1]);
    expect(kps[1]![16]).toEqual([0.16, 1.16, 0.2]);
  });

  it("fails on an output that is not MoveNet's", () => {
    expect(() => fromMovenetOutput(new Array(50).fill(0), 1)).toThrow(
      "movenet output holds 50 values, expected 51 for 1 crops",
    );
    const bad = new Array(51).fill(0.5);
    bad[2] = 1.5;
    expect(() => fromMovenetOutput(bad, 1)).toThrow("keypoint nose: [0.5, 0.5, 1.5] is not a keypoint");
    bad[2] = 0.5;
    bad[3] = Number.NaN;
    expect(() => fromMovenetOutput(bad, 1)).toThrow("keypoint left_eye");
  });

  it("mirrors COCO-17: left and right swap, the nose stays", () => {
    expect(COCO17_MIRROR).toEqual([0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]);
  });

  it("mirrors a crop's pixels left to right, channels kept", () => {
    // GIVEN a 2 × 2 RGB crop: A B / C D
    const px = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    // THEN its mirror is B A / D C
    expect([...mirrorPixels(px, 2)]).toEqual([4, 5, 6, 1, 2, 3, 10, 11, 12, 7, 8, 9]);
    expect(() => mirrorPixels(px, 3)).toThrow("a 3×3 crop of 3 channels has 27 bytes, got 12");
  });

  it("brings keypoints of a mirrored crop back: x → 1 - x, left and right swapped", () => {
    const back = unmirror(ramp());
    expect(back[0]).toEqual([1, 0.5, 0.5]);
    // the left shoulder (5) comes from the mirrored right shoulder (6): x 0.06 → 0.94, y 0.56
    expect(back[5]![0]).toBeCloseTo(0.94, 12);
    expect(back[5]![1]).toBeCloseTo(0.56, 12);
  });

  it("averages a crop's keypoints with its mirror's, brought back", () => {
    // GIVEN the same person found at x = 0.3 on the crop and at x = 0.7 on the mirror (0.3 once back),
    // with scores 0.4 and 0.8
    const plain: Keypoint[] = Array.from({ length: 17 }, () => [0.3, 0.6, 0.4] as const);
    const mirrored: Keypoint[] = Array.from({ length: 17 }, () => [0.7, 0.2, 0.8] as const);
    // THEN x stays 0.3, y is the mean 0.4, and the score the mean 0.6
    for (const [x, y, s] of averageFlipped(plain, mirrored)) {
      expect(x).toBeCloseTo(0.3, 12);
      expect(y).toBeCloseTo(0.4, 12);
      expect(s).toBeCloseTo(0.6, 12);
    }
  });

  it("maps keypoints to image pixels and nulls those below the score floor", () => {
    // GIVEN keypoints on a 100-pixel crop at (70, 190), scored 0.19, 0.2 and 0.9
    const kps = toImageKeypoints({ left: 70, top: 190, size: 100 }, [
      [0.5, 0.25, 0.19],
      [0, 0, KEYPOINT_SCORE_FLOOR],
      [1, 1, 0.9],
    ]);
    expect(kps).toEqual([
      [120, 215, 0.19],
      [70, 190, 0.2],
      [170, 290, 0.9],
    ]);
    // THEN the one below 0.2 is null
    expect(KEYPOINT_SCORE_FLOOR).toBe(0.2);
    expect(withScoreFloor(kps)).toEqual([null, [70, 190, 0.2], [170, 290, 0.9]]);
  });
});

describe("person detections", () => {
  it("measures overlap as intersection over union", () => {
    expect(boxIou([0, 0, 10, 10], [5, 0, 10, 10])).toBeCloseTo(50 / 150, 12);
    expect(boxIou([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1);
    expect(boxIou([0, 0, 10, 10], [10, 0, 10, 10])).toBe(0);
  });

  it("keeps the best scored of overlapping boxes, and boxes that overlap no kept one", () => {
    const a = { box: [0, 0, 10, 10] as const, score: 0.5 };
    const b = { box: [1, 0, 10, 10] as const, score: 0.9 };
    const c = { box: [30, 0, 10, 10] as const, score: 0.3 };
    // a and b overlap by 90/110 = 0.82: b, the better, stays; c overlaps nothing
    expect(nonMaxSuppression([a, b, c], 0.4)).toEqual([b, c]);
    expect(nonMaxSuppression([a, b, c], 0.9)).toEqual([b, a, c]);
  });
});
