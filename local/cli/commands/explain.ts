/** `sideline explain <insight-id>`: why an insight fired. */
import { fileURLToPath } from "node:url";
import { DuckDbLake } from "../../../lambdas/adapters/local/duckdb-lake.js";
import { EXIT, exitCodesHelp } from "../exit-codes.js";
import { explainInsight } from "../explain.js";
import { parseCommandArgs, stringValue, UsageError } from "../options.js";
import { printableLines } from "../terminal.js";
import { existingLake, LAKE_HELP } from "./lake-path.js";

export const name = "explain";
export const synopsis = "explain <insight-id>";
export const summary = "why an insight fired: its rule, features, windows and picture";

export const options = { lake: { type: "string" } } as const;

export const help = `usage: sideline explain <insight-id> [options]

Shows why an insight fired: its rule, the features against their baselines and thresholds, the
windows that triggered it, and where its picture is. The ids are in the run's summary, or:
  sideline sql "SELECT insight_id, detail_type, player_id FROM insights"

explain options:
${LAKE_HELP}

${exitCodesHelp([EXIT.ok, EXIT.error, EXIT.usage])}`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(name, argv, options);
  if (positionals.length !== 1) throw new UsageError("explain takes one insight id: sideline explain <insight-id>");
  const lake = await DuckDbLake.open(existingLake(stringValue(values.lake)), { readOnly: true });
  try {
    process.stdout.write(`${printableLines(await explainInsight(lake, positionals[0]!, (u) => fileURLToPath(u)))}\n`);
  } finally {
    lake.close();
  }
  return EXIT.ok;
}
