/**
 * The Sideline app with pose on, for the pose tests. The pose modality is not in the registry yet, so
 * a stand-in registered by these tests gives ingest its `pose` stream: the test modality
 * (test/fixtures/modality/steps.ts) under the id `pose`. The pose stack only needs the stream.
 */
import { Template } from "aws-cdk-lib/assertions";
import { MODALITIES } from "../../lambdas/contracts/modalities.js";
import { TABLES } from "../../lambdas/contracts/tables/index.js";
import { POSE_MODALITY_ID } from "../../lib/config.js";
import type { Registry } from "../../lib/sideline.js";
import type { PoseStack } from "../../lib/stacks/pose-stack.js";
import { STEP_WINDOWS, STEPS } from "../fixtures/modality/steps.js";
import { type BuiltApp, buildApp, nagReport } from "./app.js";

const POSE_STAND_IN = {
  ...STEPS,
  id: POSE_MODALITY_ID,
  extractor: { ...STEPS.extractor, functionId: "PoseFeatures" },
  readers: ["pose-stand-in"],
};

export const POSE_REGISTRY: Registry = {
  modalities: [...MODALITIES, POSE_STAND_IN],
  tables: [...TABLES, STEP_WINDOWS],
};

export const MODEL_DATA_URL = "s3://club-models-example/movenet/2026-05/model.tar.gz";

/** The context that turns pose on. */
export const POSE_CONTEXT = {
  pose: true,
  poseModelDataUrl: MODEL_DATA_URL,
  modalities: `tracking,${POSE_MODALITY_ID}`,
} as const;

export function buildPoseApp(context: Record<string, unknown> = {}, nag = false): BuiltApp & { pose: PoseStack } {
  const built = buildApp({ stage: "dev", ...POSE_CONTEXT, ...context }, nag, POSE_REGISTRY);
  return { ...built, pose: built.stacks.pose! };
}

/** The pose stack's template. */
export const poseTemplate = (context: Record<string, unknown> = {}) => Template.fromStack(buildPoseApp(context).pose);

export const poseNagReport = (context: Record<string, unknown>) =>
  nagReport({ ...POSE_CONTEXT, ...context }, POSE_REGISTRY);
