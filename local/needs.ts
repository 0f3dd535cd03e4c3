/** The club's scouting needs file, read for the embedded runtime (the Lambda bundles the same file). */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseNeeds, type ScoutingNeedsFile } from "../lambdas/contracts/needs.js";

export const DEFAULT_NEEDS_PATH = join(dirname(fileURLToPath(import.meta.url)), "..", "config", "scouting-needs.json");

export function loadNeeds(path = DEFAULT_NEEDS_PATH): ScoutingNeedsFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`cannot read scouting needs '${path}': ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`scouting needs '${path}' is not JSON: ${(e as Error).message}`);
  }
  return parseNeeds(json, path);
}
