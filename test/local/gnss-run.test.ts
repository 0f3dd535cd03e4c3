import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { trackingChunkSchema } from "../../lambdas/contracts/records/tracking.js";
import { sidelineInProcess } from "../helpers/cli-in-process.js";
import { withDeployedStream } from "../helpers/deployed-stream.js";
import { cornersCsv, GNSS_HEADER, gnssLine, type KnownPitch, knownToLonLat } from "../helpers/gnss.js";

// `sideline run --format catapult-gnss`: GNSS vests' longitude/latitude onto a surveyed pitch, into player_windows.
const dir = mkdtempSync(join(tmpdir(), "sideline-gnss-run-"));
/** A 90 x 50 m training pitch turned 30 degrees, near the U18 data's place. */
const PITCH: KnownPitch = { lengthM: 90, widthM: 50, rotationDeg: 30, origin: { lon: -9.12, lat: 41.7 } };
const corners = join(dir, "corners.csv");
writeFileSync(corners, cornersCsv(PITCH, [1, 3, 0, 2]));
/** Local time of the first fix: 2021-11-19 17:00 (WET, UTC+0, in Lisbon). */
const T0 = Date.UTC(2021, 10, 19, 17);

/**
 * A player running along x at `speed` m/s for 20 s at 10 Hz (slot 57 missing, as GNSS exports lose
 * slots), with a 40 m jump at slot 120 (dropped by the 12 m/s cap) and one unparsable line.
 */
function runFile(name: string, y: number, speed: number): string {
  const lines = [GNSS_HEADER];
  for (let k = 0; k <= 200; k++) {
    if (k === 57) continue;
    if (k === 120) lines.push("not-a-time, -9.1, 41.7");
    lines.push(gnssLine(PITCH, T0 + k * 100, 5 + speed * k * 0.1 + (k === 120 ? 40 : 0), y));
  }
  const f = join(dir, name);
  writeFileSync(f, gzipSync(`${lines.join("\n")}\n`));
  return f;
}

describe("sideline run --format catapult-gnss", () => {
  it("lands each file's player in one session, distances in player_windows, the pitch's size from its corners", async () => {
    const a = runFile("U18_ID1.csv.gz", 20, 4);
    const b = runFile("U18_ID2.csv.gz", 30, 3);
    const lake = join(dir, "lake.duckdb");

    const r = await sidelineInProcess(
      "run",
      a,
      b,
      "--format",
      "catapult-gnss",
      "--corners",
      corners,
      "--tz",
      "Europe/Lisbon",
      "--lake",
      lake,
      "--max-quarantine-share",
      "1",
    );

    expect(r.stderr).toMatch(
      /^pitch from .*corners\.csv: 90\.00 x 50\.00 m \(sides 90\.00, 50\.00, 90\.00, 50\.00 m; corner angles 90\.00, 90\.00, 90\.00, 90\.00 degrees\)\n/,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("match U18_ID1 (tracking)");
    expect(r.stdout).toContain(
      "402 samples in = 400 in player_windows + 0 ball (not profiled) + 2 quarantined  (balanced, 0.5% quarantined)",
    );
    const db = await DuckDbLake.open(lake, { readOnly: true });
    try {
      const rows = await db.queryObjects(
        `SELECT player_id, sum(samples)::INT AS samples, sum(discarded_samples)::INT AS discarded,
                round(sum(distance_m), 1) AS distance, round(max(top_speed_mps), 2) AS top, min(window_start) AS start
           FROM player_windows WHERE match_id = 'U18_ID1' GROUP BY 1 ORDER BY 1`,
      );
      // 200 slots of 0.1 s at 4 (3) m/s = 80 (60) m; the jump's two velocities are dropped and their
      // 0.2 s are not counted: 79.2 (59.4) m.
      expect(rows).toEqual([
        { player_id: "U18_ID1", samples: 200, discarded: 2, distance: 79.2, top: 4, start: expect.anything() },
        { player_id: "U18_ID2", samples: 200, discarded: 2, distance: 59.4, top: 3, start: expect.anything() },
      ]);
      expect(new Date(String(rows[0]!.start)).getTime()).toBe(T0);
      const bad = await db.queryObjects("SELECT source, record_ref, reason FROM quarantine ORDER BY record_ref");
      expect(bad).toEqual([
        {
          source: "reader:catapult-gnss",
          record_ref: `${a}:121`,
          reason: "timestamp 'not-a-time' is not an Excel serial day number",
        },
        {
          source: "reader:catapult-gnss",
          record_ref: `${b}:121`,
          reason: "timestamp 'not-a-time' is not an Excel serial day number",
        },
      ]);
    } finally {
      db.close();
    }
  }, 60_000);

  it("sends the corners' pitch with every chunk to a deployed stream (--target aws; kinesalite standing in)", async () => {
    await withDeployedStream("sideline-tracking-gnss", async (stream) => {
      const file = runFile("U18_ID3.csv.gz", 25, 4);
      const r = await sidelineInProcess(
        "run",
        file,
        "--format",
        "catapult-gnss",
        "--corners",
        corners,
        "--player-id",
        "keeper",
        "--target",
        "aws",
        "--stream",
        stream.name,
        "--endpoint",
        stream.endpoint,
        "--region",
        "eu-west-1",
        "--lake",
        join(dir, "aws.duckdb"),
        "--quiet",
      );
      expect(r.code).toBe(0);
      const chunks = (await stream.records()).map((x) => trackingChunkSchema.parse(x.data));
      expect(chunks.length).toBeGreaterThan(0);
      for (const c of chunks) {
        expect(c.player_id).toBe("keeper");
        expect(c.match_id).toBe("U18_ID3");
        expect(c.pitch!.length_m).toBeCloseTo(90, 2);
        expect(c.pitch!.width_m).toBeCloseTo(50, 2);
      }
    });
  }, 60_000);

  it.each([
    [
      ["--format", "catapult-gnss"],
      "catapult-gnss needs --corners FILE: the pitch's four corners (longitude,latitude), which place its positions on the pitch",
    ],
    [
      ["--format", "long-csv", "--corners", "c.csv"],
      "--corners is for formats with longitude/latitude positions (catapult-gnss): long-csv positions are not projected",
    ],
    [
      ["--format", "long-csv", "--player-id", "p"],
      "--player-id is for formats with one player per file: long-csv files name their players",
    ],
    [
      ["--format", "catapult-gnss", "--corners", "c.csv", "--player-id", "p", "b.csv"],
      "--player-id names the player of one file, got 2 files: leave it out and each file is its own player, named by its file",
    ],
    [
      ["--format", "catapult-gnss", "--corners", "c.csv", "x/a.csv"],
      "'a.csv' and 'x/a.csv' would both be player a: each file is one player, so rename one",
    ],
    [
      ["--format", "catapult-gnss", "--corners", "c.csv", "--start", "2021-11-19T17:00"],
      "--start is for formats whose clock is not epoch time (movesense, imu-csv): catapult-gnss carries its own times",
    ],
  ])("refuses %j", async (args, message) => {
    const r = await sidelineInProcess("run", "a.csv", ...args);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe(`sideline: error: ${message}`);
  });

  it("fails before reading when the corners are not a rectangle, naming the file", async () => {
    const bad = join(dir, "kite.csv");
    const kite = cornersCsv(PITCH).split("\n");
    const moved = knownToLonLat(PITCH, 90, 62); // the (90, 50) corner 12 m out
    kite[3] = `${moved.lon},${moved.lat}`;
    writeFileSync(bad, kite.join("\n"));
    const r = await sidelineInProcess(
      "run",
      "a.csv",
      "--format",
      "catapult-gnss",
      "--corners",
      bad,
      "--lake",
      join(dir, "k.duckdb"),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^sideline: error: cannot read '.*kite\.csv' after line 5: the corners are not a rectangle: the angle at corner on line \d is /,
    );
  });
});
