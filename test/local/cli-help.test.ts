import { parseArgs } from "node:util";
import { EXIT } from "../../local/cli/exit-codes.js";
import { COMMANDS, USAGE } from "../../local/cli/index.js";
import { sidelineInProcess } from "../helpers/cli-in-process.js";

/** Every `--option` a help text names. */
const named = (help: string) => [...new Set([...help.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map((m) => m[1]!))];

describe("sideline help", () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))(
    "%s: every option its help names is accepted by its parser, and every parser option is in its help",
    (_name, c) => {
      // GIVEN the command's help text and its parser spec
      const inHelp = named(c.help);
      // THEN each option in the help parses (with a value when it takes one)
      for (const o of inHelp) {
        const spec = c.options[o];
        expect({ option: o, known: spec !== undefined }).toEqual({ option: o, known: true });
        const args = spec!.type === "string" ? [`--${o}`, "v"] : [`--${o}`];
        expect(() => parseArgs({ args, options: c.options, allowPositionals: true, strict: true })).not.toThrow();
      }
      // AND each option the parser takes is in the help
      expect(Object.keys(c.options).sort()).toEqual([...inHelp].sort());
    },
  );

  it("lists every command with its summary, generated from the command modules", () => {
    for (const c of COMMANDS) expect(USAGE).toContain(`  ${c.synopsis}`);
    for (const c of COMMANDS) expect(USAGE).toContain(c.summary);
    expect(COMMANDS.map((c) => c.name)).toEqual([
      "demo",
      "run",
      "sql",
      "loads",
      "explain",
      "decide",
      "pose",
      "endpoint",
      "crm",
    ]);
  });

  it("documents every exit code in the top-level help and in the help of the commands that run the pipeline", () => {
    for (const text of [USAGE, ...COMMANDS.filter((c) => ["demo", "run"].includes(c.name)).map((c) => c.help)]) {
      for (const code of Object.values(EXIT)) expect(text).toMatch(new RegExp(`^  ${code}  \\S`, "m"));
    }
  });

  it("prints a command's help for 'help <command>' and '<command> --help', exit 0", async () => {
    const run = COMMANDS.find((c) => c.name === "run")!;
    expect(await sidelineInProcess("help", "run")).toEqual({ code: 0, stdout: `${run.help}\n`, stderr: "" });
    expect(await sidelineInProcess("run", "--help")).toEqual({ code: 0, stdout: `${run.help}\n`, stderr: "" });
  });

  it("refuses --auto-approve for run (its help does not offer it) in one line, exit 2", async () => {
    const r = await sidelineInProcess("run", "x.csv", "--format", "long-csv", "--auto-approve");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("sideline: error: run has no option '--auto-approve'\nrun 'sideline help run' for usage\n");
  });
});
