/**
 * The workflow-tasks Lambda, as deployed. Environment (set by the CDK construct): DELIVERY_STREAMS
 * (JSON: table name -> Firehose delivery stream), STATE_TABLE_NAME (the cool-down ledger),
 * MEDICAL_COOLDOWN_HOURS,
 * validated at init (runtime/env.ts).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { FirehoseClient } from "@aws-sdk/client-firehose";
import { DynamoDbAlertLedger } from "../../adapters/aws/dynamodb-alert-ledger.js";
import { FirehoseSink } from "../../adapters/aws/firehose-sink.js";
import { parseEnv, workflowTasksEnvSchema } from "../../runtime/env.js";
import { tracer } from "../../runtime/tracer.js";
import { createWorkflowTasksHandler } from "./handler.js";

const env = parseEnv(workflowTasksEnvSchema);

export const handler = createWorkflowTasksHandler({
  sink: new FirehoseSink(tracer.captureAWSv3Client(new FirehoseClient({})), env.DELIVERY_STREAMS),
  ledger: new DynamoDbAlertLedger(tracer.captureAWSv3Client(new DynamoDBClient({})), env.STATE_TABLE_NAME),
  cooldownMs: env.MEDICAL_COOLDOWN_HOURS * 3_600_000,
  tracer,
});
