/**
 * How a workflow execution is named, written once for the cloud (the workflow-starter Lambda) and
 * the embedded runtime (local/emulators/workflow-runner.ts): the workflow and the insight id, so a
 * second delivery of an insight names the execution the first one started, and Step Functions
 * starts no second one (StartExecution: the same name with the same input while the execution is
 * open succeeds without a new execution; otherwise it is ExecutionAlreadyExists;
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html).
 *
 * The insight id, not the envelope's id: EventBridge gives every PutEvents entry a new event id,
 * so an insight a producer publishes twice (a retried batch) would otherwise start twice.
 */

/** StartExecution's name: 1-80 characters. */
export const EXECUTION_NAME_MAX_LENGTH = 80;

/**
 * Characters other than these are replaced with `_`: with logging to CloudWatch Logs, an execution
 * name should hold only 0-9, A-Z, a-z, - and _ (StartExecution's `name`). Insight ids are UUIDs.
 */
const NOT_LOGGABLE = /[^0-9A-Za-z_-]/g;

/** The execution name of `workflow` for an insight. */
export function executionName(workflow: string, insightId: string): string {
  if (!insightId) throw new Error(`cannot name a ${workflow} execution: the insight id is empty`);
  return `${workflow}-${insightId}`.replace(NOT_LOGGABLE, "_").slice(0, EXECUTION_NAME_MAX_LENGTH);
}

/** The insight id of an event the automation rules route to a workflow (every insight's detail carries one). */
export function insightIdOf(event: { readonly id: string; readonly detail: unknown }): string {
  const id = (event.detail as { insight_id?: unknown } | null)?.insight_id;
  if (typeof id !== "string" || id.length === 0)
    throw new Error(`event ${event.id} has no detail.insight_id: workflows start only for insights`);
  return id;
}
