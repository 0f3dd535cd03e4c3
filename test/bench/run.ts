/**
 * `npm run bench`: one line per figure, `name value`. Ratios are taken within this run, so that
 * a noisy machine moves numerator and denominator together. Not a test: nothing here asserts.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { KinesisStreamRecord } from "aws-lambda";
import { WEARABLES } from "../../lambdas/contracts/modalities.js";
import { hrReference } from "../../lambdas/contracts/squad.js";
import { applyWearableChunk, newWearableState } from "../../lambdas/core/wearables/wearable-windows.js";
import { DEFAULT_SQUAD } from "../../lambdas/functions/extractors.js";
import { DEMO_RETURNING_PLAYER } from "../../local/demo/demo-history.js";
import { DemoMatch } from "../../local/demo/demo-match.js";
import { demoHistoryRecords, demoTrainingWeek } from "../../local/demo/demo-wearables.js";
import { runPipeline } from "../../local/pipeline.js";
import { kinesisRecordFactory } from "../helpers/factories.js";
import {
  bundle,
  coldImport,
  LAMBDA_ENTRIES,
  LAMBDA_IMPORT_ENV,
  LAMBDA_NATIVE_MODULES,
  LAMBDA_RUNTIME_ENV,
  type LambdaName,
} from "./bundle.js";
import { lambdaFigures } from "./lambda.js";
import { limitPass } from "./limit.js";
import { poseFigures } from "./pose-bench.js";
import { replayFigures } from "./replay.js";
import { runCsvFigures } from "./run-csv.js";

const out = (name: string, value: number | string) =>
  console.log(`${name} ${typeof value === "number" ? Number(value.toPrecision(4)) : value}`);
const tmp = mkdtempSync(join(tmpdir(), "sideline-bench-"));
const REPEATS = 7;

function best(fn: () => void): number {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < REPEATS; i++) {
    const t = performance.now();
    fn();
    min = Math.min(min, performance.now() - t);
  }
  return min / 1000;
}

async function handlerFigures(): Promise<void> {
  // The record handler as Lambda runs it: bundled by esbuild with the Lambda's options, not through tsx.
  const entry = join(tmp, "handler-entry.mjs");
  await bundle("test/bench/handler-entry.ts", entry);
  const lib = (await import(entry)) as typeof import("./handler-entry.js");
  // 20 minutes of a match in live 1 s chunks (27,600 records of 25 samples), then in replay 30 s
  // chunks: the difference is the per-record cost (base64, JSON, validation, promise).
  for (const [label, chunkMs] of [
    ["", 1000],
    ["replay_chunks.", 30_000],
  ] as const) {
    await handlerRun(lib, label, chunkMs);
  }
}

async function handlerRun(lib: typeof import("./handler-entry.js"), label: string, chunkMs: number): Promise<void> {
  const match = new DemoMatch({ minutes: 20, seed: 1 });
  const records: KinesisStreamRecord[] = [...match.chunks(chunkMs)].map((c) => kinesisRecordFactory(c));
  const texts = records.map((r) => Buffer.from(r.kinesis.data, "base64").toString("utf8"));
  const samples = texts.reduce((n, t) => n + (JSON.parse(t) as { t: unknown[] }).t.length, 0);
  const noop = { put: async () => undefined, publish: async () => undefined };
  const handlerS = best(() => {
    const visuals = { urlFor: (k: string) => k, put: async () => undefined };
    const inv = new lib.StreamInvocation(lib.trackingExtractor({ windowMs: 60_000, visuals }), {
      sink: noop,
      publisher: noop,
      stateStore: new lib.MemoryStateStore(),
      visuals,
    });
    for (const r of records) void inv.record(r); // the record handler is synchronous work behind a promise
  });
  const jsonS = best(() => {
    for (const t of texts) JSON.parse(t);
  });
  const data = records.map((r) => r.kinesis.data);
  const keys = records.map((r) => r.kinesis.partitionKey);
  const limitS = best(() => limitPass(data, keys));
  out(`bench.handler.${label}records`, records.length);
  out(`bench.handler.${label}samples_per_s`, samples / handlerS);
  out(`bench.handler.${label}json_ceiling_samples_per_s`, samples / jsonS);
  out(`bench.handler.${label}ratio_to_json_ceiling`, jsonS / handlerS);
  out(`bench.handler.${label}limit_samples_per_s`, samples / limitS);
  out(`bench.handler.${label}ratio_to_limit`, limitS / handlerS);
}

/** The demo's training week: the wearable core alone on the vest's samples, then the whole chain on a fresh lake. */
async function wearableFigures(): Promise<void> {
  const match = new DemoMatch({ minutes: 90, seed: 7 });
  const home = match.players.filter((p) => p.team === "home").map((p) => p.playerId);
  const week = demoTrainingWeek(home, match.kickoffMs, 7);
  const vest = [...week.records()].filter((r) => r.imu);
  const imuSamples = vest.reduce((a, r) => a + (r.imu?.t.length ?? 0), 0);
  const ref = hrReference(DEFAULT_SQUAD, DEMO_RETURNING_PLAYER, match.kickoffMs);
  const secs = best(() => {
    const state = newWearableState(60_000);
    for (const r of vest) applyWearableChunk(state, r, ref);
  });
  out("bench.wearables.core_imu_samples_per_s", imuSamples / secs);
  const result = await runPipeline(
    {
      modality: WEARABLES.id,
      records: (function* () {
        yield* demoHistoryRecords(
          match.players.map((p) => p.playerId),
          match.kickoffMs,
          7,
        );
        yield* week.records();
      })(),
    },
    { matchId: "demo-training", lakePath: join(tmp, "wearables.duckdb"), readerSource: "demo", automation: false },
  );
  out("bench.replay.training_week_samples", result.samplesIn);
  out("bench.replay.training_week_s", result.durationMs / 1000);
  out("bench.replay.training_week_samples_per_s", result.samplesIn / (result.durationMs / 1000));
  out("bench.wearables.pipeline_over_core", imuSamples / secs / (result.samplesIn / (result.durationMs / 1000)));
}

async function bundleFigures(): Promise<void> {
  for (const [name, entry] of Object.entries(LAMBDA_ENTRIES) as [LambdaName, string][]) {
    const file = join(tmp, `${name}.mjs`);
    await bundle(entry, file, LAMBDA_NATIVE_MODULES[name]);
    out(`bench.bundle.${name}.bytes`, statSync(file).size);
    const env = { ...LAMBDA_RUNTIME_ENV, ...LAMBDA_IMPORT_ENV[name] };
    const times: number[] = [];
    for (let i = 0; i < REPEATS; i++) times.push((await coldImport(file, env)).ms);
    times.sort((a, b) => a - b);
    out(`bench.bundle.${name}.init_ms`, times[Math.floor(times.length / 2)]!);
  }
}

/** The groups, in the order they run. */
const GROUPS = ["handler", "lambda", "bundle", "replay", "wearables", "pose", "run_csv"] as const;
type Group = (typeof GROUPS)[number];

const FIGURES: Record<Group, () => Promise<void>> = {
  handler: handlerFigures,
  lambda: () => lambdaFigures(out, tmp),
  bundle: bundleFigures,
  replay: () => replayFigures(out, tmp),
  wearables: wearableFigures,
  pose: () => poseFigures(out),
  run_csv: () => runCsvFigures(tmp, out),
};

/**
 * `npm run bench -- handler replay`: only the groups named; all by default. Each group runs in a
 * process of its own, as a command does, so that none inherits another's heap, lake or threads
 * (a replay leaves ~450 MB resident, which slowed the next group by up to a quarter).
 */
const asked = process.argv.slice(2);
const unknown = asked.filter((g) => !(GROUPS as readonly string[]).includes(g));
if (unknown.length > 0) throw new Error(`unknown bench group(s) ${unknown.join(", ")}: expected ${GROUPS.join(", ")}`);
const groups = GROUPS.filter((g) => asked.length === 0 || asked.includes(g));

if (process.env.SIDELINE_BENCH_GROUP) await FIGURES[process.env.SIDELINE_BENCH_GROUP as Group]();
else {
  out(
    "bench.machine",
    `${cpus().length}x_${(cpus()[0]?.model ?? "cpu").replace(/\s+/g, "_")}_${Math.round(totalmem() / 2 ** 30)}GiB_node${process.versions.node}`,
  );
  for (const g of groups) {
    const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
      stdio: "inherit",
      env: { ...process.env, SIDELINE_BENCH_GROUP: g },
    });
    if (r.status !== 0) throw new Error(`bench group ${g} failed (exit ${r.status ?? r.signal})`);
  }
}
