/**
 * The produce loop, one for the embedded pipeline and for `--target aws`: a source (reader items,
 * tracking chunks, or any modality's records) goes through the chunkers (reader items: tracking
 * samples to chunker.ts, wearable samples to wearable-chunker.ts) to a producer; lines the readers
 * rejected, and wearable samples the wearable chunker cannot put in a valid record, go to
 * `onRejected`. If reading fails part way (a truncated file), nothing more is produced and no
 * player's or device's last chunk is marked final, so no match-complete output comes from partial
 * data; the result says where the input stopped.
 */
import type { Modality } from "../lambdas/contracts/modalities.js";
import { DEFAULT_PITCH, type PitchDimensions } from "../lambdas/contracts/pitch.js";
import type { TrackingChunk } from "../lambdas/contracts/records/tracking.js";
import { WEARABLE_CHUNK_MS } from "../lambdas/contracts/records/wearable.js";
import { Chunker } from "./chunker.js";
import { eachItem, type InputFailure } from "./readers/input-error.js";
import type { ReaderItem, WearableSample } from "./readers/types.js";
import { WearableChunker } from "./wearable-chunker.js";

/**
 * What a run reads: reader items (tracking samples, whole records and bad lines; `modality` names the
 * records' modality, tracking by default), tracking chunks already built (the demo), or any
 * modality's records.
 */
export type ProduceSource =
  | { readonly items: Iterable<ReaderItem> | AsyncIterable<ReaderItem>; readonly modality?: string }
  | { readonly chunks: Iterable<TrackingChunk> }
  | { readonly modality: string; readonly records: Iterable<unknown> | AsyncIterable<unknown> };

export type BadItem = Extract<ReaderItem, { kind: "bad" }>;

export interface ProduceOptions {
  readonly modality: Modality;
  readonly matchId: string;
  /** Span of one tracking chunk built from reader items. */
  readonly chunkMs: number;
  /** Span of one wearable record built from reader items. @default WEARABLE_CHUNK_MS (30 s) */
  readonly wearableChunkMs?: number;
  readonly pitch?: PitchDimensions;
  /** Puts one record on the stream. */
  readonly put: (record: unknown) => Promise<void>;
  /** A line a reader rejected, to quarantine. */
  readonly onRejected: (bad: BadItem) => Promise<void>;
}

export interface Produced {
  /** Samples read, rejected lines (and wearable samples the chunker rejected) excluded. */
  samplesRead: number;
  /** Samples put on the stream. */
  samplesSent: number;
  readerRejectedSamples: number;
  readerRejectedLines: number;
  /** Set when reading failed part way. */
  incomplete: InputFailure | null;
  /** The matches or sessions the records put on the stream belong to (their identity's matchId). */
  sessions: Set<string>;
}

/** Runs the loop; `produced` is updated as it goes, so a progress line can read it. */
export async function produce(
  source: ProduceSource,
  o: ProduceOptions,
  produced: Produced = emptyProduced(),
): Promise<Produced> {
  const chunker = new Chunker(o.matchId, o.chunkMs, o.pitch ?? DEFAULT_PITCH);
  const wearables = new WearableChunker(o.matchId, o.wearableChunkMs ?? WEARABLE_CHUNK_MS);
  const put = async (record: unknown): Promise<void> => {
    produced.samplesSent += o.modality.record.samples(record);
    produced.sessions.add(o.modality.record.identity(record).matchId);
    await o.put(record);
  };
  const record = async (r: unknown): Promise<void> => {
    produced.samplesRead += o.modality.record.samples(r);
    await put(r);
  };
  const rejected = async (bad: BadItem): Promise<void> => {
    produced.readerRejectedSamples += bad.samples;
    produced.readerRejectedLines++;
    await o.onRejected(bad);
  };
  const wearable = async (s: WearableSample): Promise<void> => {
    const r = wearables.add(s);
    if (r.rejected) await rejected(rejectedWearable(s, r.rejected));
    else produced.samplesRead++;
    if (r.chunk) await put(r.chunk);
  };
  const item = async (i: ReaderItem): Promise<void> => {
    if (i.kind === "bad") {
      await rejected(i);
      return;
    }
    if (i.kind === "record") {
      await record(i.record);
      return;
    }
    if (i.kind === "wearable") {
      await wearable(i.sample);
      return;
    }
    if (i.kind === "samples") {
      // Synchronous but for the chunks the samples complete (one in hundreds of samples).
      for (const s of i.samples) {
        produced.samplesRead++;
        const chunk = chunker.add(s);
        if (chunk) await put(chunk);
      }
      return;
    }
    produced.samplesRead++;
    const chunk = chunker.add(i.sample);
    if (chunk) await put(chunk);
  };

  if ("items" in source) produced.incomplete = await eachItem(source.items, item);
  else produced.incomplete = await eachItem("chunks" in source ? source.chunks : source.records, record);
  // Final chunks only when the input ended: a failed read leaves every player's match open.
  if (!produced.incomplete) {
    for (const c of chunker.finish()) await put(c);
    for (const c of wearables.finish()) await put(c);
  }
  return produced;
}

/** A wearable sample the chunker left out, as a quarantine item: the reader let it through, so no file:line is known. */
const rejectedWearable = (s: WearableSample, reason: string): BadItem => ({
  kind: "bad",
  ref: `${s.playerId}/${s.deviceId}@${Number.isFinite(s.t) ? new Date(s.t).toISOString() : String(s.t)}`,
  reason,
  payload: JSON.stringify(s),
  samples: 1,
});

export const emptyProduced = (): Produced => ({
  samplesRead: 0,
  samplesSent: 0,
  readerRejectedSamples: 0,
  readerRejectedLines: 0,
  incomplete: null,
  sessions: new Set(),
});
