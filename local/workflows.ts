/**
 * Step Functions, locally: aws-local-stepfunctions runs the definitions CDK deploys
 * (stepfunctions/*.asl.json), and each Task state's service integration is emulated by what it
 * stands for on one machine:
 * - lambda:invoke                         -> the same handler the Lambda runs, in process
 * - athena:startQueryExecution.sync       -> the same SQL, with the same parameters, on DuckDB
 * - athena:getQueryResults                -> that result, in Athena's ResultSet shape (strings, header row first)
 * - events:putEvents                      -> the local bus
 * - events:putEvents.waitForTaskToken     -> the local bus, then a pending decision (pending_decisions)
 * - sns:publish                           -> the notifications table
 * Every execution is a workflow_runs row. Execution names are deterministic (state machine + event
 * id), so a redelivered event does not start a second execution, as StartExecution with an
 * existing name does not.
 */
import { randomUUID } from "node:crypto";
import { StateMachine } from "aws-local-stepfunctions";
import type { DuckDbLake } from "../lambdas/adapters/duckdb-lake.js";
import { NOTIFICATIONS, PENDING_DECISIONS, type Row, WORKFLOW_RUNS } from "../lambdas/contracts/tables.js";
import {
  DECISION_STATE,
  enrichQuery,
  type Substitutions,
  substitute,
  type WorkflowName,
} from "../stepfunctions/definitions.js";
import type { BusEvent, LocalEventBus } from "./bus.js";
import { InFlight } from "./in-flight.js";
import { polyfillPromiseWithResolvers } from "./polyfills.js";

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

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
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

const statesError = (name: string, message: string) => Object.assign(new Error(message), { name });

/** Athena execution parameters are SQL literals: 'text' (quotes doubled inside) or numbers. */
export function athenaLiteral(p: string): string | number {
  const m = /^'((?:[^']|'')*)'$/.exec(p);
  if (m) return m[1]!.replace(/''/g, "'");
  const n = Number(p);
  if (p.trim() !== "" && Number.isFinite(n)) return n;
  throw new Error(`execution parameter ${p} is not a SQL literal ('text' or a number)`);
}

const athenaString = (v: unknown): string | undefined =>
  v === null || v === undefined ? undefined : typeof v === "object" ? JSON.stringify(v) : String(v);

export class LocalWorkflows {
  private readonly inFlight = new InFlight();
  /** Names started by this process: a second delivery racing the first finds its name here. */
  private readonly started = new Set<string>();
  private readonly queries = new Map<string, { columns: readonly string[]; rows: readonly (readonly unknown[])[] }>();
  private readonly now: () => Date;
  readonly runs: WorkflowRunSummary[] = [];

  constructor(private readonly o: LocalWorkflowsOptions) {
    this.now = o.now ?? (() => new Date());
  }

  static substitutions(): { [W in WorkflowName]: Substitutions<W> } {
    return {
      scouting: {
        EnrichQuery: enrichQuery(),
        AthenaWorkGroup: LOCAL_NAMES.workGroup,
        GlueDatabase: LOCAL_NAMES.database,
        WorkflowTasksFunctionArn: LOCAL_NAMES.workflowTasksFunction,
        EventBusName: "sideline-insights",
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

  static definition(w: WorkflowName): Definition {
    const subs = LocalWorkflows.substitutions()[w] as Record<string, string>;
    return JSON.parse(substitute(w, subs as never)) as Definition;
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
    const lake = this.o.lake;
    switch (resource) {
      case "arn:aws:states:::lambda:invoke":
        return async (p) => {
          const { FunctionName, Payload } = p as { FunctionName: string; Payload: unknown };
          const fn = this.o.lambdas[FunctionName];
          if (!fn) throw statesError("Lambda.ResourceNotFoundException", `no local function ${FunctionName}`);
          try {
            return { Payload: (await fn(Payload)) as Json, StatusCode: 200, ExecutedVersion: "$LATEST" };
          } catch (e) {
            // A function error reaches Step Functions as its error type (the name) and message.
            const err = e as Error;
            throw statesError(err.name || "Error", err.message);
          }
        };
      case "arn:aws:states:::athena:startQueryExecution.sync":
        return async (p) => {
          const { QueryString, ExecutionParameters } = p as { QueryString: string; ExecutionParameters?: string[] };
          const id = randomUUID();
          try {
            this.queries.set(id, await lake.query(QueryString, (ExecutionParameters ?? []).map(athenaLiteral)));
          } catch (e) {
            throw statesError("Athena.InvalidRequestException", (e as Error).message);
          }
          return { QueryExecution: { QueryExecutionId: id, Query: QueryString, Status: { State: "SUCCEEDED" } } };
        };
      case "arn:aws:states:::athena:getQueryResults":
        return async (p) => {
          const { QueryExecutionId, MaxResults } = p as { QueryExecutionId: string; MaxResults?: number };
          const r = this.queries.get(QueryExecutionId);
          if (!r) throw statesError("Athena.InvalidRequestException", `unknown QueryExecutionId ${QueryExecutionId}`);
          const rows = [r.columns, ...r.rows].slice(0, MaxResults ?? 1000);
          return {
            ResultSet: {
              Rows: rows.map((row) => ({ Data: row.map((v) => ({ VarCharValue: athenaString(v) }) as Json) })),
              ResultSetMetadata: { ColumnInfo: r.columns.map((c) => ({ Name: c, Label: c })) },
            },
          } as Json;
        };
      case "arn:aws:states:::events:putEvents":
        return async (p) => ({ Entries: await this.putEvents(p), FailedEntryCount: 0 });
      case "arn:aws:states:::events:putEvents.waitForTaskToken":
        return async (p) => {
          await this.putEvents(p);
          const stateInput = await entered(stateName).seen.promise;
          return this.awaitDecision(w, executionName, stateName, token, stateInput, p);
        };
      case "arn:aws:states:::sns:publish":
        return async (p) => {
          const { TopicArn, Subject, Message } = p as { TopicArn: string; Subject?: string; Message: string };
          const id = randomUUID();
          await lake.put(NOTIFICATIONS.name, [
            {
              message_id: id,
              topic: TopicArn.split(":")
                .pop()!
                .replace(/^sideline-/, ""),
              subject: Subject ?? "",
              message: Message,
              sent_at: this.now(),
            },
          ]);
          return { MessageId: id };
        };
      default:
        throw new Error(`state ${stateName} uses ${resource}, which the local runtime does not emulate`);
    }
  }

  private async putEvents(p: Json): Promise<Json[]> {
    const { Entries } = p as { Entries: { Source: string; DetailType: string; Detail: unknown }[] };
    const ids: Json[] = [];
    for (const e of Entries) {
      const id = randomUUID();
      const detail = typeof e.Detail === "string" ? JSON.parse(e.Detail) : e.Detail;
      await this.o.bus.publish([{ id, source: e.Source, detailType: e.DetailType, time: this.now(), detail }]);
      ids.push({ EventId: id });
    }
    return ids;
  }

  private async awaitDecision(
    w: WorkflowName,
    executionName: string,
    stateName: string,
    token: string,
    stateInput: Json,
    params: Json,
  ): Promise<Json> {
    const def = LocalWorkflows.definition(w).States[stateName] as {
      TimeoutSeconds?: number;
      HeartbeatSeconds?: number;
    };
    const detail = (params as { Entries: { Detail: Record<string, string> }[] }).Entries[0]!.Detail;
    const requested = this.now();
    const limitS = Math.min(
      def.TimeoutSeconds ?? Number.POSITIVE_INFINITY,
      def.HeartbeatSeconds ?? Number.POSITIVE_INFINITY,
    );
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
      expires_at: new Date(requested.getTime() + limitS * 1000),
      status: this.o.autoApprove ? "approve" : "pending",
    };
    await this.o.lake.put(PENDING_DECISIONS.name, [row]);
    if (this.o.autoApprove) return { decision: "approve", reason: "approved automatically (--auto-approve)" };
    throw new ParkedError(`waiting for a scout's decision on ${token}`);
  }

  /**
   * A heartbeat for a pending decision (SendTaskHeartbeat): the wait now expires one HeartbeatSeconds
   * from now, but never after its TimeoutSeconds from the request. Returns the new expiry.
   */
  async heartbeat(token: string): Promise<Date> {
    const rows = await this.o.lake.queryObjects<{
      state_machine: WorkflowName;
      state_name: string;
      requested_ms: number;
      expires_ms: number;
      status: string;
    }>(
      `SELECT state_machine, state_name, epoch_ms(requested_at) AS requested_ms, epoch_ms(expires_at) AS expires_ms, status
       FROM pending_decisions WHERE task_token = ?`,
      [token],
    );
    const p = rows[0];
    if (!p) throw new Error(`no decision is waiting for token '${token}'`);
    if (p.status !== "pending") throw new Error(`the decision for '${token}' was already given: ${p.status}`);
    const now = this.now().getTime();
    if (now > Number(p.expires_ms)) throw new Error(`the wait for '${token}' has already timed out`);
    const state = LocalWorkflows.definition(p.state_machine).States[p.state_name] as {
      TimeoutSeconds?: number;
      HeartbeatSeconds?: number;
    };
    const expires = new Date(
      Math.min(
        Number(p.requested_ms) + (state.TimeoutSeconds ?? Number.POSITIVE_INFINITY) * 1000,
        now + (state.HeartbeatSeconds ?? Number.POSITIVE_INFINITY) * 1000,
      ),
    );
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
    const rows = await this.o.lake.queryObjects<{
      execution_name: string;
      state_machine: WorkflowName;
      state_name: string;
      state_input: string;
      expires_ms: number;
      status: string;
    }>(
      `SELECT execution_name, state_machine, state_name, state_input::VARCHAR AS state_input, epoch_ms(expires_at) AS expires_ms, status
       FROM pending_decisions WHERE task_token = ?`,
      [token],
    );
    const p = rows[0];
    if (!p)
      throw new Error(
        `no decision is waiting for token '${token}': list them with \`sideline sql "SELECT * FROM pending_decisions"\``,
      );
    if (p.status !== "pending") throw new Error(`the decision for '${token}' was already given: ${p.status}`);
    const expired = this.now().getTime() > Number(p.expires_ms);
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

/** Wait states locally: the lake is written synchronously, so there is nothing to wait for. */
function waitOverrides(def: Definition): Record<string, number> {
  return Object.fromEntries(
    Object.entries(def.States)
      .filter(([, s]) => s.Type === "Wait")
      .map(([n]) => [n, 0]),
  );
}
