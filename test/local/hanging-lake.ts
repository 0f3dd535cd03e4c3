/**
 * A lake whose chosen writes never return: the stand-in for a workflow task that hangs, so that an
 * execution stays RUNNING in workflow_runs until its process is killed.
 */
import type { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import type { AnyTable, Row, RowOf, TableName } from "../../lambdas/contracts/tables/index.js";

/** Which writes hang: those to `table` (with rows of `status`, when given). */
export interface HangAt {
  readonly table: TableName;
  /** @default - any status */
  readonly status?: string;
  /** `hung` resolves once this many writes hang. @default 1 */
  readonly count?: number;
}

/** The lake, except that each write `at` picks never returns; `hung` resolves once `at.count` have. */
export function hangingLake(lake: DuckDbLake, at: HangAt): { lake: DuckDbLake; hung: Promise<void> } {
  let hits = 0;
  let reached!: () => void;
  const hung = new Promise<void>((r) => {
    reached = r;
  });
  const picks = (table: AnyTable, rows: readonly Row[]) =>
    table.name === at.table && (at.status === undefined || rows[0]?.status === at.status);
  const proxy = new Proxy(lake, {
    get(target, prop) {
      if (prop === "put")
        return <T extends AnyTable>(table: T, rows: readonly RowOf<T>[]) => {
          if (!picks(table, rows as readonly Row[])) return target.put(table, rows);
          if (++hits === (at.count ?? 1)) reached();
          return new Promise<void>(() => undefined);
        };
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { lake: proxy, hung };
}
