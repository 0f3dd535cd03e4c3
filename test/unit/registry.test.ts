/** The modality registry, the tables' classification and typed rows. */
import { deflateRawSync } from "node:zlib";
import {
  MODALITIES,
  modalityForFormat,
  TRACKING,
  validateModality,
  WEARABLES,
} from "../../lambdas/contracts/modalities.js";
import { MAX_SAMPLES_PER_WEARABLE_CHUNK, WEARABLE_SCHEMA_V1 } from "../../lambdas/contracts/records/wearable.js";
import {
  type AnyTable,
  classificationProblems,
  classified,
  DATA_CLASSIFICATIONS,
  LOCAL_TABLES,
  PLAYER_WINDOWS,
  QUARANTINE,
  type RowOf,
  storageClassification,
  TABLES,
} from "../../lambdas/contracts/tables/index.js";
import { ACC_RESOLUTION_G, GYRO_RESOLUTION_DPS } from "../../producers/wearable-chunker.js";

describe("modality registry", () => {
  it("holds valid entries: ids, tables in the lake, quarantine kept, accounting column present", () => {
    for (const m of MODALITIES) expect(() => validateModality(m)).not.toThrow();
  });

  it("picks the modality a reader format feeds, and names the formats it knows otherwise", () => {
    expect(modalityForFormat("long-csv")).toBe(TRACKING);
    expect(modalityForFormat("metrica")).toBe(TRACKING);
    expect(() => modalityForFormat("fit")).toThrow("unknown format 'fit': expected one of long-csv, metrica");
  });

  it("refuses an entry that writes more sensitive data than a table it shares is classified for", () => {
    const heart = { ...TRACKING, id: "heart", classification: "health" as const, readers: ["hr-csv"] };
    expect(() => validateModality(heart, [...MODALITIES, heart])).toThrow(
      "table player_windows is classified performance but modality 'heart' writes health data to it",
    );
  });

  it("refuses an entry that drops quarantine, or reuses a reader format or an id", () => {
    const noQ = { ...TRACKING, id: "x1", readers: [], tables: [PLAYER_WINDOWS] };
    expect(() => validateModality(noQ, [...MODALITIES, noQ])).toThrow(/must write quarantine/);
    const dupFormat = { ...TRACKING, id: "x2" };
    expect(() => validateModality(dupFormat, [...MODALITIES, dupFormat])).toThrow(
      "reader format 'long-csv' feeds both 'x2' and 'tracking'",
    );
    expect(() => validateModality(TRACKING, [...MODALITIES, TRACKING])).toThrow(/registered twice/);
  });

  it("refuses a producer without a lowercase id, and a load history in a measure that does not exist", () => {
    const badProducer = { ...TRACKING, id: "x3", readers: [], producer: { id: "Stadium Edge", description: "" } };
    expect(() => validateModality(badProducer, [...MODALITIES, badProducer])).toThrow(
      "producer id 'Stadium Edge' must be lowercase letters, digits and dashes",
    );
    const badMeasure = { ...TRACKING, id: "x4", readers: [], loadMeasures: ["metres"] };
    expect(() => validateModality(badMeasure, [...MODALITIES, badMeasure])).toThrow(
      "modality 'x4' keeps load history in 'metres', which is not a load measure",
    );
  });
});

describe("table classification", () => {
  it("classifies every table, lake and local", () => {
    for (const t of [...TABLES, ...LOCAL_TABLES]) expect(DATA_CLASSIFICATIONS).toContain(t.classification);
  });

  it("stores health data under health: loads, wearables, medical alerts, insights, and the quarantine that holds their payloads", () => {
    const health = TABLES.filter((t) => storageClassification(t) === "health").map((t) => t.name);
    expect(health.sort()).toEqual([
      "insights",
      "medical_alerts",
      "player_daily_load",
      "player_loads",
      "quarantine",
      "wearable_windows",
    ]);
    // The quarantine's rows are operational (performance): only its payload column is health data.
    expect(QUARANTINE.classification).toBe("performance");
    expect(QUARANTINE.columns.filter((c) => c.classification).map((c) => [c.name, c.classification])).toEqual([
      ["payload", "health"],
    ]);
  });

  it("refuses a column classified at or below its table", () => {
    const table = { ...QUARANTINE, columns: [classified(QUARANTINE.columns[0]!, "performance")] } as AnyTable;
    expect(classificationProblems(table)).toEqual([
      expect.stringContaining(
        "table quarantine: column source is classified performance, not above its table (performance)",
      ),
    ]);
    expect(classificationProblems(QUARANTINE)).toEqual([]);
  });
});

describe("typed rows", () => {
  it("fails to compile a row with a misspelt or missing column (checked by tsc in npm test)", () => {
    const ok: RowOf<typeof QUARANTINE> = {
      source: "s",
      record_ref: "r",
      match_id: null,
      reason: "x",
      sample_count: 1,
      payload: "{}",
      quarantined_at: new Date(0),
    };
    const typo: RowOf<typeof QUARANTINE> = {
      source: "s",
      record_ref: "r",
      match_id: null,
      reason: "x",
      // @ts-expect-error: 'sample_cuont' is not a column of quarantine
      sample_cuont: 1,
      payload: "{}",
      quarantined_at: new Date(0),
    };
    // @ts-expect-error: match_id takes a string or null, not a number
    const wrongType: RowOf<typeof QUARANTINE> = { ...ok, match_id: 7 };
    expect([typo, wrongType]).toHaveLength(2);
  });
});

describe("readers and extractors of the registry", () => {
  it("has a reader for every format a modality lists, and an extractor and cloud entry for every modality", async () => {
    const { READERS } = await import("../../producers/readers/index.js");
    const { EXTRACTORS } = await import("../../lambdas/functions/extractors.js");
    const { existsSync } = await import("node:fs");
    for (const m of MODALITIES) {
      for (const f of m.readers) expect(Object.keys(READERS)).toContain(f);
      expect(Object.keys(EXTRACTORS)).toContain(m.id);
      expect(existsSync(m.extractor.entry)).toBe(true);
    }
  });
});

describe("held records and DynamoDB's item size", () => {
  it("keeps a wearables key's held records, at their largest, under the 400 KB item DynamoDB stores the state in", () => {
    // The largest wearable record: MAX_SAMPLES_PER_WEARABLE_CHUNK samples on every IMU channel, with the
    // digits the chunker sends (producers/wearable-chunker.ts: accelerations to 1e-5 g, rates to 1e-3
    // deg/s) and a vendor PlayerLoad to 4 decimals, as Catapult exports it; as many as the limit allows.
    const n = MAX_SAMPLES_PER_WEARABLE_CHUNK;
    let x = 12345;
    const next = () => {
      x = (x * 1103515245 + 12345) % 2147483648; // a deterministic spread of values
      return x / 2147483648;
    };
    const channel = (scale: number, digits: number) =>
      Array.from({ length: n }, () => Number(((next() - 0.5) * 2 * scale).toFixed(digits)));
    const record = {
      schema: WEARABLE_SCHEMA_V1,
      imu: {
        rate_hz: 100,
        vertical_axis: "z",
        t: Array.from({ length: n }, (_, i) => i * 10),
        ax: channel(8, Math.round(-Math.log10(ACC_RESOLUTION_G))),
        ay: channel(8, Math.round(-Math.log10(ACC_RESOLUTION_G))),
        az: channel(8, Math.round(-Math.log10(ACC_RESOLUTION_G))),
        gx: channel(2000, Math.round(-Math.log10(GYRO_RESOLUTION_DPS))),
        gy: channel(2000, Math.round(-Math.log10(GYRO_RESOLUTION_DPS))),
        gz: channel(2000, Math.round(-Math.log10(GYRO_RESOLUTION_DPS))),
        vendor_player_load: channel(0.5, 4),
      },
    };
    const limit = WEARABLES.reorderLimitRecords ?? 32;
    const held = { seq: { lastSeq: 0, held: Array.from({ length: limit }, (_, i) => ({ seq: i + 2, record })) } };
    // The state store deflates the JSON (lambdas/adapters/aws/dynamodb-state-store.ts).
    expect(deflateRawSync(JSON.stringify(held)).length).toBeLessThan(400 * 1024);
  });
});
