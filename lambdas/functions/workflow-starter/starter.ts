/**
 * Starts a workflow for an insight, exactly once: the execution is named after the workflow and
 * the insight (lambdas/contracts/workflows.ts, the name the embedded runtime gives it), so
 * EventBridge's second delivery of an event (delivery is at least once) or a producer's second
 * publication of an insight finds the execution the first one started.
 */
import "../../contracts/zod-locale.js";
import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import * as z from "zod/mini";
import { executionName, insightIdOf } from "../../contracts/workflows.js";

/**
 * What the rule's input transformer sends: the rule's workflow, and the event as EventBridge
 * matched it (`<aws.events.event.json>`), which becomes the execution's input as the state machine
 * target passed it.
 */
export const startRequestSchema = z.object({
  workflow: z.string().check(z.minLength(1)),
  event: z.looseObject({ id: z.string(), "detail-type": z.string(), source: z.string(), detail: z.unknown() }),
});

export type StartRequest = z.infer<typeof startRequestSchema>;

export interface StartResult {
  readonly executionName: string;
  /** `started`: this call started it (or found it open with the same input); `duplicate`: an earlier delivery did. */
  readonly outcome: "started" | "duplicate";
  readonly executionArn?: string;
}

export interface WorkflowStarterDeps {
  readonly client: Pick<SFNClient, "send">;
  /** Workflow name -> state machine ARN: the only state machines this starter starts. */
  readonly stateMachines: Readonly<Record<string, string>>;
}

/** Parses the rule's input, with an error naming the field. */
export function parseStartRequest(payload: unknown): StartRequest {
  const r = startRequestSchema.safeParse(payload);
  if (r.success) return r.data;
  const i = r.error.issues[0];
  const err = new Error(`invalid workflow start request: ${i?.path.join(".") || "payload"}: ${i?.message}`);
  err.name = "Sideline.InvalidStartRequest";
  throw err;
}

export class WorkflowStarter {
  constructor(private readonly deps: WorkflowStarterDeps) {}

  /**
   * Starts the request's workflow. ExecutionAlreadyExists is success: the execution with this name
   * was started by an earlier delivery. Any other error is thrown, so that Lambda retries the
   * asynchronous invocation and then sends the event to the DLQ.
   */
  async start(payload: unknown): Promise<StartResult> {
    const { workflow, event } = parseStartRequest(payload);
    // The event as EventBridge sent it (parsing reorders keys): the same delivery, the same input.
    const input = JSON.stringify((payload as { event: unknown }).event);
    const stateMachineArn = this.deps.stateMachines[workflow];
    if (!stateMachineArn)
      throw new Error(
        `no state machine for workflow '${workflow}' (event ${event.id}); known: ${Object.keys(this.deps.stateMachines).join(", ")}`,
      );
    const name = executionName(workflow, insightIdOf(event));
    try {
      const out = await this.deps.client.send(new StartExecutionCommand({ stateMachineArn, name, input }));
      return {
        executionName: name,
        outcome: "started",
        ...(out.executionArn ? { executionArn: out.executionArn } : {}),
      };
    } catch (e) {
      if (e instanceof ExecutionAlreadyExists || (e as { name?: unknown }).name === "ExecutionAlreadyExists")
        return { executionName: name, outcome: "duplicate" };
      throw e;
    }
  }
}
