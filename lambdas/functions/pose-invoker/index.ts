/**
 * PLACEHOLDER for the pose invoker Lambda, so that the CDK app (lib/constructs/pose-invoker.ts) can
 * synthesize: the real function (sampled frame -> crops -> pose endpoint -> pose stream) replaces this
 * file. Environment (set by the PoseInvoker construct): POSE_STREAM_NAME, ENDPOINT_NAME, MODEL_ID,
 * MODEL_VERSION, RAW_BUCKET, validated at init.
 */
import "../../contracts/zod-locale.js";
import * as z from "zod/mini";
import { parseEnv } from "../../runtime/env.js";

const nonEmpty = z.string().check(z.minLength(1, "is empty"));

parseEnv(
  z.object({
    POSE_STREAM_NAME: nonEmpty,
    ENDPOINT_NAME: nonEmpty,
    MODEL_ID: nonEmpty,
    MODEL_VERSION: nonEmpty,
    RAW_BUCKET: nonEmpty,
  }),
);

/** Fails every event, so frames wait in the DLQ until the real invoker is deployed. */
export const handler = async (): Promise<never> => {
  throw new Error("pose-invoker is a placeholder: deploy the real lambdas/functions/pose-invoker");
};
