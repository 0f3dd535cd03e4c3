import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { accounting } from "../../local/cli/summary.js";
import { DemoMatch, demoMatchSource } from "../../local/demo/demo-match.js";
import { type Progress, runPipeline } from "../../local/pipeline.js";
import { readLongCsv } from "../../producers/readers/long-csv.js";

// The whole embedded pipeline: kinesalite, the real Kinesis client, the event source mapping
// emulator, the Lambda handler, the DuckDB lake and the local bus.
const dir = mkdtempSync(join(tmpdir(), "sideline-pipeline-"));

/** A demo match's players (not the ball) as long-csv lines, epoch seconds. */
function longCsv(match: DemoMatch): string[] {
  const lines = ["timestamp,player_id,x,y,team"];
  for (const item of match.samples()) {
    if (item.kind !== "sample" || item.sample.entity === "ball") continue;
    const s = item.sample;
    lines.push(`${(s.t / 1000).toFixed(3)},${s.playerId},${s.x.toFixed(3)},${s.y.toFixed(3)},${s.team}`);
  }
  return lines;
}

async function lakeRows(lakePath: string, sql: string) {
  const lake = await DuckDbLake.open(lakePath, { readOnly: true });
  try {
    return await lake.query(sql);
  } finally {
    lake.close();
  }
}

const count = async (lakePath: string, table: string) =>
  Number((await lakeRows(lakePath, `SELECT count(*) FROM ${table}`)).rows[0]![0]);

describe("embedded pipeline, end to end", () => {
  it("keeps count in = rows accounted + quarantined on a file with corrupted lines", async () => {
    const match = new DemoMatch({ minutes: 3, seed: 11 });
    const lines = longCsv(match);
    const total = lines.length - 1;
    lines.splice(500, 0, "garbage line");
    lines.splice(900, 0, `${(match.kickoffMs / 1000 + 30).toFixed(3)},home_3,NaN,12,home`);
    lines.splice(1500, 0, `${(match.kickoffMs / 1000 + 50).toFixed(3)},home_4,900,12,home`);
    lines.splice(5000, 0, `${(match.kickoffMs / 1000).toFixed(3)},home_5,10,12,home`);
    const file = join(dir, "corrupt.csv");
    writeFileSync(file, `${lines.join("\n")}\n`);

    const lakePath = join(dir, "corrupt.duckdb");
    const result = await runPipeline(
      { items: readLongCsv(file) },
      { matchId: "corrupt", lakePath, readerSource: "reader:long-csv" },
    );
    const a = accounting(result);
    expect(a.samplesIn).toBe(total + 4);
    expect(a.quarantined).toBe(4);
    expect(a.balanced).toBe(true);
    // The two lines the reader rejected are counted as quarantined records (the summary's Rows line).
    expect(result.readerQuarantinedRows).toBe(2);
    const lake = await DuckDbLake.open(lakePath, { readOnly: true });
    const q = await lake.queryObjects<{ source: string; reason: string }>(
      "SELECT source, reason FROM quarantine ORDER BY reason",
    );
    expect(q.map((r) => r.source).sort()).toEqual([
      "reader:long-csv",
      "reader:long-csv",
      "tracking-features",
      "tracking-features",
    ]);
    expect(q.map((r) => r.reason.replace(/index \d+/, "index N"))).toEqual([
      "1 sample(s) from index N: coordinates far outside the 105 x 68 m pitch",
      "1 sample(s) from index N: time runs backwards by more than 200 ms",
      "expected 5 columns, got 1",
      "non-finite coordinate (x='NaN', y='12')",
    ]);
    lake.close();
  }, 60_000);

  it("reads files in a worker thread with the same records, rejects, accounting and stopping place as on the main thread", async () => {
    const match = new DemoMatch({ minutes: 1, seed: 13 });
    const lines = longCsv(match);
    lines.splice(300, 0, "garbage line");
    lines.splice(600, 0, `${(match.kickoffMs / 1000 + 30).toFixed(3)},home_3,NaN,12,home`);
    const text = `${lines.join("\n")}\n`;
    const plain = join(dir, "worker.csv");
    writeFileSync(plain, text);
    const gz = gzipSync(text);
    const cut = join(dir, "worker-cut.csv.gz");
    writeFileSync(cut, gz.subarray(0, Math.floor(gz.length * 0.7)));
    for (const file of [plain, cut]) {
      const runs = [];
      for (const readInWorker of [false, true]) {
        const lakePath = join(dir, `worker-${readInWorker}-${file.endsWith(".gz") ? "cut" : "whole"}.duckdb`);
        const reports: Progress[] = [];
        const result = await runPipeline(
          {
            read: { format: "long-csv", files: [file], settings: { kickoffMs: Number.NaN, timeZone: "UTC" } },
            modality: "tracking",
          },
          {
            matchId: "w",
            lakePath,
            readerSource: "reader:long-csv",
            chunkMs: 5000,
            automation: false,
            transport: "in-process",
            readInWorker,
            onProgress: (p) => reports.push(p),
          },
        );
        expect(result.readThread).toBe(readInWorker ? "worker" : "main");
        runs.push({
          accounting: accounting(result),
          incomplete: result.incomplete,
          sessions: result.sessions,
          records: result.producer.records,
          samplesRead: reports.at(-1)!.samplesRead,
          windows: await lakeRows(lakePath, "SELECT * FROM player_windows ORDER BY player_id, window_start"),
          quarantine: await lakeRows(
            lakePath,
            "SELECT source, record_ref, reason, sample_count, payload FROM quarantine ORDER BY record_ref",
          ),
        });
      }
      expect(runs[1]).toEqual(runs[0]);
      // The whole file balances; the cut one stops where the gzip data ends, its windows left open.
      if (file === plain) expect(runs[0]!.accounting.balanced).toBe(true);
      else expect(runs[0]!.incomplete?.reason).toBe("the gzip data ends early (unexpected end of file)");
      expect(runs[0]!.quarantine.rows.length).toBeGreaterThan(0);
    }
  }, 60_000);

  it("generates the demo match in a worker thread with the records the main thread generates", async () => {
    const runs = [];
    for (const readInWorker of [false, true]) {
      const lakePath = join(dir, `generated-${readInWorker}.duckdb`);
      const result = await runPipeline(demoMatchSource({ minutes: 1, seed: 9 }, 5000), {
        matchId: "demo-9",
        lakePath,
        readerSource: "demo",
        automation: false,
        transport: "in-process",
        readInWorker,
      });
      expect(result.readThread).toBe(readInWorker ? "worker" : "main");
      runs.push({
        samplesIn: result.samplesIn,
        records: result.producer.records,
        balanced: accounting(result).balanced,
        windows: await lakeRows(lakePath, "SELECT * FROM player_windows ORDER BY player_id, window_start"),
      });
    }
    expect(runs[0]!.balanced).toBe(true);
    expect(runs[1]).toEqual(runs[0]);
  }, 60_000);

  it("gives identical rows with one record per invocation and with 1,000, and its last progress report agrees with the lake", async () => {
    const tables = [];
    for (const batchSize of [1, 1000]) {
      const match = new DemoMatch({ minutes: 3, seed: 5 });
      const lakePath = join(dir, `batch-${batchSize}.duckdb`);
      const reports: Progress[] = [];
      await runPipeline(
        { chunks: match.chunks(5000) },
        { matchId: match.matchId, lakePath, readerSource: "demo", batchSize, onProgress: (p) => reports.push(p) },
      );
      const table = await lakeRows(lakePath, "SELECT * FROM player_windows ORDER BY player_id, window_start");
      tables.push(table);
      // The last report comes after the drain: the windows this run wrote are the lake's rows.
      expect(reports.at(-1)).toMatchObject({ final: true, windowsWritten: table.rows.length });
      expect(reports.filter((p) => p.final)).toHaveLength(1);
    }
    expect(tables[0]!.rows.length).toBe(22 * 4); // 1.5 min halves straddle two minute windows each
    expect(tables[1]).toEqual(tables[0]);
  }, 60_000);

  it("stops at a truncated file without completing any match, and a rerun of the whole file completes it idempotently", async () => {
    // GIVEN a two-minute match as a gzip long CSV, whole and cut at 60%
    const match = new DemoMatch({ minutes: 2, seed: 3 });
    const whole = gzipSync(`${longCsv(match).join("\n")}\n`);
    const wholeFile = join(dir, "whole.csv.gz");
    const cutFile = join(dir, "cut.csv.gz");
    writeFileSync(wholeFile, whole);
    writeFileSync(cutFile, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const run = async (file: string, lakePath: string) => {
      const reports: Progress[] = [];
      const result = await runPipeline(
        { items: readLongCsv(file) },
        {
          matchId: "m",
          lakePath,
          readerSource: "reader:long-csv",
          chunkMs: 5000, // so that the records before the cut close windows
          automation: false,
          onProgress: (p) => reports.push(p),
        },
      );
      return { result, last: reports.at(-1)! };
    };
    const fresh = join(dir, "fresh.duckdb");
    const reference = await run(wholeFile, fresh);
    expect(reference.result.incomplete).toBeNull();
    expect(await count(fresh, "player_match_profiles")).toBe(22);

    // WHEN the cut file runs
    const lakePath = join(dir, "rerun.duckdb");
    const cut = await run(cutFile, lakePath);
    // THEN the run is incomplete, says where, and nothing was marked final
    expect(cut.result.incomplete).toMatchObject({
      file: cutFile,
      reason: "the gzip data ends early (unexpected end of file)",
    });
    expect(cut.result.incomplete!.linesRead).toBeGreaterThan(1000);
    expect(cut.result.incomplete!.message).toMatch(/^cannot read '.*cut\.csv\.gz' after line [\d,]+: /);
    expect(cut.result.profiles).toBe(0);
    expect(await count(lakePath, "player_match_profiles")).toBe(0);
    expect(await count(lakePath, "player_loads")).toBe(0);
    const partial = await count(lakePath, "player_windows");
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(reference.result.windows);
    expect(accounting(cut.result).notWritten).toBeGreaterThan(0);
    expect(cut.last).toMatchObject({ final: true, windowsWritten: partial });

    // WHEN the whole file runs again on the same lake
    const again = await run(wholeFile, lakePath);
    // THEN it completes with the fresh run's rows, no duplicates, and its progress agrees with the lake
    expect(again.result.incomplete).toBeNull();
    expect(accounting(again.result).balanced).toBe(true);
    const sql = "SELECT * FROM player_windows ORDER BY player_id, window_start";
    expect(await lakeRows(lakePath, sql)).toEqual(await lakeRows(fresh, sql));
    expect(await count(lakePath, "player_match_profiles")).toBe(22);
    expect(again.last).toMatchObject({ final: true, windowsWritten: reference.result.windows });
  }, 60_000);
});
