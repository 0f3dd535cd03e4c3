/**
 * The local lakehouse: a DuckDB file with the same tables as the Iceberg lake, created from the
 * single table definitions. Implements the FeatureSink port with upserts on each table's key.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBResultReader,
  DuckDBTimestampValue,
  StatementType,
} from "@duckdb/node-api";
import {
  type AnyTable,
  assertRow,
  type ColumnType,
  duckDbDdl,
  duckDbEvolution,
  LOCAL_TABLES,
  type Row,
  type RowOf,
  TABLES,
} from "../../contracts/tables/index.js";
import type { FeatureSink } from "../../ports.js";

/** One row value into the appender, by the column's type (rows are validated against the table first). */
function appendValue(a: DuckDBAppender, type: ColumnType, v: Row[string]): void {
  if (v === null) a.appendNull();
  else if (type === "timestamp") a.appendTimestamp(new DuckDBTimestampValue(BigInt((v as Date).getTime()) * 1000n));
  else if (type === "int") a.appendInteger(v as number);
  else if (type === "bigint") a.appendBigInt(BigInt(v as number));
  else if (type === "double") a.appendDouble(v as number);
  else if (type === "boolean") a.appendBoolean(v as boolean);
  else a.appendVarchar(v as string);
}

/**
 * DuckDB settings of a sandboxed lake (SQL a person typed): the lake file read-only and no other
 * file read or written (COPY TO, EXPORT, read_csv, ATTACH), no extension installed or loaded, and
 * the settings locked so that no statement can change them back.
 */
const SANDBOX_SETTINGS: Record<string, string> = {
  access_mode: "READ_ONLY",
  enable_external_access: "false",
  autoinstall_known_extensions: "false",
  autoload_known_extensions: "false",
  allow_community_extensions: "false",
  allow_unsigned_extensions: "false",
  lock_configuration: "true",
};
/** Statements a sandboxed lake runs: queries (SELECT, WITH, FROM, VALUES, SHOW, DESCRIBE, SUMMARIZE) and EXPLAIN. */
const QUERY_STATEMENTS: ReadonlySet<StatementType> = new Set([StatementType.SELECT, StatementType.EXPLAIN]);
/** How a refused statement is named in the error; others by their type (INSERT, CREATE, DROP...). */
const REFUSED: Partial<Record<StatementType, string>> = {
  [StatementType.COPY]: "COPY and EXPORT (file writes)",
  [StatementType.COPY_DATABASE]: "COPY and EXPORT (file writes)",
  [StatementType.EXPORT]: "COPY and EXPORT (file writes)",
  [StatementType.ATTACH]: "ATTACH and DETACH",
  [StatementType.DETACH]: "ATTACH and DETACH",
  [StatementType.LOAD]: "INSTALL and LOAD (extensions)",
  [StatementType.EXTENSION]: "INSTALL and LOAD (extensions)",
  [StatementType.UPDATE_EXTENSIONS]: "INSTALL and LOAD (extensions)",
  [StatementType.SET]: "SET, RESET and PRAGMA settings",
  [StatementType.VARIABLE_SET]: "SET, RESET and PRAGMA settings",
  [StatementType.PRAGMA]: "SET, RESET and PRAGMA settings",
};

export interface LakeOpenOptions {
  /** Open without creating anything: for queries on an existing lake. @default false */
  readonly readOnly?: boolean;
  /**
   * For SQL a person typed: read-only, and only queries run (see SANDBOX_SETTINGS and
   * QUERY_STATEMENTS); anything else fails with a one-line reason. @default false
   */
  readonly sandbox?: boolean;
  /** More tables than the registry's (a modality under test). @default - none */
  readonly tables?: readonly AnyTable[];
}

export interface QueryResult {
  readonly columns: readonly string[];
  /** Values as JSON-safe scalars: BIGINT and DECIMAL as strings, timestamps as ISO-like strings. */
  readonly rows: readonly (readonly unknown[])[];
}

export class DuckDbLake implements FeatureSink {
  /** One statement at a time on the connection: the handler, the workflows and the CRM share it. */
  private queue: Promise<unknown> = Promise.resolve();

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly sandboxed: boolean,
    private readonly tables: ReadonlySet<AnyTable>,
  ) {}

  /** Staging tables created on this connection, by lake table name. */
  private readonly staged = new Set<string>();

  /**
   * Opens (or creates) the lake at `path` and makes sure every table exists with every defined
   * column: a lake made by an older version gets the columns added since (null in its rows), and
   * one that lacks a required column is refused, naming it (see duckDbEvolution).
   */
  static async open(path: string, options: LakeOpenOptions = {}): Promise<DuckDbLake> {
    const sandbox = options.sandbox === true;
    const readOnly = sandbox || options.readOnly === true;
    if (path !== ":memory:" && !readOnly) mkdirSync(dirname(path), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(
        path,
        sandbox ? SANDBOX_SETTINGS : readOnly ? { access_mode: "READ_ONLY" } : {},
      );
    } catch (e) {
      throw new Error(`cannot open lake '${path}': ${(e as Error).message.split("\n")[0]}`);
    }
    const conn = await instance.connect();
    const tables = new Set<AnyTable>([...TABLES, ...LOCAL_TABLES, ...(options.tables ?? [])]);
    const lake = new DuckDbLake(path, instance, conn, sandbox, tables);
    if (!readOnly) {
      try {
        await lake.createTables();
      } catch (e) {
        lake.close();
        throw new Error(`cannot open lake '${path}': ${(e as Error).message}`);
      }
    }
    return lake;
  }

  /** Creates each table that is missing, and adds the columns a table made from an older definition lacks. */
  private async createTables(): Promise<void> {
    for (const t of this.tables) await this.conn.run(duckDbDdl(t));
    const reader = await this.conn.runAndReadAll(
      "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main'",
    );
    const columns = new Map<string, string[]>();
    for (const [table, column] of reader.getRows() as [string, string][])
      columns.set(table, [...(columns.get(table) ?? []), column]);
    for (const t of this.tables) {
      for (const sql of duckDbEvolution(t, columns.get(t.name) ?? [])) await this.conn.run(sql);
    }
  }

  put<T extends AnyTable>(table: T, rows: readonly RowOf<T>[]): Promise<void> {
    return this.exclusive(() => this.putNow(table, rows as readonly Row[]));
  }

  /**
   * Upserts on the table's key: the rows are appended to a staging table with DuckDB's Appender
   * (column by column, no SQL per row), then merged with one INSERT OR REPLACE, the last row of a key
   * winning. Statements with bound VALUES cost ~2 ms per row at 70 columns; this costs microseconds.
   */
  private async putNow(def: AnyTable, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    if (!this.tables.has(def)) throw new Error(`table ${def.name} is not in this lake`);
    for (const r of rows) assertRow(def, r);
    const stage = `stage_${def.name}`;
    const cols = def.columns.map((c) => c.name).join(", ");
    if (!this.staged.has(def.name)) {
      // The definition's columns in its order: a lake from an older version has added columns last.
      await this.conn.run(`CREATE OR REPLACE TEMP TABLE ${stage} AS SELECT ${cols} FROM ${def.name} WHERE false`);
      this.staged.add(def.name);
    }
    const appender = await this.conn.createAppender(stage, "main", "temp");
    try {
      for (const row of rows) {
        for (const c of def.columns) appendValue(appender, c.type, row[c.name] ?? null);
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    await this.conn.run(
      `INSERT OR REPLACE INTO ${def.name} (${cols}) SELECT ${cols} FROM ${stage}
         QUALIFY row_number() OVER (PARTITION BY ${def.key.join(", ")} ORDER BY rowid DESC) = 1`,
    );
    await this.conn.run(`DELETE FROM ${stage}`);
  }

  query(sql: string, params: readonly (string | number | boolean | null)[] = []): Promise<QueryResult> {
    return this.exclusive(async () => {
      const reader = await this.read(sql, params);
      return { columns: reader.columnNames(), rows: reader.getRowsJson() as unknown[][] };
    });
  }

  private read(sql: string, params: readonly (string | number | boolean | null)[]): Promise<DuckDBResultReader> {
    return this.sandboxed ? this.readSandboxed(sql, params) : this.conn.runAndReadAll(sql, [...params]);
  }

  /** Every statement is prepared and checked to be a query before any runs; the last one's rows are returned. */
  private async readSandboxed(
    sql: string,
    params: readonly (string | number | boolean | null)[],
  ): Promise<DuckDBResultReader> {
    const extracted = await this.conn.extractStatements(sql);
    const statements = [];
    for (let i = 0; i < extracted.count; i++) {
      const stmt = await extracted.prepare(i).catch((e: Error) => {
        const reason = e.message.split("\n")[0]!;
        if (!/^Permission Error/.test(reason)) throw new Error(reason);
        throw new Error(
          `the lake is read-only here and no other file can be read or written (${reason.replace(/^Permission Error: /, "")}); to save a result, use --format csv and redirect it to a file`,
        );
      });
      if (!QUERY_STATEMENTS.has(stmt.statementType)) {
        throw new Error(
          `the lake is read-only here: ${REFUSED[stmt.statementType] ?? `${StatementType[stmt.statementType]} statements`} are refused; run a query (SELECT, WITH, FROM, SHOW, DESCRIBE, SUMMARIZE or EXPLAIN)`,
        );
      }
      statements.push(stmt);
    }
    if (statements.length === 0) throw new Error("no statement to run: pass a query such as 'SELECT 1'");
    if (params.length > 0) statements.at(-1)!.bind([...params]);
    let reader: DuckDBResultReader | undefined;
    for (const stmt of statements) reader = await stmt.runAndReadAll();
    return reader!;
  }

  /** Rows as objects, with numbers kept as numbers where they fit. */
  queryObjects<T = Record<string, unknown>>(
    sql: string,
    params: readonly (string | number | boolean | null)[] = [],
  ): Promise<T[]> {
    return this.exclusive(async () => {
      const reader = await this.read(sql, params);
      return reader.getRowObjectsJS() as T[];
    });
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
