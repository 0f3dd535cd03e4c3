/**
 * The deployed state machine definitions (stepfunctions/*.asl.json) as the local runtime runs them,
 * with the local names substituted for the deployed ones; and the types the local workflow modules
 * (runner, scout decisions, recovery) share with their importers.
 */
import { enrichQuery, type Substitutions, substitute, type WorkflowName } from "../../stepfunctions/definitions.js";
import { LOCAL_BUS_NAME } from "./bus.js";

export const LOCAL_ACCOUNT = "000000000000";
export const LOCAL_REGION = "local";
export const LOCAL_NAMES = {
  workflowTasksFunction: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:sideline-workflow-tasks`,
  scoutingTopic: `arn:aws:sns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:sideline-scouting`,
  medicalTopic: `arn:aws:sns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:sideline-medical`,
  workGroup: "sideline-local",
  database: "sideline",
} as const;

export type Definition = {
  StartAt: string;
  States: Record<string, { Type: string; Resource?: string; Parameters?: unknown }>;
};

/** A decision given to a waiting execution. */
export interface ScoutDecision {
  readonly decision: "approve" | "reject";
  readonly reason: string | null;
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

/** The local names each definition's placeholders take. */
export function localSubstitutions(): { [W in WorkflowName]: Substitutions<W> } {
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

const definitions = new Map<WorkflowName, Definition>();

/** The substituted definition, read from its file once per process (callers must not mutate it). */
export function localDefinition(w: WorkflowName): Definition {
  let d = definitions.get(w);
  if (!d) {
    const subs = localSubstitutions()[w] as Record<string, string>;
    d = JSON.parse(substitute(w, subs as never)) as Definition;
    definitions.set(w, d);
  }
  return d;
}
