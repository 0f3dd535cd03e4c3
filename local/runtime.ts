/**
 * The embedded pipeline: reader -> chunker -> producer -> Kinesis (kinesalite) -> event source
 * mapping -> tracking-features handler -> DuckDB lake + local bus. The handler is the same code the
 * Lambda runs; only the adapters at the edges differ.
 *
 * Contract with the readers: if reading throws (a truncated or unreadable file), nothing more is
 * produced, what was already put on the stream is drained into the lake, and no player's last chunk
 * is marked final (so no match-complete outputs come from partial data); the result says where the
 * input stopped (`incomplete`). Rows are upserts on their keys, so a rerun of the fixed file
 * replaces them.
 */

import { dirname } from "node:path";
import { DuckDbLake } from "../lambdas/adapters/local/duckdb-lake.js";
import { DuckDbLoadHistory } from "../lambdas/adapters/local/duckdb-load-history.js";
import { FileVisualStore } from "../lambdas/adapters/local/file-visual-store.js";
import { MemoryStateStore } from "../lambdas/adapters/local/memory-state-store.js";
import type { ScoutingNeedsFile } from "../lambdas/contracts/needs.js";
import { DEFAULT_PITCH, type PitchDimensions } from "../lambdas/contracts/pitch.js";
import type { TrackingChunk } from "../lambdas/contracts/records/tracking.js";
import { INSIGHTS, PLAYER_WINDOWS, QUARANTINE, type Row } from "../lambdas/contracts/tables.js";
import { DEFAULT_WINDOW_MS } from "../lambdas/core/tracking/thresholds.js";
import {
  decodeRecord,
  emptyCounts,
  type InvocationCounts,
  QUARANTINE_PAYLOAD_CHARS,
} from "../lambdas/functions/tracking-features/extractor.js";
import { createTrackingFeaturesHandler } from "../lambdas/functions/tracking-features/handler.js";
import type { FeatureSink } from "../lambdas/ports.js";
import { Chunker } from "../producers/chunker.js";
import { KinesisProducer, type ProducerStats } from "../producers/kinesis-producer.js";
import { eachItem, type InputFailure } from "../producers/readers/input-error.js";
import type { ReaderItem } from "../producers/readers/types.js";
import { type AutomationOptions, LocalAutomation } from "./automation.js";
import { LocalEventBus } from "./emulators/bus.js";
import type { CrmStats } from "./emulators/crm.js";
import { type EsmStats, LocalEventSourceMapping } from "./emulators/esm.js";
import { startLocalKinesis } from "./emulators/kinesis.js";
import type { WorkflowRunSummary } from "./emulators/workflows.js";
import { readerQuarantineRow } from "./quarantine.js";

export type { InputFailure };

export const DEFAULT_LAKE_PATH = ".sideline/lake.duckdb";
export const TRACKING_STREAM = "sideline-tracking";
/**
 * Replays (files, the demo) send 30 s chunks, 750 samples at 25 Hz and about 20 KB: latency does
 * not matter for a replay, and 30x fewer records than live 1 s chunks cut the per-record cost of
 * Kinesis and Lambda. Live producers keep DEFAULT_CHUNK_MS (1 s).
 */
export const REPLAY_CHUNK_MS = 30_000;
/** PutRecords payload cap against kinesalite (see ProducerOptions.maxRequestBytes). */
const EMULATOR_REQUEST_BYTES = 256 * 1024;

export interface PipelineOptions {
  readonly matchId: string;
  /** @default .sideline/lake.duckdb */
  readonly lakePath?: string;
  /** @default 60 s */
  readonly windowMs?: number;
  /** Most records per handler invocation. @default 100 */
  readonly batchSize?: number;
  /** @default 0 */
  readonly batchingWindowMs?: number;
  /** @default 1 */
  readonly shards?: number;
  /** Span of one stream record. @default 30 s (REPLAY_CHUNK_MS) */
  readonly chunkMs?: number;
  readonly pitch?: PitchDimensions;
  /** Where reader-level rejects are attributed, e.g. reader:long-csv. */
  readonly readerSource: string;
  readonly onProgress?: (p: Progress) => void;
  /** The club's scouting needs. @default - no scouting matches */
  readonly needs?: ScoutingNeedsFile;
  /** Front-office automation (workflows, CRM); false leaves the bus without rules. @default {} */
  readonly automation?: AutomationOptions | false;
  /** Folder for insight pictures (they go under visuals/). @default - the lake's folder */
  readonly visualsRoot?: string;
}

/** How far the run is; reported every PROGRESS_INTERVAL_MS and once more at the end. */
export interface Progress {
  readonly samplesRead: number;
  readonly recordsProduced: number;
  readonly recordsConsumed: number;
  /**
   * player_windows rows of this match written to the lake in this run: distinct keys, counted when
   * the write has succeeded (a rewrite of the same row by a retried batch counts once).
   */
  readonly windowsWritten: number;
  /** insights rows written to the lake in this run (distinct insight ids). */
  readonly insightsWritten: number;
  /** The last report: the stream is drained and every write is done. */
  readonly final: boolean;
}

export interface PipelineResult {
  readonly matchId: string;
  readonly lakePath: string;
  readonly durationMs: number;
  /** Samples the readers produced plus the samples of lines they rejected. */
  readonly samplesIn: number;
  readonly readerQuarantinedSamples: number;
  readonly readerQuarantinedRows: number;
  /** Samples put on the stream (the rest of samplesIn were quarantined by the readers or unsent when the input failed). */
  readonly samplesSent: number;
  /** Set when reading failed part way: the run is incomplete and no player's data was marked final. */
  readonly incomplete: InputFailure | null;
  /** Samples in batches the event source mapping gave up on (sent to the on-failure destination). */
  readonly esmQuarantinedSamples: number;
  readonly producer: ProducerStats;
  readonly esm: EsmStats;
  readonly handler: InvocationCounts;
  /** sum(samples) in player_windows for this match, read back from the lake. */
  readonly samplesInWindows: number;
  readonly windows: number;
  /** player_windows rows of this match this run wrote (see Progress.windowsWritten). */
  readonly windowsWritten: number;
  readonly insights: number;
  readonly deadLetters: number;
  readonly profiles: number;
  readonly workflows: readonly WorkflowRunSummary[];
  readonly crm: CrmStats | null;
  readonly visualsRoot: string;
}

const READER_QUARANTINE_FLUSH = 1000;
/** How often onProgress is called while the run goes on. */
export const PROGRESS_INTERVAL_MS = 500;

/** What the pipeline reads: reader items (samples and bad lines), or chunks already built (the demo). */
export type PipelineSource =
  | { readonly items: Iterable<ReaderItem> | AsyncIterable<ReaderItem> }
  | { readonly chunks: Iterable<TrackingChunk> };

export async function runPipeline(source: PipelineSource, options: PipelineOptions): Promise<PipelineResult> {
  const started = Date.now();
  const lakePath = options.lakePath ?? DEFAULT_LAKE_PATH;
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  const lake = await DuckDbLake.open(lakePath);
  const kinesis = await startLocalKinesis();
  let ticker: NodeJS.Timeout | undefined;
  try {
    const arn = await kinesis.createStream(TRACKING_STREAM, options.shards ?? 1);
    const bus = new LocalEventBus();
    // The bus routes insights to the automation's rules; the insights table is written by the handler.
    const automation = options.automation === false ? null : new LocalAutomation(lake, bus, options.automation ?? {});
    const visualsRoot = options.visualsRoot ?? (lakePath === ":memory:" ? ".sideline" : dirname(lakePath));
    const totals = emptyCounts();
    let esmQuarantinedSamples = 0;
    const written = writeCounter(lake, options.matchId);
    const handler = createTrackingFeaturesHandler({
      sink: written.sink,
      publisher: bus,
      stateStore: new MemoryStateStore(),
      loadHistory: new DuckDbLoadHistory(lake),
      visuals: new FileVisualStore(visualsRoot),
      ...(options.needs ? { needs: options.needs } : {}),
      windowMs,
      onInvocation: (c) => {
        for (const k of Object.keys(totals) as (keyof InvocationCounts)[]) totals[k] += c[k];
      },
    });
    const esm = new LocalEventSourceMapping(kinesis.client, TRACKING_STREAM, arn, handler, {
      batchSize: options.batchSize ?? 100,
      maximumBatchingWindowMs: options.batchingWindowMs ?? 0,
      onFailure: async (f) => {
        for (const r of f.records) {
          const d = decodeRecord(r.kinesis.data).decoded;
          esmQuarantinedSamples += d.ok ? d.chunk.t.length : d.samples;
        }
        // The on-failure destination: nothing is dropped silently; the batch lands in quarantine.
        await lake.put(
          QUARANTINE.name,
          f.records.map((r) => ({
            source: "event-source-mapping",
            record_ref: r.eventID,
            match_id: options.matchId,
            reason: `retries exhausted after ${f.attempts} attempts: ${f.reason}`,
            sample_count: 0,
            payload: Buffer.from(r.kinesis.data, "base64").toString("utf8").slice(0, QUARANTINE_PAYLOAD_CHARS),
            quarantined_at: new Date(),
          })),
        );
      },
    });
    const consuming = esm.run();
    const producer = new KinesisProducer(kinesis.client, TRACKING_STREAM, {
      maxRequestBytes: EMULATOR_REQUEST_BYTES,
    });
    const chunker = new Chunker(options.matchId, options.chunkMs ?? REPLAY_CHUNK_MS, options.pitch ?? DEFAULT_PITCH);
    let samplesRead = 0;
    let samplesSent = 0;
    let readerBadSamples = 0;
    let readerBadRows = 0;
    let readerRows: Row[] = [];
    let incomplete: InputFailure | null = null;
    const progress = (final: boolean) =>
      options.onProgress?.({
        samplesRead,
        recordsProduced: producer.stats.records,
        recordsConsumed: esm.stats.records,
        windowsWritten: written.windows(),
        insightsWritten: written.insights(),
        final,
      });
    ticker = setInterval(() => progress(false), PROGRESS_INTERVAL_MS);
    ticker.unref();
    const put = async (chunk: TrackingChunk): Promise<void> => {
      samplesSent += chunk.t.length;
      await producer.put(chunk);
    };
    const handle = async (item: ReaderItem): Promise<void> => {
      if (item.kind === "bad") {
        readerBadSamples += item.samples;
        readerBadRows++;
        readerRows.push(readerQuarantineRow(item, options.readerSource, options.matchId));
        if (readerRows.length >= READER_QUARANTINE_FLUSH) {
          await lake.put(QUARANTINE.name, readerRows);
          readerRows = [];
        }
        return;
      }
      samplesRead++;
      const chunk = chunker.add(item.sample);
      if (chunk) await put(chunk);
    };
    try {
      if ("chunks" in source) {
        incomplete = await eachItem(source.chunks, async (c) => {
          samplesRead += c.t.length;
          await put(c);
        });
      } else {
        incomplete = await eachItem(source.items, handle);
      }
      // Final chunks only when the input ended: a failed read leaves every player's match open.
      if (!incomplete) for (const c of chunker.finish()) await put(c);
      await lake.put(QUARANTINE.name, readerRows);
      await producer.flush();
    } finally {
      esm.endOfInput();
      await consuming;
    }
    await (automation ? automation.drain() : bus.drain());
    clearInterval(ticker);
    progress(true);
    const summary = await lake.queryObjects<{ n: number | bigint; s: number | bigint | null }>(
      `SELECT count(*) AS n, sum(samples) AS s FROM player_windows WHERE match_id = '${options.matchId.replace(/'/g, "''")}'`,
    );
    return {
      matchId: options.matchId,
      lakePath,
      durationMs: Date.now() - started,
      samplesIn: samplesRead + readerBadSamples,
      readerQuarantinedSamples: readerBadSamples,
      readerQuarantinedRows: readerBadRows,
      samplesSent,
      incomplete,
      esmQuarantinedSamples,
      producer: producer.stats,
      esm: esm.stats,
      handler: totals,
      samplesInWindows: Number(summary[0]?.s ?? 0),
      windows: Number(summary[0]?.n ?? 0),
      windowsWritten: written.windows(),
      insights: totals.insights,
      deadLetters: bus.deadLetters.length,
      profiles: totals.profilesCompleted,
      workflows: automation?.workflows.runs ?? [],
      crm: automation?.crm.stats ?? null,
      visualsRoot,
    };
  } finally {
    clearInterval(ticker);
    await kinesis.close();
    lake.close();
  }
}

/** The lake as the handler's sink, counting the player_windows and insights rows this run wrote. */
function writeCounter(lake: DuckDbLake, matchId: string) {
  const windows = new Set<string>();
  const insights = new Set<string>();
  const sink: FeatureSink = {
    async put(table, rows) {
      await lake.put(table, rows);
      if (table === PLAYER_WINDOWS.name) {
        for (const r of rows)
          if (r.match_id === matchId) windows.add(`${r.player_id}\u0000${(r.window_start as Date).getTime()}`);
      } else if (table === INSIGHTS.name) {
        for (const r of rows) insights.add(String(r.insight_id));
      }
    },
  };
  return { sink, windows: () => windows.size, insights: () => insights.size };
}
