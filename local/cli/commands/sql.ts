/** `sideline sql "<query>"`: DuckDB SQL over the lake, read-only in every way. */
import { DuckDbLake } from "../../../lambdas/adapters/local/duckdb-lake.js";
import { EXIT, exitCodesHelp } from "../exit-codes.js";
import { formatResult, OUTPUT_FORMATS, type OutputFormat } from "../format.js";
import { parseCommandArgs, stringValue, UsageError } from "../options.js";
import { existingLake, LAKE_HELP } from "./lake-path.js";

export const name = "sql";
export const synopsis = 'sql "<query>"';
export const summary = "query the lake (DuckDB SQL, read-only)";

export const options = { lake: { type: "string" }, format: { type: "string" } } as const;

export const help = `usage: sideline sql "<query>" [options]

Runs DuckDB SQL over the lake's tables, e.g.
  sideline sql "SELECT player_id, sum(distance_m) FROM player_windows GROUP BY ALL"
The lake is opened read-only and only queries run (SELECT, WITH, FROM, VALUES, SHOW, DESCRIBE,
SUMMARIZE, EXPLAIN): no statement can change the lake, read or write another file (COPY, EXPORT,
read_csv), attach a database, install or load an extension, or change a setting. To save a result,
use --format csv and redirect it: sideline sql "..." --format csv > out.csv

sql options:
  --format F                table | csv | json (default table; the table escapes control characters)
${LAKE_HELP}

${exitCodesHelp([EXIT.ok, EXIT.error, EXIT.usage])}`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(name, argv, options);
  if (positionals.length !== 1)
    throw new UsageError('sql takes exactly one query, in quotes: sideline sql "SELECT ..."');
  const format = (stringValue(values.format) ?? "table") as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format))
    throw new UsageError(`unknown output format '${format}': expected ${OUTPUT_FORMATS.join(", ")}`);
  const lake = await DuckDbLake.open(existingLake(stringValue(values.lake)), { sandbox: true });
  try {
    const result = await lake.query(positionals[0]!).catch((e: Error) => {
      throw new Error(`sql: ${e.message.split("\n")[0]}`);
    });
    process.stdout.write(`${formatResult(result, format)}\n`);
  } finally {
    lake.close();
  }
  return EXIT.ok;
}
