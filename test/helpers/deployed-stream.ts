/**
 * A deployed stream stood in by kinesalite on 127.0.0.1, for `--target aws` tests: the stream is
 * created, the CLI's default credential chain gets stand-in keys for the test's length, and the
 * records can be read back with the real Kinesis client.
 */
import { GetRecordsCommand, GetShardIteratorCommand } from "@aws-sdk/client-kinesis";
import { startLocalKinesis } from "../../local/emulators/kinesis.js";

export interface DeployedStream {
  readonly name: string;
  /** The endpoint to pass as `--endpoint`. */
  readonly endpoint: string;
  /** Every record on the stream's one shard, from its start: partition key and parsed JSON data. */
  records(): Promise<{ partitionKey: string; data: unknown }[]>;
}

export async function withDeployedStream<T>(name: string, f: (s: DeployedStream) => Promise<T>): Promise<T> {
  const kinesis = await startLocalKinesis();
  const saved = {
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
  };
  process.env.AWS_ACCESS_KEY_ID = "LOCAL";
  process.env.AWS_SECRET_ACCESS_KEY = "LOCAL";
  try {
    await kinesis.createStream(name, 1);
    return await f({
      name,
      endpoint: kinesis.endpoint,
      async records() {
        const shard = await kinesis.client.send(
          new GetShardIteratorCommand({
            StreamName: name,
            ShardId: "shardId-000000000000",
            ShardIteratorType: "TRIM_HORIZON",
          }),
        );
        const got = await kinesis.client.send(new GetRecordsCommand({ ShardIterator: shard.ShardIterator! }));
        return (got.Records ?? []).map((x) => ({
          partitionKey: x.PartitionKey!,
          data: JSON.parse(Buffer.from(x.Data!).toString()) as unknown,
        }));
      },
    });
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await kinesis.close();
  }
}
