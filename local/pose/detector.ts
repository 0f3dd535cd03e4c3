/**
 * Person boxes for images that come without them (`sideline pose` on ad-hoc images, the accuracy
 * script's detector run): the CenterNet detector shipped in @vladmandic/human (MobileNetV3
 * CenterNet, COCO's 80 classes, 512 × 512 input), people only. The pipeline itself takes its boxes
 * from the frame sampler's sidecar and never runs this.
 */
import type { GraphModel } from "@tensorflow/tfjs-converter";
import * as tf from "@tensorflow/tfjs-core";
import sharp from "sharp";
import type { DecodedImage } from "../../lambdas/adapters/pose-crops.js";
import { type Detection, nonMaxSuppression } from "../../lambdas/core/pose/detections.js";
import { loadBundledModel } from "./models.js";

/** The detector's square input side. */
export const DETECTOR_INPUT = 512;
/** COCO class index of a person in CenterNet's output (@vladmandic/human, src/object/labels.ts). */
export const PERSON_CLASS = 0;
/** Detections scored below this are dropped: @vladmandic/human's default `object.minConfidence`. */
export const MIN_PERSON_SCORE = 0.2;
/** Of two person boxes overlapping more than this, the lower scored is dropped: human's `object.iouThreshold`. */
export const NMS_MAX_IOU = 0.4;
/** Values per detection in CenterNet's output: x1, y1, x2, y2 (input pixels), score, class. */
const DETECTION_VALUES = 6;

const clamp = (v: number, max: number) => Math.min(max, Math.max(0, v));

export class PersonDetector {
  private constructor(private readonly graph: GraphModel) {}

  static async load(): Promise<PersonDetector> {
    return new PersonDetector(await loadBundledModel("centernet"));
  }

  /**
   * People in an image, best first. The image is letterboxed into the 512 × 512 input (scaled to fit,
   * black below or to the right), which found 21 of the 24 labelled people of the shared
   * multi-person images at IoU >= 0.5, against 17 when stretched to the square.
   */
  async detect(image: DecodedImage): Promise<Detection[]> {
    const k = DETECTOR_INPUT / Math.max(image.width, image.height);
    const w = Math.max(1, Math.round(image.width * k));
    const h = Math.max(1, Math.round(image.height * k));
    const pixels = await sharp(image.rgb, { raw: { width: image.width, height: image.height, channels: 3 } })
      .resize(w, h, { fit: "fill" })
      .extend({ right: DETECTOR_INPUT - w, bottom: DETECTOR_INPUT - h, background: { r: 0, g: 0, b: 0 } })
      .raw()
      .toBuffer();
    // The graph takes 0..255 as float, as human feeds it.
    const x = tf.tensor4d(Float32Array.from(pixels), [1, DETECTOR_INPUT, DETECTOR_INPUT, 3], "float32");
    const y = this.graph.execute(x, ["tower_0/detections"]) as tf.Tensor;
    let values: Float32Array;
    try {
      values = await y.data<"float32">();
    } finally {
      x.dispose();
      y.dispose();
    }
    const sx = image.width / w;
    const sy = image.height / h;
    const people: Detection[] = [];
    for (let i = 0; i + DETECTION_VALUES <= values.length; i += DETECTION_VALUES) {
      const [x1, y1, x2, y2, score, cls] = values.subarray(i, i + DETECTION_VALUES);
      if (cls !== PERSON_CLASS || !(score! >= MIN_PERSON_SCORE)) continue;
      // In image pixels, clipped to the image (the letterbox's black border is not the image).
      const left = clamp(x1! * sx, image.width);
      const top = clamp(y1! * sy, image.height);
      const box = [left, top, clamp(x2! * sx, image.width) - left, clamp(y2! * sy, image.height) - top] as const;
      if (box[2] > 0 && box[3] > 0) people.push({ box, score: score! });
    }
    return nonMaxSuppression(people, NMS_MAX_IOU);
  }
}
