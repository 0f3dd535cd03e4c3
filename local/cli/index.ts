/**
 * `sideline`: the embedded runtime's command line.
 *   sideline demo [--minutes N] [--seed N] [--lake PATH] [--batch-size N] [--window-s S] [--shards N]
 *   sideline run <files...> --format long-csv|metrica [--match-id ID] [--lake PATH] [--batch-size N] ...
 *   sideline sql "<query>" [--lake PATH] [--format csv|json|table]
 *   sideline explain <insight-id> [--lake PATH]
 *   sideline decide <task-token> approve|reject [--reason TEXT] [--lake PATH]
 */
import { existsSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { DEFAULT_WINDOW_MS } from "../../lambdas/core/tracking/thresholds.js";
import { readLongCsv } from "../../producers/readers/long-csv.js";
import { readMetrica } from "../../producers/readers/metrica.js";
import { type ReaderItem, TRACKING_FORMATS, type TrackingFormat } from "../../producers/readers/types.js";
import { sendToKinesis } from "../../producers/send-kinesis.js";
import { LocalAutomation } from "../automation.js";
import { demoLoadHistory } from "../demo/demo-history.js";
import { DemoMatch } from "../demo/demo-match.js";
import { LocalEventBus } from "../emulators/bus.js";
import { DEFAULT_NEEDS_PATH, loadNeeds } from "../needs.js";
import {
  DEFAULT_LAKE_PATH,
  type PipelineResult,
  type PipelineSource,
  REPLAY_CHUNK_MS,
  runPipeline,
} from "../runtime.js";
import { decideOnAws } from "./decide-aws.js";
import { explainInsight } from "./explain.js";
import { formatResult, OUTPUT_FORMATS, type OutputFormat } from "./format.js";
import { importLoads } from "./loads.js";
import { accounting, renderSummary } from "./summary.js";

export const USAGE = `usage: sideline <command> [options]

commands:
  demo                      generate a seeded 90-minute match and run it through the whole pipeline
      --minutes N           match length in minutes (default 90)
      --seed N              random seed (default 7)
  run <files...>            run provider files through the same pipeline
      --format F            long-csv | metrica (required; metrica takes the home then the away file)
      --match-id ID         match identifier (default: the first file's name)
      --kickoff ISO         kick-off time for formats that count seconds from it (default 1970-01-01T00:00:00Z)
      --auto-approve        approve every scout decision at once (otherwise they wait: see decide)
  sql "<query>"             query the lake (DuckDB SQL)
      --format F            table | csv | json (default table)
  loads <file.csv>          import session loads (player_id,date,load[,minutes][,session_id]; load = distance, m)
                            into player_loads: the history of the acute:chronic workload ratio
  explain <insight-id>      why an insight fired: its rule, features, windows and picture
  decide <token> approve|reject|hold
                            answer a scout decision a scouting workflow waits for (pending_decisions);
                            hold is a heartbeat: the wait stays open another 3 days (14 at most in all)
      --reason TEXT         why (kept in scouting_decisions and the CRM follow-up)
      --target aws          answer a deployed workflow (SendTaskSuccess; --region, --endpoint)

options for demo and run:
  --lake PATH               the DuckDB lake (default ${DEFAULT_LAKE_PATH})
  --batch-size N            most stream records per handler invocation, 1-10000 (default 100)
  --batching-window-ms N    event source mapping batching window (default 0)
  --window-s S              feature window in seconds (default ${DEFAULT_WINDOW_MS / 1000})
  --shards N                Kinesis shards (default 1)
  --chunk-s S               seconds of play per stream record (default ${REPLAY_CHUNK_MS / 1000})
  --target local|aws        local: the embedded pipeline (default); aws: put records on a deployed stream
  --stream NAME             with --target aws: the Kinesis stream, e.g. sideline-tracking-dev
  --region R, --endpoint U  with --target aws: region, or a Kinesis-compatible endpoint (LocalStack)
  --needs PATH              the club's scouting needs (default config/scouting-needs.json)
  --medical-cooldown-h H    hours a player's medical alerts are suppressed after one is sent (default 12)
  --quiet                   no progress line
  --verbose                 log each quarantined record

environment:
  SIDELINE_CRM_URL          the CRM webhook the workflows POST to; unset: requests go to the crm_outbox table
  SIDELINE_CRM_TOKEN        sent as Authorization: Bearer <token> (never printed or stored)`;

class UsageError extends Error {}

function intOption(v: string | undefined, name: string, def: number, min: number, max: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${v}'`);
  return n;
}

const PIPELINE_OPTIONS = {
  lake: { type: "string" },
  "batch-size": { type: "string" },
  "batching-window-ms": { type: "string" },
  "window-s": { type: "string" },
  shards: { type: "string" },
  "chunk-s": { type: "string" },
  quiet: { type: "boolean" },
  verbose: { type: "boolean" },
  target: { type: "string" },
  stream: { type: "string" },
  region: { type: "string" },
  endpoint: { type: "string" },
  needs: { type: "string" },
  "medical-cooldown-h": { type: "string" },
} as const;

/** Automation settings from the options and the environment (the CRM token only from the environment). */
function automationOptions(v: Record<string, string | boolean | undefined>, autoApprove: boolean) {
  return {
    autoApprove,
    medicalCooldownHours: intOption(
      v["medical-cooldown-h"] as string | undefined,
      "medical-cooldown-h",
      12,
      0,
      24 * 28,
    ),
    crm: { url: process.env.SIDELINE_CRM_URL || undefined, token: process.env.SIDELINE_CRM_TOKEN || undefined },
  };
}

/** `--target aws`: sends the records to a deployed stream instead of the embedded pipeline. */
async function sendIfAws(
  v: Record<string, string | boolean | undefined>,
  source: PipelineSource,
  matchId: string,
  readerSource: string,
): Promise<number | null> {
  const target = (v.target as string | undefined) ?? "local";
  if (target === "local") return null;
  if (target !== "aws") throw new UsageError(`unknown target '${target}': expected local or aws`);
  const streamName = v.stream as string | undefined;
  if (!streamName) throw new UsageError("--target aws needs --stream (the deployed tracking stream's name)");
  const opts = pipelineOptions(v);
  const r = await sendToKinesis(source, {
    streamName,
    matchId,
    chunkMs: opts.chunkMs,
    lakePath: opts.lakePath,
    readerSource,
    ...(v.endpoint ? { endpoint: v.endpoint as string } : {}),
    ...(v.region ? { region: v.region as string } : {}),
  });
  process.stdout.write(
    `sent ${r.samplesSent.toLocaleString("en-US")} samples of ${matchId} to ${streamName} in ` +
      `${r.producer.records.toLocaleString("en-US")} records (${r.producer.requests} PutRecords, ` +
      `${r.producer.retriedRecords} retried) in ${(r.durationMs / 1000).toFixed(1)} s; ` +
      `${r.readerQuarantinedSamples} samples quarantined in ${opts.lakePath}\n`,
  );
  return 0;
}

function pipelineOptions(v: Record<string, string | boolean | undefined>) {
  return {
    lakePath: (v.lake as string | undefined) ?? DEFAULT_LAKE_PATH,
    batchSize: intOption(v["batch-size"] as string | undefined, "batch-size", 100, 1, 10_000),
    batchingWindowMs: intOption(v["batching-window-ms"] as string | undefined, "batching-window-ms", 0, 0, 300_000),
    windowMs: intOption(v["window-s"] as string | undefined, "window-s", DEFAULT_WINDOW_MS / 1000, 1, 3600) * 1000,
    shards: intOption(v.shards as string | undefined, "shards", 1, 1, 64),
    chunkMs: intOption(v["chunk-s"] as string | undefined, "chunk-s", REPLAY_CHUNK_MS / 1000, 1, 40) * 1000,
  };
}

function progressPrinter(quiet: boolean, describe: (samples: number) => string) {
  const tty = process.stderr.isTTY === true;
  let lastLine = 0;
  return {
    update(samples: number, windows: number, insights: number) {
      if (quiet) return;
      const text = `${describe(samples)} · ${windows.toLocaleString("en-US")} windows · ${insights} insights`;
      if (tty) process.stderr.write(`\r\u001b[2K${text}`);
      else if (Date.now() - lastLine > 2000) {
        lastLine = Date.now();
        process.stderr.write(`${text}\n`);
      }
    },
    done() {
      if (!quiet && tty) process.stderr.write("\r\u001b[2K");
    },
  };
}

async function finish(result: PipelineResult): Promise<number> {
  const lake = await DuckDbLake.open(result.lakePath);
  try {
    process.stdout.write(`${await renderSummary(lake, result)}\n`);
  } finally {
    lake.close();
  }
  return accounting(result).balanced ? 0 : 3;
}

async function demo(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...PIPELINE_OPTIONS,
      minutes: { type: "string" },
      seed: { type: "string" },
      "auto-approve": { type: "boolean" },
    },
    strict: true,
  });
  const opts = pipelineOptions(values);
  const minutes = intOption(values.minutes, "minutes", 90, 1, 150);
  const seed = intOption(values.seed, "seed", 7, 0, 2 ** 31 - 1);
  const match = new DemoMatch({ minutes, seed });
  const needs = loadNeeds(values.needs ?? DEFAULT_NEEDS_PATH);
  const sent = await sendIfAws(values, { chunks: match.chunks(opts.chunkMs) }, match.matchId, "demo");
  if (sent !== null) return sent;
  const perMinute = (match.players.length + 1) * 25 * 60;
  const progress = progressPrinter(
    values.quiet === true,
    (s) => `demo ${match.matchId}: minute ${Math.min(minutes, Math.floor(s / perMinute))}/${minutes}`,
  );
  process.stderr.write(
    `sideline demo: ${match.players.length} players + ball, 25 Hz, ${minutes} min -> kinesalite -> tracking-features -> ${opts.lakePath}\n`,
  );
  // Five weeks of imported training load, so the acute:chronic ratio has a chronic base.
  const history = await DuckDbLake.open(opts.lakePath);
  try {
    await history.put(
      "player_loads",
      demoLoadHistory(
        match.players.map((p) => p.playerId),
        match.kickoffMs,
        seed,
      ),
    );
  } finally {
    history.close();
  }
  const result = await runPipeline(
    { chunks: match.chunks(opts.chunkMs) },
    {
      ...opts,
      matchId: match.matchId,
      readerSource: "demo",
      needs,
      automation: automationOptions(values, values["auto-approve"] === true),
      onProgress: (p) => progress.update(p.samplesRead, p.windowsWritten, p.insightsWritten),
    },
  );
  progress.done();
  return finish(result);
}

function readerFor(format: TrackingFormat, files: readonly string[], kickoffMs: number): AsyncIterable<ReaderItem> {
  return {
    async *[Symbol.asyncIterator]() {
      for (const [i, f] of files.entries()) {
        if (format === "long-csv") yield* readLongCsv(f);
        else yield* readMetrica(f, { kickoffMs, includeBall: i === 0 });
      }
    },
  };
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...PIPELINE_OPTIONS,
      format: { type: "string" },
      "match-id": { type: "string" },
      kickoff: { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length === 0) throw new UsageError("run needs at least one file");
  const format = values.format as TrackingFormat | undefined;
  if (!format) throw new UsageError(`run needs --format (${TRACKING_FORMATS.join(" or ")})`);
  if (!TRACKING_FORMATS.includes(format)) {
    throw new UsageError(`unknown format '${format}': expected ${TRACKING_FORMATS.join(" or ")}`);
  }
  for (const f of positionals) if (!existsSync(f)) throw new Error(`cannot read '${f}': no such file`);
  const kickoffMs = values.kickoff === undefined ? 0 : Date.parse(values.kickoff);
  if (!Number.isFinite(kickoffMs)) throw new UsageError(`--kickoff must be an ISO 8601 time, got '${values.kickoff}'`);
  const opts = pipelineOptions(values);
  const matchId = values["match-id"] ?? basename(positionals[0]!).replace(/\.(csv|txt)(\.gz)?$/i, "");
  const progress = progressPrinter(values.quiet === true, (s) => `${matchId}: ${s.toLocaleString("en-US")} samples`);
  const source: PipelineSource = { items: readerFor(format, positionals, kickoffMs) };
  const sent = await sendIfAws(values, source, matchId, `reader:${format}`);
  if (sent !== null) return sent;
  const result = await runPipeline(source, {
    ...opts,
    matchId,
    readerSource: `reader:${format}`,
    needs: loadNeeds(values.needs ?? DEFAULT_NEEDS_PATH),
    automation: automationOptions(values, false),
    onProgress: (p) => progress.update(p.samplesRead, p.windowsWritten, p.insightsWritten),
  });
  progress.done();
  return finish(result);
}

async function sql(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { lake: { type: "string" }, format: { type: "string" } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1)
    throw new UsageError('sql takes exactly one query, in quotes: sideline sql "SELECT ..."');
  const format = (values.format ?? "table") as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format))
    throw new UsageError(`unknown output format '${format}': expected ${OUTPUT_FORMATS.join(", ")}`);
  const lake = await DuckDbLake.open(existingLake(values.lake ?? DEFAULT_LAKE_PATH), { readOnly: true });
  try {
    const result = await lake.query(positionals[0]!).catch((e: Error) => {
      throw new Error(e.message.split("\n")[0]);
    });
    process.stdout.write(`${formatResult(result, format)}\n`);
  } finally {
    lake.close();
  }
  return 0;
}

function existingLake(path: string): string {
  if (!existsSync(path))
    throw new Error(`cannot open lake '${path}': no such file (run 'sideline demo' first, or pass --lake)`);
  return path;
}

async function loads(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { lake: { type: "string" } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError("loads takes one CSV file: sideline loads <file.csv>");
  const file = positionals[0]!;
  if (!existsSync(file)) throw new Error(`cannot read '${file}': no such file`);
  const lake = await DuckDbLake.open(values.lake ?? DEFAULT_LAKE_PATH);
  try {
    const r = await importLoads(lake, file);
    process.stdout.write(
      `${r.lines} lines: ${r.sessions} sessions for ${r.players} players imported into player_loads, ` +
        `${r.quarantined} quarantined${r.quarantined ? " (sideline sql \"SELECT record_ref, reason FROM quarantine WHERE source = 'reader:loads'\")" : ""}\n`,
    );
    return 0;
  } finally {
    lake.close();
  }
}

async function explain(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { lake: { type: "string" } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError("explain takes one insight id: sideline explain <insight-id>");
  const lake = await DuckDbLake.open(existingLake(values.lake ?? DEFAULT_LAKE_PATH), { readOnly: true });
  try {
    process.stdout.write(`${await explainInsight(lake, positionals[0]!, (u) => fileURLToPath(u))}\n`);
  } finally {
    lake.close();
  }
  return 0;
}

async function decide(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      lake: { type: "string" },
      reason: { type: "string" },
      "medical-cooldown-h": { type: "string" },
      target: { type: "string" },
      region: { type: "string" },
      endpoint: { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  const [token, verdict] = positionals;
  if (!token || (verdict !== "approve" && verdict !== "reject" && verdict !== "hold") || positionals.length !== 2)
    throw new UsageError(
      "decide takes a task token and approve, reject or hold: sideline decide <token> approve|reject|hold",
    );
  const target = values.target ?? "local";
  if (target === "aws") {
    await decideOnAws(token, verdict === "hold" ? "hold" : { decision: verdict, reason: values.reason ?? null }, {
      ...(values.region ? { region: values.region } : {}),
      ...(values.endpoint ? { endpoint: values.endpoint } : {}),
    });
    process.stdout.write(
      verdict === "hold"
        ? "sent a heartbeat to the waiting workflow (SendTaskHeartbeat)\n"
        : `sent ${verdict} to the waiting workflow (SendTaskSuccess)\n`,
    );
    return 0;
  }
  if (target !== "local") throw new UsageError(`unknown target '${target}': expected local or aws`);
  const lake = await DuckDbLake.open(existingLake(values.lake ?? DEFAULT_LAKE_PATH));
  try {
    const automation = new LocalAutomation(lake, new LocalEventBus(), automationOptions(values, false));
    if (verdict === "hold") {
      const until = await automation.workflows.heartbeat(token);
      process.stdout.write(`still waiting: the decision is now due by ${until.toISOString()}\n`);
      return 0;
    }
    const run = await automation.workflows.decide(token, { decision: verdict, reason: values.reason ?? null });
    await automation.drain();
    const crm = automation.crm.stats.requests.map((r) => `${r.operation} ${r.player_id} (${r.status})`);
    process.stdout.write(
      `${run.executionName}: ${run.status}${run.error ? ` (${run.error})` : ""}` +
        `${crm.length ? `; CRM: ${crm.join(", ")}` : ""}\n`,
    );
    return run.status === "SUCCEEDED" ? 0 : 1;
  } finally {
    lake.close();
  }
}

/** Runs one command; returns the exit code. Errors are one line on stderr. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "demo":
        return await demo(rest);
      case "run":
        return await run(rest);
      case "sql":
        return await sql(rest);
      case "explain":
        return await explain(rest);
      case "loads":
        return await loads(rest);
      case "decide":
        return await decide(rest);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (e) {
    const err = e as Error & { code?: string };
    const usage = e instanceof UsageError || err.code?.startsWith("ERR_PARSE_ARGS");
    process.stderr.write(`sideline: error: ${err.message.split("\n")[0]}\n`);
    if (usage) process.stderr.write("run 'sideline help' for usage\n");
    return usage ? 2 : 1;
  }
}
