/**
 * The local lake's schema evolution: a DuckDB lake file made by an older version of a table
 * definition gets the columns added since when it is opened, null in the rows already there, as a
 * deployed Iceberg table does; a lake that lacks a required column is refused, naming it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { col, defineTable, optCol, type RowOf } from "../../lambdas/contracts/tables/index.js";

/** The table as an older version defined it. */
const V1 = defineTable({
  name: "evolving_local",
  classification: "performance",
  scope: "lake",
  doc: "A table whose definition changes.",
  columns: [col("id", "string", "The key."), col("n", "int", "N.")],
  key: ["id"],
  partitionBy: [],
  sortBy: [],
});
/** The current version: note inserted between id and n, optional. */
const V2 = defineTable({
  ...V1,
  columns: [col("id", "string", "The key."), optCol("note", "string", "Added since."), col("n", "int", "N.")],
});
/** A version that adds a required column. */
const V3 = defineTable({ ...V2, columns: [...V2.columns, col("must", "double", "Required, new.")] });

describe("local lake schema evolution", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "sideline-lake-evolution-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("adds a column defined since the lake file was made; old rows read it as NULL, new rows write it", async () => {
    // GIVEN a lake file written with the older definition
    const path = join(dir, "lake.duckdb");
    const old = await DuckDbLake.open(path, { tables: [V1] });
    await old.put(V1, [
      { id: "a", n: 1 },
      { id: "b", n: 2 },
    ] as RowOf<typeof V1>[]);
    old.close();

    // WHEN the current version opens it
    const lake = await DuckDbLake.open(path, { tables: [V2] });
    try {
      // THEN the column is there, nullable, and the old rows hold NULL in it
      expect(
        await lake.queryObjects(
          "SELECT column_name, is_nullable FROM information_schema.columns WHERE table_name = 'evolving_local' ORDER BY ordinal_position",
        ),
      ).toEqual([
        { column_name: "id", is_nullable: "NO" },
        { column_name: "n", is_nullable: "NO" },
        { column_name: "note", is_nullable: "YES" },
      ]);
      expect(await lake.queryObjects("SELECT id, n, note FROM evolving_local ORDER BY id")).toEqual([
        { id: "a", n: 1, note: null },
        { id: "b", n: 2, note: null },
      ]);
      // AND rows of the current definition (its columns in another order than the file's) upsert by key
      await lake.put(V2, [
        { id: "b", note: "updated", n: 3 },
        { id: "c", note: null, n: 4 },
      ]);
      expect(await lake.queryObjects("SELECT id, n, note FROM evolving_local ORDER BY id")).toEqual([
        { id: "a", n: 1, note: null },
        { id: "b", n: 3, note: "updated" },
        { id: "c", n: 4, note: null },
      ]);
    } finally {
      lake.close();
    }
  });

  it("refuses a lake that lacks a required column, naming the table and the column, and leaves the file usable", async () => {
    const path = join(dir, "lake.duckdb");
    await expect(DuckDbLake.open(path, { tables: [V3] })).rejects.toThrow(
      `cannot open lake '${path}': table evolving_local has no column 'must', which its definition requires (NOT NULL), and the rows already in it have no value for it: define the column with optCol (nullable), as a deployed Iceberg table requires too, or start a new local lake (move the lake file aside)`,
    );
    // the refused open released the file: the current version opens it again
    const lake = await DuckDbLake.open(path, { tables: [V2] });
    expect(await lake.queryObjects("SELECT count(*)::INT AS n FROM evolving_local")).toEqual([{ n: 3 }]);
    lake.close();
  });
});
