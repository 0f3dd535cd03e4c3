/**
 * The workflow-starter Lambda, as deployed. Environment (set by the automation stack):
 * STATE_MACHINES (JSON: workflow name -> state machine ARN), validated at init (./env.ts).
 */
import { SFNClient } from "@aws-sdk/client-sfn";
import { parseEnv } from "../../runtime/env.js";
import { tracer } from "../../runtime/tracer.js";
import { workflowStarterEnvSchema } from "./env.js";
import { createWorkflowStarterHandler } from "./handler.js";

const env = parseEnv(workflowStarterEnvSchema);

export const handler = createWorkflowStarterHandler({
  client: tracer.captureAWSv3Client(new SFNClient({})),
  stateMachines: env.STATE_MACHINES,
  tracer,
});
