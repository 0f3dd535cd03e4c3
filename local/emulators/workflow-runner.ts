/**
 * Starts and runs the workflows' executions on aws-local-stepfunctions, and records each as a
 * workflow_runs row. Task states call the services emulated in service-integrations.ts; the one
 * integration kept here is events:putEvents.waitForTaskToken, which publishes the request and then
 * asks `awaitDecision` (scout-decisions.ts) for the waiting state's result. Execution names are
 * deterministic (workflow + insight id, lambdas/contracts/workflows.ts, as the cloud's
 * workflow-starter names them), so a redelivered event does not start a second execution, as
 * StartExecution with an existing name does not.
 */
import { randomUUID } from "node:crypto";
import { StateMachine } from "aws-local-stepfunctions";
import type { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { type RowOf, WORKFLOW_RUNS } from "../../lambdas/contracts/tables/index.js";
import { insightIdOf, executionName as nameFor } from "../../lambdas/contracts/workflows.js";
import { DECISION_STATE, type WorkflowName } from "../../stepfunctions/definitions.js";
import type { BusEvent, LocalEventBus } from "./bus.js";
import { polyfillPromiseWithResolvers } from "./polyfills.js";
import { type Json, LocalServices } from "./service-integrations.js";
import { type Definition, LOCAL_ACCOUNT, localDefinition, type WorkflowRunSummary } from "./workflow-definitions.js";
import { startValidation, validatedStateMachine } from "./workflow-validation.js";

// The library calls Promise.withResolvers when it runs a state, not on import.
polyfillPromiseWithResolvers();

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(v: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** The waiting state's task is parked: the execution resumes when `sideline decide` answers. */
export class ParkedError extends Error {
  override name = "Sideline.Parked";
}

/** A waitForTaskToken state's request for a decision, made once its event is published. */
export interface DecisionRequest {
  readonly stateMachine: WorkflowName;
  readonly executionName: string;
  readonly stateName: string;
  readonly token: string;
  /** The waiting state's input, from which a resumed execution runs on. */
  readonly stateInput: Json;
  /** The state's resolved Parameters (the events:putEvents request). */
  readonly params: Json;
}

/** The columns a workflow_runs row keeps from an execution's start. */
export interface ExecutionStart {
  readonly execution_name: string;
  readonly state_machine: WorkflowName;
  readonly input: string;
  readonly started_at: Date;
}

export interface WorkflowRunnerOptions {
  readonly lake: DuckDbLake;
  readonly bus: LocalEventBus;
  /** Lambda functions by ARN: the handlers the lambda:invoke states call. */
  readonly lambdas: Readonly<Record<string, (payload: unknown) => Promise<unknown>>>;
  readonly now: () => Date;
  /**
   * Names started (or claimed for recovery) by this process on this lake: a second delivery racing
   * the first finds its name here, and recovery leaves these alone.
   */
  readonly started: Set<string>;
  /** The waiting state's result: the decision, or a ParkedError once the request is recorded. */
  readonly awaitDecision: (request: DecisionRequest) => Promise<Json>;
}

export class WorkflowRunner {
  private readonly services: LocalServices;
  readonly runs: WorkflowRunSummary[] = [];

  constructor(private readonly o: WorkflowRunnerOptions) {
    this.services = new LocalServices({ lake: o.lake, bus: o.bus, lambdas: o.lambdas, now: o.now });
    // The definitions are validated on another thread while the run goes on (workflow-validation.ts).
    void startValidation();
  }

  /** Runs an execution for an event and records it, unless one with its name was started or exists. */
  async execute(w: WorkflowName, event: BusEvent): Promise<void> {
    const executionName = nameFor(w, insightIdOf(event));
    if (this.o.started.has(executionName)) return;
    this.o.started.add(executionName);
    const existing = await this.o.lake.queryObjects("SELECT 1 FROM workflow_runs WHERE execution_name = ?", [
      executionName,
    ]);
    if (existing.length > 0) return;
    const base = {
      execution_name: executionName,
      state_machine: w,
      input: JSON.stringify(event),
      started_at: this.o.now(),
    };
    await this.record({ ...base, status: "RUNNING", output: null, error: null, stopped_at: null });
    await this.runAndRecord(w, base, event as unknown as Json);
  }

  /** Runs an execution from its input and records how it ended. */
  async runAndRecord(w: WorkflowName, base: ExecutionStart, input: Json): Promise<void> {
    const summary = await this.run(w, base.execution_name, localDefinition(w), input, null);
    await this.record({
      ...base,
      status: summary.status,
      output: summary.output === undefined ? null : JSON.stringify(summary.output),
      error: summary.error,
      stopped_at: summary.status === "WAITING" ? null : this.o.now(),
    });
  }

  private async record(row: RowOf<typeof WORKFLOW_RUNS>): Promise<void> {
    await this.o.lake.put(WORKFLOW_RUNS, [row]);
  }

  /** Runs a definition; `answer` overrides the decision state (a resumed execution). */
  async run(
    w: WorkflowName,
    executionName: string,
    def: Definition,
    input: Json,
    answer: (() => Promise<Json>) | null,
  ): Promise<WorkflowRunSummary> {
    const token = `${executionName}:${randomUUID()}`;
    const entered = new Map<string, { input: Json; seen: Deferred<Json> }>();
    const enteredInput = (name: string) => {
      let e = entered.get(name);
      if (!e) {
        e = { input: null, seen: deferred<Json>() };
        entered.set(name, e);
      }
      return e;
    };
    const overrides: Record<string, (i: Json) => Promise<Json>> = {};
    for (const [name, state] of Object.entries(def.States)) {
      if (state.Type !== "Task") continue;
      if (name === DECISION_STATE && answer) overrides[name] = () => answer();
      else overrides[name] = this.integration(w, executionName, name, state.Resource ?? "", token, enteredInput);
    }
    // A resumed execution starts at the waiting state, so the states before it are unreachable and
    // the validator would refuse the definition; the same definition was validated when it started.
    const sm = answer
      ? new StateMachine(def as never, { validationOptions: { noValidate: true } })
      : await validatedStateMachine(w, def);
    const execution = sm.run(input as never, {
      overrides: { taskResourceLocalHandlers: overrides as never, waitTimeOverrides: waitOverrides(def) },
      context: {
        Execution: {
          Id: `arn:aws:states:local:${LOCAL_ACCOUNT}:execution:${w}:${executionName}`,
          Name: executionName,
          Input: input,
        },
        StateMachine: { Name: w },
        Task: { Token: token },
      } as never,
    });
    const logs = (async () => {
      for await (const ev of execution.eventLogs) {
        if (ev.type === "StateEntered") {
          const e = enteredInput(ev.state.name);
          e.input = ev.state.input as Json;
          e.seen.resolve(e.input);
        }
      }
    })().catch(() => undefined);
    let summary: WorkflowRunSummary;
    try {
      const output = await execution.result;
      summary = { executionName, stateMachine: w, status: "SUCCEEDED", output, error: null };
    } catch (e) {
      const err = e as Error & { cause?: unknown };
      const cause = err.cause as Error | undefined;
      const parked = cause instanceof ParkedError || /Sideline\.Parked/.test(String(err.message));
      summary = {
        executionName,
        stateMachine: w,
        status: parked ? "WAITING" : /States\.Timeout/.test(err.message) ? "TIMED_OUT" : "FAILED",
        output: null,
        error: parked ? null : `${cause?.name ?? err.name}: ${cause?.message ?? err.message}`,
      };
    }
    await logs;
    this.runs.push(summary);
    return summary;
  }

  private integration(
    w: WorkflowName,
    executionName: string,
    stateName: string,
    resource: string,
    token: string,
    entered: (name: string) => { seen: Deferred<Json> },
  ): (input: Json) => Promise<Json> {
    if (resource !== "arn:aws:states:::events:putEvents.waitForTaskToken")
      return this.services.handler(resource, stateName, executionName);
    return async (p) => {
      await this.services.putEvents(p);
      const stateInput = await entered(stateName).seen.promise;
      return this.o.awaitDecision({ stateMachine: w, executionName, stateName, token, stateInput, params: p });
    };
  }
}

/** Wait states locally: the lake is written synchronously, so there is nothing to wait for. */
function waitOverrides(def: Definition): Record<string, number> {
  return Object.fromEntries(
    Object.entries(def.States)
      .filter(([, s]) => s.Type === "Wait")
      .map(([n]) => [n, 0]),
  );
}
