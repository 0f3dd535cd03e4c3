/**
 * The produce worker's body: reads the files with the format's reader (or builds the source a
 * module's export makes), chunks and encodes the records (./produce.ts, unchanged), and posts them
 * to the thread that puts them on the stream, in batches, at most PRODUCE_WORKER_BATCHES_IN_FLIGHT
 * ahead of it (see ./produce-worker.ts). It stays alive until that thread terminates it.
 */
import { parentPort, workerData } from "node:worker_threads";
import { modalityById } from "../lambdas/contracts/modalities.js";
import { type BadItem, emptyProduced, produce } from "./produce.js";
import {
  PRODUCE_WORKER_BATCH_RECORDS,
  PRODUCE_WORKER_BATCHES_IN_FLIGHT,
  type ProduceWorkerRequest,
  snapshot,
  sourceFor,
  type WorkerItem,
  type WorkerMessage,
} from "./produce-worker.js";

const port = parentPort!;
const req = workerData as ProduceWorkerRequest;
const modality = modalityById(req.modality);
const produced = emptyProduced();
let batch: WorkerItem[] = [];
let credits = PRODUCE_WORKER_BATCHES_IN_FLIGHT;
let wake: (() => void) | null = null;

port.on("message", () => {
  credits++; // the main thread finished a batch
  wake?.();
  wake = null;
});

const send = (m: WorkerMessage) => port.postMessage(m);

async function post(): Promise<void> {
  send({ kind: "batch", items: batch, produced: snapshot(produced) });
  batch = [];
  credits--;
  while (credits <= 0) await new Promise<void>((r) => (wake = r));
}

async function add(item: WorkerItem): Promise<void> {
  batch.push(item);
  if (batch.length >= PRODUCE_WORKER_BATCH_RECORDS) await post();
}

try {
  await produce(
    await sourceFor(req.source, req.modality),
    {
      modality,
      matchId: req.matchId,
      chunkMs: req.chunkMs,
      ...(req.wearableChunkMs !== undefined ? { wearableChunkMs: req.wearableChunkMs } : {}),
      ...(req.pitch ? { pitch: req.pitch } : {}),
      put: (r) => add({ data: modality.record.encode(r), partitionKey: modality.record.identity(r).partitionKey }),
      onRejected: (bad: BadItem) => add({ bad }),
    },
    produced,
  );
  send({ kind: "done", items: batch, produced: snapshot(produced) });
} catch (e) {
  send({ kind: "error", message: (e as Error).message ?? String(e) });
}
