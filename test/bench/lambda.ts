/**
 * `bench.lambda.*`: the tracking-features Lambda handler as deployed, on live 1 s chunks. The bundle
 * is built like the Lambda's; the handler is the real one (Middy, Powertools logger and metrics,
 * BatchProcessor with partial batch responses, the state read at the start of each invocation and
 * written at its end). Two state stores, in one run:
 * - `bench.lambda.samples_per_s`: the in-memory store, which keeps each state as JSON text as any
 *   store must (the embedded runtime's): the handler plus the state round trip;
 * - `bench.lambda.dynamodb_client.*`: the deployed DynamoDbStateStore on the real DynamoDB client,
 *   paying what Lambda pays besides the network: SigV4 signing, request serialization, deflate.
 *   Only the HTTP exchange is replaced: the client's request handler answers BatchGetItem and
 *   BatchWriteItem from a table in memory, so the figure is the function's own CPU, not an
 *   emulator's (in AWS each call adds a few milliseconds of network latency on top).
 * The feature sink and the bus are no-ops (a window row per player-minute, a few events per match).
 *
 * Input: 20 minutes of the demo match in live 1 s chunks, in arrival order, in batches of the
 * mapping's default batch size (100 records).
 */
import { Readable } from "node:stream";
import type { Context, KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";
import { STREAM_MAPPING_DEFAULTS } from "../../lambdas/contracts/defaults.js";
import { DemoMatch } from "../../local/demo/demo-match.js";
import { kinesisRecordFactory, lambdaContext } from "../helpers/factories.js";
import { bundle } from "./bundle.js";

type Lib = typeof import("./lambda-entry.js");
type AttributeMap = Record<string, { S?: string; B?: string; N?: string }>;

/** DynamoDB's JSON protocol for the two calls the state store makes, in memory. */
class InMemoryDynamoDb {
  readonly items = new Map<string, AttributeMap>();
  requests = 0;

  async handle(request: { headers: Record<string, string>; body?: unknown }): Promise<{ response: unknown }> {
    this.requests++;
    const target = request.headers["x-amz-target"] ?? request.headers["X-Amz-Target"];
    const body = request.body instanceof Uint8Array ? Buffer.from(request.body).toString("utf8") : String(request.body);
    const input = JSON.parse(body) as {
      RequestItems: Record<string, { Keys?: AttributeMap[]; PutRequest?: unknown }[] | { Keys: AttributeMap[] }>;
    };
    let output: unknown;
    if (target === "DynamoDB_20120810.BatchGetItem") {
      const responses: Record<string, AttributeMap[]> = {};
      for (const [table, req] of Object.entries(input.RequestItems)) {
        const keys = (req as { Keys: AttributeMap[] }).Keys;
        responses[table] = keys.flatMap((k) => {
          const item = this.items.get(`${table}/${k.pk!.S}`);
          return item ? [item] : [];
        });
      }
      output = { Responses: responses, UnprocessedKeys: {} };
    } else if (target === "DynamoDB_20120810.BatchWriteItem") {
      for (const [table, writes] of Object.entries(input.RequestItems)) {
        for (const w of writes as { PutRequest: { Item: AttributeMap } }[])
          this.items.set(`${table}/${w.PutRequest.Item.pk!.S}`, w.PutRequest.Item);
      }
      output = { UnprocessedItems: {} };
    } else throw new Error(`the bench table answers BatchGetItem and BatchWriteItem only, not ${target}`);
    const answer = Buffer.from(JSON.stringify(output));
    return {
      response: {
        statusCode: 200,
        reason: "OK",
        headers: { "content-type": "application/x-amz-json-1.0", "content-length": String(answer.length) },
        body: Readable.from([answer]),
      },
    };
  }
}

/** One pass over the events through a fresh handler and table; returns seconds. */
async function pass(
  lib: Lib,
  events: readonly KinesisStreamEvent[],
  store: "dynamodb" | "memory",
): Promise<{ s: number; failures: number }> {
  const db = new InMemoryDynamoDb();
  const client = new lib.DynamoDBClient({
    region: "eu-west-1",
    credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench" },
    requestHandler: db,
  });
  const noop = { put: async () => undefined, publish: async () => undefined };
  const visuals = { urlFor: (k: string) => k, put: async () => undefined };
  const handler = lib.createTrackingFeaturesHandler({
    sink: noop,
    publisher: noop,
    stateStore:
      store === "dynamodb" ? new lib.DynamoDbStateStore(client, "sideline-dev-state") : new lib.MemoryStateStore(),
    visuals,
    windowMs: 60_000,
  });
  let failures = 0;
  const t = performance.now();
  for (const e of events) failures += (await handler(e, lambdaContext as Context)).batchItemFailures.length;
  return { s: (performance.now() - t) / 1000, failures };
}

export async function lambdaFigures(out: (name: string, value: number | string) => void, tmp: string): Promise<void> {
  const entry = `${tmp}/lambda-entry.mjs`;
  await bundle("test/bench/lambda-entry.ts", entry);
  const lib = (await import(entry)) as Lib;
  const match = new DemoMatch({ minutes: 20, seed: 1 });
  const records: KinesisStreamRecord[] = [...match.chunks(1000)].map((c) => kinesisRecordFactory(c));
  const samples = records.reduce(
    (n, r) => n + (JSON.parse(Buffer.from(r.kinesis.data, "base64").toString("utf8")) as { t: unknown[] }).t.length,
    0,
  );
  const events: KinesisStreamEvent[] = [];
  for (let i = 0; i < records.length; i += STREAM_MAPPING_DEFAULTS.batchSize)
    events.push({ Records: records.slice(i, i + STREAM_MAPPING_DEFAULTS.batchSize) });
  const best = { dynamodb: Number.POSITIVE_INFINITY, memory: Number.POSITIVE_INFINITY };
  for (let i = 0; i < 5; i++) {
    for (const store of ["dynamodb", "memory"] as const) {
      const r = await pass(lib, events, store);
      if (r.failures > 0) throw new Error(`the Lambda bench's handler failed ${r.failures} records`);
      best[store] = Math.min(best[store], r.s);
    }
  }
  out("bench.lambda.invocations", events.length);
  out("bench.lambda.records_per_invocation", STREAM_MAPPING_DEFAULTS.batchSize);
  // The state round trip as every store makes it (each state's JSON text, both ways; the embedded runtime's store).
  out("bench.lambda.samples_per_s", samples / best.memory);
  out("bench.lambda.ms_per_invocation", (best.memory * 1000) / events.length);
  // The deployed store: the DynamoDB client's signing and serialization, and deflate, on top.
  out("bench.lambda.dynamodb_client.samples_per_s", samples / best.dynamodb);
  out("bench.lambda.dynamodb_client.ms_per_invocation", (best.dynamodb * 1000) / events.length);
  out("bench.lambda.dynamodb_client.share", (best.dynamodb - best.memory) / best.dynamodb);
}
