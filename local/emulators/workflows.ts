/**
 * Step Functions, locally: aws-local-stepfunctions runs the definitions CDK deploys
 * (stepfunctions/*.asl.json). Task states call the services emulated in service-integrations.ts;
 * the one integration kept apart is events:putEvents.waitForTaskToken, which publishes the request
 * and then parks the execution as a pending decision (pending_decisions) until `decide` answers.
 * Every execution is a workflow_runs row. Execution names are deterministic (workflow + insight
 * id, lambdas/contracts/workflows.ts, shared with the cloud's workflow-starter), so a redelivered
 * event does not start a second execution, as StartExecution with an existing name does not. In the cloud an execution outlives its caller; here the process is the
 * service, so an execution a killed process left RUNNING is recovered by the next one
 * (`recoverAbandoned`).
 *
 * LocalWorkflows puts together, on one lake:
 * - workflow-runner.ts: starts, runs and records the executions;
 * - scout-decisions.ts: the wait for a scout's decision, its heartbeats, answer and expiry;
 * - workflow-recovery.ts: the executions a killed process left RUNNING;
 * - workflow-definitions.ts: the definitions with their local names, and the shared types.
 */
import type { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import type { WorkflowName } from "../../stepfunctions/definitions.js";
import type { BusEvent, LocalEventBus } from "./bus.js";
import { InFlight } from "./in-flight.js";
import { ScoutDecisions } from "./scout-decisions.js";
import type { RecoveredExecution, ScoutDecision, WorkflowRunSummary } from "./workflow-definitions.js";
import { WorkflowRecovery } from "./workflow-recovery.js";
import { WorkflowRunner } from "./workflow-runner.js";

export {
  LOCAL_ACCOUNT,
  LOCAL_NAMES,
  LOCAL_REGION,
  type RecoveredExecution,
  type ScoutDecision,
  type WorkflowRunSummary,
} from "./workflow-definitions.js";

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

export class LocalWorkflows {
  private readonly inFlight = new InFlight();
  private readonly runner: WorkflowRunner;
  private readonly decisions: ScoutDecisions;
  private readonly recovery: WorkflowRecovery;
  readonly runs: WorkflowRunSummary[];
  /** Executions left RUNNING by an earlier process, and what recovery did with each. */
  readonly recovered: RecoveredExecution[];

  constructor(o: LocalWorkflowsOptions) {
    const now = o.now ?? (() => new Date());
    const started = liveExecutions(o.lake);
    this.runner = new WorkflowRunner({
      lake: o.lake,
      bus: o.bus,
      lambdas: o.lambdas,
      now,
      started,
      awaitDecision: (request) => this.decisions.request(request),
    });
    this.decisions = new ScoutDecisions({
      lake: o.lake,
      runner: this.runner,
      autoApprove: o.autoApprove ?? false,
      now,
    });
    this.recovery = new WorkflowRecovery({ lake: o.lake, started, runner: this.runner, decisions: this.decisions });
    this.runs = this.runner.runs;
    this.recovered = this.recovery.recovered;
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
    const recovery = this.recovery.begin();
    if (recovery) this.inFlight.track(recovery);
    return this.inFlight.drain();
  }

  /**
   * Recovers the executions a process that is gone left RUNNING (a `kill -9` mid-run): call it once,
   * when the automation starts on a lake, before any event is delivered. It claims them now, so a
   * redelivered event does not find the RUNNING row and skip its execution; the recovery itself
   * runs on `drain` (a command that never drains, such as a heartbeat, leaves them to the next).
   * workflow-recovery.ts says how a process is known to be gone, and why running again is safe.
   */
  recoverAbandoned(): void {
    this.recovery.claim();
  }

  /**
   * A heartbeat for a pending decision (SendTaskHeartbeat): the wait now expires one HeartbeatSeconds
   * from now, but never after its TimeoutSeconds from the request. Returns the new expiry.
   */
  heartbeat(token: string): Promise<Date> {
    return this.decisions.heartbeat(token);
  }

  /**
   * Answers a pending decision: the execution resumes at the waiting state with the scout's
   * decision as that state's result, or with States.Timeout once the wait has expired.
   */
  decide(token: string, decision: ScoutDecision): Promise<WorkflowRunSummary> {
    return this.decisions.decide(token, decision);
  }

  private async execute(w: WorkflowName, event: BusEvent): Promise<void> {
    // Recovery claims the abandoned executions first: a redelivered one is left to it.
    const claiming = this.recovery.claiming;
    if (claiming) await claiming;
    await this.runner.execute(w, event);
  }
}
