/**
 * The pose invoker's environment, validated when the function initialises (as runtime/env.ts does
 * for the extractors): a bad value fails the cold start, naming the variable.
 */
import "../../contracts/zod-locale.js";
import * as z from "zod/mini";
import { MAX_CROPS_PER_REQUEST } from "../../adapters/kserve.js";
import { boolString, intString, nonEmpty } from "../../runtime/env.js";

export const poseInvokerEnvSchema = z.object({
  /** The pose stream the records go to. */
  POSE_STREAM_NAME: nonEmpty,
  /** The SageMaker endpoint (Triton) serving the contract's model `movenet`. */
  ENDPOINT_NAME: nonEmpty,
  /** The model as pose records name it, e.g. movenet-singlepose-lightning. */
  MODEL_ID: nonEmpty,
  /** Its version, e.g. 4. */
  MODEL_VERSION: nonEmpty,
  /**
   * Crops per InvokeEndpoint request: at most the deployed model's batch size (its Triton
   * max_batch_size), and 14 (the 6 MB body limit). @default 1 (the published MoveNet graph takes one)
   */
  ENDPOINT_MAX_CROPS: intString(1, MAX_CROPS_PER_REQUEST, 1),
  /** InvokeEndpoint requests in flight per frame. @default 4 */
  ENDPOINT_CONCURRENCY: intString(1, 32, 4),
  /** The horizontal flip test (twice the crops, better keypoints). @default true */
  POSE_FLIP_TEST: boolString(true),
  /** An inference component of the endpoint to invoke. @default - the endpoint's model */
  INFERENCE_COMPONENT_NAME: z.optional(nonEmpty),
});

export type PoseInvokerEnv = z.infer<typeof poseInvokerEnvSchema>;
