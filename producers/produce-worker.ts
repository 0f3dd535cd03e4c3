/**
 * The produce loop in a worker thread, so that a run uses both cores: the worker reads the files
 * (gunzip, line splitting, parsing) or generates the demo's samples, chunks them and encodes the
 * records; this thread puts them on the stream and runs the handler, the lake and the bus. The worker runs ./produce.ts
 * unchanged, so the records, their order, the rejected lines and the accounting are exactly those
 * of the same loop on this thread; only the place changes.
 *
 * The worker stays at most PRODUCE_WORKER_BATCHES_IN_FLIGHT batches ahead (each acknowledged when
 * this thread has put it), so memory stays bounded however fast it reads. A record failing on the
 * stream fails the run as it would on one thread; a worker that cannot start is reported before
 * anything was read, and the caller then reads on this thread.
 */
import { Worker } from "node:worker_threads";
import type { PitchDimensions } from "../lambdas/contracts/pitch.js";
import type { BadItem, Produced, ProduceSource } from "./produce.js";
import { type ReadSettings, readerFor } from "./readers/index.js";
import type { InputFailure } from "./readers/input-error.js";

/** Records (or rejected lines) per message: a message per ~20 chunks keeps messaging far below 1% of the run. */
export const PRODUCE_WORKER_BATCH_RECORDS = 64;
/** Batches the worker may post before this thread has put them: double buffering and some slack. */
export const PRODUCE_WORKER_BATCHES_IN_FLIGHT = 16;

/**
 * What the worker reads: files in a reader's format, or the ProduceSource a module's export builds
 * from plain arguments (the demo's generator: `url` is the module's file URL).
 */
export type WorkerSource =
  | {
      readonly kind: "reader";
      /** The reader's format (producers/readers/index.ts READERS). */
      readonly format: string;
      readonly files: readonly string[];
      readonly settings: ReadSettings;
    }
  | { readonly kind: "module"; readonly url: string; readonly name: string; readonly args: readonly unknown[] };

/** The ProduceSource a worker source names: where it runs, the worker or this thread (when no worker starts). */
export async function sourceFor(s: WorkerSource, modality: string): Promise<ProduceSource> {
  if (s.kind === "reader") return { items: readerFor(s.format).read(s.files, s.settings), modality };
  const mod = (await import(s.url)) as Record<string, (...args: readonly unknown[]) => ProduceSource>;
  const build = mod[s.name];
  if (typeof build !== "function") throw new Error(`${s.url} has no export '${s.name}' to build a source with`);
  return build(...s.args);
}

export interface ProduceWorkerRequest {
  readonly source: WorkerSource;
  /** The modality of the records. */
  readonly modality: string;
  readonly matchId: string;
  readonly chunkMs: number;
  readonly wearableChunkMs?: number;
  readonly pitch?: PitchDimensions;
}

/** A record, encoded as the stream carries it, or a line the reader rejected. */
export type WorkerItem = { readonly data: Uint8Array; readonly partitionKey: string } | { readonly bad: BadItem };

/** The counters of `Produced`, as a message carries them. */
export type ProducedSnapshot = Omit<Produced, "sessions"> & { readonly sessions: readonly string[] };

export type WorkerMessage =
  | { readonly kind: "batch" | "done"; readonly items: readonly WorkerItem[]; readonly produced: ProducedSnapshot }
  | { readonly kind: "error"; readonly message: string };

export const snapshot = (p: Produced): ProducedSnapshot => ({ ...p, sessions: [...p.sessions] });

function mirror(into: Produced, s: ProducedSnapshot): void {
  into.samplesRead = s.samplesRead;
  into.samplesSent = s.samplesSent;
  into.readerRejectedSamples = s.readerRejectedSamples;
  into.readerRejectedLines = s.readerRejectedLines;
  into.incomplete = s.incomplete as InputFailure | null;
  for (const id of s.sessions) into.sessions.add(id);
}

export interface WorkerSinks {
  /** Puts one encoded record on the stream. */
  readonly putEncoded: (data: Uint8Array, partitionKey: string) => Promise<void>;
  readonly onRejected: (bad: BadItem) => Promise<void>;
}

/** Thrown when the worker could not start: nothing was read, the caller may read on its own thread. */
export class WorkerUnavailable extends Error {}

/** Runs the produce loop for `req` in a worker; `produced` is updated batch by batch, for progress lines. */
export function produceInWorker(req: ProduceWorkerRequest, sinks: WorkerSinks, produced: Produced): Promise<Produced> {
  let worker: Worker;
  try {
    worker = new Worker(new URL("./produce-worker-entry.mjs", import.meta.url), { workerData: req });
  } catch (e) {
    return Promise.reject(new WorkerUnavailable((e as Error).message));
  }
  let heard = false;
  let settled = false;
  return new Promise<Produced>((resolve, reject) => {
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      reject(heard ? e : new WorkerUnavailable(e.message));
    };
    // Messages are handled one after another: records keep their order on the stream.
    let chain = Promise.resolve();
    worker.on("message", (m: WorkerMessage) => {
      heard = true;
      chain = chain
        .then(async () => {
          if (settled) return;
          if (m.kind === "error") throw new Error(m.message);
          for (const item of m.items) {
            if ("bad" in item) await sinks.onRejected(item.bad);
            else await sinks.putEncoded(item.data, item.partitionKey);
          }
          mirror(produced, m.produced);
          if (m.kind === "batch") worker.postMessage(0);
          else {
            settled = true;
            resolve(produced);
          }
        })
        .catch(fail);
    });
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`the produce worker exited with code ${code} before it finished`)));
  }).finally(() => void worker.terminate());
}
