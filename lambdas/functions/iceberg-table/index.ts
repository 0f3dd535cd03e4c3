/**
 * The iceberg-table Lambda, as deployed: the service token of the lake's `Custom::IcebergTable`
 * resources. Environment (set by the IcebergCatalog construct): DATABASE_NAME, validated at init
 * (./env.ts).
 */
import { GlueClient } from "@aws-sdk/client-glue";
import { parseEnv } from "../../runtime/env.js";
import { tracer } from "../../runtime/tracer.js";
import { icebergTableEnvSchema } from "./env.js";
import { createIcebergTableHandler } from "./handler.js";

const env = parseEnv(icebergTableEnvSchema);

export const handler = createIcebergTableHandler({
  glue: tracer.captureAWSv3Client(new GlueClient({})),
  databaseName: env.DATABASE_NAME,
  tracer,
});
