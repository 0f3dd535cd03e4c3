/**
 * A constant is written down once, with its source, and imported where it is used (STYLE.md: "every
 * constant is named with its source"): two copies drift apart unseen.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { STANDARD_GRAVITY_MPS2 } from "../../lambdas/core/wearables/imu-events.js";
import { MAX_ID_CHARS, STANDARD_GRAVITY_MPS2 as READERS_GRAVITY } from "../../producers/readers/wearable-common.js";
import { ROOT } from "../helpers/cli.js";

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((f) => {
    const p = join(dir, f);
    return statSync(join(ROOT, p)).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** The files of lambdas/ and producers/ that declare `name`. */
const declaring = (name: string) =>
  ["lambdas", "producers"]
    .flatMap(files)
    .filter((f) => new RegExp(`\\bconst ${name}\\b`).test(readFileSync(join(ROOT, f), "utf8")));

describe("wearable constants", () => {
  it("defines standard gravity once, in the wearables core, and the readers import it", () => {
    expect(declaring("STANDARD_GRAVITY_MPS2")).toEqual(["lambdas/core/wearables/imu-events.ts"]);
    expect(STANDARD_GRAVITY_MPS2).toBe(9.80665);
    expect(READERS_GRAVITY).toBe(STANDARD_GRAVITY_MPS2);
  });

  it("defines the longest id of a record once, for the readers and the chunker", () => {
    expect(declaring("MAX_ID_CHARS")).toEqual(["producers/readers/lines.ts"]);
    expect(MAX_ID_CHARS).toBe(128);
  });
});
