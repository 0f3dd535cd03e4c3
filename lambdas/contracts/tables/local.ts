/**
 * Tables of the embedded runtime only: what the cloud keeps in Step Functions (execution history,
 * task tokens), SNS and SQS (the CRM outbox and dead letters).
 */
import { col, defineTable, optCol } from "./schema.js";

export const WORKFLOW_RUNS = defineTable({
  name: "workflow_runs",
  classification: "health",
  scope: "local",
  doc: "Local only (Step Functions keeps execution history in the cloud): every workflow execution.",
  columns: [
    col("execution_name", "string", "Execution name: the state machine and the insight id."),
    col("state_machine", "string", "scouting or medical-alert."),
    col("status", "string", "RUNNING, WAITING (for a task token), SUCCEEDED, FAILED, TIMED_OUT."),
    col("input", "json", "Execution input: the EventBridge event."),
    optCol("output", "json", "Execution output, when it ended."),
    optCol("error", "string", "Error and cause, when it failed."),
    col("started_at", "timestamp", "Start, UTC."),
    optCol("stopped_at", "timestamp", "End, UTC."),
  ],
  key: ["execution_name"],
  partitionBy: [],
  sortBy: [],
});

export const PENDING_DECISIONS = defineTable({
  name: "pending_decisions",
  classification: "performance",
  scope: "local",
  doc: "Local only: scout decisions a workflow waits for (task tokens). Answer with `sideline decide`.",
  columns: [
    col("task_token", "string", "The token `sideline decide` takes."),
    col("execution_name", "string", "The waiting execution."),
    col("state_machine", "string", "The state machine."),
    col("state_name", "string", "The waiting state."),
    col("state_input", "json", "The waiting state's input: the execution resumes from it."),
    col("insight_id", "string", "The insight."),
    col("player_id", "string", "Player identifier."),
    col("summary", "string", "What the scout decides on."),
    col("visual_url", "string", "The picture."),
    col("requested_at", "timestamp", "When the workflow asked, UTC."),
    col("expires_at", "timestamp", "After this the wait times out (the state's TimeoutSeconds)."),
    col("status", "string", "pending, approve, reject or timeout."),
  ],
  key: ["task_token"],
  partitionBy: [],
  sortBy: [],
});

export const CRM_OUTBOX = defineTable({
  name: "crm_outbox",
  classification: "performance",
  scope: "local",
  doc: "Local only: CRM requests recorded instead of sent, when SIDELINE_CRM_URL is not set.",
  columns: [
    col("idempotency_key", "string", "The Idempotency-Key header the request would carry."),
    col("operation", "string", "player.upsert or task.create."),
    col("body", "json", "The request body."),
    col("recorded_at", "timestamp", "When, UTC."),
  ],
  key: ["idempotency_key"],
  partitionBy: [],
  sortBy: [],
});

export const CRM_DEAD_LETTERS = defineTable({
  name: "crm_dead_letters",
  classification: "performance",
  scope: "local",
  doc: "Local only: CRM requests that failed after the last retry (the cloud's API destination DLQ). Nothing is lost.",
  columns: [
    col("idempotency_key", "string", "The Idempotency-Key header it carried."),
    col("operation", "string", "player.upsert or task.create."),
    col("url", "string", "Where it was sent."),
    col("body", "json", "The request body, to resend."),
    col("attempts", "int", "Attempts made."),
    optCol("last_status", "int", "Last HTTP status; 0 when no response came."),
    col("error", "string", "Why it failed."),
    col("failed_at", "timestamp", "When, UTC."),
  ],
  key: ["idempotency_key"],
  partitionBy: [],
  sortBy: [],
});

export const NOTIFICATIONS = defineTable({
  name: "notifications",
  classification: "health",
  scope: "local",
  doc: "Local only: messages the workflows published to staff (SNS topics in the cloud).",
  columns: [
    col("message_id", "string", "Message id."),
    col("topic", "string", "scouting or medical."),
    col("subject", "string", "Subject line."),
    col("message", "string", "Message body."),
    col("sent_at", "timestamp", "When, UTC."),
  ],
  key: ["message_id"],
  partitionBy: [],
  sortBy: [],
});
