/**
 * The Sideline app with pose on, for the pose tests: the registry as deployed (its pose modality
 * gives ingest the `pose` stream and the PoseBiomechanics extractor), and the GPU endpoint turned on.
 */
import { Template } from "aws-cdk-lib/assertions";
import { MODALITIES } from "../../lambdas/contracts/modalities.js";
import { TABLES } from "../../lambdas/contracts/tables/index.js";
import { POSE_MODALITY_ID } from "../../lib/config.js";
import type { Registry } from "../../lib/sideline.js";
import type { PoseStack } from "../../lib/stacks/pose-stack.js";
import { type BuiltApp, buildApp, nagReport } from "./app.js";

export const POSE_REGISTRY: Registry = { modalities: MODALITIES, tables: TABLES };

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
