/**
 * The recovery of executions a process that is gone left RUNNING (a `kill -9` mid-run). In the
 * cloud an execution outlives its caller; here the process is the service, so the next process on
 * the lake finishes what the killed one started.
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
import type { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import type { WorkflowName } from "../../stepfunctions/definitions.js";
import type { ScoutDecisions } from "./scout-decisions.js";
import type { Json } from "./service-integrations.js";
import type { RecoveredExecution } from "./workflow-definitions.js";
import type { WorkflowRunner } from "./workflow-runner.js";

/** A workflow_runs row left RUNNING. */
interface Abandoned {
  readonly execution_name: string;
  readonly state_machine: WorkflowName;
  readonly input: string;
  readonly started_ms: number;
}

export interface WorkflowRecoveryOptions {
  readonly lake: DuckDbLake;
  /** Names started or claimed by this process on this lake: recovery leaves these alone. */
  readonly started: Set<string>;
  /** Restarts an execution from its recorded input. */
  readonly runner: WorkflowRunner;
  /** Resumes an execution from its decision. */
  readonly decisions: ScoutDecisions;
}

export class WorkflowRecovery {
  /** The executions an earlier process left RUNNING, claimed by `claim`; null before. */
  private abandoned: Promise<Abandoned[]> | null = null;
  private recovering = false;
  /** Executions left RUNNING by an earlier process, and what recovery did with each. */
  readonly recovered: RecoveredExecution[] = [];

  constructor(private readonly o: WorkflowRecoveryOptions) {}

  /**
   * Claims the executions a process that is gone left RUNNING; once. Until the claim settles, a
   * new execution must wait for `claiming`, so that a redelivered event is left to recovery.
   */
  claim(): void {
    if (this.abandoned) return;
    this.abandoned = this.claimAbandoned();
    // Handled where it matters: LocalWorkflows' execute and drain await it, and fail with its error.
    this.abandoned.catch(() => undefined);
  }

  /** The claim in progress or done (it rejects if reading the lake failed); null if never claimed. */
  get claiming(): Promise<unknown> | null {
    return this.abandoned;
  }

  /** The recovery of the claimed executions, the first time it is asked for after `claim`; else null. */
  begin(): Promise<void> | null {
    if (!this.abandoned || this.recovering) return null;
    this.recovering = true;
    return this.recoverClaimed(this.abandoned);
  }

  private async claimAbandoned(): Promise<Abandoned[]> {
    const rows = await this.o.lake.queryObjects<Abandoned>(
      `SELECT execution_name, state_machine, input::VARCHAR AS input, epoch_ms(started_at) AS started_ms
       FROM workflow_runs WHERE status = 'RUNNING' ORDER BY started_at, execution_name`,
    );
    // No await between the read and the claims: a RUNNING row this process wrote has its name here.
    const abandoned = rows.filter((r) => !this.o.started.has(r.execution_name));
    for (const a of abandoned) this.o.started.add(a.execution_name);
    return abandoned;
  }

  /** One at a time, in the order they started: medical cool-downs are claimed as they first were. */
  private async recoverClaimed(claimed: Promise<Abandoned[]>): Promise<void> {
    for (const a of await claimed) await this.recoverOne(a);
  }

  private async recoverOne(a: Abandoned): Promise<void> {
    const decision = await this.o.decisions.latest(a.execution_name);
    let action: RecoveredExecution["action"];
    if (decision?.status === "pending") {
      // It had parked: running it again would ask the scout twice. Its token still answers it.
      await this.o.lake.query("UPDATE workflow_runs SET status = 'WAITING' WHERE execution_name = ?", [
        a.execution_name,
      ]);
      action = "waiting";
    } else if (decision) {
      // Its decision was given while it ran, which only --auto-approve does: continue from it.
      await this.o.decisions.resumeGiven(decision);
      action = "resumed";
    } else {
      const base = {
        execution_name: a.execution_name,
        state_machine: a.state_machine,
        input: a.input,
        started_at: new Date(Number(a.started_ms)),
      };
      await this.o.runner.runAndRecord(a.state_machine, base, JSON.parse(a.input) as Json);
      action = "restarted";
    }
    this.recovered.push({ executionName: a.execution_name, stateMachine: a.state_machine, action });
  }
}
