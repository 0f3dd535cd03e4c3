/**
 * Step Functions, locally: aws-local-stepfunctions runs the definitions CDK deploys
 * (stepfunctions/*.asl.json). Task states call the services emulated in service-integrations.ts;
 * the one integration kept here is events:putEvents.waitForTaskToken, which publishes the request
 * and then parks the execution as a pending decision (pending_decisions) until `decide` answers.
 * Every execution is a workflow_runs row. Execution names are deterministic (state machine + event
 * id), so a redelivered event does not start a second execution, as StartExecution with an
 * existing name does not. In the cloud an execution outlives its caller; here the process is the
 * service, so an execution a killed process left RUNNING is recovered by the next one
 * (`recoverAbandoned`).
 */
import { randomUUID } from "node:crypto";
import { StateMachine } from "aws-local-stepfunctions";
import type { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { PENDING_DECISIONS, type RowOf, WORKFLOW_RUNS } from "../../lambdas/contracts/tables/index.js";
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

/** What recovery did with an execution that an earlier process left RUNNING. */
export interface RecoveredExecution {
  readonly executionName: string;
  readonly stateMachine: WorkflowName;
  /**
   * - restarted: run again from its recorded input, under the same name;
   * - resumed: it had been given its decision (--auto-approve): continued from the waiting state;
   * - waiting: it had parked for a decision and only its WAITING status was lost; `decide` resumes it.
   */
  readonly action: "restarted" | "resumed" | "waiting";
}

/** The automatic approval (--auto-approve): the decision state's result. */
const AUTO_APPROVAL = { decision: "approve", reason: "approved automatically (--auto-approve)" } as const;

/** A workflow_runs row left RUNNING. */
interface Abandoned {
  readonly execution_name: string;
  readonly state_machine: WorkflowName;
  readonly input: string;
  readonly started_ms: number;
}

/** A pending_decisions row, as an execution resumes from it. */
interface DecisionRow {
  readonly task_token: string;
  readonly execution_name: string;
  readonly state_machine: WorkflowName;
  readonly state_name: string;
  readonly state_input: string;
  readonly requested_ms: number;
  readonly expires_ms: number;
  readonly status: string;
}

/**
 * The executions this process has started or claimed, per lake: two LocalWorkflows on one lake in
 * one process share the set, so neither takes an execution the other is running for abandoned.
 */
const liveByLake = new WeakMap<DuckDbLake, Set<string>>();

function liveExecutions(lake: DuckDbLake): Set<string> {
  let live = liveByLake.get(lake);
  if (!live) {
    live = new Set();
    liveByLake.set(lake, live);
  }
  return live;
}

/** The waiting state's task is parked: the execution resumes when `sideline decide` answers. */
class ParkedError extends Error {
  override name = "Sideline.Parked";
}

export class LocalWorkflows {
  private readonly inFlight = new InFlight();
  /**
   * Names started (or claimed for recovery) by this process on this lake: a second delivery racing
   * the first finds its name here, and recovery leaves these alone.
   */
  private readonly started: Set<string>;
  private readonly services: LocalServices;
  private readonly now: () => Date;
  /** The executions an earlier process left RUNNING, claimed by `recoverAbandoned`; null before. */
  private abandoned: Promise<Abandoned[]> | null = null;
  private recovering = false;
  readonly runs: WorkflowRunSummary[] = [];
  /** Executions left RUNNING by an earlier process, and what recovery did with each. */
  readonly recovered: RecoveredExecution[] = [];

  constructor(private readonly o: LocalWorkflowsOptions) {
    this.now = o.now ?? (() => new Date());
    this.started = liveExecutions(o.lake);
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

  /** Waits for every execution, including the recovery of abandoned ones (started by the first drain). */
  drain(): Promise<void> {
    if (this.abandoned && !this.recovering) {
      this.recovering = true;
      this.inFlight.track(this.recoverClaimed(this.abandoned));
    }
    return this.inFlight.drain();
  }

  /**
   * Recovers the executions a process that is gone left RUNNING (a `kill -9` mid-run): call it once,
   * when the automation starts on a lake, before any event is delivered. It claims them now, so a
   * redelivered event does not find the RUNNING row and skip its execution; the recovery itself
   * runs on `drain` (a command that never drains, such as a heartbeat, leaves them to the next).
   *
   * "Gone" needs no process ids: DuckDB lets one process at a time open a lake file for writing,
   * so a RUNNING row that this process did not start belongs to a process that has ended.
   *
   * Each execution is resumed where the lake shows it stopped, or else run again from its
   * recorded input under the same name. Running one again is safe because every task is
   * idempotent on the keys it writes:
   * - scouting: CheckIds, Settings and LetLakeSettle compute; Enrich and EnrichResults only read;
   *   Value upserts player_valuations on (player_id, insight_id); UpsertCrm asks the CRM with
   *   Idempotency-Key `player.upsert:<insight>` (the outbox and dead letters upsert on it; a CRM
   *   over HTTP sees the key again, as it does after any API destination retry); NotifyScouts's
   *   message id comes from the execution and the state, so notifications keeps one message;
   *   AwaitDecision is run again only when no pending_decisions row shows it had parked (see
   *   `recoverOne`); RecordDecision upserts scouting_decisions on insight_id; CreateFollowUp
   *   carries Idempotency-Key `task.create:<insight>`.
   * - medical-alert: RecordAlert's cool-down claim returns true when the same alert claims again
   *   (DuckDbAlertLedger finds its own id among the notified rows), and a suppressed alert is
   *   suppressed again by the notified one still in the lake; medical_alerts upserts on alert_id;
   *   NotifyStaff's message id comes from the execution and the state, as NotifyScouts's.
   */
  recoverAbandoned(): void {
    if (this.abandoned) return;
    this.abandoned = this.claimAbandoned();
    // Handled where it matters: execute and drain await it, and fail with its error.
    this.abandoned.catch(() => undefined);
  }

  private async claimAbandoned(): Promise<Abandoned[]> {
    const rows = await this.o.lake.queryObjects<Abandoned>(
      `SELECT execution_name, state_machine, input::VARCHAR AS input, epoch_ms(started_at) AS started_ms
       FROM workflow_runs WHERE status = 'RUNNING' ORDER BY started_at, execution_name`,
    );
    // No await between the read and the claims: a RUNNING row this process wrote has its name here.
    const abandoned = rows.filter((r) => !this.started.has(r.execution_name));
    for (const a of abandoned) this.started.add(a.execution_name);
    return abandoned;
  }

  /** One at a time, in the order they started: medical cool-downs are claimed as they first were. */
  private async recoverClaimed(claimed: Promise<Abandoned[]>): Promise<void> {
    for (const a of await claimed) await this.recoverOne(a);
  }

  private async recoverOne(a: Abandoned): Promise<void> {
    const [decision] = await this.decisionRows("execution_name = ? ORDER BY requested_at DESC LIMIT 1", [
      a.execution_name,
    ]);
    let action: RecoveredExecution["action"];
    if (decision?.status === "pending") {
      // It had parked: running it again would ask the scout twice. Its token still answers it.
      await this.o.lake.query("UPDATE workflow_runs SET status = 'WAITING' WHERE execution_name = ?", [
        a.execution_name,
      ]);
      action = "waiting";
    } else if (decision) {
      // Its decision was given while it ran, which only --auto-approve does: continue from it.
      await this.resume(decision, async () => this.givenDecision(decision.status), decision.status);
      action = "resumed";
    } else {
      const base = {
        execution_name: a.execution_name,
        state_machine: a.state_machine,
        input: a.input,
        started_at: new Date(Number(a.started_ms)),
      };
      await this.runAndRecord(a.state_machine, base, JSON.parse(a.input) as Json);
      action = "restarted";
    }
    this.recovered.push({ executionName: a.execution_name, stateMachine: a.state_machine, action });
  }

  /** The decision state's result for a decision already recorded. */
  private givenDecision(status: string): Json {
    if (status === "timeout") throw statesError("States.Timeout", "the decision came after the state's timeout");
    return status === AUTO_APPROVAL.decision ? { ...AUTO_APPROVAL } : { decision: status, reason: null };
  }

  private async record(row: RowOf<typeof WORKFLOW_RUNS>): Promise<void> {
    await this.o.lake.put(WORKFLOW_RUNS, [row]);
  }

  private async execute(w: WorkflowName, event: BusEvent): Promise<void> {
    // Recovery claims the abandoned executions first: a redelivered one is left to it.
    if (this.abandoned) await this.abandoned;
    const executionName = `${w}-${event.id}`.slice(0, 80);
    if (this.started.has(executionName)) return;
    this.started.add(executionName);
    const existing = await this.o.lake.queryObjects("SELECT 1 FROM workflow_runs WHERE execution_name = ?", [
      executionName,
    ]);
    if (existing.length > 0) return;
    const base = {
      execution_name: executionName,
      state_machine: w,
      input: JSON.stringify(event),
      started_at: this.now(),
    };
    await this.record({ ...base, status: "RUNNING", output: null, error: null, stopped_at: null });
    await this.runAndRecord(w, base, event as unknown as Json);
  }

  /** Runs an execution from its input and records how it ended. */
  private async runAndRecord(
    w: WorkflowName,
    base: { execution_name: string; state_machine: WorkflowName; input: string; started_at: Date },
    input: Json,
  ): Promise<void> {
    const summary = await this.run(w, base.execution_name, LocalWorkflows.definition(w), input, null);
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
    const row: RowOf<typeof PENDING_DECISIONS> = {
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
    await this.o.lake.put(PENDING_DECISIONS, [row]);
    if (this.o.autoApprove) return { ...AUTO_APPROVAL };
    throw new ParkedError(`waiting for a scout's decision on ${token}`);
  }

  /** pending_decisions rows matching `where`. */
  private async decisionRows(
    where: string,
    params: readonly (string | number | boolean | null)[],
  ): Promise<DecisionRow[]> {
    const rows = await this.o.lake.queryObjects<DecisionRow>(
      `SELECT task_token, execution_name, state_machine, state_name, state_input::VARCHAR AS state_input,
              epoch_ms(requested_at) AS requested_ms, epoch_ms(expires_at) AS expires_ms, status
       FROM pending_decisions WHERE ${where}`,
      params,
    );
    return rows.map((p) => ({ ...p, requested_ms: Number(p.requested_ms), expires_ms: Number(p.expires_ms) }));
  }

  /** The decision waiting for `token`, or an error that says why there is none. */
  private async pending(token: string): Promise<DecisionRow> {
    const [p] = await this.decisionRows("task_token = ?", [token]);
    if (!p)
      throw new Error(
        `no decision is waiting for token '${token}': list them with \`sideline sql "SELECT * FROM pending_decisions"\``,
      );
    if (p.status !== "pending") throw new Error(`the decision for '${token}' was already given: ${p.status}`);
    return p;
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
    const answer = async (): Promise<Json> => {
      if (expired) throw statesError("States.Timeout", "the decision came after the state's timeout");
      return { decision: decision.decision, reason: decision.reason };
    };
    return this.resume(p, answer, expired ? "timeout" : decision.decision);
  }

  /** Runs an execution on from its waiting state with `answer` as that state's result; records both. */
  private async resume(p: DecisionRow, answer: () => Promise<Json>, status: string): Promise<WorkflowRunSummary> {
    const def = { ...LocalWorkflows.definition(p.state_machine), StartAt: p.state_name };
    const summary = await this.run(p.state_machine, p.execution_name, def, JSON.parse(p.state_input) as Json, answer);
    await this.o.lake.query("UPDATE pending_decisions SET status = ? WHERE task_token = ?", [status, p.task_token]);
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
