/**
 * The state machine definitions, written once in stepfunctions/*.asl.json with ${Name} placeholders
 * for what differs between runtimes. CDK deploys them with DefinitionSubstitutions; the embedded
 * runtime substitutes local names and runs them with aws-local-stepfunctions.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

export const WORKFLOWS = {
  scouting: {
    file: "scouting.asl.json",
    placeholders: [
      "EnrichQuery",
      "AthenaWorkGroup",
      "GlueDatabase",
      "WorkflowTasksFunctionArn",
      "EventBusName",
      "ScoutingTopicArn",
      "LakeSettleSeconds",
    ],
  },
  "medical-alert": { file: "medical-alert.asl.json", placeholders: ["WorkflowTasksFunctionArn", "MedicalTopicArn"] },
} as const;

export type WorkflowName = keyof typeof WORKFLOWS;
export type Substitutions<W extends WorkflowName> = Record<(typeof WORKFLOWS)[W]["placeholders"][number], string>;

/** The state that waits for a scout's task token. */
export const DECISION_STATE = "AwaitDecision";

export const definitionPath = (w: WorkflowName) => join(here, WORKFLOWS[w].file);

/** The raw definition text, with its ${Name} placeholders. */
export const definitionText = (w: WorkflowName) => readFileSync(definitionPath(w), "utf8");

/**
 * The tables and columns the enrich query reads: Lake Formation grants the scouting workflow these
 * and nothing else. A test runs the query on DuckDB against tables holding only these columns.
 */
export const ENRICH_QUERY_READS = {
  player_match_profiles: [
    "player_id",
    "match_end",
    "minutes",
    "hsr_distance_m",
    "sprint_count",
    "rhie_bouts",
    "top_speed_mps",
    "avg_metabolic_power_wkg",
  ],
} as const satisfies Readonly<Record<string, readonly string[]>>;

/** The enrich query as one line, escaped to sit inside a JSON string (placeholders are substituted into JSON text). */
export function enrichQuery(): string {
  const sql = readFileSync(join(here, "scouting-enrich.sql"), "utf8")
    .split("\n")
    .filter((l) => !l.startsWith("--"))
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .join(" ");
  return JSON.stringify(sql).slice(1, -1);
}

/** Substitutes every placeholder; throws on a missing or unknown one, as CloudFormation would. */
export function substitute<W extends WorkflowName>(w: W, values: Substitutions<W>): string {
  const text = definitionText(w);
  const found = new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!));
  const declared = new Set<string>(WORKFLOWS[w].placeholders);
  for (const f of found)
    if (!declared.has(f)) throw new Error(`${WORKFLOWS[w].file} uses undeclared placeholder \${${f}}`);
  return text.replace(/\$\{(\w+)\}/g, (_, k: string) => {
    const v = (values as Record<string, string>)[k];
    if (v === undefined) throw new Error(`no value for placeholder \${${k}} of ${WORKFLOWS[w].file}`);
    return v;
  });
}
