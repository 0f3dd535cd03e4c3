/** The lake a query command reads: it must exist already (queries never create one). */
import { existsSync } from "node:fs";
import { DEFAULT_LAKE_PATH } from "../../pipeline.js";

export const LAKE_HELP = `  --lake PATH               the DuckDB lake (default ${DEFAULT_LAKE_PATH})`;

export function existingLake(path: string | undefined): string {
  const p = path ?? DEFAULT_LAKE_PATH;
  if (!existsSync(p))
    throw new Error(`cannot open lake '${p}': no such file (run 'sideline demo' first, or pass --lake)`);
  return p;
}
