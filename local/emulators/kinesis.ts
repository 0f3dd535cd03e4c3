/**
 * Kinesis on one machine: kinesalite in-process on 127.0.0.1, reached with the real
 * @aws-sdk/client-kinesis (NodeHttpHandler: kinesalite speaks HTTP/1.1 without TLS).
 */
import type { AddressInfo } from "node:net";
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  KinesisClient,
  waitUntilStreamExists,
} from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import kinesalite from "kinesalite";

export interface LocalKinesis {
  readonly client: KinesisClient;
  readonly endpoint: string;
  createStream(name: string, shards: number): Promise<string>;
  close(): Promise<void>;
}

/** Credentials kinesalite accepts (it checks their shape, not their value); never real ones. */
const EMULATOR_CREDENTIALS = { accessKeyId: "LOCAL", secretAccessKey: "LOCAL" };
export const LOCAL_REGION = "us-east-1";

export async function startLocalKinesis(): Promise<LocalKinesis> {
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new KinesisClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: EMULATOR_CREDENTIALS,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 60000 }),
  });
  return {
    client,
    endpoint,
    async createStream(name, shards) {
      await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
      await waitUntilStreamExists({ client, maxWaitTime: 30, minDelay: 1 }, { StreamName: name });
      const d = await client.send(new DescribeStreamCommand({ StreamName: name }));
      return d.StreamDescription!.StreamARN!;
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
