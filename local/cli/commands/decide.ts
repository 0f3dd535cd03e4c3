/** `sideline decide <token> approve|reject|hold`: answers a scout decision a workflow waits for. */
import { DuckDbLake } from "../../../lambdas/adapters/local/duckdb-lake.js";
import { AUTOMATION_DEFAULTS } from "../../../lambdas/contracts/defaults.js";
import { LocalAutomation } from "../../automation.js";
import { LocalEventBus } from "../../emulators/bus.js";
import { decideOnAws } from "../decide-aws.js";
import { EXIT, exitCodesHelp } from "../exit-codes.js";
import { parseCommandArgs, stringValue, UsageError } from "../options.js";
import { automationOptions } from "../pipeline.js";
import { printable } from "../terminal.js";
import { existingLake, LAKE_HELP } from "./lake-path.js";

export const name = "decide";
export const synopsis = "decide <token> approve|reject|hold";
export const summary = "answer a scout decision a scouting workflow waits for (pending_decisions)";

export const options = {
  lake: { type: "string" },
  reason: { type: "string" },
  "medical-cooldown-h": { type: "string" },
  target: { type: "string" },
  region: { type: "string" },
  endpoint: { type: "string" },
} as const;

export const help = `usage: sideline decide <task-token> approve|reject|hold [options]

Answers a scout decision a scouting workflow waits for (the tokens are in pending_decisions and
in the run's summary). hold is a heartbeat: the wait stays open another 3 days (14 at most in all).

decide options:
  --reason TEXT             why (kept in scouting_decisions and the CRM follow-up)
  --medical-cooldown-h H    hours a player's alerts of one kind are suppressed after one is sent (default ${AUTOMATION_DEFAULTS.medicalCooldownHours})
  --target local|aws        local: the lake's workflows (default); aws: a deployed workflow
                            (SendTaskSuccess, or SendTaskHeartbeat for hold), with the
                            credentials of the ScoutDecider role, which the deployment creates
                            for the principals in context scoutDeciderPrincipals
  --region R, --endpoint U  with --target aws: region, or a Step Functions-compatible endpoint
${LAKE_HELP}

${exitCodesHelp([EXIT.ok, EXIT.error, EXIT.usage])}`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(name, argv, options);
  const [token, verdict] = positionals;
  if (!token || (verdict !== "approve" && verdict !== "reject" && verdict !== "hold") || positionals.length !== 2)
    throw new UsageError(
      "decide takes a task token and approve, reject or hold: sideline decide <token> approve|reject|hold",
    );
  const reason = stringValue(values.reason) ?? null;
  const target = stringValue(values.target) ?? "local";
  if (target === "aws") {
    const region = stringValue(values.region);
    const endpoint = stringValue(values.endpoint);
    await decideOnAws(token, verdict === "hold" ? "hold" : { decision: verdict, reason }, {
      ...(region ? { region } : {}),
      ...(endpoint ? { endpoint } : {}),
    });
    process.stdout.write(
      verdict === "hold"
        ? "sent a heartbeat to the waiting workflow (SendTaskHeartbeat)\n"
        : `sent ${verdict} to the waiting workflow (SendTaskSuccess)\n`,
    );
    return EXIT.ok;
  }
  if (target !== "local") throw new UsageError(`unknown target '${target}': expected local or aws`);
  const automationSettings = automationOptions(values, false);
  const lake = await DuckDbLake.open(existingLake(stringValue(values.lake)));
  try {
    const automation = new LocalAutomation(lake, new LocalEventBus(), automationSettings);
    if (verdict === "hold") {
      const until = await automation.workflows.heartbeat(token);
      process.stdout.write(`still waiting: the decision is now due by ${until.toISOString()}\n`);
      return EXIT.ok;
    }
    const run = await automation.workflows.decide(token, { decision: verdict, reason });
    await automation.drain();
    const crm = automation.crm.stats.requests.map((r) => `${r.operation} ${r.player_id} (${r.status})`);
    process.stdout.write(
      `${printable(
        `${run.executionName}: ${run.status}${run.error ? ` (${run.error})` : ""}${crm.length ? `; CRM: ${crm.join(", ")}` : ""}`,
      )}\n`,
    );
    return run.status === "SUCCEEDED" ? EXIT.ok : EXIT.error;
  } finally {
    lake.close();
  }
}
