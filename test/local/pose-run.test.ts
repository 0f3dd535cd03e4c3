import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { demoPoseChunks } from "../../local/demo/demo-pose.js";
import { sidelineInProcess } from "../helpers/cli-in-process.js";

// `sideline run --format pose-jsonl`: an edge camera's keypoints replayed through the embedded pipeline.
describe("sideline run --format pose-jsonl", () => {
  it("lands every valid record's frames, names the match from the records, and quarantines a bad line with its number", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sideline-pose-run-"));
    const file = join(dir, "edge-cam.jsonl");
    const lines = [
      ...demoPoseChunks({
        matchId: "m9",
        startMs: Date.parse("2026-05-16T15:00:00Z"),
        minutes: 2,
        players: ["home_7"],
      }),
    ].map((c) => JSON.stringify(c));
    lines.splice(5, 0, "{broken");
    writeFileSync(file, `${lines.join("\n")}\n`);
    const lake = join(dir, "lake.duckdb");

    const r = await sidelineInProcess("run", file, "--format", "pose-jsonl", "--lake", lake, "--quiet");

    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("match m9 (pose)");
    expect(r.stdout).toContain("3,000 samples in = 3,000 in biomech_windows + 0 quarantined  (balanced)");
    const db = await DuckDbLake.open(lake, { readOnly: true });
    try {
      expect(await db.queryObjects("SELECT source, record_ref, match_id, sample_count FROM quarantine")).toEqual([
        { source: "reader:pose-jsonl", record_ref: `${file}:6`, match_id: "m9", sample_count: 0 },
      ]);
      expect(await db.queryObjects("SELECT count(*) AS frames FROM pose_frames WHERE match_id = 'm9'")).toEqual([
        { frames: 3000n },
      ]);
    } finally {
      db.close();
    }
  }, 60_000);
});
