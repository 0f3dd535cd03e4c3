/** What every command module is, and the option parsing they share: one-line, actionable usage errors. */
import { parseArgs } from "node:util";
import { assertTimeZone } from "../../producers/readers/timestamps.js";

/** A mistake in the command line: exit code 2 and a pointer to the command's help. */
export class UsageError extends Error {}

export type OptionSpec = Readonly<Record<string, { readonly type: "string" | "boolean" }>>;

/** One `sideline` command: local/cli/commands/<name>.ts exports these. */
export interface CommandModule {
  readonly name: string;
  /** One line for the command list in `sideline help`. */
  readonly summary: string;
  /** The command with its arguments, e.g. `run <files...>`. */
  readonly synopsis: string;
  /** Everything `sideline help <command>` prints: each option the parser accepts, and no other. */
  readonly help: string;
  /** The node:util parseArgs option spec. */
  readonly options: OptionSpec;
  /** Runs the command with the arguments after its name; returns the exit code. */
  run(argv: string[]): Promise<number>;
}

const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * `--batch-size -5` as `--batch-size=-5`: parseArgs takes a value starting with '-' for an option,
 * so a negative number would be refused as ambiguous instead of reaching the range check.
 */
function joinNegativeValues(argv: readonly string[], options: OptionSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") return [...out, ...argv.slice(i)];
    const name = a.startsWith("--") && !a.includes("=") ? a.slice(2) : null;
    const next = argv[i + 1];
    if (name && options[name]?.type === "string" && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** parseArgs in strict mode, its errors rewritten as one-line usage errors that name the command. */
export function parseCommandArgs<O extends OptionSpec>(command: string, argv: readonly string[], options: O) {
  try {
    return parseArgs({ args: joinNegativeValues(argv, options), options, allowPositionals: true, strict: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    if (!err.code?.startsWith("ERR_PARSE_ARGS")) throw e;
    const quoted = /'([^']+)'/.exec(err.message)?.[1] ?? "";
    const option = quoted.split(" ")[0]!;
    if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw new UsageError(`${command} has no option '${option}'`);
    if (/does not take an argument/.test(err.message))
      throw new UsageError(`${option} takes no value: write ${option} alone`);
    if (/argument is ambiguous/.test(err.message))
      throw new UsageError(`${option} needs a value: to pass one starting with '-', write ${option}=VALUE`);
    if (/argument missing/.test(err.message)) throw new UsageError(`${option} needs a value`);
    throw new UsageError(err.message.split("\n")[0]!);
  }
}

/** A string option's value, or undefined. */
export function stringValue(v: string | boolean | undefined): string | undefined {
  return typeof v === "string" ? v : undefined;
}

export function intOption(v: string | undefined, name: string, def: number, min: number, max: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (v.trim() === "" || !Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${v}'`);
  return n;
}

/** A decimal number from min to max (a share, a ratio). */
export function numberOption(v: string | undefined, name: string, def: number, min: number, max: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n < min || n > max)
    throw new UsageError(`--${name} must be a number from ${min} to ${max}, got '${v}'`);
  return n;
}

/** An IANA time zone name, checked against the runtime's zone data. */
export function timeZoneOption(v: string | undefined, name: string, def: string): string {
  if (v === undefined) return def;
  try {
    return assertTimeZone(v);
  } catch {
    throw new UsageError(
      `--${name} must be an IANA time zone such as Europe/Oslo, America/New_York or UTC, got '${v}'`,
    );
  }
}
