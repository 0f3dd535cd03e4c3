/**
 * Sends tracking to a deployed Kinesis stream (`--target aws`): the same readers and chunker as the
 * embedded pipeline, the real Kinesis client with the default credential chain. Reader rejects are
 * quarantined in the local lake before anything is sent, so nothing bad is dropped silently.
 */
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { DuckDbLake } from "../lambdas/adapters/local/duckdb-lake.js";
import { TRACKING_RECORD, type TrackingChunk } from "../lambdas/contracts/records/tracking.js";
import { QUARANTINE, type RowOf } from "../lambdas/contracts/tables/index.js";
import { readerQuarantineRow } from "../local/quarantine.js";
import type { PipelineSource } from "../local/runtime.js";
import { Chunker } from "./chunker.js";
import { KinesisProducer, type ProducerStats } from "./kinesis-producer.js";

export interface SendOptions {
  readonly streamName: string;
  readonly matchId: string;
  readonly chunkMs: number;
  readonly lakePath: string;
  readonly readerSource: string;
  /** A Kinesis-compatible endpoint (LocalStack, kinesalite). @default - the AWS endpoint of the region */
  readonly endpoint?: string;
  readonly region?: string;
}

export interface SendResult {
  readonly samplesSent: number;
  readonly readerQuarantinedSamples: number;
  readonly producer: ProducerStats;
  readonly durationMs: number;
}

export async function sendToKinesis(source: PipelineSource, o: SendOptions): Promise<SendResult> {
  const started = Date.now();
  const client = new KinesisClient({
    ...(o.region ? { region: o.region } : {}),
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 60_000 }),
  });
  const producer = new KinesisProducer(client, o.streamName, TRACKING_RECORD);
  const chunker = new Chunker(o.matchId, o.chunkMs);
  const rejects: RowOf<typeof QUARANTINE>[] = [];
  let samples = 0;
  let rejected = 0;
  const put = async (c: TrackingChunk) => {
    samples += c.t.length;
    await producer.put(c);
  };
  try {
    if ("chunks" in source) {
      for (const c of source.chunks) await put(c);
    } else {
      for await (const item of source.items) {
        if (item.kind === "bad") {
          rejected += item.samples;
          rejects.push(readerQuarantineRow(item, o.readerSource, o.matchId));
          continue;
        }
        const c = chunker.add(item.sample);
        if (c) await put(c);
      }
      for (const c of chunker.finish()) await put(c);
    }
    await producer.flush();
  } finally {
    client.destroy();
  }
  if (rejects.length > 0) {
    const lake = await DuckDbLake.open(o.lakePath);
    try {
      await lake.put(QUARANTINE, rejects);
    } finally {
      lake.close();
    }
  }
  return {
    samplesSent: samples,
    readerQuarantinedSamples: rejected,
    producer: producer.stats,
    durationMs: Date.now() - started,
  };
}
