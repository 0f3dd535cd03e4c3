/**
 * The workflow-tasks Lambda handler. Contract with Step Functions (lambda:invoke): the payload has a
 * `task` field; a thrown error fails the task state, whose Retry and Catch decide what follows.
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { Tracer } from "@aws-lambda-powertools/tracer";
import { captureLambdaHandler } from "@aws-lambda-powertools/tracer/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { logger } from "../../runtime/powertools.js";
import { type WorkflowTaskDeps, WorkflowTasks } from "./tasks.js";

export interface WorkflowTasksHandlerOptions extends WorkflowTaskDeps {
  /** @default - no tracing */
  readonly tracer?: Tracer;
}

export type WorkflowTasksHandler = (payload: unknown, context: Context) => Promise<unknown>;

export function createWorkflowTasksHandler(options: WorkflowTasksHandlerOptions): WorkflowTasksHandler {
  const tasks = new WorkflowTasks(options);
  const base = async (payload: unknown) => {
    const task = (payload as { task?: unknown } | null)?.task;
    logger.appendKeys({ task: typeof task === "string" ? task : "unknown" });
    return tasks.run(payload);
  };
  const handler = middy(base);
  if (options.tracer) handler.use(captureLambdaHandler(options.tracer, { captureResponse: false }));
  return handler.use(injectLambdaContext(logger, { resetKeys: true })) as unknown as WorkflowTasksHandler;
}
