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

export const TABLES = [PLAYER_WINDOWS, QUARANTINE, INSIGHTS] as const;
export type TableName = (typeof TABLES)[number]["name"];

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
  const t = TABLES.find((x) => x.name === name);
  if (!t) throw new Error(`unknown table '${name}': expected one of ${TABLES.map((x) => x.name).join(", ")}`);
  return t;
}

/** Markdown documentation of every table, for README and the Glue column comments. */
export function tableDocs(): string {
  return TABLES.map(
    (t) =>
      `### ${t.name}\n${t.doc}\n\n| column | type | doc |\n|---|---|---|\n${t.columns
        .map((c) => `| ${c.name} | ${c.type}${c.nullable ? " (nullable)" : ""} | ${c.doc} |`)
        .join("\n")}`,
  ).join("\n\n");
}
