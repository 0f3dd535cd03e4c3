import {
  assertRow,
  duckDbDdl,
  LOCAL_TABLES,
  PLAYER_WINDOWS,
  QUARANTINE,
  TABLES,
  tableByName,
  tableDocs,
} from "../../lambdas/contracts/tables/index.js";

describe("table definitions", () => {
  it("generates the DuckDB DDL with the key as primary key", () => {
    expect(duckDbDdl(QUARANTINE)).toBe(
      [
        "CREATE TABLE IF NOT EXISTS quarantine (",
        "  source VARCHAR NOT NULL,",
        "  record_ref VARCHAR NOT NULL,",
        "  match_id VARCHAR,",
        "  reason VARCHAR NOT NULL,",
        "  sample_count INTEGER NOT NULL,",
        "  payload VARCHAR NOT NULL,",
        "  quarantined_at TIMESTAMP NOT NULL,",
        "  PRIMARY KEY (source, record_ref)",
        ")",
      ].join("\n"),
    );
  });

  it("holds the columns the tracking spec requires in player_windows", () => {
    const names = PLAYER_WINDOWS.columns.map((c) => c.name);
    for (const required of [
      "match_id",
      "player_id",
      "team",
      "window_start",
      "window_end",
      "samples",
      "distance_m",
      "hsr_distance_m",
      "sprint_distance_m",
      "sprint_count",
      "accel_count",
      "decel_count",
      "top_speed_mps",
      "metabolic_energy_jkg",
      "avg_metabolic_power_wkg",
    ]) {
      expect(names).toContain(required);
    }
  });

  it("keys, partitions and sorts on columns that exist", () => {
    for (const t of TABLES) {
      const names = new Set<string>(t.columns.map((c) => c.name));
      for (const k of [...t.key, ...t.sortBy]) expect(names.has(k)).toBe(true);
      for (const p of t.partitionBy) expect(names.has(p.replace(/^day\((.*)\)$/, "$1"))).toBe(true);
    }
  });

  // An equality delete (what a Firehose upsert on the key writes) applies only to data files of its own
  // partition (https://iceberg.apache.org/spec/#scan-planning); so with a partition column outside the
  // key, a redelivered row whose partition value changed leaves its old version behind: a duplicate.
  it("partitions every table on key columns only, so that an upsert reaches the row it replaces", () => {
    const outside = [...TABLES, ...LOCAL_TABLES].flatMap((t) =>
      t.partitionBy
        .map((p) => p.replace(/^day\((.*)\)$/, "$1"))
        .filter((c) => !(t.key as readonly string[]).includes(c))
        .map((c) => `${t.name}: ${c}`),
    );
    expect(outside).toEqual([]);
  });

  it("rejects a row with a wrong type, naming the table, the key and the column", () => {
    const row = {
      source: "s",
      record_ref: "r1",
      match_id: null,
      reason: "x",
      sample_count: 1.5,
      payload: "",
      quarantined_at: new Date(0),
    };
    expect(() => assertRow(QUARANTINE, row)).toThrow(
      /invalid quarantine row \(source=s, record_ref=r1\): sample_count/,
    );
    expect(() => assertRow(QUARANTINE, { ...row, sample_count: 1 })).not.toThrow();
    expect(() => assertRow(QUARANTINE, { ...row, sample_count: 1, extra: 1 })).toThrow(/invalid quarantine row/);
  });

  it("fails on an unknown table and documents every column", () => {
    expect(() => tableByName("nope")).toThrow(/unknown table 'nope'/);
    const docs = tableDocs();
    for (const t of TABLES) for (const c of t.columns) expect(docs).toContain(`| ${c.name} |`);
  });
});
