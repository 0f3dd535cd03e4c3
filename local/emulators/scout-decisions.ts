/**
 * The scouting workflow's wait for a scout's decision (events:putEvents.waitForTaskToken), locally:
 * the waiting state's task records its request as a pending_decisions row and parks the execution;
 * `sideline decide` sends heartbeats (SendTaskHeartbeat) and answers it (SendTaskSuccess), and the
 * execution runs on from the waiting state. The wait expires as Step Functions times the state out.
 */
import type { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { PENDING_DECISIONS, type RowOf } from "../../lambdas/contracts/tables/index.js";
import type { WorkflowName } from "../../stepfunctions/definitions.js";
import { type Json, statesError } from "./service-integrations.js";
import { localDefinition, type ScoutDecision, type WorkflowRunSummary } from "./workflow-definitions.js";
import { type DecisionRequest, ParkedError, type WorkflowRunner } from "./workflow-runner.js";

/** The automatic approval (--auto-approve): the decision state's result. */
const AUTO_APPROVAL = { decision: "approve", reason: "approved automatically (--auto-approve)" } as const;

/** A pending_decisions row, as an execution resumes from it. */
export interface DecisionRow {
  readonly task_token: string;
  readonly execution_name: string;
  readonly state_machine: WorkflowName;
  readonly state_name: string;
  readonly state_input: string;
  readonly requested_ms: number;
  readonly expires_ms: number;
  readonly status: string;
}

export interface ScoutDecisionsOptions {
  readonly lake: DuckDbLake;
  /** Runs a decided execution on from its waiting state. */
  readonly runner: WorkflowRunner;
  /** Approve every scout decision as soon as it is requested (the demo's --auto-approve). */
  readonly autoApprove: boolean;
  readonly now: () => Date;
}

export class ScoutDecisions {
  constructor(private readonly o: ScoutDecisionsOptions) {}

  /**
   * The waiting state's task, once its request is published: records the pending decision, then
   * parks the execution (ParkedError), or with --auto-approve answers it at once.
   */
  async request(r: DecisionRequest): Promise<Json> {
    const detail = (r.params as { Entries: { Detail: Record<string, string> }[] }).Entries[0]!.Detail;
    const requested = this.o.now();
    const row: RowOf<typeof PENDING_DECISIONS> = {
      task_token: r.token,
      execution_name: r.executionName,
      state_machine: r.stateMachine,
      state_name: r.stateName,
      state_input: JSON.stringify(r.stateInput),
      insight_id: detail.insight_id ?? "",
      player_id: detail.player_id ?? "",
      summary: detail.summary ?? "",
      visual_url: detail.visual_url ?? "",
      requested_at: requested,
      expires_at: waitExpiry(r.stateMachine, r.stateName, requested.getTime(), requested.getTime()),
      status: this.o.autoApprove ? "approve" : "pending",
    };
    await this.o.lake.put(PENDING_DECISIONS, [row]);
    if (this.o.autoApprove) return { ...AUTO_APPROVAL };
    throw new ParkedError(`waiting for a scout's decision on ${r.token}`);
  }

  /** The latest decision an execution requested, whatever its status; undefined if it never parked. */
  async latest(executionName: string): Promise<DecisionRow | undefined> {
    const [decision] = await this.rows("execution_name = ? ORDER BY requested_at DESC LIMIT 1", [executionName]);
    return decision;
  }

  /** pending_decisions rows matching `where`. */
  private async rows(where: string, params: readonly (string | number | boolean | null)[]): Promise<DecisionRow[]> {
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
    const [p] = await this.rows("task_token = ?", [token]);
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
    const now = this.o.now().getTime();
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
    const expired = this.o.now().getTime() > p.expires_ms;
    const answer = async (): Promise<Json> => {
      if (expired) throw statesError("States.Timeout", "the decision came after the state's timeout");
      return { decision: decision.decision, reason: decision.reason };
    };
    return this.resume(p, answer, expired ? "timeout" : decision.decision);
  }

  /** Runs an execution on from a decision already recorded (given while it ran), with that decision. */
  async resumeGiven(p: DecisionRow): Promise<WorkflowRunSummary> {
    return this.resume(p, async () => givenDecision(p.status), p.status);
  }

  /** Runs an execution on from its waiting state with `answer` as that state's result; records both. */
  private async resume(p: DecisionRow, answer: () => Promise<Json>, status: string): Promise<WorkflowRunSummary> {
    const def = { ...localDefinition(p.state_machine), StartAt: p.state_name };
    const summary = await this.o.runner.run(
      p.state_machine,
      p.execution_name,
      def,
      JSON.parse(p.state_input) as Json,
      answer,
    );
    await this.o.lake.query("UPDATE pending_decisions SET status = ? WHERE task_token = ?", [status, p.task_token]);
    await this.o.lake.query(
      "UPDATE workflow_runs SET status = ?, output = ?::JSON, error = ?, stopped_at = ?::TIMESTAMP WHERE execution_name = ?",
      [
        summary.status,
        summary.output === null ? null : JSON.stringify(summary.output),
        summary.error,
        this.o.now().toISOString(),
        p.execution_name,
      ],
    );
    return summary;
  }
}

/** The decision state's result for a decision already recorded. */
function givenDecision(status: string): Json {
  if (status === "timeout") throw statesError("States.Timeout", "the decision came after the state's timeout");
  return status === AUTO_APPROVAL.decision ? { ...AUTO_APPROVAL } : { decision: status, reason: null };
}

/**
 * When a task-token wait expires: HeartbeatSeconds after the last heartbeat (or the request), and
 * never later than TimeoutSeconds after the request, as Step Functions times the state out.
 */
function waitExpiry(w: WorkflowName, stateName: string, requestedMs: number, lastBeatMs: number): Date {
  const state = localDefinition(w).States[stateName] as {
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
