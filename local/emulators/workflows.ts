/**
 * Step Functions, locally: aws-local-stepfunctions runs the definitions CDK deploys
 * (stepfunctions/*.asl.json). Task states call the services emulated in service-integrations.ts;
 * the one integration kept here is events:putEvents.waitForTaskToken, which publishes the request
 * and then parks the execution as a pending decision (pending_decisions) until `decide` answers.
 * Every execution is a workflow_runs row. Execution names are deterministic (state machine + event
 * id), so a redelivered event does not start a second execution, as StartExecution with an
 * existing name does not.
 */
import { randomUUID } from "node:crypto";
import { StateMachine } from "aws-local-stepfunctions";
import type { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { PENDING_DECISIONS, type Row, WORKFLOW_RUNS } from "../../lambdas/contracts/tables.js";
import {
  DECISION_STATE,
  enrichQuery,
  type Substitutions,
  substitute,
  type WorkflowName,
} from "../../stepfunctions/definitions.js";
import { type BusEvent, LOCAL_BUS_NAME, type LocalEventBus } from "./bus.js";
import { InFlight } from "./in-flight.js";
import { polyfillPromiseWithResolvers } from "./polyfills.js";
import { type Json, LocalServices, statesError } from "./service-integrations.js";

// The library calls Promise.withResolvers when it runs a state, not on import.
polyfillPromiseWithResolvers();

export const LOCAL_ACCOUNT = "000000000000";
export const LOCAL_REGION = "local";
export const LOCAL_NAMES = {
  workflowTasksFunction: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:sideline-workflow-tasks`,
  scoutingTopic: `arn:aws:sns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:sideline-scouting`,
  medicalTopic: `arn:aws:sns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:sideline-medical`,
  workGroup: "sideline-local",
  database: "sideline",
} as const;

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

type Definition = {
  StartAt: string;
  States: Record<string, { Type: string; Resource?: string; Parameters?: unknown }>;
};

/** A decision given to a waiting execution. */
export interface ScoutDecision {
  readonly decision: "approve" | "reject";
  readonly reason: string | null;
}

export interface LocalWorkflowsOptions {
  readonly lake: DuckDbLake;
  readonly bus: LocalEventBus;
  /** Lambda functions by ARN: the handlers the lambda:invoke states call. */
  readonly lambdas: Readonly<Record<string, (payload: unknown) => Promise<unknown>>>;
  /** Approve every scout decision as soon as it is requested (the demo's --auto-approve). @default false */
  readonly autoApprove?: boolean;
  /** @default - the system clock */
  readonly now?: () => Date;
}

export interface WorkflowRunSummary {
  readonly executionName: string;
  readonly stateMachine: WorkflowName;
  readonly status: "SUCCEEDED" | "FAILED" | "WAITING" | "TIMED_OUT";
  readonly output: unknown;
  readonly error: string | null;
}

/** The waiting state's task is parked: the execution resumes when `sideline decide` answers. */
class ParkedError extends Error {
  override name = "Sideline.Parked";
}

export class LocalWorkflows {
  private readonly inFlight = new InFlight();
  /** Names started by this process: a second delivery racing the first finds its name here. */
  private readonly started = new Set<string>();
  private readonly services: LocalServices;
  private readonly now: () => Date;
  readonly runs: WorkflowRunSummary[] = [];

  constructor(private readonly o: LocalWorkflowsOptions) {
    this.now = o.now ?? (() => new Date());
    this.services = new LocalServices({ lake: o.lake, bus: o.bus, lambdas: o.lambdas, now: this.now });
  }

  static substitutions(): { [W in WorkflowName]: Substitutions<W> } {
    return {
      scouting: {
        EnrichQuery: enrichQuery(),
        AthenaWorkGroup: LOCAL_NAMES.workGroup,
        GlueDatabase: LOCAL_NAMES.database,
        WorkflowTasksFunctionArn: LOCAL_NAMES.workflowTasksFunction,
        EventBusName: LOCAL_BUS_NAME,
        ScoutingTopicArn: LOCAL_NAMES.scoutingTopic,
        // The local lake is written synchronously: nothing to wait for.
        LakeSettleSeconds: "0",
      },
      "medical-alert": {
        WorkflowTasksFunctionArn: LOCAL_NAMES.workflowTasksFunction,
        MedicalTopicArn: LOCAL_NAMES.medicalTopic,
      },
    };
  }

  private static readonly definitions = new Map<WorkflowName, Definition>();

  /** The substituted definition, read from its file once per process (callers must not mutate it). */
  static definition(w: WorkflowName): Definition {
    let d = LocalWorkflows.definitions.get(w);
    if (!d) {
      const subs = LocalWorkflows.substitutions()[w] as Record<string, string>;
      d = JSON.parse(substitute(w, subs as never)) as Definition;
      LocalWorkflows.definitions.set(w, d);
    }
    return d;
  }

  /** Starts an execution for an event, unless one with its name exists; returns at once. */
  start(w: WorkflowName, event: BusEvent): void {
    this.inFlight.track(this.execute(w, event));
  }

  get idle(): boolean {
    return this.inFlight.idle;
  }

  drain(): Promise<void> {
    return this.inFlight.drain();
  }

  private async record(row: Row): Promise<void> {
    await this.o.lake.put(WORKFLOW_RUNS.name, [row]);
  }

  private async execute(w: WorkflowName, event: BusEvent): Promise<void> {
    const executionName = `${w}-${event.id}`.slice(0, 80);
    if (this.started.has(executionName)) return;
    this.started.add(executionName);
    const existing = await this.o.lake.queryObjects("SELECT 1 FROM workflow_runs WHERE execution_name = ?", [
      executionName,
    ]);
    if (existing.length > 0) return;
    const startedAt = this.now();
    const base = {
      execution_name: executionName,
      state_machine: w,
      input: JSON.stringify(event),
      started_at: startedAt,
    };
    await this.record({ ...base, status: "RUNNING", output: null, error: null, stopped_at: null });
    const def = LocalWorkflows.definition(w);
    const summary = await this.run(w, executionName, def, event as unknown as Json, null);
    await this.record({
      ...base,
      status: summary.status,
      output: summary.output === undefined ? null : JSON.stringify(summary.output),
      error: summary.error,
      stopped_at: summary.status === "WAITING" ? null : this.now(),
    });
  }

  /** Runs a definition; `answer` overrides the decision state (a resumed execution). */
  private async run(
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
    const sm = new StateMachine(def as never, answer ? { validationOptions: { noValidate: true } } : {});
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
      return this.awaitDecision(w, executionName, stateName, token, stateInput, p);
    };
  }

  private async awaitDecision(
    w: WorkflowName,
    executionName: string,
    stateName: string,
    token: string,
    stateInput: Json,
    params: Json,
  ): Promise<Json> {
    const detail = (params as { Entries: { Detail: Record<string, string> }[] }).Entries[0]!.Detail;
    const requested = this.now();
    const row: Row = {
      task_token: token,
      execution_name: executionName,
      state_machine: w,
      state_name: stateName,
      state_input: JSON.stringify(stateInput),
      insight_id: detail.insight_id ?? "",
      player_id: detail.player_id ?? "",
      summary: detail.summary ?? "",
      visual_url: detail.visual_url ?? "",
      requested_at: requested,
      expires_at: waitExpiry(w, stateName, requested.getTime(), requested.getTime()),
      status: this.o.autoApprove ? "approve" : "pending",
    };
    await this.o.lake.put(PENDING_DECISIONS.name, [row]);
    if (this.o.autoApprove) return { decision: "approve", reason: "approved automatically (--auto-approve)" };
    throw new ParkedError(`waiting for a scout's decision on ${token}`);
  }

  /** The decision waiting for `token`, or an error that says why there is none. */
  private async pending(token: string) {
    const rows = await this.o.lake.queryObjects<{
      execution_name: string;
      state_machine: WorkflowName;
      state_name: string;
      state_input: string;
      requested_ms: number;
      expires_ms: number;
      status: string;
    }>(
      `SELECT execution_name, state_machine, state_name, state_input::VARCHAR AS state_input,
              epoch_ms(requested_at) AS requested_ms, epoch_ms(expires_at) AS expires_ms, status
       FROM pending_decisions WHERE task_token = ?`,
      [token],
    );
    const p = rows[0];
    if (!p)
      throw new Error(
        `no decision is waiting for token '${token}': list them with \`sideline sql "SELECT * FROM pending_decisions"\``,
      );
    if (p.status !== "pending") throw new Error(`the decision for '${token}' was already given: ${p.status}`);
    return { ...p, requested_ms: Number(p.requested_ms), expires_ms: Number(p.expires_ms) };
  }

  /**
   * A heartbeat for a pending decision (SendTaskHeartbeat): the wait now expires one HeartbeatSeconds
   * from now, but never after its TimeoutSeconds from the request. Returns the new expiry.
   */
  async heartbeat(token: string): Promise<Date> {
    const p = await this.pending(token);
    const now = this.now().getTime();
    if (now > p.expires_ms) throw new Error(`the wait for '${token}' has already timed out`);
    const expires = waitExpiry(p.state_machine, p.state_name, p.requested_ms, now);
    await this.o.lake.query("UPDATE pending_decisions SET expires_at = ?::TIMESTAMP WHERE task_token = ?", [
      expires.toISOString(),
      token,
    ]);
    return expires;
  }

  /**
   * Answers a pending decision: the execution resumes at the waiting state with the scout's
   * decision as that state's result, or with States.Timeout once the wait has expired.
   */
  async decide(token: string, decision: ScoutDecision): Promise<WorkflowRunSummary> {
    const p = await this.pending(token);
    const expired = this.now().getTime() > p.expires_ms;
    const def = { ...LocalWorkflows.definition(p.state_machine), StartAt: p.state_name };
    const answer = async (): Promise<Json> => {
      if (expired) throw statesError("States.Timeout", "the decision came after the state's timeout");
      return { decision: decision.decision, reason: decision.reason };
    };
    const summary = await this.run(p.state_machine, p.execution_name, def, JSON.parse(p.state_input) as Json, answer);
    await this.o.lake.query("UPDATE pending_decisions SET status = ? WHERE task_token = ?", [
      expired ? "timeout" : decision.decision,
      token,
    ]);
    await this.o.lake.query(
      "UPDATE workflow_runs SET status = ?, output = ?::JSON, error = ?, stopped_at = ?::TIMESTAMP WHERE execution_name = ?",
      [
        summary.status,
        summary.output === null ? null : JSON.stringify(summary.output),
        summary.error,
        this.now().toISOString(),
        p.execution_name,
      ],
    );
    return summary;
  }
}

/**
 * When a task-token wait expires: HeartbeatSeconds after the last heartbeat (or the request), and
 * never later than TimeoutSeconds after the request, as Step Functions times the state out.
 */
function waitExpiry(w: WorkflowName, stateName: string, requestedMs: number, lastBeatMs: number): Date {
  const state = LocalWorkflows.definition(w).States[stateName] as {
    TimeoutSeconds?: number;
    HeartbeatSeconds?: number;
  };
  return new Date(
    Math.min(
      requestedMs + (state.TimeoutSeconds ?? Number.POSITIVE_INFINITY) * 1000,
      lastBeatMs + (state.HeartbeatSeconds ?? Number.POSITIVE_INFINITY) * 1000,
    ),
  );
}

/** Wait states locally: the lake is written synchronously, so there is nothing to wait for. */
function waitOverrides(def: Definition): Record<string, number> {
  return Object.fromEntries(
    Object.entries(def.States)
      .filter(([, s]) => s.Type === "Wait")
      .map(([n]) => [n, 0]),
  );
}
