/**
 * Dependencies point one way (ARCHITECTURE.md): bin/ -> lib/ and local/; lib/ -> lambdas/contracts;
 * local/ and producers/ -> lambdas/; handlers -> runtime/, core/ and ports. Nothing in lambdas/
 * imports aws-cdk-lib, lib/, local/ or producers/; core/ does no I/O.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { ROOT } from "../helpers/cli.js";

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((f) => {
    const p = join(dir, f);
    return statSync(join(ROOT, p)).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** Every import of a file: bare package names, or paths relative to the project root. */
function imports(file: string): string[] {
  const src = readFileSync(join(ROOT, file), "utf8");
  return [...src.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)].map(([, spec]) =>
    spec!.startsWith(".") ? relative(ROOT, resolve(ROOT, file, "..", spec!)) : spec!,
  );
}

const offending = (dirs: string[], forbidden: (spec: string) => boolean) =>
  dirs.flatMap(files).flatMap((f) =>
    imports(f)
      .filter(forbidden)
      .map((spec) => `${f} imports ${spec}`),
  );

describe("layering", () => {
  it("keeps lambdas/ free of aws-cdk-lib, lib/, local/ and producers/", () => {
    expect(
      offending(
        ["lambdas"],
        (s) => /^(aws-cdk-lib|constructs)(\/|$)/.test(s) || /^(lib|local|producers|bin)\//.test(s),
      ),
    ).toEqual([]);
  });

  it("keeps lib/ on lambdas/contracts (and stepfunctions/), never on handler code or the local runtime", () => {
    expect(
      offending(
        ["lib"],
        (s) => /^(local|producers|bin)\//.test(s) || (s.startsWith("lambdas/") && !s.startsWith("lambdas/contracts/")),
      ),
    ).toEqual([]);
  });

  it("keeps producers/ off local/, and core/ off I/O: no SDK, file system, database or network", () => {
    expect(offending(["producers"], (s) => /^(local|lib|bin)\//.test(s))).toEqual([]);
    expect(
      offending(
        ["lambdas/core"],
        (s) =>
          /^(@aws-sdk|@duckdb|node:fs|node:net|node:http|node:https)/.test(s) ||
          /^lambdas\/(adapters|runtime|functions)\//.test(s),
      ),
    ).toEqual([]);
  });
});
