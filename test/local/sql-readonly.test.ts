import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { PLAYER_LOADS } from "../../lambdas/contracts/tables/index.js";
import { runCli } from "../helpers/cli.js";
import { sidelineInProcess } from "../helpers/cli-in-process.js";

// `sideline sql` runs SQL a person typed: nothing it runs may change the lake or touch another file.
const dir = mkdtempSync(join(tmpdir(), "sideline-sql-"));
const lakePath = join(dir, "lake.duckdb");
const loads = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    player_id: `p${i % 3}`,
    session_id: `s${i}`,
    day: new Date(Date.UTC(2026, 4, 1 + (i % 20))),
    load: 5000 + i,
    load_measure: "distance_m",
    minutes: 80,
    origin: "import",
  }));

async function rowCount(): Promise<number> {
  const lake = await DuckDbLake.open(lakePath, { readOnly: true });
  try {
    const [r] = await lake.queryObjects<{ n: bigint | number }>("SELECT count(*) AS n FROM player_loads");
    return Number(r!.n);
  } finally {
    lake.close();
  }
}

beforeAll(async () => {
  const lake = await DuckDbLake.open(lakePath);
  await lake.put(PLAYER_LOADS, loads(30));
  lake.close();
});

describe("sideline sql is read-only in every way", () => {
  it("refuses COPY TO the lake's own path: the lake keeps its size and rows (a child process, as reported)", async () => {
    // GIVEN a lake with 30 rows
    const size = statSync(lakePath).size;
    // WHEN a query tries to overwrite it with a CSV
    const r = await runCli(
      dir,
      {},
      "sql",
      `COPY (SELECT 'gone' AS x) TO '${lakePath}' (FORMAT csv)`,
      "--lake",
      lakePath,
    );
    // THEN it fails in one line that says why and what to do, and the lake is intact
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "sideline: error: sql: the lake is read-only here: COPY and EXPORT (file writes) are refused; run a query (SELECT, WITH, FROM, SHOW, DESCRIBE, SUMMARIZE or EXPLAIN)\n",
    );
    expect(statSync(lakePath).size).toBe(size);
    expect(readFileSync(lakePath).subarray(0, 100).toString("latin1")).not.toContain("gone");
    expect(await rowCount()).toBe(30);
  }, 30_000);

  it("refuses COPY TO another path, and reading other files, without creating anything", async () => {
    const other = join(dir, "out.csv");
    const copy = await sidelineInProcess("sql", `COPY player_loads TO '${other}' (FORMAT csv)`, "--lake", lakePath);
    expect(copy.code).toBe(1);
    expect(copy.stderr).toMatch(/^sideline: error: sql: the lake is read-only here.*use --format csv and redirect it/);
    expect(existsSync(other)).toBe(false);
    const read = await sidelineInProcess("sql", "SELECT * FROM read_csv('/etc/hostname')", "--lake", lakePath);
    expect(read.code).toBe(1);
    expect(read.stderr).toMatch(/no other file can be read or written \(Cannot access file "\/etc\/hostname"/);
    expect(await rowCount()).toBe(30);
  });

  it.each([
    [`ATTACH '${join(dir, "other.duckdb")}' AS other`, "ATTACH and DETACH are refused"],
    ["ATTACH ':memory:' AS m", "ATTACH and DETACH are refused"],
    ["INSTALL httpfs", "INSTALL and LOAD (extensions) are refused"],
    ["LOAD httpfs", "INSTALL and LOAD (extensions) are refused"],
    ["SET enable_external_access = true", "SET, RESET and PRAGMA settings are refused"],
    ["RESET lock_configuration", "SET, RESET and PRAGMA settings are refused"],
    ["PRAGMA enable_profiling", "SET, RESET and PRAGMA settings are refused"],
    ["DELETE FROM player_loads", "DELETE statements are refused"],
    ["CREATE TEMP TABLE t AS SELECT 1", "CREATE statements are refused"],
    ["SELECT 1; DROP TABLE player_loads", "DROP statements are refused"],
  ])("refuses %s before running anything", async (sql, reason) => {
    const r = await sidelineInProcess("sql", sql, "--lake", lakePath);
    expect(r).toEqual({
      code: 1,
      stdout: "",
      stderr: `sideline: error: sql: the lake is read-only here: ${reason}; run a query (SELECT, WITH, FROM, SHOW, DESCRIBE, SUMMARIZE or EXPLAIN)\n`,
    });
    expect(existsSync(join(dir, "other.duckdb"))).toBe(false);
  });

  it("still answers queries: SELECT, WITH, DESCRIBE and EXPLAIN", async () => {
    const q = await sidelineInProcess(
      "sql",
      "WITH t AS (SELECT player_id, count(*) AS n FROM player_loads GROUP BY ALL) SELECT * FROM t ORDER BY 1",
      "--lake",
      lakePath,
      "--format",
      "csv",
    );
    expect(q).toEqual({ code: 0, stdout: "player_id,n\np0,10\np1,10\np2,10\n", stderr: "" });
    expect((await sidelineInProcess("sql", "DESCRIBE player_loads", "--lake", lakePath)).code).toBe(0);
    expect((await sidelineInProcess("sql", "EXPLAIN SELECT 1", "--lake", lakePath)).code).toBe(0);
  });

  it("escapes control characters from the lake in the table format", async () => {
    const r = await sidelineInProcess("sql", "SELECT chr(27) || '[2J' AS s", "--lake", lakePath);
    expect(r.stdout).toBe("s\n-------\n\\x1b[2J\n");
  });
});
