/**
 * A run on one machine: a source (reader items, tracking chunks, or any modality's records) ->
 * producer -> the modality's stream -> its extractor -> the DuckDB lake and the local bus, and the
 * front-office automation on the bus. Every modality runs the same way (./runtime.ts); the run
 * ends with the accounting of its samples: count in = rows accounted + passed through + quarantined.
 *
 * Contract with the readers: if reading throws (a truncated or unreadable file), nothing more is
 * produced, what was already put on the stream is drained into the lake, and no player's last chunk
 * is marked final (so no match-complete outputs come from partial data); the result says where the
 * input stopped (`incomplete`). Rows are upserts on their keys, so a rerun of the fixed file
 * replaces them.
 */
import { statSync } from "node:fs";
import { dirname } from "node:path";
import type { ProducerStats } from "../lambdas/adapters/aws/kinesis-producer.js";
import { DuckDbLake } from "../lambdas/adapters/local/duckdb-lake.js";
import { MODALITIES, type Modality, modalityById, TRACKING } from "../lambdas/contracts/modalities.js";
import type { ScoutingNeedsFile } from "../lambdas/contracts/needs.js";
import type { PitchDimensions } from "../lambdas/contracts/pitch.js";
import { type AnyTable, INSIGHTS, QUARANTINE, type RowOf } from "../lambdas/contracts/tables/index.js";
import { DEFAULT_WINDOW_MS } from "../lambdas/core/tracking/thresholds.js";
import type { ExtractorFactory } from "../lambdas/functions/extractors.js";
import type { FeatureSink } from "../lambdas/ports.js";
import { emptyCounts, type InvocationCounts } from "../lambdas/runtime/stream-invocation.js";
import { type BadItem, emptyProduced, type ProduceSource, produce } from "../producers/produce.js";
import { produceInWorker, sourceFor, type WorkerSource, WorkerUnavailable } from "../producers/produce-worker.js";
import { readerQuarantineRow } from "../producers/quarantine.js";
import type { ReadSettings } from "../producers/readers/index.js";
import type { InputFailure } from "../producers/readers/input-error.js";
import { type AutomationOptions, LocalAutomation } from "./automation.js";
import { LocalEventBus } from "./emulators/bus.js";
import type { CrmStats } from "./emulators/crm.js";
import type { EsmStats } from "./emulators/esm.js";
import type { RecoveredExecution, WorkflowRunSummary } from "./emulators/workflows.js";
import { LocalRuntime, type StreamTransportKind } from "./runtime.js";

export type { InputFailure };

export const DEFAULT_LAKE_PATH = ".sideline/lake.duckdb";
/**
 * Replays (files, the demo) send 30 s chunks, 750 samples at 25 Hz and about 20 KB: latency does
 * not matter for a replay, and 30x fewer records than live 1 s chunks cut the per-record cost of
 * Kinesis and Lambda. Live producers keep DEFAULT_CHUNK_MS (1 s).
 */
export const REPLAY_CHUNK_MS = 30_000;
/** Reader rejects are written to quarantine in blocks of this many rows. */
const READER_QUARANTINE_FLUSH = 1000;
/** How often onProgress is called while the run goes on. */
export const PROGRESS_INTERVAL_MS = 500;

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
  /** The modalities to run (a modality under test is added here). @default every registered one */
  readonly modalities?: readonly Modality[];
  /** Extractors by modality id. @default EXTRACTORS */
  readonly extractors?: Readonly<Record<string, ExtractorFactory>>;
  /** Lake tables beyond the registry's (a modality under test). @default - none */
  readonly tables?: readonly AnyTable[];
  /** Where the streams are (see StreamTransportKind). @default kinesalite */
  readonly transport?: StreamTransportKind;
  /**
   * Read a FilesSource, or generate a GeneratedSource, in a worker thread (true) or on this thread
   * (false). @default - in a worker when the files add up to READ_IN_WORKER_MIN_BYTES or more, or the
   * source generates GENERATE_IN_WORKER_MIN_SAMPLES or more
   */
  readonly readInWorker?: boolean;
}

/** How far the run is; reported every PROGRESS_INTERVAL_MS and once more at the end. */
export interface Progress {
  readonly samplesRead: number;
  readonly recordsProduced: number;
  readonly recordsConsumed: number;
  /**
   * Rows of this match written to the modality's accounting table (player_windows for tracking) in
   * this run: distinct keys, counted when the write has succeeded (a rewritten row counts once).
   */
  readonly windowsWritten: number;
  /** insights rows written to the lake in this run (distinct insight ids). */
  readonly insightsWritten: number;
  /** The last report: the stream is drained and every write is done. */
  readonly final: boolean;
}

export interface PipelineResult {
  readonly matchId: string;
  /** The matches or sessions the run's records belong to (the match alone for tracking; a wearable week spans several). */
  readonly sessions: readonly string[];
  /** The modality the source fed. */
  readonly modality: string;
  readonly lakePath: string;
  readonly durationMs: number;
  /** Samples the source produced plus the samples of lines the readers rejected. */
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
  /** Samples in the accounting table's rows this run wrote (player_windows.samples for tracking), plus one per imported row it accounts. */
  readonly samplesInWindows: number;
  /** Rows the run accounted one each in the modality's `rowsIn` table (imported loads). */
  readonly rowsImported: number;
  /** Rows of this match in the accounting table. */
  readonly windows: number;
  /** Rows of this match this run wrote to the accounting table (see Progress.windowsWritten). */
  readonly windowsWritten: number;
  readonly insights: number;
  readonly deadLetters: number;
  readonly profiles: number;
  readonly workflows: readonly WorkflowRunSummary[];
  /** Executions a killed run had left RUNNING that this run recovered (see LocalAutomation). */
  readonly recovered: readonly RecoveredExecution[];
  readonly crm: CrmStats | null;
  readonly visualsRoot: string;
  /** Where the input was read or generated: a worker thread, or the main thread (see READ_IN_WORKER_MIN_BYTES). */
  readonly readThread: "worker" | "main";
}

/**
 * Files in a reader's format: read in a worker thread (producers/produce-worker.ts) when they are
 * big enough for the second core to pay, else on this thread.
 */
export interface FilesSource {
  readonly read: { readonly format: string; readonly files: readonly string[]; readonly settings: ReadSettings };
  /** The modality the format feeds. */
  readonly modality: string;
}

/**
 * A source a module's export builds from plain arguments, generated in a worker thread (the demo's
 * match): `url` is the module's file URL, `name` the export, returning a ProduceSource.
 */
export interface GeneratedSource {
  readonly generate: { readonly url: string; readonly name: string; readonly args: readonly unknown[] };
  /** About how many samples it generates: below GENERATE_IN_WORKER_MIN_SAMPLES, it runs on this thread. @default - unknown: in a worker */
  readonly samples?: number;
  /** The modality of the records. @default tracking */
  readonly modality?: string;
}

/** What the pipeline reads (see producers/produce.ts), files in a reader's format, or a generated source. */
export type PipelineSource = ProduceSource | FilesSource | GeneratedSource;

/**
 * Input below this many bytes (on disk, compressed or not) is read on the main thread: starting the
 * worker costs ~0.3 s (its modules load through tsx), more than a small file's reading.
 */
export const READ_IN_WORKER_MIN_BYTES = 4 * 1024 * 1024;
/** The same for generated samples: about 15 minutes of a match, ~0.2 s of generating on this thread. */
export const GENERATE_IN_WORKER_MIN_SAMPLES = 500_000;

/**
 * `SIDELINE_WORKER_THREADS=off` keeps reading and generating on the main thread unless a run asks
 * otherwise (`readInWorker`): for a machine whose cores are all busy already, as the test suite's
 * are with a Jest worker per core.
 */
const workersOff = () => process.env.SIDELINE_WORKER_THREADS === "off";

const isProduceSource = (s: PipelineSource): s is ProduceSource => !("read" in s) && !("generate" in s);

/** The worker source a FilesSource or GeneratedSource names, and whether a worker pays for it. */
function workerSource(
  source: FilesSource | GeneratedSource,
  option: boolean | undefined,
): { source: WorkerSource; inWorker: boolean } {
  if ("read" in source) return { source: { kind: "reader", ...source.read }, inWorker: option ?? filesWorthIt(source) };
  const samples = source.samples ?? Number.POSITIVE_INFINITY;
  return {
    source: { kind: "module", ...source.generate },
    inWorker: option ?? (!workersOff() && samples >= GENERATE_IN_WORKER_MIN_SAMPLES),
  };
}

/** Whether files are big enough for reading them in a worker to pay (READ_IN_WORKER_MIN_BYTES). */
function filesWorthIt(source: FilesSource): boolean {
  if (workersOff()) return false;
  let bytes = 0;
  for (const f of source.read.files) {
    try {
      bytes += statSync(f).size;
    } catch {
      return false; // the reader reports it
    }
  }
  return bytes >= READ_IN_WORKER_MIN_BYTES;
}

export async function runPipeline(source: PipelineSource, options: PipelineOptions): Promise<PipelineResult> {
  const started = Date.now();
  const lakePath = options.lakePath ?? DEFAULT_LAKE_PATH;
  const registry = options.modalities ?? MODALITIES;
  const modality = "modality" in source && source.modality ? modalityById(source.modality, registry) : TRACKING;
  const lake = await DuckDbLake.open(lakePath, { ...(options.tables ? { tables: options.tables } : {}) });
  let ticker: NodeJS.Timeout | undefined;
  let runtime: LocalRuntime | null = null;
  try {
    const bus = new LocalEventBus();
    // The bus routes insights to the automation's rules; the insights table is written by the handlers.
    const automation = options.automation === false ? null : new LocalAutomation(lake, bus, options.automation ?? {});
    const visualsRoot = options.visualsRoot ?? (lakePath === ":memory:" ? ".sideline" : dirname(lakePath));
    const written = writeCounter(lake, modality);
    runtime = await LocalRuntime.start({
      lake,
      sink: written.sink,
      publisher: bus,
      windowMs: options.windowMs ?? DEFAULT_WINDOW_MS,
      visualsRoot,
      needs: options.needs,
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      batchingWindowMs: options.batchingWindowMs ?? 0,
      shards: options.shards ?? 1,
      modalities: registry,
      ...(options.extractors ? { extractors: options.extractors } : {}),
      ...(options.transport ? { transport: options.transport } : {}),
    });
    const stream = runtime.get(modality.id);
    let readerRows: RowOf<typeof QUARANTINE>[] = [];
    let readThread: PipelineResult["readThread"] = "main";
    const produced = emptyProduced();
    const progress = (final: boolean) =>
      options.onProgress?.({
        samplesRead: produced.samplesRead,
        recordsProduced: stream.producer.stats.records,
        recordsConsumed: stream.esm.stats.records,
        windowsWritten: written.windows(),
        insightsWritten: written.insights(),
        final,
      });
    ticker = setInterval(() => progress(false), PROGRESS_INTERVAL_MS);
    ticker.unref();
    try {
      const chunkMs = options.chunkMs ?? REPLAY_CHUNK_MS;
      const onRejected = async (bad: BadItem) => {
        readerRows.push(readerQuarantineRow(bad, options.readerSource, options.matchId));
        if (readerRows.length >= READER_QUARANTINE_FLUSH) {
          await lake.put(QUARANTINE, readerRows);
          readerRows = [];
        }
      };
      const inThread = (s: ProduceSource) =>
        produce(
          s,
          {
            modality,
            matchId: options.matchId,
            chunkMs,
            ...(options.pitch ? { pitch: options.pitch } : {}),
            put: (r) => stream.producer.put(r),
            onRejected,
          },
          produced,
        );
      if (isProduceSource(source)) await inThread(source);
      else {
        const w = workerSource(source, options.readInWorker);
        if (!w.inWorker) await inThread(await sourceFor(w.source, modality.id));
        else {
          readThread = "worker";
          const req = { source: w.source, modality: modality.id, matchId: options.matchId, chunkMs };
          await produceInWorker(
            { ...req, ...(options.pitch ? { pitch: options.pitch } : {}) },
            { putEncoded: (data, key) => stream.producer.putEncoded(data, key), onRejected },
            produced,
          ).catch(async (e) => {
            if (!(e instanceof WorkerUnavailable)) throw e;
            readThread = "main";
            await inThread(await sourceFor(w.source, modality.id));
          });
        }
      }
      await lake.put(QUARANTINE, readerRows);
    } finally {
      await runtime.drain();
    }
    await (automation ? automation.drain() : bus.drain());
    clearInterval(ticker);
    progress(true);
    const { table, matchColumn = "match_id" } = modality.accounting;
    // The run's matches or sessions: the records' own (a wearable week spans several).
    const sessions = produced.sessions.size > 0 ? [...produced.sessions] : [options.matchId];
    const [rows] = await lake.queryObjects<{ n: number | bigint }>(
      `SELECT count(*) AS n FROM ${table.name} WHERE ${matchColumn} IN (${sessions.map(() => "?").join(", ")})`,
      sessions,
    );
    const handler = emptyCounts();
    for (const m of runtime.modalities.values()) Object.assign(handler, m.modality === modality ? m.counts : {});
    return {
      matchId: options.matchId,
      sessions,
      modality: modality.id,
      lakePath,
      durationMs: Date.now() - started,
      samplesIn: produced.samplesRead + produced.readerRejectedSamples,
      readerQuarantinedSamples: produced.readerRejectedSamples,
      readerQuarantinedRows: produced.readerRejectedLines,
      samplesSent: produced.samplesSent,
      incomplete: produced.incomplete,
      readThread,
      esmQuarantinedSamples: stream.mappingQuarantinedSamples(),
      producer: stream.producer.stats,
      esm: stream.esm.stats,
      handler,
      samplesInWindows: written.accounted(),
      rowsImported: written.imported(),
      windows: Number(rows?.n ?? 0),
      windowsWritten: written.windows(),
      insights: handler.insights,
      deadLetters: bus.deadLetters.length,
      profiles: handler.rows.player_match_profiles ?? 0,
      workflows: automation?.workflows.runs ?? [],
      recovered: automation?.recovered ?? [],
      crm: automation?.crm.stats ?? null,
      visualsRoot,
    };
  } finally {
    clearInterval(ticker);
    await runtime?.close();
    lake.close();
  }
}

/**
 * The lake as the handlers' sink, counting what this run wrote: the accounting table's rows (distinct
 * keys) and the samples they hold (a rewritten row counts its last write), the imported rows the
 * modality accounts one each, and the insights. Counting the run's own writes, not the lake's rows
 * of its sessions, keeps a session's other devices and earlier runs out of this run's accounting.
 */
function writeCounter(lake: DuckDbLake, modality: Modality) {
  const { table: accounting, samplesColumn, rowsIn } = modality.accounting;
  const samples = new Map<string, number>();
  const imported = new Set<string>();
  const insights = new Set<string>();
  const keyOf = (t: AnyTable, r: Record<string, unknown>) => t.key.map((k) => String(r[k])).join("\u0000");
  const sink: FeatureSink = {
    async put(table, rows) {
      await lake.put(table, rows);
      const t = table as AnyTable;
      for (const r of rows as readonly Record<string, unknown>[]) {
        if (t === accounting) samples.set(keyOf(t, r), Number(r[samplesColumn] ?? 0));
        if (rowsIn && t === rowsIn.table && r[rowsIn.column] === rowsIn.value) imported.add(keyOf(t, r));
        if (t === INSIGHTS) insights.add(String(r.insight_id));
      }
    },
  };
  return {
    sink,
    windows: () => samples.size,
    insights: () => insights.size,
    imported: () => imported.size,
    /** Samples in the accounting rows this run wrote, plus one per imported row. */
    accounted: () => {
      let n = imported.size;
      for (const v of samples.values()) n += v;
      return n;
    },
  };
}
