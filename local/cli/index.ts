/**
 * `sideline`: the embedded runtime's command line. Each command is a module in ./commands (its
 * name, summary, help, option spec and run function); this file dispatches to them, prints their
 * help, and turns every error into one printable line on stderr and an exit code (see exit-codes.ts).
 */
import * as crm from "./commands/crm.js";
import * as decide from "./commands/decide.js";
import * as demo from "./commands/demo.js";
import * as endpoint from "./commands/endpoint.js";
import * as explain from "./commands/explain.js";
import * as loads from "./commands/loads.js";
import * as pose from "./commands/pose.js";
import * as run from "./commands/run.js";
import * as sql from "./commands/sql.js";
import { EXIT, exitCodesHelp } from "./exit-codes.js";
import { type CommandModule, UsageError } from "./options.js";
import { printable } from "./terminal.js";

/** Every command, in the order `sideline help` lists them. */
export const COMMANDS: readonly CommandModule[] = [demo, run, sql, loads, explain, decide, pose, endpoint, crm];

/** Synopses longer than this put their summary on the next line. */
const SYNOPSIS_WIDTH = 26;

function commandLine(c: CommandModule): string {
  const head = `  ${c.synopsis}`;
  return head.length < SYNOPSIS_WIDTH
    ? `${head.padEnd(SYNOPSIS_WIDTH)}${c.summary}`
    : `${head}\n${" ".repeat(SYNOPSIS_WIDTH)}${c.summary}`;
}

export const USAGE = `usage: sideline <command> [options]

commands:
${COMMANDS.map(commandLine).join("\n")}

'sideline help <command>' (or 'sideline <command> --help') shows a command's options.

environment:
  SIDELINE_CRM_URL          the CRM webhook the workflows POST to; unset: requests go to the crm_outbox table
  SIDELINE_CRM_TOKEN        sent as Authorization: Bearer <token> (never printed or stored)

${exitCodesHelp()}`;

const HELP_FLAGS = new Set(["--help", "-h"]);

function commandNamed(name: string): CommandModule {
  const c = COMMANDS.find((x) => x.name === name);
  if (!c) throw new UsageError(`unknown command '${name}': expected ${COMMANDS.map((x) => x.name).join(", ")}`);
  return c;
}

/** Runs one command; returns the exit code. Errors are one line on stderr. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === "help" || HELP_FLAGS.has(command)) {
      const topic = command === "help" ? rest[0] : undefined;
      process.stdout.write(`${topic ? commandNamed(topic).help : USAGE}\n`);
      return command === undefined ? EXIT.usage : EXIT.ok;
    }
    const c = commandNamed(command);
    const end = rest.indexOf("--");
    if ((end < 0 ? rest : rest.slice(0, end)).some((a) => HELP_FLAGS.has(a))) {
      process.stdout.write(`${c.help}\n`);
      return EXIT.ok;
    }
    return await c.run(rest);
  } catch (e) {
    const usage = e instanceof UsageError;
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`sideline: error: ${printable(message.split("\n")[0]!)}\n`);
    if (usage)
      process.stderr.write(
        `run 'sideline help${command && command !== "help" ? ` ${printable(command)}` : ""}' for usage\n`,
      );
    return usage ? EXIT.usage : EXIT.error;
  }
}
