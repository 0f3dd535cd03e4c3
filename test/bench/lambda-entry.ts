/** What the Lambda benchmark imports from a bundle built like the Lambda's (see bundle.ts and lambda.ts). */
export { DynamoDBClient } from "@aws-sdk/client-dynamodb";
export { DynamoDbStateStore } from "../../lambdas/adapters/aws/dynamodb-state-store.js";
export { MemoryStateStore } from "../../lambdas/adapters/local/memory-state-store.js";
export { createTrackingFeaturesHandler } from "../../lambdas/functions/tracking-features/handler.js";
