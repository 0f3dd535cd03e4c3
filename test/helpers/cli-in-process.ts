import { main } from "../../local/cli/index.js";

/**
 * The CLI's `main` in this process, its stdout and stderr captured: the same code as
 * bin/sideline.js runs, without a child process's start-up (about 1.5 s a call).
 */
export async function sidelineInProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const writeOut = process.stdout.write;
  const writeErr = process.stderr.write;
  const capture = (into: string[]) =>
    ((chunk: string | Uint8Array) => {
      into.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  try {
    const code = await main(args);
    // Node's own warnings (ExperimentalWarning under jest) are not the CLI's output.
    const stderr = err.join("").replace(/^\((node:\d+|Use `node)[^\n]*\n/gm, "");
    return { code, stdout: out.join(""), stderr };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
}
