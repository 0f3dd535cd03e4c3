/**
 * The embedded pipeline: reader -> chunker -> producer -> Kinesis (kinesalite) -> event source
 * mapping -> tracking-features handler -> DuckDB lake + local bus. The handler is the same code the
 * Lambda runs; only the adapters at the edges differ.
 */

import { dirname } from "node:path";
import { DuckDbLake } from "../lambdas/adapters/local/duckdb-lake.js";
import { DuckDbLoadHistory } from "../lambdas/adapters/local/duckdb-load-history.js";
import { FileVisualStore } from "../lambdas/adapters/local/file-visual-store.js";
import { MemoryStateStore } from "../lambdas/adapters/local/memory-state-store.js";
import { TRACKING } from "../lambdas/contracts/modalities.js";
import type { ScoutingNeedsFile } from "../lambdas/contracts/needs.js";
import { DEFAULT_PITCH, type PitchDimensions } from "../lambdas/contracts/pitch.js";
import { quarantineRow } from "../lambdas/contracts/quarantine.js";
import type { TrackingChunk } from "../lambdas/contracts/records/tracking.js";
import { QUARANTINE, type RowOf } from "../lambdas/contracts/tables/index.js";
import { DEFAULT_WINDOW_MS } from "../lambdas/core/tracking/thresholds.js";
import { createTrackingFeaturesHandler } from "../lambdas/functions/tracking-features/handler.js";
import {
  addCounts,
  emptyCounts,
  failedRecordItem,
  type InvocationCounts,
} from "../lambdas/runtime/stream-invocation.js";
import { Chunker } from "../producers/chunker.js";
import { KinesisProducer, type ProducerStats } from "../producers/kinesis-producer.js";
import type { ReaderItem } from "../producers/readers/types.js";
import { type AutomationOptions, LocalAutomation } from "./automation.js";
import { LocalEventBus } from "./emulators/bus.js";
import type { CrmStats } from "./emulators/crm.js";
import { type EsmStats, LocalEventSourceMapping } from "./emulators/esm.js";
import { startLocalKinesis } from "./emulators/kinesis.js";
import type { WorkflowRunSummary } from "./emulators/workflows.js";
import { readerQuarantineRow } from "./quarantine.js";

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

export interface Progress {
  readonly samplesRead: number;
  readonly recordsProduced: number;
  readonly recordsConsumed: number;
  readonly windowsClosed: number;
  readonly insights: number;
}

export interface PipelineResult {
  readonly matchId: string;
  readonly lakePath: string;
  readonly durationMs: number;
  /** Samples the readers produced plus the samples of lines they rejected. */
  readonly samplesIn: number;
  readonly readerQuarantinedSamples: number;
  readonly readerQuarantinedRows: number;
  /** Samples in batches the event source mapping gave up on (sent to the on-failure destination). */
  readonly esmQuarantinedSamples: number;
  readonly producer: ProducerStats;
  readonly esm: EsmStats;
  readonly handler: InvocationCounts;
  /** sum(samples) in player_windows for this match, read back from the lake. */
  readonly samplesInWindows: number;
  readonly windows: number;
  readonly insights: number;
  readonly deadLetters: number;
  readonly profiles: number;
  readonly workflows: readonly WorkflowRunSummary[];
  readonly crm: CrmStats | null;
  readonly visualsRoot: string;
}

const READER_QUARANTINE_FLUSH = 1000;

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
  try {
    const arn = await kinesis.createStream(TRACKING_STREAM, options.shards ?? 1);
    const bus = new LocalEventBus();
    // The bus routes insights to the automation's rules; the insights table is written by the handler.
    const automation = options.automation === false ? null : new LocalAutomation(lake, bus, options.automation ?? {});
    const visualsRoot = options.visualsRoot ?? (lakePath === ":memory:" ? ".sideline" : dirname(lakePath));
    const totals = emptyCounts();
    let esmQuarantinedSamples = 0;
    const extractor = { modality: TRACKING };
    const handler = createTrackingFeaturesHandler({
      sink: lake,
      publisher: bus,
      stateStore: new MemoryStateStore(),
      loadHistory: new DuckDbLoadHistory(lake),
      visuals: new FileVisualStore(visualsRoot),
      ...(options.needs ? { needs: options.needs } : {}),
      windowMs,
      onInvocation: (c) => addCounts(totals, c),
    });
    const esm = new LocalEventSourceMapping(kinesis.client, TRACKING_STREAM, arn, handler, {
      batchSize: options.batchSize ?? 100,
      maximumBatchingWindowMs: options.batchingWindowMs ?? 0,
      onFailure: async (f) => {
        // The on-failure destination: nothing is dropped silently; the batch lands in quarantine.
        const reason = `retries exhausted after ${f.attempts} attempts: ${f.reason}`;
        const items = f.records.map((r) => failedRecordItem(extractor, r.kinesis.data, reason));
        for (const q of items) esmQuarantinedSamples += q.samples;
        const at = new Date();
        await lake.put(
          QUARANTINE,
          items.map((q) => quarantineRow(q, at)),
        );
      },
    });
    const consuming = esm.run();
    const producer = new KinesisProducer(kinesis.client, TRACKING_STREAM, TRACKING.record, {
      maxRequestBytes: EMULATOR_REQUEST_BYTES,
    });
    const chunker = new Chunker(options.matchId, options.chunkMs ?? REPLAY_CHUNK_MS, options.pitch ?? DEFAULT_PITCH);
    let samplesRead = 0;
    let readerBadSamples = 0;
    const readerBadRows = 0;
    let readerRows: RowOf<typeof QUARANTINE>[] = [];
    let lastProgress = Date.now();
    const progress = () =>
      options.onProgress?.({
        samplesRead,
        recordsProduced: producer.stats.records,
        recordsConsumed: esm.stats.records,
        windowsClosed: totals.rows.player_windows ?? 0,
        insights: totals.insights,
      });
    const handle = async (item: ReaderItem): Promise<void> => {
      if (item.kind === "bad") {
        readerBadSamples += item.samples;
        readerRows.push(readerQuarantineRow(item, options.readerSource, options.matchId));
        if (readerRows.length >= READER_QUARANTINE_FLUSH) {
          await lake.put(QUARANTINE, readerRows);
          readerRows = [];
        }
        return;
      }
      samplesRead++;
      const chunk = chunker.add(item.sample);
      if (chunk) await producer.put(chunk);
      if ((samplesRead & 0xffff) === 0 && Date.now() - lastProgress > 500) {
        lastProgress = Date.now();
        progress();
      }
    };
    try {
      if ("chunks" in source) {
        for (const c of source.chunks) {
          samplesRead += c.t.length;
          await producer.put(c);
          if (Date.now() - lastProgress > 500) {
            lastProgress = Date.now();
            progress();
          }
        }
      } else {
        for await (const item of source.items) await handle(item);
      }
      for (const c of chunker.finish()) await producer.put(c);
      await lake.put(QUARANTINE, readerRows);
      await producer.flush();
    } finally {
      esm.endOfInput();
      await consuming;
    }
    progress();
    await (automation ? automation.drain() : bus.drain());
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
      esmQuarantinedSamples,
      producer: producer.stats,
      esm: esm.stats,
      handler: totals,
      samplesInWindows: Number(summary[0]?.s ?? 0),
      windows: Number(summary[0]?.n ?? 0),
      insights: totals.insights,
      deadLetters: bus.deadLetters.length,
      profiles: totals.rows.player_match_profiles ?? 0,
      workflows: automation?.workflows.runs ?? [],
      crm: automation?.crm.stats ?? null,
      visualsRoot,
    };
  } finally {
    await kinesis.close();
    lake.close();
  }
}
