/**
 * Event contracts: detail-type, detail schema and rule pattern, in one place. Producers (handlers,
 * workflows), the CDK rules and the local bus all import this module.
 */
import { createHash } from "node:crypto";
import "../zod-locale.js";
import * as z from "zod/mini";
import { CRM_SOURCE, CRM_TYPES, crmRequestSchema, DECISION_SOURCE, scoutDecisionRequestedSchema } from "./crm.js";
import {
  INSIGHT_TYPES,
  LOAD_SOURCE,
  POSE_INSIGHT_SOURCE,
  playerBiomechanicsDeviationSchema,
  playerFatigueSuspectedSchema,
  playerLoadSpikeSchema,
  SCOUTING_SOURCE,
  scoutingCandidateMatchedSchema,
  TRACKING_INSIGHT_SOURCE,
} from "./insights.js";

export * from "./crm.js";
export * from "./explanation.js";
export * from "./insights.js";

export const DETAIL_TYPES = { ...INSIGHT_TYPES, ...CRM_TYPES } as const;

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
    POSE_INSIGHT_SOURCE,
    DETAIL_TYPES.playerBiomechanicsDeviation,
    playerBiomechanicsDeviationSchema,
    "A player's joint feature (knee valgus, trunk lean) in a window of video pose left his own baseline by more than its margin.",
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
  /** Fatigue, load spikes and biomechanics deviations start the medical alert workflow. */
  medical: {
    $or: [
      { source: [TRACKING_INSIGHT_SOURCE], "detail-type": [DETAIL_TYPES.playerFatigueSuspected] },
      { source: [LOAD_SOURCE], "detail-type": [DETAIL_TYPES.playerLoadSpike] },
      { source: [POSE_INSIGHT_SOURCE], "detail-type": [DETAIL_TYPES.playerBiomechanicsDeviation] },
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
