/**
 * Insight event contracts: detail-type, detail schema and rule pattern, in one place.
 * Producers (handlers), the CDK rules and the local bus all import this module.
 */
import { createHash } from "node:crypto";
import "./zod-locale.js";
import * as z from "zod/mini";

/** EventBridge `source` for insights derived from tracking data ("aws." is reserved by AWS). */
export const TRACKING_INSIGHT_SOURCE = "sideline.tracking";

/** Source of scouting matches (the matcher runs on each player's completed match profile). */
export const SCOUTING_SOURCE = "sideline.scouting";
/** Source of workload insights across matches (acute:chronic ratio). */
export const LOAD_SOURCE = "sideline.load";
/** Source of requests to the club's CRM, put by the workflows; a rule delivers them to the CRM. */
export const CRM_SOURCE = "sideline.crm";
/** Source of requests for a human decision (a scout's approve or reject). */
export const DECISION_SOURCE = "sideline.decisions";

export const DETAIL_TYPES = {
  playerFatigueSuspected: "Player Fatigue Suspected",
  playerLoadSpike: "Player Load Spike",
  scoutingCandidateMatched: "Scouting Candidate Matched",
  crmPlayerUpsert: "CRM Player Upsert Requested",
  crmFollowUp: "CRM Follow-up Requested",
  scoutDecisionRequested: "Scout Decision Requested",
} as const;

const windowRef = z.object({
  window_start: z.string(),
  window_end: z.string(),
  /** High-intensity running (>= 15 km/h) in the window, metres. */
  hi_distance_m: z.number(),
  tracked_s: z.number(),
});

/** What made an insight fire: every feature, its value, the baseline and threshold, and the windows. */
export const explanationSchema = z.object({
  rule: z.string(),
  features: z.array(
    z.object({
      name: z.string(),
      unit: z.string(),
      value: z.number(),
      baseline: z.number(),
      threshold: z.number(),
      /** Share of the decision this feature carries (sums to 1 across features). */
      contribution: z.number(),
    }),
  ),
  trigger_windows: z.array(windowRef),
  baseline_windows: z.object({
    first_start: z.string(),
    last_end: z.string(),
    count: z.int(),
    tracked_s: z.number(),
    hi_distance_m: z.number(),
  }),
});

/** Fields every insight carries: who, when, why in words, why in numbers, and why in a picture. */
const insightBase = {
  schema_version: z.literal(1),
  insight_id: z.string(),
  match_id: z.string(),
  player_id: z.string(),
  team: z.nullable(z.string()),
  observed_at: z.string(),
  summary: z.string(),
  explanation: explanationSchema,
  /** The rendered picture (SVG: pitch heatmap and trend line): s3:// in the cloud, file:// locally. */
  visual_url: z.string(),
};

export const playerFatigueSuspectedSchema = z.object(insightBase);

export const playerLoadSpikeSchema = z.object({
  ...insightBase,
  /** Acute:chronic workload ratio (EWMA) on the match day. */
  acwr: z.number(),
  acute_load: z.number(),
  chronic_load: z.number(),
  /** What the load is measured in, e.g. "distance_m". */
  load_measure: z.string(),
  /** Days of load history the chronic average is built from. */
  history_days: z.int(),
});

export const scoutingCandidateMatchedSchema = z.object({
  ...insightBase,
  need_id: z.string(),
  need_version: z.int(),
  role: z.string(),
  /** Weighted score in [0, 1]; the sum of the features' contributions. */
  score: z.number(),
  threshold: z.number(),
  /** Minutes of tracking the per-90 values come from (the sample size). */
  minutes_observed: z.number(),
  /** In [0, 1]: minutes / (minutes + SCOUTING_CONFIDENCE_HALF_MINUTES); falls with few minutes. */
  confidence: z.number(),
});

/** The body Sideline sends to the CRM (API destination in the cloud, HTTP POST locally). */
export const crmRequestSchema = z.object({
  schema_version: z.literal(1),
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

export type PlayerFatigueSuspected = z.infer<typeof playerFatigueSuspectedSchema>;
export type PlayerLoadSpike = z.infer<typeof playerLoadSpikeSchema>;
export type ScoutingCandidateMatched = z.infer<typeof scoutingCandidateMatchedSchema>;
export type CrmRequest = z.infer<typeof crmRequestSchema>;
export type ScoutDecisionRequested = z.infer<typeof scoutDecisionRequestedSchema>;
export type Explanation = z.infer<typeof explanationSchema>;

/** An event as put on the bus: the PutEvents entry shape, with the detail still an object. */
export interface InsightEvent<D = unknown> {
  readonly source: string;
  readonly detailType: string;
  readonly time: Date;
  readonly detail: D;
  /** Deterministic: consumers deduplicate on it (delivery is at least once). */
  readonly id: string;
}

/** EventBridge event pattern syntax (the subset Sideline's rules use, extended in the bus). */
export type EventPattern = Record<string, unknown>;

export interface InsightContract {
  readonly source: string;
  readonly detailType: string;
  readonly schema: z.ZodMiniType;
  readonly pattern: EventPattern;
  readonly description: string;
}

const contract = (source: string, detailType: string, schema: z.ZodMiniType, description: string): InsightContract => ({
  source,
  detailType,
  schema,
  pattern: { source: [source], "detail-type": [detailType] },
  description,
});

/** Every event Sideline puts on its bus: the README's event catalogue is generated from this list. */
export const INSIGHT_CONTRACTS: readonly InsightContract[] = [
  contract(
    TRACKING_INSIGHT_SOURCE,
    DETAIL_TYPES.playerFatigueSuspected,
    playerFatigueSuspectedSchema,
    "A player's high-intensity running in the last 5 and 15 minutes fell below half his own earlier rate in the match.",
  ),
  contract(
    LOAD_SOURCE,
    DETAIL_TYPES.playerLoadSpike,
    playerLoadSpikeSchema,
    "A player's acute:chronic workload ratio (EWMA, 7 and 28 days) passed 1.5 after a match.",
  ),
  contract(
    SCOUTING_SOURCE,
    DETAIL_TYPES.scoutingCandidateMatched,
    scoutingCandidateMatchedSchema,
    "A player's completed match profile scored past a club-defined tactical need. Once per player, need and match.",
  ),
  contract(
    CRM_SOURCE,
    DETAIL_TYPES.crmPlayerUpsert,
    crmRequestSchema,
    "The scouting workflow asks the CRM to create or update a player; delivered to the CRM's webhook.",
  ),
  contract(
    CRM_SOURCE,
    DETAIL_TYPES.crmFollowUp,
    crmRequestSchema,
    "A scout approved a candidate: the CRM gets a follow-up task; delivered to the CRM's webhook.",
  ),
  contract(
    DECISION_SOURCE,
    DETAIL_TYPES.scoutDecisionRequested,
    scoutDecisionRequestedSchema,
    "The scouting workflow waits for a scout: answer with the task token (SendTaskSuccess) or `sideline decide`.",
  ),
];

/** Pattern that matches every Sideline insight: the bus archive (replay) uses it. */
export const ALL_INSIGHTS_PATTERN: EventPattern = { source: [{ prefix: "sideline." }] };

/** The rules Sideline itself deploys (CDK) and routes with locally (the local bus): one list. */
export const AUTOMATION_RULES = {
  /** Scouting matches start the scouting workflow. */
  scouting: {
    source: [SCOUTING_SOURCE],
    "detail-type": [DETAIL_TYPES.scoutingCandidateMatched],
  },
  /** Fatigue and load spikes start the medical alert workflow. */
  medical: {
    $or: [
      { source: [TRACKING_INSIGHT_SOURCE], "detail-type": [DETAIL_TYPES.playerFatigueSuspected] },
      { source: [LOAD_SOURCE], "detail-type": [DETAIL_TYPES.playerLoadSpike] },
    ],
  },
  /** CRM requests go to the CRM (API destination; HTTP POST locally). */
  crm: { source: [CRM_SOURCE], "detail-type": [DETAIL_TYPES.crmPlayerUpsert, DETAIL_TYPES.crmFollowUp] },
  /** Decision requests are recorded where scouts answer them (pending_decisions locally). */
  decisions: { source: [DECISION_SOURCE], "detail-type": [DETAIL_TYPES.scoutDecisionRequested] },
} as const satisfies Record<string, EventPattern>;

/** A stable id from the evidence, as a UUID-shaped string: redelivery re-emits the same id. */
export function insightId(...parts: readonly string[]): string {
  const h = createHash("sha256").update(parts.join("\u001f")).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function contractFor(source: string, detailType: string): InsightContract | undefined {
  return INSIGHT_CONTRACTS.find((c) => c.source === source && c.detailType === detailType);
}

function typeOf(s: Record<string, unknown>): string {
  if (Array.isArray(s.anyOf)) return (s.anyOf as Record<string, unknown>[]).map(typeOf).join(" | ");
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return (s.enum as unknown[]).map((v) => JSON.stringify(v)).join(" | ");
  if (s.type === "array") return `${typeOf((s.items ?? {}) as Record<string, unknown>)}[]`;
  if (Array.isArray(s.type)) return s.type.join(" | ");
  return String(s.type ?? "any");
}

/** Markdown catalogue of every event: README's event catalogue is this text, and a test keeps it so. */
export function eventCatalogue(): string {
  return INSIGHT_CONTRACTS.map((c) => {
    const schema = z.toJSONSchema(c.schema, { unrepresentable: "any" }) as {
      properties: Record<string, Record<string, unknown>>;
      required?: string[];
    };
    const fields = Object.entries(schema.properties).map(
      ([k, v]) => `\`${k}\`${schema.required?.includes(k) ? "" : "?"}: ${typeOf(v)}`,
    );
    return [
      `### ${c.detailType}`,
      c.description,
      "",
      `- source \`${c.source}\`, detail-type \`${c.detailType}\``,
      `- subscribe with the pattern \`${JSON.stringify(c.pattern)}\``,
      `- detail fields: ${fields.join(", ")}`,
    ].join("\n");
  }).join("\n\n");
}
