/**
 * MoveNet single-pose Lightning v4, in this process: INT32 [N, 192, 192, 3] crops in, FP32
 * [N, 1, 17, 3] (y, x, score) out, the contract of lambdas/adapters/kserve.ts. The published graph
 * takes one crop at a time, so N crops are N runs.
 */
import type { GraphModel } from "@tensorflow/tfjs-converter";
import * as tf from "@tensorflow/tfjs-core";
import { MOVENET } from "../../lambdas/adapters/kserve.js";
import { COCO17 } from "../../lambdas/contracts/records/pose.js";
import { loadBundledModel } from "./models.js";

/** The model's identity in pose records and in the server's metadata. */
export const MOVENET_MODEL_ID = "movenet-singlepose-lightning";
/** TensorFlow Hub's version of the weights (movenet/singlepose/lightning/4). */
export const MOVENET_MODEL_VERSION = "4";

const CROP_LENGTH = MOVENET.size * MOVENET.size * MOVENET.channels;
const OUTPUT_LENGTH = COCO17.length * 3;

export class MovenetModel {
  private constructor(private readonly graph: GraphModel) {}

  /** Loads the weights from node_modules, checks the graph's input, and runs it once (its first run is slow). */
  static async load(): Promise<MovenetModel> {
    const graph = await loadBundledModel("movenet-lightning");
    const input = graph.inputs[0];
    const want = [1, MOVENET.size, MOVENET.size, MOVENET.channels];
    if (graph.inputs.length !== 1 || input?.dtype !== "int32" || input.shape?.join(",") !== want.join(","))
      throw new Error(
        `the MoveNet graph takes ${graph.inputs.map((i) => `${i.dtype} [${i.shape?.join(",")}]`).join(", ")}, not int32 [${want.join(",")}]: check @vladmandic/human's models/movenet-lightning.json`,
      );
    const model = new MovenetModel(graph);
    await model.infer(new Int32Array(CROP_LENGTH), 1);
    return model;
  }

  /** Keypoints for `n` crops: `data` is INT32 [n, 192, 192, 3]; the result FP32 [n, 1, 17, 3]. */
  async infer(data: Int32Array, n: number): Promise<Float32Array> {
    if (data.length !== n * CROP_LENGTH)
      throw new Error(`${n} crops are ${n * CROP_LENGTH} values, got ${data.length}`);
    const out = new Float32Array(n * OUTPUT_LENGTH);
    for (let i = 0; i < n; i++) {
      const x = tf.tensor4d(
        data.subarray(i * CROP_LENGTH, (i + 1) * CROP_LENGTH),
        [1, MOVENET.size, MOVENET.size, 3],
        "int32",
      );
      const y = this.graph.execute(x) as tf.Tensor;
      try {
        const values = await y.data<"float32">();
        if (values.length !== OUTPUT_LENGTH)
          throw new Error(`MoveNet answered ${values.length} values, not ${OUTPUT_LENGTH}`);
        out.set(values, i * OUTPUT_LENGTH);
      } finally {
        x.dispose();
        y.dispose();
      }
    }
    return out;
  }
}
