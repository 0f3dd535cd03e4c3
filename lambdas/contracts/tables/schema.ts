/**
 * How a table is defined, once: typed columns (a typo in a column name fails to compile), the key
 * writers upsert on, the Iceberg partition and sort order, and the data classification access
 * control follows. The DuckDB DDL, the row validators and the column documentation come from here;
 * the Glue Iceberg table input is generated from the same definitions by the lakehouse construct.
 */
import "../zod-locale.js";
import * as z from "zod/mini";

export type ColumnType = "string" | "int" | "bigint" | "double" | "boolean" | "timestamp" | "json";

/**
 * What a table holds, from least to most sensitive. Keys, grants and who may read what follow from
 * it (GDPR Art. 9 makes health and biometric data special categories):
 * - performance: physical output, scouting and operational records about play;
 * - media-metadata: where frames and clips are and what they show, not the pixels;
 * - biometric: body measurements such as skeletons and joint angles;
 * - health: heart rate, workload and medical alerts.
 */
export const DATA_CLASSIFICATIONS = ["performance", "media-metadata", "biometric", "health"] as const;
export type DataClassification = (typeof DATA_CLASSIFICATIONS)[number];

/** Sensitivity rank: a table must be classified at least as high as anything written to it. */
export const sensitivity = (c: DataClassification): number => DATA_CLASSIFICATIONS.indexOf(c);

export interface ColumnDef<N extends string = string, T extends ColumnType = ColumnType, O extends boolean = boolean> {
  readonly name: N;
  readonly type: T;
  readonly nullable: O;
  readonly doc: string;
  /**
   * A column more sensitive than its table (e.g. a raw payload in an operational table): readers
   * of the table's class do not see it (a Lake Formation column tag). @default - the table's
   */
  readonly classification?: DataClassification;
}

/** The same column, classified higher than its table. */
export const classified = <C extends ColumnDef>(column: C, classification: DataClassification): C => ({
  ...column,
  classification,
});

/** A required column. */
export const col = <const N extends string, const T extends ColumnType>(
  name: N,
  type: T,
  doc: string,
): ColumnDef<N, T, false> => ({ name, type, doc, nullable: false });

/** A nullable column. */
export const optCol = <const N extends string, const T extends ColumnType>(
  name: N,
  type: T,
  doc: string,
): ColumnDef<N, T, true> => ({ name, type, doc, nullable: true });

type PartitionField<N extends string> = N | `day(${N})`;

export interface TableDef<N extends string = string, C extends readonly ColumnDef[] = readonly ColumnDef[]> {
  readonly name: N;
  readonly doc: string;
  readonly classification: DataClassification;
  /** lake: Iceberg in the cloud and DuckDB locally; local: the embedded runtime's own (workflow history, outbox). */
  readonly scope: "lake" | "local";
  readonly columns: C;
  /** Columns that identify a row: writers upsert on them, so redelivery adds no duplicates. */
  readonly key: readonly C[number]["name"][];
  /**
   * Partition spec for the Iceberg table: identity columns, or `day(col)`, each on a key column. An
   * upsert's equality delete reaches only its own partition, so a partition column outside the key
   * would leave the old row of a redelivery whose partition value changed (lib/iceberg.ts refuses it).
   */
  readonly partitionBy: readonly PartitionField<C[number]["name"]>[];
  /** Sort order within data files (Iceberg write order). */
  readonly sortBy: readonly C[number]["name"][];
}

/** A partition field's transform and source column: `day(col)` is day of col, `col` identity. */
export function partitionField(field: string): { readonly transform: string; readonly column: string } {
  const m = /^(\w+)\((\w+)\)$/.exec(field);
  return m ? { transform: m[1]!, column: m[2]! } : { transform: "identity", column: field };
}

/** A column's classification: its own when it has one, else its table's. */
export const columnClassification = (t: AnyTable, c: ColumnDef): DataClassification =>
  c.classification ?? t.classification;

/**
 * The class a table's files are stored under: its most sensitive column's (a data file holds every
 * column, so its key must protect the most sensitive).
 */
export function storageClassification(t: AnyTable): DataClassification {
  return t.columns.reduce<DataClassification>((max, c) => {
    const k = columnClassification(t, c);
    return sensitivity(k) > sensitivity(max) ? k : max;
  }, t.classification);
}

/** What is wrong with a table's column classifications: a column classified below its table. */
export function classificationProblems(t: AnyTable): string[] {
  return t.columns
    .filter((c) => c.classification !== undefined && sensitivity(c.classification) <= sensitivity(t.classification))
    .map(
      (c) =>
        `table ${t.name}: column ${c.name} is classified ${c.classification}, not above its table (${t.classification}); a column can only be more sensitive than its table`,
    );
}

/** Any table, whatever its columns. */
export type AnyTable = TableDef<string, readonly ColumnDef[]>;

export function defineTable<const N extends string, const C extends readonly ColumnDef[]>(
  t: TableDef<N, C>,
): TableDef<N, C> {
  return t;
}

type ValueOf<T extends ColumnType> = T extends "string" | "json"
  ? string
  : T extends "int" | "bigint" | "double"
    ? number
    : T extends "boolean"
      ? boolean
      : Date;

/** A row of table T: every column, typed; nullable columns also take null. */
export type RowOf<T extends AnyTable> = {
  -readonly [K in T["columns"][number] as K["name"]]: K["nullable"] extends true
    ? ValueOf<K["type"]> | null
    : ValueOf<K["type"]>;
};

/** A row of some table, as validators and writers see it before they know which. */
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
export function duckDbDdl(table: AnyTable): string {
  const cols = table.columns.map((c) => `  ${c.name} ${DUCKDB_TYPES[c.type]}${c.nullable ? "" : " NOT NULL"}`);
  if (table.key.length === 0) throw new Error(`table ${table.name} needs a key: writers upsert on it`);
  cols.push(`  PRIMARY KEY (${table.key.join(", ")})`);
  return `CREATE TABLE IF NOT EXISTS ${table.name} (\n${cols.join(",\n")}\n)`;
}

/**
 * The statements that bring a local table made from an older definition up to this one: `ALTER
 * TABLE ... ADD COLUMN` for each defined column it lacks, null in the rows already there, as Iceberg
 * adds a column to a deployed table. A required column cannot be added so (the rows already there
 * have no value for it): that throws, naming the table and the columns, with what to do. Columns
 * the table has and the definition no longer does are left as they are.
 * @param existing the columns the table has now
 */
export function duckDbEvolution(table: AnyTable, existing: readonly string[]): string[] {
  const have = new Set(existing);
  const missing = table.columns.filter((c) => !have.has(c.name));
  const required = missing.filter((c) => !c.nullable).map((c) => `'${c.name}'`);
  if (required.length > 0)
    throw new Error(
      `table ${table.name} has no column ${required.join(", ")}, which its definition requires (NOT NULL), and the rows already in it have no value for it: define the column with optCol (nullable), as a deployed Iceberg table requires too, or start a new local lake (move the lake file aside)`,
    );
  return missing.map((c) => `ALTER TABLE ${table.name} ADD COLUMN ${c.name} ${DUCKDB_TYPES[c.type]}`);
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

const validators = new Map<AnyTable, z.ZodMiniType<Row>>();

/** The zod validator for one table's rows, built from its column definitions. */
export function rowValidator(table: AnyTable): z.ZodMiniType<Row> {
  let v = validators.get(table);
  if (!v) {
    const shape: Record<string, z.ZodMiniType> = {};
    for (const c of table.columns) {
      const base = COLUMN_VALIDATORS[c.type];
      shape[c.name] = c.nullable ? z.nullable(base) : base;
    }
    v = z.strictObject(shape) as unknown as z.ZodMiniType<Row>;
    validators.set(table, v);
  }
  return v;
}

const INT32 = 2_147_483_647;
/** The same checks as COLUMN_VALIDATORS, without allocating: the fast path for rows that are valid. */
const FAST_CHECKS: Record<ColumnType, (v: unknown) => boolean> = {
  string: (v) => typeof v === "string",
  int: (v) => Number.isInteger(v) && Math.abs(v as number) <= INT32,
  bigint: (v) => Number.isInteger(v),
  double: (v) => typeof v === "number" && Number.isFinite(v),
  boolean: (v) => typeof v === "boolean",
  timestamp: (v) => v instanceof Date && Number.isFinite(v.getTime()),
  json: (v) => {
    if (typeof v !== "string") return false;
    try {
      JSON.parse(v);
      return true;
    } catch {
      return false;
    }
  },
};

function passes(table: AnyTable, row: Row): boolean {
  let n = 0;
  for (const c of table.columns) {
    const v = row[c.name];
    if (v === undefined) return false;
    n++;
    if (v === null ? !c.nullable : !FAST_CHECKS[c.type](v)) return false;
  }
  // Strict: no column the table does not have.
  return Object.keys(row).length === n;
}

/**
 * Throws with the table, the row's key and the reason when a row does not match its table. A valid
 * row is checked column by column without allocating (writers validate every row); only a bad one
 * goes through zod, for its message.
 */
export function assertRow(table: AnyTable, row: Row): void {
  if (passes(table, row)) return;
  const r = rowValidator(table).safeParse(row);
  if (!r.success) {
    const key = table.key.map((k) => `${k}=${String(row[k])}`).join(", ");
    const issue = r.error.issues[0];
    throw new Error(`invalid ${table.name} row (${key}): ${issue?.path.join(".")}: ${issue?.message}`);
  }
}
