/**
 * The workflow-starter Lambda handler. Contract with EventBridge: the automation rules invoke it
 * asynchronously with `{ workflow, event }`; a thrown error makes Lambda retry the invocation, then
 * send it to the function's DLQ (the automation targets' DLQ).
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { Tracer } from "@aws-lambda-powertools/tracer";
import { captureLambdaHandler } from "@aws-lambda-powertools/tracer/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { logger } from "../../runtime/powertools.js";
import { type StartResult, WorkflowStarter, type WorkflowStarterDeps } from "./starter.js";

export interface WorkflowStarterHandlerOptions extends WorkflowStarterDeps {
  /** @default - no tracing */
  readonly tracer?: Tracer;
}

export type WorkflowStarterHandler = (payload: unknown, context: Context) => Promise<StartResult>;

export function createWorkflowStarterHandler(options: WorkflowStarterHandlerOptions): WorkflowStarterHandler {
  const starter = new WorkflowStarter(options);
  const base = async (payload: unknown) => {
    const result = await starter.start(payload);
    // A duplicate is the idempotency working, not a failure: logged, not thrown.
    logger.info(result.outcome === "duplicate" ? "execution already started" : "execution started", { ...result });
    return result;
  };
  const handler = middy(base);
  if (options.tracer) handler.use(captureLambdaHandler(options.tracer, { captureResponse: false }));
  return handler.use(injectLambdaContext(logger, { resetKeys: true })) as unknown as WorkflowStarterHandler;
}
