/**
 * The tracking-features Lambda, as deployed: the shared handler wired to the cloud adapters.
 * Environment (set by the CDK construct): PLAYER_WINDOWS_STREAM, QUARANTINE_STREAM, INSIGHTS_STREAM
 * (Firehose delivery streams), EVENT_BUS_NAME, STATE_TABLE_NAME, WINDOW_SECONDS.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { FirehoseClient } from "@aws-sdk/client-firehose";
import { DynamoDbStateStore } from "../adapters/dynamodb-state-store.js";
import { EventBridgePublisher } from "../adapters/eventbridge-publisher.js";
import { FirehoseSink } from "../adapters/firehose-sink.js";
import { tracer } from "../commons/tracer.js";
import { createTrackingFeaturesHandler } from "./handler.js";

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`environment variable ${name} is not set`);
  return v;
}

const windowSeconds = Number(env("WINDOW_SECONDS"));

export const handler = createTrackingFeaturesHandler({
  sink: new FirehoseSink(tracer.captureAWSv3Client(new FirehoseClient({})), {
    player_windows: env("PLAYER_WINDOWS_STREAM"),
    quarantine: env("QUARANTINE_STREAM"),
    insights: env("INSIGHTS_STREAM"),
  }),
  publisher: new EventBridgePublisher(tracer.captureAWSv3Client(new EventBridgeClient({})), env("EVENT_BUS_NAME")),
  stateStore: new DynamoDbStateStore(tracer.captureAWSv3Client(new DynamoDBClient({})), env("STATE_TABLE_NAME")),
  windowMs: windowSeconds * 1000,
  tracer,
});
