/**
 * The workflows' Lambda tasks: valuation, scout decisions and medical alerts. The state machines
 * call them through `lambda:invoke` with a `task` field; locally the same functions are the task
 * handlers of aws-local-stepfunctions. Rows go through the FeatureSink (Firehose or DuckDB).
 */
import "../../contracts/zod-locale.js";
import * as z from "zod/mini";
import {
  CRM_SCHEMA_VERSION,
  type CrmRequest,
  DETAIL_TYPES,
  playerBiomechanicsDeviationSchema,
  playerFatigueSuspectedSchema,
  playerLoadSpikeSchema,
  type ScoutingCandidateMatched,
  scoutingCandidateMatchedSchema,
} from "../../contracts/events/index.js";
import { MEDICAL_ALERTS, PLAYER_VALUATIONS, SCOUTING_DECISIONS } from "../../contracts/tables/index.js";
import { VALUATION_FORMULA, type ValuationInput, valuate } from "../../core/scouting/valuation.js";
import { PROFILE_FEATURES, type ProfileFeature } from "../../core/tracking/match-profile.js";
import type { AlertLedger, FeatureSink } from "../../ports.js";

/** The insights the medical workflow handles, by detail-type (AUTOMATION_RULES.medical routes them here). */
const MEDICAL_DETAIL_SCHEMAS: Readonly<Record<string, typeof playerFatigueSuspectedSchema>> = {
  [DETAIL_TYPES.playerFatigueSuspected]: playerFatigueSuspectedSchema,
  [DETAIL_TYPES.playerLoadSpike]: playerLoadSpikeSchema,
  [DETAIL_TYPES.playerBiomechanicsDeviation]: playerBiomechanicsDeviationSchema,
};

/** Days a scout has to act on an approved candidate's follow-up (a club's usual scouting cycle; configurable in the CRM). */
export const FOLLOW_UP_DUE_DAYS = 7;

export interface WorkflowTaskDeps {
  readonly sink: FeatureSink;
  readonly ledger: AlertLedger;
  /** Medical alerts for a player within this long of a notified one of the same kind are suppressed. */
  readonly cooldownMs: number;
  /** @default - the system clock */
  readonly now?: () => Date;
}

/** Athena GetQueryResults rows: the first is the header; every value is a string. */
const athenaRows = z.array(z.object({ Data: z.array(z.object({ VarCharValue: z.optional(z.string()) })) }));

const decisionSchema = z.object({
  decision: z.enum(["approve", "reject", "timeout"]),
  reason: z.optional(z.nullable(z.string())),
});

const valuationOut = z.object({
  value_index: z.number(),
  reliability: z.number(),
  minutes_observed: z.number(),
  matches: z.int(),
});

export const workflowTaskSchema = z.discriminatedUnion("task", [
  z.object({ task: z.literal("value"), candidate: scoutingCandidateMatchedSchema, rows: athenaRows }),
  z.object({
    task: z.literal("recordDecision"),
    candidate: scoutingCandidateMatchedSchema,
    decision: decisionSchema,
    valuation: valuationOut,
  }),
  z.object({
    task: z.literal("medicalAlert"),
    event: z.object({ id: z.string(), "detail-type": z.string(), source: z.string(), detail: z.unknown() }),
  }),
]);

export type WorkflowTask = z.infer<typeof workflowTaskSchema>;

/** Parses a task payload, with an error naming the task and the field. */
export function parseTask(payload: unknown): WorkflowTask {
  const r = workflowTaskSchema.safeParse(payload);
  if (r.success) return r.data;
  const i = r.error.issues[0];
  const task = (payload as { task?: unknown } | null)?.task;
  const err = new Error(
    `invalid ${String(task ?? "workflow")} task payload: ${i?.path.join(".") || "payload"}: ${i?.message}`,
  );
  err.name = "Sideline.InvalidTaskPayload";
  throw err;
}

/** Header + rows of an Athena result as objects of strings. */
export function resultObjects(rows: z.infer<typeof athenaRows>): Record<string, string>[] {
  const [header, ...data] = rows;
  if (!header) return [];
  const names = header.Data.map((d) => d.VarCharValue ?? "");
  return data.map((r) => Object.fromEntries(names.map((n, i) => [n, r.Data[i]?.VarCharValue ?? ""])));
}

function num(o: Record<string, string>, k: string): number {
  const v = Number(o[k]);
  if (!Number.isFinite(v)) throw new Error(`enrich result column ${k} is not a number: '${o[k]}'`);
  return v;
}

const crmBase = (c: ScoutingCandidateMatched, operation: CrmRequest["operation"]) => ({
  schema_version: CRM_SCHEMA_VERSION as typeof CRM_SCHEMA_VERSION,
  idempotency_key: `${operation}:${c.insight_id}`,
  operation,
  player: { player_id: c.player_id, team: c.team },
  match_id: c.match_id,
  insight_id: c.insight_id,
  score: c.score,
  summary: c.summary,
  explanation: c.explanation,
  visual_url: c.visual_url,
});

export class WorkflowTasks {
  private readonly now: () => Date;

  constructor(private readonly deps: WorkflowTaskDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async run(payload: unknown): Promise<unknown> {
    const t = parseTask(payload);
    switch (t.task) {
      case "value":
        return this.value(t.candidate, t.rows);
      case "recordDecision":
        return this.recordDecision(t.candidate, t.decision, t.valuation);
      case "medicalAlert":
        return this.medicalAlert(t.event);
    }
  }

  /** Values the candidate from the enrich query's row, writes player_valuations, builds the CRM upsert. */
  async value(c: ScoutingCandidateMatched, rows: z.infer<typeof athenaRows>) {
    const row = resultObjects(rows).find((r) => r.player_id === c.player_id);
    // Firehose may not have delivered his profile yet: he is then valued on nothing (50, reliability 0).
    const input: ValuationInput = row
      ? {
          minutes: num(row, "minutes"),
          matches: num(row, "matches"),
          population: num(row, "population"),
          features: Object.fromEntries(
            PROFILE_FEATURES.map((f) => [f, { value: num(row, f), pct: num(row, `${f}_pct`) }]),
          ) as Record<ProfileFeature, { value: number; pct: number }>,
        }
      : {
          minutes: 0,
          matches: 0,
          population: 0,
          features: Object.fromEntries(PROFILE_FEATURES.map((f) => [f, { value: 0, pct: 0.5 }])) as Record<
            ProfileFeature,
            { value: number; pct: number }
          >,
        };
    const v = valuate(input);
    await this.deps.sink.put(PLAYER_VALUATIONS, [
      {
        player_id: c.player_id,
        insight_id: c.insight_id,
        valued_at: this.now(),
        value_index: v.valueIndex,
        reliability: v.reliability,
        minutes_observed: input.minutes,
        matches: input.matches,
        inputs: JSON.stringify({ population: input.population, features: v.inputs, raw: v.raw }),
        formula: VALUATION_FORMULA,
      },
    ]);
    const valuation = {
      value_index: v.valueIndex,
      reliability: v.reliability,
      minutes_observed: input.minutes,
      matches: input.matches,
    };
    const crm_upsert: CrmRequest = {
      ...crmBase(c, "player.upsert"),
      valuation: { value_index: v.valueIndex, reliability: v.reliability },
    };
    const notification =
      `${c.player_id} (${c.team ?? "no team"}) matched '${c.role}' in ${c.match_id}: ${c.summary}\n` +
      `Valuation index ${v.valueIndex.toFixed(1)} (reliability ${v.reliability.toFixed(2)}, ${input.matches} recent matches, ` +
      `${input.minutes.toFixed(0)} min).\nPicture: ${c.visual_url}`;
    return { valuation, crm_upsert, notification };
  }

  async recordDecision(
    c: ScoutingCandidateMatched,
    d: z.infer<typeof decisionSchema>,
    valuation: z.infer<typeof valuationOut>,
  ) {
    const reason = d.reason ?? (d.decision === "timeout" ? "no decision before the deadline" : null);
    await this.deps.sink.put(SCOUTING_DECISIONS, [
      {
        insight_id: c.insight_id,
        player_id: c.player_id,
        match_id: c.match_id,
        need_id: c.need_id,
        decision: d.decision,
        reason,
        decided_at: this.now(),
      },
    ]);
    if (d.decision !== "approve") return { crm_follow_up: null };
    const crm_follow_up: CrmRequest = {
      ...crmBase(c, "task.create"),
      valuation: { value_index: valuation.value_index, reliability: valuation.reliability },
      task: { title: `Scout ${c.player_id} live (${c.role})`, due_in_days: FOLLOW_UP_DUE_DAYS, note: reason },
    };
    return { crm_follow_up };
  }

  /** Claims the player's cool-down and records the alert; tells the workflow whether to notify. */
  async medicalAlert(e: { id: string; "detail-type": string; source: string; detail: unknown }) {
    const schema = MEDICAL_DETAIL_SCHEMAS[e["detail-type"]] ?? null;
    if (!schema) throw new Error(`medical alert for unexpected detail-type '${e["detail-type"]}' (event ${e.id})`);
    const parsed = schema.safeParse(e.detail);
    if (!parsed.success)
      throw new Error(`invalid ${e["detail-type"]} detail in event ${e.id}: ${parsed.error.issues[0]?.message}`);
    const d = parsed.data;
    const at = Date.parse(d.observed_at);
    const claimed = await this.deps.ledger.claim(d.player_id, e["detail-type"], d.insight_id, at, this.deps.cooldownMs);
    const status = claimed ? "notified" : "suppressed";
    await this.deps.sink.put(MEDICAL_ALERTS, [
      {
        alert_id: d.insight_id,
        player_id: d.player_id,
        match_id: d.match_id,
        detail_type: e["detail-type"],
        status,
        reason: claimed
          ? d.summary
          : `another ${e["detail-type"]} alert for ${d.player_id} was sent within the ${this.deps.cooldownMs / 3_600_000} h cool-down`,
        observed_at: new Date(at),
        recorded_at: this.now(),
      },
    ]);
    return { status, ...medicalNotification(d.player_id, d.insight_id) };
  }
}

/**
 * What the medical topic publishes: who, and the alert to open, nothing of the finding. Its
 * subscribers may be e-mail inboxes, outside every grant, so neither the kind of finding (a health
 * category), its summary, its numbers nor its picture's address go out; staff read the alert with
 * their own access to the lake (medical_alerts, insights), where it is recorded in full.
 */
export function medicalNotification(playerId: string, alertId: string): { subject: string; message: string } {
  return {
    // SNS subjects are printable ASCII, under 100 characters.
    subject: `Sideline: medical alert: ${playerId}`.replace(/[^\x20-\x7e]/g, "?").slice(0, 99),
    message: [
      `A medical alert for player ${playerId} is waiting.`,
      `Alert: ${alertId}`,
      "Open it with your own access:",
      `  on the local runtime: npx sideline explain ${alertId}`,
      `  in the cloud (Athena, as the MedicalStaff role, workgroup sideline-<stage>-medical): SELECT * FROM insights WHERE insight_id = '${alertId}'`,
      "This notification carries no health details: it may be read outside your access controls.",
    ].join("\n"),
  };
}
