/**
 * The embedded runtime: for every registered modality, a Kinesis stream (kinesalite, reached with
 * the real SDK client, or for replays the in-process stream), its extractor's handler (the same code the Lambda runs, with local
 * adapters) and an event source mapping emulator between them. What the handlers write goes to
 * the DuckDB lake and the local bus.
 */

import { KinesisProducer } from "../lambdas/adapters/aws/kinesis-producer.js";
import type { DuckDbLake } from "../lambdas/adapters/local/duckdb-lake.js";
import { DuckDbLoadHistory } from "../lambdas/adapters/local/duckdb-load-history.js";
import { FileVisualStore } from "../lambdas/adapters/local/file-visual-store.js";
import { MemoryStateStore } from "../lambdas/adapters/local/memory-state-store.js";
import { MODALITIES, type Modality, streamName } from "../lambdas/contracts/modalities.js";
import type { ScoutingNeedsFile } from "../lambdas/contracts/needs.js";
import { quarantineRow } from "../lambdas/contracts/quarantine.js";
import { QUARANTINE } from "../lambdas/contracts/tables/index.js";
import { EXTRACTORS, type ExtractorFactory } from "../lambdas/functions/extractors.js";
import type { EventPublisher, FeatureSink } from "../lambdas/ports.js";
import { createStreamHandler } from "../lambdas/runtime/handler.js";
import {
  addCounts,
  emptyCounts,
  failedRecordItem,
  type InvocationCounts,
} from "../lambdas/runtime/stream-invocation.js";
import { type EsmStats, LocalEventSourceMapping } from "./emulators/esm.js";
import { type StreamTransport, startInProcessKinesis } from "./emulators/in-process-kinesis.js";
import { startLocalKinesis } from "./emulators/kinesis.js";

/**
 * Where the runtime's streams are: `kinesalite` serves the Kinesis API over HTTP and is reached
 * with the real SDK client, as a live producer or LocalStack's users reach it; `in-process` keeps
 * the streams in memory and answers the same commands without HTTP (in-process-kinesis.ts). Either
 * way the producer, the event source mapping and the handler's events are the same.
 */
export type StreamTransportKind = "kinesalite" | "in-process";
export const STREAM_TRANSPORTS: readonly StreamTransportKind[] = ["kinesalite", "in-process"];

/** PutRecords payload cap against kinesalite (see ProducerOptions.maxRequestBytes). */
const EMULATOR_REQUEST_BYTES = 256 * 1024;

export interface LocalRuntimeOptions {
  readonly lake: DuckDbLake;
  /** Where handlers write rows (the lake, or a wrapper of it). @default lake */
  readonly sink?: FeatureSink;
  readonly publisher: EventPublisher;
  readonly windowMs: number;
  /** Folder for insight pictures (they go under visuals/). */
  readonly visualsRoot: string;
  readonly needs?: ScoutingNeedsFile | undefined;
  /** Most records per handler invocation. @default the deployed mapping's (100) */
  readonly batchSize?: number;
  /** @default 0: replays do not wait for fuller batches */
  readonly batchingWindowMs?: number;
  /** Shards per stream. @default 1 */
  readonly shards?: number;
  /** The modalities to run. @default every registered one */
  readonly modalities?: readonly Modality[];
  /** Extractors by modality id. @default EXTRACTORS */
  readonly extractors?: Readonly<Record<string, ExtractorFactory>>;
  /** Where the streams are. @default kinesalite */
  readonly transport?: StreamTransportKind;
}

/** One modality's stream, handler and mapping on this machine. */
export interface LocalModality {
  readonly modality: Modality;
  readonly producer: KinesisProducer<unknown>;
  readonly esm: LocalEventSourceMapping;
  /** What its handler's invocations did, summed. */
  readonly counts: InvocationCounts;
  /** Samples in batches the mapping gave up on (its on-failure destination: quarantine). */
  readonly mappingQuarantinedSamples: () => number;
}

export class LocalRuntime {
  private readonly consuming: Promise<EsmStats>[];

  private constructor(
    private readonly kinesis: StreamTransport,
    readonly modalities: ReadonlyMap<string, LocalModality>,
  ) {
    this.consuming = [...modalities.values()].map((m) => m.esm.run());
  }

  static async start(o: LocalRuntimeOptions): Promise<LocalRuntime> {
    const kinesis = o.transport === "in-process" ? startInProcessKinesis() : await startLocalKinesis();
    const stateStore = new MemoryStateStore();
    const visuals = new FileVisualStore(o.visualsRoot);
    const loadHistory = new DuckDbLoadHistory(o.lake);
    const entries = new Map<string, LocalModality>();
    try {
      for (const modality of o.modalities ?? MODALITIES) {
        const factory = (o.extractors ?? EXTRACTORS)[modality.id];
        if (!factory) throw new Error(`modality '${modality.id}' has no extractor: add it to EXTRACTORS`);
        const name = streamName(modality);
        const arn = await kinesis.createStream(name, o.shards ?? 1);
        const counts = emptyCounts();
        const extractor = factory({ windowMs: o.windowMs, visuals, needs: o.needs });
        const handler = createStreamHandler(extractor, {
          sink: o.sink ?? o.lake,
          publisher: o.publisher,
          stateStore,
          loadHistory,
          visuals,
          onInvocation: (c) => addCounts(counts, c),
        });
        let quarantined = 0;
        const esm = new LocalEventSourceMapping(kinesis.client, name, arn, handler, {
          ...(o.batchSize ? { batchSize: o.batchSize } : {}),
          maximumBatchingWindowMs: o.batchingWindowMs ?? 0,
          functionName: modality.extractor.functionId,
          // The on-failure destination: nothing is dropped silently; the batch lands in quarantine.
          onFailure: async (f) => {
            const reason = `retries exhausted after ${f.attempts} attempts: ${f.reason}`;
            const items = f.records.map((r) => failedRecordItem(extractor, r.kinesis.data, reason));
            for (const q of items) quarantined += q.samples;
            const at = new Date();
            await o.lake.put(
              QUARANTINE,
              items.map((q) => quarantineRow(q, at)),
            );
          },
        });
        const producer = new KinesisProducer(kinesis.client, name, modality.record, {
          maxRequestBytes: EMULATOR_REQUEST_BYTES,
        });
        entries.set(modality.id, { modality, producer, esm, counts, mappingQuarantinedSamples: () => quarantined });
      }
    } catch (e) {
      await kinesis.close();
      throw e;
    }
    return new LocalRuntime(kinesis, entries);
  }

  /** A modality's entry, or an error naming the ones running. */
  get(modalityId: string): LocalModality {
    const m = this.modalities.get(modalityId);
    if (!m) throw new Error(`modality '${modalityId}' is not running: ${[...this.modalities.keys()].join(", ")} are`);
    return m;
  }

  /** Flushes every producer, then lets every mapping read its stream to the end and waits for it. */
  async drain(): Promise<void> {
    try {
      await Promise.all([...this.modalities.values()].map((m) => m.producer.flush()));
    } finally {
      for (const m of this.modalities.values()) m.esm.endOfInput();
      await Promise.all(this.consuming);
    }
  }

  async close(): Promise<void> {
    await this.kinesis.close();
  }
}
