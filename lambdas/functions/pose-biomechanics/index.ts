/**
 * The pose-biomechanics Lambda, as deployed: the handler wired to the cloud adapters. Its environment
 * is set by the FeatureExtractor construct and validated at init (runtime/env.ts).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { FirehoseClient } from "@aws-sdk/client-firehose";
import { S3Client } from "@aws-sdk/client-s3";
import { DynamoDbStateStore } from "../../adapters/aws/dynamodb-state-store.js";
import { EventBridgePublisher } from "../../adapters/aws/eventbridge-publisher.js";
import { FirehoseSink } from "../../adapters/aws/firehose-sink.js";
import { S3VisualStore } from "../../adapters/aws/s3-visual-store.js";
import { extractorEnvSchema, parseEnv } from "../../runtime/env.js";
import { tracer } from "../../runtime/tracer.js";
import { createPoseBiomechanicsHandler } from "./handler.js";

const env = parseEnv(extractorEnvSchema);

export const handler = createPoseBiomechanicsHandler({
  sink: new FirehoseSink(tracer.captureAWSv3Client(new FirehoseClient({})), env.DELIVERY_STREAMS),
  publisher: new EventBridgePublisher(tracer.captureAWSv3Client(new EventBridgeClient({})), env.EVENT_BUS_NAME),
  stateStore: new DynamoDbStateStore(tracer.captureAWSv3Client(new DynamoDBClient({})), env.STATE_TABLE_NAME),
  visuals: new S3VisualStore(tracer.captureAWSv3Client(new S3Client({})), env.VISUALS_BUCKET),
  windowMs: env.WINDOW_SECONDS * 1000,
  tracer,
});
