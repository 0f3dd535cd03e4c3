/**
 * Adding a modality is a registry entry, a record contract, a pure core and a thin extractor: a
 * test modality (test/fixtures/modality/steps.ts) runs end to end through the embedded runtime,
 * on its own stream, mapping and handler beside tracking's, into the DuckDB lake, with the
 * runtime's quarantine, sequencing and accounting.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { MODALITIES } from "../../lambdas/contracts/modalities.js";
import { EXTRACTORS } from "../../lambdas/functions/extractors.js";
import { accounting } from "../../local/cli/summary.js";
import { runPipeline } from "../../local/pipeline.js";
import { STEP_WINDOWS, STEPS, type StepsRecord, stepsExtractor } from "../fixtures/modality/steps.js";

const T0 = Date.parse("2026-05-16T15:00:00Z");
const dir = mkdtempSync(join(tmpdir(), "sideline-steps-"));

/** 3 minutes of a player's pedometer: 2 steps a second, in 10 s records, with one impossible count. */
function records(player: string): StepsRecord[] {
  return Array.from({ length: 18 }, (_, seq) => ({
    schema: "test.steps.v1",
    match_id: "m1",
    player_id: player,
    seq,
    t0: T0 + seq * 10_000,
    steps: Array.from({ length: 10 }, (_, i) => (player === "p1" && seq === 4 && i === 3 ? 40 : 2)),
    ...(seq === 17 ? { final: true } : {}),
  }));
}

async function run(source: unknown[], batchSize: number, lakePath: string) {
  return runPipeline(
    { modality: "steps", records: source },
    {
      matchId: "m1",
      lakePath,
      readerSource: "test",
      batchSize,
      automation: false,
      modalities: [...MODALITIES, STEPS],
      extractors: { ...EXTRACTORS, steps: (c) => stepsExtractor(c.windowMs) },
      tables: [STEP_WINDOWS],
    },
  );
}

describe("a modality added to the registry, on one machine", () => {
  it("runs end to end: its stream, mapping and handler, rows in its table, bad samples quarantined, every sample accounted", async () => {
    const lakePath = join(dir, "steps.duckdb");
    // Out of order, as PutRecords retries can deliver them: the sequencer restores the order.
    const p1 = records("p1");
    const source = [...records("p2"), p1[1], p1[0], ...p1.slice(2)];
    const result = await run(source, 7, lakePath);
    expect(result.modality).toBe("steps");
    expect(result.handler.recordsApplied).toBe(36);
    const a = accounting(result);
    expect(a).toMatchObject({ samplesIn: 360, inWindows: 359, quarantined: 1, balanced: true });
    const lake = await DuckDbLake.open(lakePath, { readOnly: true, tables: [STEP_WINDOWS] });
    const rows = await lake.queryObjects<{ player_id: string; samples: number; steps: number }>(
      "SELECT player_id, samples, steps FROM test_step_windows ORDER BY player_id, window_start",
    );
    expect(rows).toEqual([
      { player_id: "p1", samples: 59, steps: 118 },
      { player_id: "p1", samples: 60, steps: 120 },
      { player_id: "p1", samples: 60, steps: 120 },
      { player_id: "p2", samples: 60, steps: 120 },
      { player_id: "p2", samples: 60, steps: 120 },
      { player_id: "p2", samples: 60, steps: 120 },
    ]);
    const q = await lake.queryObjects<{ source: string; record_ref: string; reason: string; sample_count: number }>(
      "SELECT source, record_ref, reason, sample_count FROM quarantine",
    );
    expect(q).toEqual([
      {
        source: "steps-features",
        record_ref: "steps:m1/p1#4@3",
        reason: "1 sample(s) from index 3: more than 10 steps in a second",
        sample_count: 1,
      },
    ]);
    lake.close();
  }, 60_000);

  it("gives identical rows with one record per invocation and with all of them", async () => {
    const tables = [];
    for (const size of [1, 100]) {
      const lakePath = join(dir, `steps-${size}.duckdb`);
      await run([...records("p1"), ...records("p2")], size, lakePath);
      const lake = await DuckDbLake.open(lakePath, { readOnly: true, tables: [STEP_WINDOWS] });
      tables.push(await lake.query("SELECT * FROM test_step_windows ORDER BY ALL"));
      lake.close();
    }
    expect(tables[1]).toEqual(tables[0]);
  }, 60_000);
});

describe("the event source mapping's on-failure destination, on one machine", () => {
  it("quarantines a batch whose retries ran out with the samples it held and a reference from its content", async () => {
    const lakePath = join(dir, "poison.duckdb");
    // A fault that cannot be caused otherwise: an extractor step that throws on one player's records.
    const poisoned = (windowMs: number) => {
      const x = stepsExtractor(windowMs);
      return {
        ...x,
        begin: () => {
          const b = x.begin();
          return {
            apply: (...args: Parameters<typeof b.apply>) => {
              if (args[1].player_id === "poison") throw new Error("cannot apply");
              b.apply(...args);
            },
          };
        },
      };
    };
    const result = await runPipeline(
      { modality: "steps", records: [...records("p2"), ...records("poison").slice(0, 2)] },
      {
        matchId: "m1",
        lakePath,
        readerSource: "test",
        batchSize: 100,
        automation: false,
        modalities: [...MODALITIES, STEPS],
        extractors: { ...EXTRACTORS, steps: (c) => poisoned(c.windowMs) },
        tables: [STEP_WINDOWS],
      },
    );
    const a = accounting(result);
    expect(a).toMatchObject({ samplesIn: 200, inWindows: 180, quarantined: 20, balanced: true });
    const lake = await DuckDbLake.open(lakePath, { readOnly: true, tables: [STEP_WINDOWS] });
    const q = await lake.queryObjects<{ source: string; record_ref: string; sample_count: number; reason: string }>(
      "SELECT source, record_ref, sample_count, reason FROM quarantine ORDER BY record_ref",
    );
    lake.close();
    expect(q.map((r) => [r.source, r.record_ref, r.sample_count])).toEqual([
      ["event-source-mapping", "steps:m1/poison#0", 10],
      ["event-source-mapping", "steps:m1/poison#1", 10],
    ]);
    expect(q[0]!.reason).toMatch(/^retries exhausted after \d+ attempts: /);
  }, 60_000);
});
