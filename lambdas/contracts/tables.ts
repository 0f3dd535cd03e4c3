/**
 * Table schemas, defined once. The DuckDB DDL (local lake), the row validators and the column
 * documentation come from here; the Glue Iceberg table input is generated from the same
 * definitions by the lakehouse construct.
 */
import "./zod-locale.js";
import * as z from "zod/mini";

export type ColumnType = "string" | "int" | "bigint" | "double" | "boolean" | "timestamp" | "json";

export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable?: boolean;
  readonly doc: string;
}

export interface TableDef {
  readonly name: string;
  readonly doc: string;
  readonly columns: readonly ColumnDef[];
  /** Columns that identify a row: writers upsert on them, so redelivery adds no duplicates. */
  readonly key: readonly string[];
  /** Partition spec for the Iceberg table: identity columns, or `day(col)`. */
  readonly partitionBy: readonly string[];
  /** Sort order within data files (Iceberg write order). */
  readonly sortBy: readonly string[];
}

const col = (name: string, type: ColumnType, doc: string, nullable = false): ColumnDef => ({
  name,
  type,
  doc,
  nullable,
});

export const PLAYER_WINDOWS: TableDef = {
  name: "player_windows",
  doc: "Physical features per player per tumbling window (60 s by default), from tracking data.",
  columns: [
    col("match_id", "string", "Match identifier given by the producer."),
    col("player_id", "string", "Player identifier given by the producer."),
    col("team", "string", "Team identifier, when the source gives one.", true),
    col("window_start", "timestamp", "Window start (inclusive), UTC, aligned to multiples of the window length."),
    col("window_end", "timestamp", "Window end (exclusive), UTC."),
    col("samples", "int", "Tracking samples whose timestamp falls in the window, used or discarded."),
    col("discarded_samples", "int", "Samples kept out of kinematics: raw speed > 12 m/s or time not increasing."),
    col("tracked_s", "double", "Seconds of the window covered by consecutive samples (gaps excluded)."),
    col("distance_m", "double", "Distance covered: sum of smoothed speed x dt, in metres."),
    col("hi_distance_m", "double", "High-intensity running distance, speed >= 4.17 m/s (15 km/h)."),
    col("hsr_distance_m", "double", "High-speed running distance, speed >= 5.5 m/s (19.8 km/h)."),
    col("sprint_distance_m", "double", "Sprint distance, speed >= 7.0 m/s (25.2 km/h)."),
    col("sprint_count", "int", "Sprint efforts (>= 7.0 m/s for >= 1 s) that qualified in this window."),
    col("accel_count", "int", "Accelerations (>= 3 m/s^2 held >= 0.5 s) that qualified in this window."),
    col("decel_count", "int", "Decelerations (<= -3 m/s^2 held >= 0.5 s) that qualified in this window."),
    col("top_speed_mps", "double", "Highest smoothed speed in the window, m/s."),
    col("metabolic_energy_jkg", "double", "Metabolic energy, J/kg (di Prampero & Osgnach 2018)."),
    col("avg_metabolic_power_wkg", "double", "Metabolic energy / tracked_s, W/kg."),
  ],
  key: ["match_id", "player_id", "window_start"],
  partitionBy: ["match_id", "day(window_start)"],
  sortBy: ["player_id", "window_start"],
};

export const QUARANTINE: TableDef = {
  name: "quarantine",
  doc: "Records or samples that could not be used, with the reason. Nothing bad is dropped silently.",
  columns: [
    col("source", "string", "Where it was caught: reader:<format>, tracking-features, event-source-mapping."),
    col(
      "record_ref",
      "string",
      "Which record: file:line, or the Kinesis event ID shardId:sequenceNumber[#first bad sample].",
    ),
    col("match_id", "string", "Match, when it could be read.", true),
    col("reason", "string", "Why it was quarantined, in words."),
    col("sample_count", "int", "Tracking samples the quarantined record held (0 when unknown)."),
    col("payload", "string", "The start of the raw payload, truncated to 1 KB."),
    col("quarantined_at", "timestamp", "When it was quarantined, UTC."),
  ],
  key: ["source", "record_ref"],
  partitionBy: ["day(quarantined_at)"],
  sortBy: ["source", "quarantined_at"],
};

export const INSIGHTS: TableDef = {
  name: "insights",
  doc: "Every insight event, as the handler publishes it on the bus, for analysts.",
  columns: [
    col("insight_id", "string", "Deterministic id: the same evidence always yields the same id."),
    col("time", "timestamp", "Event time: the end of the window that triggered it, UTC."),
    col("source", "string", "EventBridge source, e.g. sideline.tracking."),
    col("detail_type", "string", "EventBridge detail-type, e.g. Player Fatigue Suspected."),
    col("match_id", "string", "Match the insight is about.", true),
    col("player_id", "string", "Player the insight is about.", true),
    col("detail", "json", "The full event detail, with its explanation."),
  ],
  key: ["insight_id"],
  partitionBy: ["day(time)"],
  sortBy: ["match_id", "time"],
};

export const PLAYER_MATCH_PROFILES: TableDef = {
  name: "player_match_profiles",
  doc: "One row per player per match, written when his last chunk arrives: match totals and per-90 rates. The scouting matcher scores these.",
  columns: [
    col("match_id", "string", "Match identifier."),
    col("player_id", "string", "Player identifier."),
    col("team", "string", "Team identifier, when the source gives one.", true),
    col("match_start", "timestamp", "Start of the player's first window, UTC."),
    col("match_end", "timestamp", "End of the player's last window, UTC."),
    col("minutes", "double", "Minutes tracked (sum of tracked_s / 60): the sample size of every per-90 rate."),
    col("distance_m", "double", "Total distance, metres."),
    col("hi_distance_m", "double", "High-intensity running distance (>= 15 km/h), metres."),
    col("hsr_distance_m", "double", "High-speed running distance (>= 19.8 km/h), metres."),
    col("sprint_count", "int", "Sprint efforts (>= 25.2 km/h for >= 1 s)."),
    col("accel_count", "int", "Accelerations (>= 3 m/s^2 for >= 0.5 s)."),
    col("top_speed_mps", "double", "Highest smoothed speed, m/s."),
    col("avg_metabolic_power_wkg", "double", "Metabolic energy / tracked time, W/kg (di Prampero & Osgnach 2018)."),
    col(
      "rhie_bouts",
      "int",
      "Repeated high-intensity effort bouts: >= 3 sprints or accelerations, each starting <= 21 s after the last (Spencer et al. 2004).",
    ),
    col("hsr_m_per90", "double", "hsr_distance_m / minutes x 90."),
    col("sprints_per90", "double", "sprint_count / minutes x 90."),
    col("rhie_per90", "double", "rhie_bouts / minutes x 90."),
  ],
  key: ["match_id", "player_id"],
  partitionBy: ["day(match_start)"],
  sortBy: ["player_id"],
};

export const PLAYER_LOADS: TableDef = {
  name: "player_loads",
  doc: "Each player's load per session (matches from tracking; training can be imported): the history the acute:chronic ratio is built from.",
  columns: [
    col("player_id", "string", "Player identifier."),
    col("session_id", "string", "The match_id for matches; any unique id for imported sessions."),
    col("day", "timestamp", "Session day, midnight UTC (the EWMA steps in whole days)."),
    col("load", "double", "The session's external load, in load_measure units."),
    col("load_measure", "string", "What load is: distance_m (total distance covered, metres)."),
    col("minutes", "double", "Minutes the load was measured over."),
    col("origin", "string", "Where the row came from: tracking, or import."),
  ],
  key: ["player_id", "session_id"],
  partitionBy: ["day(day)"],
  sortBy: ["player_id", "day"],
};

export const SCOUTING_NEEDS: TableDef = {
  name: "scouting_needs",
  doc: "The club's tactical needs, as versioned config (config/scouting-needs.json): what the matcher scored against.",
  columns: [
    col("need_id", "string", "Need identifier, stable across versions."),
    col("version", "int", "Config version; a changed need gets a new version, old rows stay for audit."),
    col("role", "string", "The role the need is for, e.g. pressing forward."),
    col("description", "string", "What the club is looking for, in words."),
    col("threshold", "double", "Score in [0, 1] a player must reach to be a candidate."),
    col("min_minutes", "double", "Minutes a match profile needs before it is scored."),
    col("features", "json", "The weighted features: name, weight, minimum (a hard gate) and target (full marks)."),
  ],
  key: ["need_id", "version"],
  partitionBy: [],
  sortBy: ["need_id"],
};

export const PLAYER_VALUATIONS: TableDef = {
  name: "player_valuations",
  doc: "Physical valuation index per scouting candidate: percentile ranks of his recent per-90 profile, shrunk to the median by minutes observed. The inputs are kept.",
  columns: [
    col("player_id", "string", "Player identifier."),
    col("insight_id", "string", "The scouting match that asked for it."),
    col("valued_at", "timestamp", "When it was computed, UTC."),
    col("value_index", "double", "0-100: 50 is the median player of the lake; see formula."),
    col("reliability", "double", "minutes / (minutes + VALUATION_HALF_MINUTES), in [0, 1)."),
    col("minutes_observed", "double", "Minutes across the recent matches used."),
    col("matches", "int", "Recent matches used (at most VALUATION_RECENT_MATCHES)."),
    col("inputs", "json", "Each feature's per-90 value, percentile and weight, as used."),
    col("formula", "string", "The formula, in words, with its constants."),
  ],
  key: ["player_id", "insight_id"],
  partitionBy: ["day(valued_at)"],
  sortBy: ["player_id"],
};

export const SCOUTING_DECISIONS: TableDef = {
  name: "scouting_decisions",
  doc: "What happened to each scouting candidate: a scout's approval, a rejection with its reason, or a timeout.",
  columns: [
    col("insight_id", "string", "The Scouting Candidate Matched insight."),
    col("player_id", "string", "Player identifier."),
    col("match_id", "string", "Match the candidate was found in."),
    col("need_id", "string", "The need he matched."),
    col("decision", "string", "approve, reject or timeout."),
    col("reason", "string", "The scout's reason, or why none came (timeout).", true),
    col("decided_at", "timestamp", "When the decision was recorded, UTC."),
  ],
  key: ["insight_id"],
  partitionBy: ["day(decided_at)"],
  sortBy: ["player_id"],
};

export const MEDICAL_ALERTS: TableDef = {
  name: "medical_alerts",
  doc: "Every medical alert the workflow handled: notified, or suppressed inside the player's cool-down.",
  columns: [
    col("alert_id", "string", "The insight id that raised it."),
    col("player_id", "string", "Player identifier."),
    col("match_id", "string", "Match identifier."),
    col("detail_type", "string", "Player Fatigue Suspected or Player Load Spike."),
    col("status", "string", "notified, or suppressed (a notified alert for him within the cool-down)."),
    col("reason", "string", "The insight's summary, or why it was suppressed."),
    col("observed_at", "timestamp", "Event time of the insight, UTC: the cool-down runs on it."),
    col("recorded_at", "timestamp", "When the workflow recorded it, UTC."),
  ],
  key: ["alert_id"],
  partitionBy: ["day(observed_at)"],
  sortBy: ["player_id"],
};

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
] as const;

/** The lake tables each function writes (its Firehose grants and DELIVERY_STREAMS follow from them). */
export const TRACKING_TABLES = [
  PLAYER_WINDOWS.name,
  QUARANTINE.name,
  INSIGHTS.name,
  PLAYER_MATCH_PROFILES.name,
  PLAYER_LOADS.name,
  SCOUTING_NEEDS.name,
] as const;
export const WORKFLOW_TASK_TABLES = [PLAYER_VALUATIONS.name, SCOUTING_DECISIONS.name, MEDICAL_ALERTS.name] as const;

export const WORKFLOW_RUNS: TableDef = {
  name: "workflow_runs",
  doc: "Local only (Step Functions keeps execution history in the cloud): every workflow execution.",
  columns: [
    col("execution_name", "string", "Execution name: the state machine and the insight id."),
    col("state_machine", "string", "scouting or medical-alert."),
    col("status", "string", "RUNNING, WAITING (for a task token), SUCCEEDED, FAILED, TIMED_OUT."),
    col("input", "json", "Execution input: the EventBridge event."),
    col("output", "json", "Execution output, when it ended.", true),
    col("error", "string", "Error and cause, when it failed.", true),
    col("started_at", "timestamp", "Start, UTC."),
    col("stopped_at", "timestamp", "End, UTC.", true),
  ],
  key: ["execution_name"],
  partitionBy: [],
  sortBy: [],
};

export const PENDING_DECISIONS: TableDef = {
  name: "pending_decisions",
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
};

export const CRM_OUTBOX: TableDef = {
  name: "crm_outbox",
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
};

export const CRM_DEAD_LETTERS: TableDef = {
  name: "crm_dead_letters",
  doc: "Local only: CRM requests that failed after the last retry (the cloud's API destination DLQ). Nothing is lost.",
  columns: [
    col("idempotency_key", "string", "The Idempotency-Key header it carried."),
    col("operation", "string", "player.upsert or task.create."),
    col("url", "string", "Where it was sent."),
    col("body", "json", "The request body, to resend."),
    col("attempts", "int", "Attempts made."),
    col("last_status", "int", "Last HTTP status; 0 when no response came.", true),
    col("error", "string", "Why it failed."),
    col("failed_at", "timestamp", "When, UTC."),
  ],
  key: ["idempotency_key"],
  partitionBy: [],
  sortBy: [],
};

export const NOTIFICATIONS: TableDef = {
  name: "notifications",
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
};

/** Tables of the embedded runtime only: what the cloud keeps in Step Functions, SNS and SQS. */
export const LOCAL_TABLES = [WORKFLOW_RUNS, PENDING_DECISIONS, CRM_OUTBOX, CRM_DEAD_LETTERS, NOTIFICATIONS] as const;
export type TableName = (typeof TABLES)[number]["name"] | (typeof LOCAL_TABLES)[number]["name"];
const ALL_TABLES: readonly TableDef[] = [...TABLES, ...LOCAL_TABLES];

export type Row = Record<string, string | number | boolean | Date | null>;

const DUCKDB_TYPES: Record<ColumnType, string> = {
  string: "VARCHAR",
  int: "INTEGER",
  bigint: "BIGINT",
  double: "DOUBLE",
  boolean: "BOOLEAN",
  timestamp: "TIMESTAMP",
  json: "JSON",
};

/** `CREATE TABLE IF NOT EXISTS` for the local DuckDB lake, with the key as primary key. */
export function duckDbDdl(table: TableDef): string {
  const cols = table.columns.map((c) => `  ${c.name} ${DUCKDB_TYPES[c.type]}${c.nullable ? "" : " NOT NULL"}`);
  if (table.key.length === 0) throw new Error(`table ${table.name} needs a key: writers upsert on it`);
  cols.push(`  PRIMARY KEY (${table.key.join(", ")})`);
  return `CREATE TABLE IF NOT EXISTS ${table.name} (\n${cols.join(",\n")}\n)`;
}

const INT32_MAX = 2_147_483_647;
const COLUMN_VALIDATORS: Record<ColumnType, z.ZodMiniType> = {
  string: z.string(),
  int: z.int().check(z.gte(-INT32_MAX), z.lte(INT32_MAX)),
  bigint: z.int(),
  double: z.number(),
  boolean: z.boolean(),
  timestamp: z.date().check(z.refine((d) => Number.isFinite(d.getTime()), "invalid date")),
  json: z.string().check(
    z.refine((s) => {
      try {
        JSON.parse(s);
        return true;
      } catch {
        return false;
      }
    }, "not JSON"),
  ),
};

const validators = new Map<string, z.ZodMiniType<Row>>();

/** The zod validator for one table's rows, built from its column definitions. */
export function rowValidator(table: TableDef): z.ZodMiniType<Row> {
  let v = validators.get(table.name);
  if (!v) {
    const shape: Record<string, z.ZodMiniType> = {};
    for (const c of table.columns) {
      const base = COLUMN_VALIDATORS[c.type];
      shape[c.name] = c.nullable ? z.nullable(base) : base;
    }
    v = z.strictObject(shape) as unknown as z.ZodMiniType<Row>;
    validators.set(table.name, v);
  }
  return v;
}

/** Throws with the table, the row's key and the reason when a row does not match its table. */
export function assertRow(table: TableDef, row: Row): void {
  const r = rowValidator(table).safeParse(row);
  if (!r.success) {
    const key = table.key.map((k) => `${k}=${String(row[k])}`).join(", ");
    const issue = r.error.issues[0];
    throw new Error(`invalid ${table.name} row (${key}): ${issue?.path.join(".")}: ${issue?.message}`);
  }
}

export function tableByName(name: string): TableDef {
  const t = ALL_TABLES.find((x) => x.name === name);
  if (!t) throw new Error(`unknown table '${name}': expected one of ${ALL_TABLES.map((x) => x.name).join(", ")}`);
  return t;
}

/** Markdown documentation of every table, for README and the Glue column comments. */
export function tableDocs(): string {
  return ALL_TABLES.map(
    (t) =>
      `### ${t.name}\n${t.doc}\n\n| column | type | doc |\n|---|---|---|\n${t.columns
        .map((c) => `| ${c.name} | ${c.type}${c.nullable ? " (nullable)" : ""} | ${c.doc} |`)
        .join("\n")}`,
  ).join("\n\n");
}
