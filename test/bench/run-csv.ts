/**
 * `sideline run --format long-csv` figures: the 90-minute demo match written as a gzip long CSV (as
 * tracking exports usually come; the bench writes it, ~3.1 M samples) and the Tromsø file, each
 * through the reader and the embedded pipeline exactly as the command runs them.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { createGzip } from "node:zlib";
import { DemoMatch } from "../../local/demo/demo-match.js";
import { loadNeeds } from "../../local/needs.js";
import { runPipeline } from "../../local/pipeline.js";

/**
 * What issue 12 measured for a numpy/pandas script doing the same velocity, Savitzky-Golay and
 * speed-band work end to end on this machine: 0.5-0.6 M samples/s. Used only where python3 with
 * numpy and scipy is missing; otherwise ./numpy_reference.py runs on the same file in the same run.
 */
export const NUMPY_REFERENCE_SAMPLES_PER_S = 0.55e6;

/** ./numpy_reference.py on `file`, timed from its first read to its last write; null without python3, numpy and scipy. */
function numpyReference(file: string, tmp: string): { samples: number; s: number } | null {
  const r = spawnSync(
    "python3",
    [fileURLToPath(new URL("./numpy_reference.py", import.meta.url)), file, join(tmp, "numpy-windows.csv")],
    {
      encoding: "utf8",
    },
  );
  if (r.status !== 0) return null;
  const [samples, s] = r.stdout.trim().split(/\s+/).map(Number);
  return samples && s ? { samples, s } : null;
}
export const TROMSO_CSV = "/work/shared/datasets/tromso-zxy-2013-11-07.csv.gz";

/** The demo match as `timestamp,player_id,x,y,team` lines: epoch seconds and metres with 3 decimals. */
export async function writeDemoCsv(file: string): Promise<number> {
  const match = new DemoMatch({ minutes: 90, seed: 7 });
  let samples = 0;
  async function* lines() {
    yield "timestamp,player_id,x,y,team\n";
    for (const c of match.chunks(30_000)) {
      let s = "";
      for (let i = 0; i < c.t.length; i++)
        s += `${((c.t0 + c.t[i]!) / 1000).toFixed(3)},${c.player_id},${(c.x_mm[i]! / 1000).toFixed(3)},${(c.y_mm[i]! / 1000).toFixed(3)},${c.team ?? ""}\n`;
      samples += c.t.length;
      yield s;
    }
  }
  await pipeline(lines(), createGzip(), createWriteStream(file));
  return samples;
}

async function runCsv(file: string, lakePath: string, matchId: string) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = await runPipeline(
    {
      read: { format: "long-csv", files: [file], settings: { kickoffMs: Number.NaN, timeZone: "UTC" } },
      modality: "tracking",
    },
    // The stream `sideline run` uses by default (local/cli/pipeline.ts): in process.
    {
      matchId,
      lakePath,
      readerSource: "reader:long-csv",
      needs: loadNeeds(),
      automation: false,
      transport: "in-process",
    },
  );
  const used = process.cpuUsage(cpu);
  return { samples: result.samplesIn, s: (performance.now() - started) / 1000, cpuS: (used.user + used.system) / 1e6 };
}

/**
 * Rounds of `sideline run` and the numpy script, alternating: the machine's speed drifts within
 * seconds here, so each round's pair is taken back to back, and the best of each is reported.
 */
const ROUNDS = 3;

export async function runCsvFigures(tmp: string, out: (name: string, value: number | string) => void): Promise<void> {
  const file = join(tmp, "demo-match.csv.gz");
  out("bench.run_csv.samples_written", await writeDemoCsv(file));
  let best: Awaited<ReturnType<typeof runCsv>> | null = null;
  let bestNumpy: { samples: number; s: number } | null = null;
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const demo = await runCsv(file, join(tmp, `run-csv-demo-${round}.duckdb`), "demo-csv");
    if (!best || demo.s < best.s) best = demo;
    const numpy = numpyReference(file, tmp);
    if (numpy && (!bestNumpy || numpy.s < bestNumpy.s)) bestNumpy = numpy;
    ratios.push(demo.samples / demo.s / (numpy ? numpy.samples / numpy.s : NUMPY_REFERENCE_SAMPLES_PER_S));
  }
  const demo = best!;
  out("bench.run_csv.samples", demo.samples);
  out("bench.run_csv.full_match_s", demo.s);
  // CPU of every thread (main, the reader's worker, DuckDB's, zlib's, the GC's): two cores bound it at 2x the wall time.
  out("bench.run_csv.full_match_cpu_s", demo.cpuS);
  out("bench.run_csv.samples_per_s", demo.samples / demo.s);
  const reference = bestNumpy ? bestNumpy.samples / bestNumpy.s : NUMPY_REFERENCE_SAMPLES_PER_S;
  out("bench.run_csv.numpy_reference_samples_per_s", bestNumpy ? reference : "unmeasured_no_numpy");
  out("bench.run_csv.ratio_to_numpy_reference", demo.samples / demo.s / reference);
  out("bench.run_csv.ratio_to_numpy_reference_per_round", ratios.map((r) => r.toFixed(2)).join("/"));
  const tromso = await runCsv(TROMSO_CSV, join(tmp, "run-csv-tromso.duckdb"), "tromso");
  out("bench.run_csv.tromso_samples", tromso.samples);
  out("bench.run_csv.tromso_s", tromso.s);
  out("bench.run_csv.tromso_samples_per_s", tromso.samples / tromso.s);
}
