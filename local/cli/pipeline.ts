/** What `demo` and `run` share: the pipeline's options, `--target aws`, the progress line and the ending. */
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { AUTOMATION_DEFAULTS, STREAM_MAPPING_DEFAULTS } from "../../lambdas/contracts/defaults.js";
import type { PitchDimensions } from "../../lambdas/contracts/pitch.js";
import { DEFAULT_WINDOW_MS } from "../../lambdas/core/tracking/thresholds.js";
import type { ProduceSource } from "../../producers/produce.js";
import { sendToKinesis } from "../../producers/send-kinesis.js";
import { DEFAULT_LAKE_PATH, type PipelineResult, type Progress, REPLAY_CHUNK_MS } from "../pipeline.js";
import { STREAM_TRANSPORTS, type StreamTransportKind } from "../runtime.js";
import { EXIT } from "./exit-codes.js";
import { intOption, numberOption, stringValue, UsageError } from "./options.js";
import { renderSummary, runStatus } from "./summary.js";
import { printable } from "./terminal.js";

/**
 * Above this share of the samples quarantined, a run warns and exits 6: a file that loses a tenth
 * of its samples is most likely in the wrong format, on another pitch size or in another time zone.
 */
export const DEFAULT_MAX_QUARANTINE_SHARE = 0.1;

export const PIPELINE_OPTIONS = {
  lake: { type: "string" },
  "batch-size": { type: "string" },
  "batching-window-ms": { type: "string" },
  "window-s": { type: "string" },
  shards: { type: "string" },
  transport: { type: "string" },
  "chunk-s": { type: "string" },
  "max-quarantine-share": { type: "string" },
  quiet: { type: "boolean" },
  verbose: { type: "boolean" },
  target: { type: "string" },
  stream: { type: "string" },
  region: { type: "string" },
  endpoint: { type: "string" },
  needs: { type: "string" },
  "medical-cooldown-h": { type: "string" },
} as const;

export const PIPELINE_HELP = `pipeline options:
  --lake PATH               the DuckDB lake (default ${DEFAULT_LAKE_PATH})
  --batch-size N            most stream records per handler invocation, 1-10000 (default ${STREAM_MAPPING_DEFAULTS.batchSize})
  --batching-window-ms N    event source mapping batching window, 0-300000 (default 0)
  --window-s S              feature window in seconds, 1-3600 (default ${DEFAULT_WINDOW_MS / 1000})
  --shards N                Kinesis shards, 1-64 (default 1)
  --transport T             in-process: the streams in memory, no HTTP (default, fastest for replays);
                            kinesalite: the Kinesis API over HTTP with the real SDK client
  --chunk-s S               seconds of play per stream record, 1-40 (default ${REPLAY_CHUNK_MS / 1000})
  --max-quarantine-share F  warn and exit 6 when more than this share of the samples is quarantined,
                            0-1 (default ${DEFAULT_MAX_QUARANTINE_SHARE}; 1 never warns)
  --target local|aws        local: the embedded pipeline (default); aws: put records on a deployed stream
  --stream NAME             with --target aws: the Kinesis stream, e.g. sideline-tracking-dev
  --region R, --endpoint U  with --target aws: region, or a Kinesis-compatible endpoint (LocalStack)
  --needs PATH              the club's scouting needs (default: config/scouting-needs.json in Sideline)
  --medical-cooldown-h H    hours a player's alerts of one kind are suppressed after one is sent (default ${AUTOMATION_DEFAULTS.medicalCooldownHours})
  --quiet                   no progress line
  --verbose                 log each quarantined record`;

type Values = Readonly<Record<string, string | boolean | undefined>>;

export function pipelineOptions(v: Values) {
  return {
    lakePath: stringValue(v.lake) ?? DEFAULT_LAKE_PATH,
    batchSize: intOption(stringValue(v["batch-size"]), "batch-size", STREAM_MAPPING_DEFAULTS.batchSize, 1, 10_000),
    batchingWindowMs: intOption(stringValue(v["batching-window-ms"]), "batching-window-ms", 0, 0, 300_000),
    windowMs: intOption(stringValue(v["window-s"]), "window-s", DEFAULT_WINDOW_MS / 1000, 1, 3600) * 1000,
    shards: intOption(stringValue(v.shards), "shards", 1, 1, 64),
    transport: transportOption(stringValue(v.transport)),
    chunkMs: intOption(stringValue(v["chunk-s"]), "chunk-s", REPLAY_CHUNK_MS / 1000, 1, 40) * 1000,
    maxQuarantineShare: numberOption(
      stringValue(v["max-quarantine-share"]),
      "max-quarantine-share",
      DEFAULT_MAX_QUARANTINE_SHARE,
      0,
      1,
    ),
  };
}

/** --transport: where the embedded pipeline's streams are; replays default to the in-process one. */
function transportOption(v: string | undefined): StreamTransportKind {
  if (v === undefined) return "in-process";
  if (!(STREAM_TRANSPORTS as readonly string[]).includes(v))
    throw new UsageError(`unknown transport '${v}': expected ${STREAM_TRANSPORTS.join(" or ")}`);
  return v as StreamTransportKind;
}

/** Automation settings from the options and the environment (the CRM token only from the environment). */
export function automationOptions(v: Values, autoApprove: boolean) {
  return {
    autoApprove,
    medicalCooldownHours: intOption(
      stringValue(v["medical-cooldown-h"]),
      "medical-cooldown-h",
      AUTOMATION_DEFAULTS.medicalCooldownHours,
      0,
      24 * 28,
    ),
    crm: { url: process.env.SIDELINE_CRM_URL || undefined, token: process.env.SIDELINE_CRM_TOKEN || undefined },
  };
}

/** Checks --target before anything is read or written; true for `aws`. */
export function targetsAws(v: Values): boolean {
  const target = stringValue(v.target) ?? "local";
  if (target !== "local" && target !== "aws") throw new UsageError(`unknown target '${target}': expected local or aws`);
  if (target === "aws" && !stringValue(v.stream))
    throw new UsageError("--target aws needs --stream (the deployed stream's name, e.g. sideline-tracking-dev)");
  return target === "aws";
}

/** `--target aws`: sends the records to a deployed stream instead of the embedded pipeline. */
export async function sendToAws(
  v: Values,
  source: ProduceSource,
  matchId: string,
  readerSource: string,
  pitch?: PitchDimensions,
) {
  const streamName = stringValue(v.stream)!;
  const opts = pipelineOptions(v);
  const r = await sendToKinesis(source, {
    streamName,
    matchId,
    chunkMs: opts.chunkMs,
    lakePath: opts.lakePath,
    readerSource,
    ...(pitch ? { pitch } : {}),
    ...(v.endpoint ? { endpoint: stringValue(v.endpoint)! } : {}),
    ...(v.region ? { region: stringValue(v.region)! } : {}),
  });
  process.stdout.write(
    `${printable(
      `sent ${r.samplesSent.toLocaleString("en-US")} samples of ${matchId} to ${streamName} in ` +
        `${r.producer.records.toLocaleString("en-US")} records (${r.producer.requests} PutRecords, ` +
        `${r.producer.retriedRecords} retried) in ${(r.durationMs / 1000).toFixed(1)} s; ` +
        `${r.readerRejectedSamples} samples quarantined in ${opts.lakePath}`,
    )}\n`,
  );
  if (r.incomplete) {
    process.stderr.write(
      `${printable(`sideline: INCOMPLETE: ${r.incomplete.message}; what was read before it was sent, and no player's last chunk was marked final`)}\n`,
    );
    return EXIT.incomplete;
  }
  return 0;
}

/**
 * The progress line on stderr: what was read, and the rows this run has written to the lake. On a
 * terminal it is redrawn in place; otherwise a line every 2 s. The last report is always printed.
 */
export function progressPrinter(quiet: boolean, describe: (p: Progress) => string) {
  const tty = process.stderr.isTTY === true;
  let lastLine = 0;
  return (p: Progress) => {
    if (quiet) return;
    const text = printable(
      `${describe(p)} · ${p.windowsWritten.toLocaleString("en-US")} windows written · ${p.insightsWritten} insights`,
    );
    if (tty) process.stderr.write(`\r\u001b[2K${text}${p.final ? "\n" : ""}`);
    else if (p.final || Date.now() - lastLine > 2000) {
      lastLine = Date.now();
      process.stderr.write(`${text}\n`);
    }
  };
}

/** Prints the summary (and its warnings on stderr); returns the run's exit code. */
export async function finish(result: PipelineResult, maxQuarantineShare: number): Promise<number> {
  const status = runStatus(result, maxQuarantineShare);
  const lake = await DuckDbLake.open(result.lakePath, { readOnly: true });
  try {
    process.stdout.write(`${await renderSummary(lake, result, status)}\n`);
  } finally {
    lake.close();
  }
  for (const w of status.warnings) process.stderr.write(`sideline: ${printable(w)}\n`);
  return status.code;
}
