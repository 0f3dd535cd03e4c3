/** The exit codes of `sideline`, written down once: the help text is generated from this table. */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  notBalanced: 3,
  incomplete: 4,
  noSamples: 5,
  quarantineShare: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const MEANING: Readonly<Record<ExitCode, string>> = {
  0: "ok",
  1: "error: the message says what failed and what to do",
  2: "usage: a wrong command, option or value",
  3: "not balanced: samples in != rows accounted + quarantined (samples were lost: report it)",
  4: "incomplete: an input failed part way (truncated, corrupt): what was read is in the lake, nothing final",
  5: "no samples accepted: the input was empty or every sample was quarantined",
  6: "too much quarantined: more than --max-quarantine-share of the samples",
};

/** The exit code table for help texts; `codes` limits it to the codes a command can return. */
export function exitCodesHelp(codes: readonly ExitCode[] = Object.values(EXIT)): string {
  return ["exit codes:", ...codes.map((c) => `  ${c}  ${MEANING[c]}`)].join("\n");
}
