/**
 * Front-office automation on one machine: the rules CDK deploys (AUTOMATION_RULES), on the local
 * bus, with their targets emulated: the two workflows (aws-local-stepfunctions on the deployed
 * definitions) and the CRM (HTTP POST, or the outbox). The workflow tasks are the workflow-tasks
 * Lambda handler itself. Executions an earlier process left RUNNING (it was killed) are recovered
 * when the automation starts on the lake, and `drain` waits for them.
 */

import { DuckDbAlertLedger } from "../lambdas/adapters/local/duckdb-alert-ledger.js";
import type { DuckDbLake } from "../lambdas/adapters/local/duckdb-lake.js";
import { AUTOMATION_DEFAULTS } from "../lambdas/contracts/defaults.js";
import { AUTOMATION_RULES } from "../lambdas/contracts/events/index.js";
import type { Pattern } from "../lambdas/core/events/event-pattern.js";
import { createWorkflowTasksHandler } from "../lambdas/functions/workflow-tasks/handler.js";
import type { LocalEventBus } from "./emulators/bus.js";
import { type CrmOptions, LocalCrm } from "./emulators/crm.js";
import { lambdaContext } from "./emulators/esm.js";
import { LOCAL_NAMES, LocalWorkflows, type RecoveredExecution } from "./emulators/workflows.js";

/** Medical alerts for a player within this long of a notified one of the same kind are suppressed (Sideline default: one alert per player and finding per match and its aftermath). */
export const DEFAULT_MEDICAL_COOLDOWN_HOURS = AUTOMATION_DEFAULTS.medicalCooldownHours;

export interface AutomationOptions {
  readonly crm?: CrmOptions;
  /** @default false */
  readonly autoApprove?: boolean;
  /** @default DEFAULT_MEDICAL_COOLDOWN_HOURS */
  readonly medicalCooldownHours?: number;
  /** @default - the system clock */
  readonly now?: () => Date;
}

export class LocalAutomation {
  readonly workflows: LocalWorkflows;
  readonly crm: LocalCrm;

  constructor(
    lake: DuckDbLake,
    private readonly bus: LocalEventBus,
    o: AutomationOptions = {},
  ) {
    // The workflow-tasks Lambda handler itself (Middy, Powertools), as Step Functions invokes it.
    const tasks = createWorkflowTasksHandler({
      sink: lake,
      ledger: new DuckDbAlertLedger(lake),
      cooldownMs: (o.medicalCooldownHours ?? DEFAULT_MEDICAL_COOLDOWN_HOURS) * 3_600_000,
      ...(o.now ? { now: o.now } : {}),
    });
    this.workflows = new LocalWorkflows({
      lake,
      bus,
      lambdas: { [LOCAL_NAMES.workflowTasksFunction]: (p) => tasks(p, lambdaContext("workflow-tasks")) },
      autoApprove: o.autoApprove ?? false,
      ...(o.now ? { now: o.now } : {}),
    });
    // Before any event arrives: a redelivered event must find its abandoned execution claimed.
    this.workflows.recoverAbandoned();
    this.crm = new LocalCrm(lake, o.crm);
    const pattern = (p: object) => p as Pattern;
    bus.addRule({
      name: "scouting",
      pattern: pattern(AUTOMATION_RULES.scouting),
      target: async (e) => this.workflows.start("scouting", e),
    });
    bus.addRule({
      name: "medical",
      pattern: pattern(AUTOMATION_RULES.medical),
      target: async (e) => this.workflows.start("medical-alert", e),
    });
    bus.addRule({ name: "crm", pattern: pattern(AUTOMATION_RULES.crm), target: (e) => this.crm.deliver(e) });
  }

  /** Executions a killed process had left RUNNING, recovered by this one (complete once drained). */
  get recovered(): readonly RecoveredExecution[] {
    return this.workflows.recovered;
  }

  /** Waits until the bus and the workflows are idle (each can start work on the other). */
  async drain(): Promise<void> {
    for (;;) {
      await this.bus.drain();
      await this.workflows.drain();
      await this.bus.drain();
      if (!(await this.idle())) continue;
      return;
    }
  }

  private async idle(): Promise<boolean> {
    await new Promise((r) => setImmediate(r));
    return this.bus.idle && this.workflows.idle;
  }
}
