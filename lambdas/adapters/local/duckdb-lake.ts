/**
 * The local lakehouse: a DuckDB file with the same tables as the Iceberg lake, created from the
 * single table definitions. Implements the FeatureSink port with upserts on each table's key.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import {
  type AnyTable,
  assertRow,
  duckDbDdl,
  LOCAL_TABLES,
  type Row,
  type RowOf,
  TABLES,
} from "../../contracts/tables/index.js";
import type { FeatureSink } from "../../ports.js";

/** Rows per INSERT statement: keeps the bound parameter count in the low thousands. */
const ROWS_PER_STATEMENT = 200;

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
    private readonly tables: ReadonlySet<AnyTable>,
  ) {}

  /**
   * Opens (or creates) the lake at `path` and makes sure every table exists.
   * @param options.readOnly open without creating anything: for queries on an existing lake
   * @param options.tables more tables than the registry's (a modality under test) @default - none
   */
  static async open(
    path: string,
    options: { readOnly?: boolean; tables?: readonly AnyTable[] } = {},
  ): Promise<DuckDbLake> {
    if (path !== ":memory:" && !options.readOnly) mkdirSync(dirname(path), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, options.readOnly ? { access_mode: "READ_ONLY" } : {});
    } catch (e) {
      throw new Error(`cannot open lake '${path}': ${(e as Error).message.split("\n")[0]}`);
    }
    const conn = await instance.connect();
    const tables = new Set<AnyTable>([...TABLES, ...LOCAL_TABLES, ...(options.tables ?? [])]);
    const lake = new DuckDbLake(path, instance, conn, tables);
    if (!options.readOnly) for (const t of tables) await conn.run(duckDbDdl(t));
    return lake;
  }

  put<T extends AnyTable>(table: T, rows: readonly RowOf<T>[]): Promise<void> {
    return this.exclusive(() => this.putNow(table, rows as readonly Row[]));
  }

  private async putNow(def: AnyTable, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    if (!this.tables.has(def)) throw new Error(`table ${def.name} is not in this lake`);
    for (const r of rows) assertRow(def, r);
    const cols = def.columns;
    const casts = cols.map((c) => (c.type === "timestamp" ? "::TIMESTAMP" : c.type === "json" ? "::JSON" : ""));
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const slice = rows.slice(i, i + ROWS_PER_STATEMENT);
      const values: (string | number | boolean | null)[] = [];
      const tuples = slice.map((row) => {
        const ph = cols.map((c, j) => {
          const v = row[c.name] ?? null;
          values.push(v instanceof Date ? v.toISOString() : v);
          return `$${values.length}${casts[j]}`;
        });
        return `(${ph.join(", ")})`;
      });
      await this.conn.run(
        `INSERT OR REPLACE INTO ${def.name} (${cols.map((c) => c.name).join(", ")}) VALUES ${tuples.join(", ")}`,
        values,
      );
    }
  }

  query(sql: string, params: readonly (string | number | boolean | null)[] = []): Promise<QueryResult> {
    return this.exclusive(async () => {
      const reader = await this.conn.runAndReadAll(sql, [...params]);
      return { columns: reader.columnNames(), rows: reader.getRowsJson() as unknown[][] };
    });
  }

  /** Rows as objects, with numbers kept as numbers where they fit. */
  queryObjects<T = Record<string, unknown>>(
    sql: string,
    params: readonly (string | number | boolean | null)[] = [],
  ): Promise<T[]> {
    return this.exclusive(async () => {
      const reader = await this.conn.runAndReadAll(sql, [...params]);
      return reader.getRowObjectsJS() as T[];
    });
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
