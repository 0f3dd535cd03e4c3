/** `sideline loads <file.csv>`: a club's session loads into the players' load histories. */
import { streamName, WEARABLES } from "../../../lambdas/contracts/modalities.js";
import { assertReadable } from "../../../producers/readers/lines.js";
import { MAX_RPE, MAX_SESSION_MINUTES, readLoadsCsv } from "../../../producers/readers/loads-csv.js";
import { DEFAULT_LAKE_PATH } from "../../pipeline.js";
import { EXIT, exitCodesHelp } from "../exit-codes.js";
import { importLoads, LOADS_READER_SOURCE, LOADS_RUN_ID, loadsSource } from "../loads.js";
import { parseCommandArgs, stringValue, UsageError } from "../options.js";
import { automationOptions, sendToAws, targetsAws } from "../pipeline.js";
import { accounting } from "../summary.js";
import { printable } from "../terminal.js";

export const name = "loads";
export const synopsis = "loads <file.csv>";
export const summary =
  "import session loads (distance, PlayerLoad, TRIMP, session RPE) into the players' load histories";

export const options = {
  lake: { type: "string" },
  target: { type: "string" },
  stream: { type: "string" },
  region: { type: "string" },
  endpoint: { type: "string" },
  "medical-cooldown-h": { type: "string" },
} as const;

export const help = `usage: sideline loads <file.csv> [options]

Imports the club's session loads into player_loads, the history each measure's acute:chronic ratio,
monotony and strain are computed from (player_daily_load). The CSV has a header naming player_id and
date (YYYY-MM-DD), and either load (in the units of a measure column: distance_m, the default,
player_load_au (PlayerLoad as Sideline computes it), vendor_player_load_au (a vendor's own, e.g.
Catapult's: a history of its own), trimp_edwards_au or trimp_banister_au) or rpe (a session RPE, CR-10 0-${MAX_RPE}: its
load is rpe x minutes, Foster et al. 2001), and optionally minutes (0-${MAX_SESSION_MINUTES}; required with rpe)
and session_id, in any order. Each load goes through the wearables stream and extractor, so a
load spike reaches the medical workflow as a device's would. Bad lines go to the quarantine table
with their reason.

loads options:
  --lake PATH               the DuckDB lake (default ${DEFAULT_LAKE_PATH}; created if missing)
  --target local|aws        local: the embedded pipeline (default); aws: put the loads on a deployed
                            wearables stream, whose extractor keeps the cloud history
  --stream NAME             with --target aws: the wearables stream, e.g. ${streamName(WEARABLES, "dev")}
  --region R, --endpoint U  with --target aws: region, or a Kinesis-compatible endpoint (LocalStack)
  --medical-cooldown-h H    hours a player's alerts of one kind are suppressed after one is sent

${exitCodesHelp([EXIT.ok, EXIT.error, EXIT.usage, EXIT.notBalanced, EXIT.incomplete])}`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(name, argv, options);
  if (positionals.length !== 1) throw new UsageError("loads takes one CSV file: sideline loads <file.csv>");
  const file = positionals[0]!;
  const aws = targetsAws(values);
  // The file is checked, header included, before the lake is opened (or created).
  await assertReadable(file);
  for await (const _ of readLoadsCsv(file)) break;
  if (aws) return sendToAws(values, loadsSource(file, new Set()), LOADS_RUN_ID, LOADS_READER_SOURCE);
  const lakePath = stringValue(values.lake) ?? DEFAULT_LAKE_PATH;
  const r = await importLoads(lakePath, file, automationOptions(values, false));
  process.stdout.write(
    `${printable(
      `${r.loads} loads read: ${r.imported} imported into player_loads for ${r.players} players ` +
        `(${r.dailyRows} player_daily_load rows, ${r.result.insights} load spikes), ${r.quarantined} quarantined` +
        `${r.quarantined ? ` (sideline sql "SELECT record_ref, reason FROM quarantine WHERE source = '${LOADS_READER_SOURCE}'")` : ""}`,
    )}\n`,
  );
  if (r.result.incomplete) {
    process.stderr.write(`${printable(`sideline: INCOMPLETE: ${r.result.incomplete.message}`)}\n`);
    return EXIT.incomplete;
  }
  // Every load read is a player_loads row or quarantined; anything else was lost and is reported.
  const a = accounting(r.result);
  if (!a.balanced) {
    process.stderr.write(
      `sideline: NOT BALANCED: ${a.samplesIn} loads read, ${a.inWindows} in player_loads, ${a.quarantined} quarantined\n`,
    );
    return EXIT.notBalanced;
  }
  return EXIT.ok;
}
