/**
 * The iceberg-table function's environment, validated when the function initialises (as
 * runtime/env.ts does for the other functions): a bad value fails the cold start, naming the variable.
 */
import "../../contracts/zod-locale.js";
import * as z from "zod/mini";
import { nonEmpty } from "../../runtime/env.js";

export const icebergTableEnvSchema = z.object({
  /** The Glue database whose tables this function owns (set by the IcebergCatalog construct). */
  DATABASE_NAME: nonEmpty,
});
