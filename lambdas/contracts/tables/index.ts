/**
 * Every table Sideline writes, defined once (see ./schema.ts for how). The lake's tables are in
 * ./lake.ts, the embedded runtime's own in ./local.ts.
 */

import { BIOMECH_WINDOWS } from "./biomech.js";
import {
  INSIGHTS,
  MEDICAL_ALERTS,
  PLAYER_LOADS,
  PLAYER_MATCH_PROFILES,
  PLAYER_VALUATIONS,
  PLAYER_WINDOWS,
  QUARANTINE,
  SCOUTING_DECISIONS,
  SCOUTING_NEEDS,
} from "./lake.js";
import { CRM_DEAD_LETTERS, CRM_OUTBOX, NOTIFICATIONS, PENDING_DECISIONS, WORKFLOW_RUNS } from "./local.js";
import { POSE_FRAMES } from "./pose.js";
import type { AnyTable } from "./schema.js";
import { PLAYER_DAILY_LOAD, WEARABLE_WINDOWS } from "./wearables.js";

export * from "./biomech.js";
export * from "./lake.js";
export * from "./local.js";
export * from "./pose.js";
export * from "./schema.js";
export * from "./wearables.js";

/** Tables in both lakes: Iceberg (Glue, Athena) in the cloud, DuckDB locally. */
export const TABLES = [
  PLAYER_WINDOWS,
  QUARANTINE,
  INSIGHTS,
  PLAYER_MATCH_PROFILES,
  PLAYER_LOADS,
  SCOUTING_NEEDS,
  PLAYER_VALUATIONS,
  SCOUTING_DECISIONS,
  MEDICAL_ALERTS,
  POSE_FRAMES,
  BIOMECH_WINDOWS,
  WEARABLE_WINDOWS,
  PLAYER_DAILY_LOAD,
] as const;

/** The lake tables the workflow tasks write (their Firehose grants and DELIVERY_STREAMS follow). */
export const WORKFLOW_TASK_TABLES = [PLAYER_VALUATIONS.name, SCOUTING_DECISIONS.name, MEDICAL_ALERTS.name] as const;

/** Tables of the embedded runtime only: what the cloud keeps in Step Functions, SNS and SQS. */
export const LOCAL_TABLES = [WORKFLOW_RUNS, PENDING_DECISIONS, CRM_OUTBOX, CRM_DEAD_LETTERS, NOTIFICATIONS] as const;

export type TableName = (typeof TABLES)[number]["name"] | (typeof LOCAL_TABLES)[number]["name"];
const ALL_TABLES: readonly AnyTable[] = [...TABLES, ...LOCAL_TABLES];

export function tableByName(name: string): AnyTable {
  const t = ALL_TABLES.find((x) => x.name === name);
  if (!t) throw new Error(`unknown table '${name}': expected one of ${ALL_TABLES.map((x) => x.name).join(", ")}`);
  return t;
}

/** Markdown documentation of every table, for README and the Glue column comments. */
export function tableDocs(): string {
  return ALL_TABLES.map(
    (t) =>
      `### ${t.name}\n${t.doc}\n\nClassification: ${t.classification}.\n\n| column | type | doc |\n|---|---|---|\n${t.columns
        .map(
          (c) =>
            `| ${c.name} | ${c.type}${c.nullable ? " (nullable)" : ""} | ${c.doc}${c.classification ? ` Classified ${c.classification}: readers of the table's class do not see it.` : ""} |`,
        )
        .join("\n")}`,
  ).join("\n\n");
}
