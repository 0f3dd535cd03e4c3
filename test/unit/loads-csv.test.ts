/** The loads reader: one load per player, session and measure; session RPE as rating x minutes (Foster et al. 2001). */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "@jest/globals";
import type { WearableChunk } from "../../lambdas/contracts/records/wearable.js";
import { readLoadsCsv } from "../../producers/readers/loads-csv.js";
import type { ReaderItem } from "../../producers/readers/types.js";

const dir = mkdtempSync(join(tmpdir(), "sideline-loads-"));
async function read(text: string, importId = "i1"): Promise<ReaderItem[]> {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(file, text);
  const out: ReaderItem[] = [];
  for await (const i of readLoadsCsv(file, importId)) out.push(i);
  return out;
}
const loads = (items: ReaderItem[]) =>
  items.flatMap((i) => (i.kind === "record" ? [(i.record as WearableChunk).session_load] : []));
const reasons = (items: ReaderItem[]) => items.flatMap((i) => (i.kind === "bad" ? [i.reason] : []));

describe("loads reader", () => {
  it("quarantines a second load of the same player, session and measure, naming the first line", async () => {
    const items = await read("player_id,date,rpe,minutes,session_id\np1,2026-05-01,6,90,s1\np1,2026-05-01,7,90,s1\n");
    expect(loads(items)).toEqual([{ measure: "srpe_au", load: 540, minutes: 90, rpe: 6 }]);
    expect(reasons(items)).toEqual([
      "repeats line 2: player p1's session s1 already has a srpe_au load (two sessions of one day need a session_id each)",
    ]);
  });

  it("gives a line with a load and an rpe two records, one per measure", async () => {
    const items = await read("player_id,date,load,rpe,minutes,session_id\np1,2026-05-01,5200,6,80,s1\n");
    expect(loads(items)).toEqual([
      { measure: "distance_m", load: 5200, minutes: 80 },
      { measure: "srpe_au", load: 480, minutes: 80, rpe: 6 },
    ]);
  });

  it("keys each import's records apart, and one import's records alike", async () => {
    const text = "player_id,date,rpe,minutes\np1,2026-05-01,6,90\n";
    const key = (items: ReaderItem[]) => {
      const first = items[0]!;
      return first.kind === "record" ? (first.record as WearableChunk).device_id : "";
    };
    expect(key(await read(text, "a"))).toBe(key(await read(text, "a")));
    expect(key(await read(text, "a"))).not.toBe(key(await read(text, "b")));
  });
});
