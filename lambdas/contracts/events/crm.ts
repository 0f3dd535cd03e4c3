/** Events the workflows put on the bus: requests to the club's CRM, and requests for a scout's decision. */
import "../zod-locale.js";
import * as z from "zod/mini";
import { explanationSchema } from "./explanation.js";

/** Source of requests to the club's CRM, put by the workflows; a rule delivers them to the CRM. */
export const CRM_SOURCE = "sideline.crm";
/** Source of requests for a human decision (a scout's approve or reject). */
export const DECISION_SOURCE = "sideline.decisions";

/** Version 2: the explanation it carries is version 2 (a map of named metrics). */
export const CRM_SCHEMA_VERSION = 2;

export const CRM_TYPES = {
  crmPlayerUpsert: "CRM Player Upsert Requested",
  crmFollowUp: "CRM Follow-up Requested",
  scoutDecisionRequested: "Scout Decision Requested",
} as const;

/** The body Sideline sends to the CRM (API destination in the cloud, HTTP POST locally). */
export const crmRequestSchema = z.object({
  schema_version: z.literal(CRM_SCHEMA_VERSION),
  /** Stable across retries and redeliveries: sent as the Idempotency-Key header. */
  idempotency_key: z.string(),
  operation: z.enum(["player.upsert", "task.create"]),
  player: z.object({ player_id: z.string(), team: z.nullable(z.string()) }),
  match_id: z.string(),
  insight_id: z.string(),
  score: z.nullable(z.number()),
  valuation: z.nullable(z.object({ value_index: z.number(), reliability: z.number() })),
  summary: z.string(),
  explanation: z.nullable(explanationSchema),
  visual_url: z.nullable(z.string()),
  /** Present on task.create: what the scout asked for. */
  task: z.optional(z.object({ title: z.string(), due_in_days: z.int(), note: z.nullable(z.string()) })),
});

export const scoutDecisionRequestedSchema = z.object({
  schema_version: z.literal(1),
  /** Step Functions task token: SendTaskSuccess with {"decision":"approve"|"reject","reason":...}. */
  task_token: z.string(),
  insight_id: z.string(),
  player_id: z.string(),
  match_id: z.string(),
  summary: z.string(),
  visual_url: z.string(),
});

export type CrmRequest = z.infer<typeof crmRequestSchema>;
export type ScoutDecisionRequested = z.infer<typeof scoutDecisionRequestedSchema>;
