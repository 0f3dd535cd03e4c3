/**
 * Insight event contracts: detail-type, detail schema and rule pattern, in one place.
 * Producers (handlers), the CDK rules and the local bus all import this module.
 */
import { createHash } from "node:crypto";
import "./zod-locale.js";
import * as z from "zod/mini";

/** EventBridge `source` for insights derived from tracking data ("aws." is reserved by AWS). */
export const TRACKING_INSIGHT_SOURCE = "sideline.tracking";

export const DETAIL_TYPES = {
  playerFatigueSuspected: "Player Fatigue Suspected",
} as const;

const windowRef = z.object({
  window_start: z.string(),
  window_end: z.string(),
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

export const playerFatigueSuspectedSchema = z.object({
  schema_version: z.literal(1),
  insight_id: z.string(),
  match_id: z.string(),
  player_id: z.string(),
  team: z.nullable(z.string()),
  observed_at: z.string(),
  summary: z.string(),
  explanation: explanationSchema,
});

export type PlayerFatigueSuspected = z.infer<typeof playerFatigueSuspectedSchema>;
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

export const INSIGHT_CONTRACTS: readonly InsightContract[] = [
  {
    source: TRACKING_INSIGHT_SOURCE,
    detailType: DETAIL_TYPES.playerFatigueSuspected,
    schema: playerFatigueSuspectedSchema,
    pattern: { source: [TRACKING_INSIGHT_SOURCE], "detail-type": [DETAIL_TYPES.playerFatigueSuspected] },
    description:
      "A player's high-intensity running in the last 5 minutes fell below a fraction of his own earlier baseline in the match.",
  },
];

/** Pattern that matches every Sideline insight: the bus archive (replay) uses it. */
export const ALL_INSIGHTS_PATTERN: EventPattern = { source: [{ prefix: "sideline." }] };

/** A stable id from the evidence, as a UUID-shaped string: redelivery re-emits the same id. */
export function insightId(...parts: readonly string[]): string {
  const h = createHash("sha256").update(parts.join("\u001f")).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function contractFor(source: string, detailType: string): InsightContract | undefined {
  return INSIGHT_CONTRACTS.find((c) => c.source === source && c.detailType === detailType);
}
