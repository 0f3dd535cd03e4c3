/**
 * Sends a modality's records to a deployed Kinesis stream (`--target aws`): the same produce loop
 * and readers as the embedded pipeline (./produce.ts), the real Kinesis client with the default
 * credential chain. Reader rejects are quarantined in the local lake, so nothing bad is dropped
 * silently; a read that fails part way stops the send, as it stops a local run.
 */
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { KinesisProducer, type ProducerStats } from "../lambdas/adapters/aws/kinesis-producer.js";
import { DuckDbLake } from "../lambdas/adapters/local/duckdb-lake.js";
import { MODALITIES, modalityById, TRACKING } from "../lambdas/contracts/modalities.js";
import type { PitchDimensions } from "../lambdas/contracts/pitch.js";
import { QUARANTINE, type RowOf } from "../lambdas/contracts/tables/index.js";
import { type Produced, type ProduceSource, produce } from "./produce.js";
import { readerQuarantineRow } from "./quarantine.js";

export interface SendOptions {
  readonly streamName: string;
  readonly matchId: string;
  readonly chunkMs: number;
  readonly lakePath: string;
  readonly readerSource: string;
  /** A Kinesis-compatible endpoint (LocalStack, kinesalite). @default - the AWS endpoint of the region */
  readonly endpoint?: string;
  readonly region?: string;
  /** The pitch the positions are on (a GNSS run's surveyed corners). @default DEFAULT_PITCH (105 x 68 m) */
  readonly pitch?: PitchDimensions;
}

export interface SendResult extends Produced {
  readonly producer: ProducerStats;
  readonly durationMs: number;
}

export async function sendToKinesis(source: ProduceSource, o: SendOptions): Promise<SendResult> {
  const started = Date.now();
  const modality = "modality" in source && source.modality ? modalityById(source.modality, MODALITIES) : TRACKING;
  const client = new KinesisClient({
    ...(o.region ? { region: o.region } : {}),
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 60_000 }),
  });
  const producer = new KinesisProducer(client, o.streamName, modality.record);
  const rejects: RowOf<typeof QUARANTINE>[] = [];
  let produced: Produced;
  try {
    produced = await produce(source, {
      modality,
      matchId: o.matchId,
      chunkMs: o.chunkMs,
      ...(o.pitch ? { pitch: o.pitch } : {}),
      put: (r) => producer.put(r),
      onRejected: async (bad) => void rejects.push(readerQuarantineRow(bad, o.readerSource, o.matchId)),
    });
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
  return { ...produced, producer: producer.stats, durationMs: Date.now() - started };
}
