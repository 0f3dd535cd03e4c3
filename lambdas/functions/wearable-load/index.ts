/**
 * The wearable-load Lambda, as deployed: the handler wired to the cloud adapters. Its environment
 * is set by the FeatureExtractor construct and validated at init (runtime/env.ts). The squad's
 * heart-rate references are config/squad.json, bundled with the function: a change is a deploy,
 * and versioned.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { FirehoseClient } from "@aws-sdk/client-firehose";
import { S3Client } from "@aws-sdk/client-s3";
import squadFile from "../../../config/squad.json" with { type: "json" };
import { DynamoDbLoadHistory } from "../../adapters/aws/dynamodb-load-history.js";
import { DynamoDbStateStore } from "../../adapters/aws/dynamodb-state-store.js";
import { EventBridgePublisher } from "../../adapters/aws/eventbridge-publisher.js";
import { FirehoseSink } from "../../adapters/aws/firehose-sink.js";
import { S3VisualStore } from "../../adapters/aws/s3-visual-store.js";
import { parseSquad } from "../../contracts/squad.js";
import { extractorEnvSchema, parseEnv } from "../../runtime/env.js";
import { tracer } from "../../runtime/tracer.js";
import { createWearableLoadHandler } from "./handler.js";

const env = parseEnv(extractorEnvSchema);
const dynamo = tracer.captureAWSv3Client(new DynamoDBClient({}));

export const handler = createWearableLoadHandler({
  sink: new FirehoseSink(tracer.captureAWSv3Client(new FirehoseClient({})), env.DELIVERY_STREAMS),
  publisher: new EventBridgePublisher(tracer.captureAWSv3Client(new EventBridgeClient({})), env.EVENT_BUS_NAME),
  stateStore: new DynamoDbStateStore(dynamo, env.STATE_TABLE_NAME),
  loadHistory: new DynamoDbLoadHistory(dynamo, env.STATE_TABLE_NAME),
  visuals: new S3VisualStore(tracer.captureAWSv3Client(new S3Client({})), env.VISUALS_BUCKET),
  squad: parseSquad(squadFile, "config/squad.json"),
  windowMs: env.WINDOW_SECONDS * 1000,
  tracer,
});
