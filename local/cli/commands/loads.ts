/** `sideline loads <file.csv>`: a club's session loads into player_loads. */
import { DuckDbLake } from "../../../lambdas/adapters/local/duckdb-lake.js";
import { assertReadable } from "../../../producers/readers/lines.js";
import { readLoadsCsv } from "../../../producers/readers/loads-csv.js";
import { DEFAULT_LAKE_PATH } from "../../pipeline.js";
import { EXIT, exitCodesHelp } from "../exit-codes.js";
import { importLoads } from "../loads.js";
import { parseCommandArgs, stringValue, UsageError } from "../options.js";
import { printable } from "../terminal.js";

export const name = "loads";
export const synopsis = "loads <file.csv>";
export const summary = "import session loads into player_loads: the history of the acute:chronic workload ratio";

export const options = { lake: { type: "string" } } as const;

export const help = `usage: sideline loads <file.csv> [options]

Imports the club's session loads (GPS vests in training) into player_loads, the history the
acute:chronic workload ratio is computed from. The CSV has a header naming player_id, date
(YYYY-MM-DD) and load (total distance, m), and optionally minutes and session_id, in any order.
Bad lines go to the quarantine table with their reason.

loads options:
  --lake PATH               the DuckDB lake (default ${DEFAULT_LAKE_PATH}; created if missing)

${exitCodesHelp([EXIT.ok, EXIT.error, EXIT.usage])}`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(name, argv, options);
  if (positionals.length !== 1) throw new UsageError("loads takes one CSV file: sideline loads <file.csv>");
  const file = positionals[0]!;
  // The file is checked, header included, before the lake is opened (or created).
  await assertReadable(file);
  for await (const _ of readLoadsCsv(file)) break;
  const lake = await DuckDbLake.open(stringValue(values.lake) ?? DEFAULT_LAKE_PATH);
  try {
    const r = await importLoads(lake, file);
    process.stdout.write(
      `${printable(
        `${r.lines} lines: ${r.sessions} sessions for ${r.players} players imported into player_loads, ` +
          `${r.quarantined} quarantined${r.quarantined ? " (sideline sql \"SELECT record_ref, reason FROM quarantine WHERE source = 'reader:loads'\")" : ""}`,
      )}\n`,
    );
    return EXIT.ok;
  } finally {
    lake.close();
  }
}
