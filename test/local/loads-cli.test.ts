import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { WEARABLE_RECORD, type WearableChunk } from "../../lambdas/contracts/records/wearable.js";
import { sidelineInProcess } from "../helpers/cli-in-process.js";
import { withDeployedStream } from "../helpers/deployed-stream.js";

// `sideline loads`: a club's session loads, each sent as a wearable record through the stream.
const dir = mkdtempSync(join(tmpdir(), "sideline-loads-"));

function csv(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

async function withLake<T>(path: string, f: (db: DuckDbLake) => Promise<T>): Promise<T> {
  const db = await DuckDbLake.open(path, { readOnly: true });
  try {
    return await f(db);
  } finally {
    db.close();
  }
}

const DAY1 = Date.parse("2026-05-01T00:00:00Z");
const DAY2 = Date.parse("2026-05-02T00:00:00Z");

describe("sideline loads", () => {
  it("imports session RPE as rpe x minutes, with its daily rows, quarantining bad ratings", async () => {
    const file = csv(
      "srpe.csv",
      [
        "player_id,date,rpe,minutes,session_id",
        "p1,2026-05-01,6,90,t1",
        "p1,2026-05-02,4,45,",
        "p2,2026-05-01,11,60,t3",
        "p2,2026-05-01,5,,t4",
        "",
      ].join("\n"),
    );
    const lake = join(dir, "srpe.duckdb");
    const r = await sidelineInProcess("loads", file, "--lake", lake);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      "4 loads read: 2 imported into player_loads for 1 players (2 player_daily_load rows, 0 load spikes), 2 quarantined" +
        ` (sideline sql "SELECT record_ref, reason FROM quarantine WHERE source = 'reader:loads'")\n`,
    );
    await withLake(lake, async (db) => {
      // RPE 6 x 90 min = 540 AU; RPE 4 x 45 min = 180 AU, its session named by its date.
      expect(
        await db.queryObjects(
          "SELECT player_id, session_id, load_measure, load, minutes, origin FROM player_loads ORDER BY session_id",
        ),
      ).toEqual([
        {
          player_id: "p1",
          session_id: "import-2026-05-02",
          load_measure: "srpe_au",
          load: 180,
          minutes: 45,
          origin: "import",
        },
        { player_id: "p1", session_id: "t1", load_measure: "srpe_au", load: 540, minutes: 90, origin: "import" },
      ]);
      const daily = await db.queryObjects<Record<string, unknown>>(
        `SELECT player_id, load_measure, epoch_ms(day)::DOUBLE AS day, load, sessions, acute_ewma, chronic_ewma, week_load
           FROM player_daily_load ORDER BY day`,
      );
      // Two days: the EWMAs seed at the mean of the days so far (540 on day 1, then (540 + 180) / 2 = 360 on
      // day 2, Sideline's seed over the first 7 days) and step once per day:
      //   day 1: 0.25 x 540 + 0.75 x 540 = 540
      //   day 2: seed 360; day 1 acute = 360 + 0.25 x (540 - 360) = 405, day 2 acute = 405 + 0.25 x (180 - 405) = 348.75
      //          chronic: 360 + (2/29)(540 - 360) = 372.4138, then 372.4138 + (2/29)(180 - 372.4138) = 359.1439
      expect(daily).toEqual([
        {
          player_id: "p1",
          load_measure: "srpe_au",
          day: DAY1,
          load: 540,
          sessions: 1,
          acute_ewma: expect.closeTo(540, 9),
          chronic_ewma: expect.closeTo(540, 9),
          week_load: 540,
        },
        {
          player_id: "p1",
          load_measure: "srpe_au",
          day: DAY2,
          load: 180,
          sessions: 1,
          acute_ewma: expect.closeTo(348.75, 9),
          chronic_ewma: expect.closeTo(359.1439, 4),
          week_load: 720,
        },
      ]);
      expect(await db.queryObjects("SELECT source, record_ref, reason FROM quarantine ORDER BY record_ref")).toEqual([
        { source: "reader:loads", record_ref: `${file}:4`, reason: "rpe '11' is not a CR-10 rating from 0 to 10" },
        {
          source: "reader:loads",
          record_ref: `${file}:5`,
          reason: "rpe needs the session's minutes: session RPE load = rpe x minutes",
        },
      ]);
    });
  });

  it("keeps each measure of a measure column apart, quarantining an unknown measure and a load out of its range", async () => {
    const file = csv(
      "measures.csv",
      [
        "player_id,date,measure,load,minutes,session_id",
        "p1,2026-05-01,player_load_au,320,90,t1",
        "p1,2026-05-01,trimp_edwards_au,150,90,t1",
        "p1,2026-05-01,furlongs,10,90,t1",
        "p1,2026-05-01,player_load_au,5000,90,t2",
        "p1,2026-05-01,,6100,90,t1",
        "",
      ].join("\n"),
    );
    const lake = join(dir, "measures.duckdb");
    const r = await sidelineInProcess("loads", file, "--lake", lake);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^5 loads read: 3 imported into player_loads for 1 players \(3 player_daily_load rows, 0 load spikes\), 2 quarantined/,
    );
    await withLake(lake, async (db) => {
      // One row per measure of session t1: an empty measure cell is distance_m.
      expect(
        await db.queryObjects("SELECT session_id, load_measure, load FROM player_loads ORDER BY load_measure"),
      ).toEqual([
        { session_id: "t1", load_measure: "distance_m", load: 6100 },
        { session_id: "t1", load_measure: "player_load_au", load: 320 },
        { session_id: "t1", load_measure: "trimp_edwards_au", load: 150 },
      ]);
      expect(
        await db.queryObjects("SELECT load_measure, load, sessions FROM player_daily_load ORDER BY load_measure"),
      ).toEqual([
        { load_measure: "distance_m", load: 6100, sessions: 1 },
        { load_measure: "player_load_au", load: 320, sessions: 1 },
        { load_measure: "trimp_edwards_au", load: 150, sessions: 1 },
      ]);
      // PlayerLoad's cap: 10 AU/min x 240 min = 2,400 AU.
      expect(await db.queryObjects("SELECT record_ref, reason FROM quarantine ORDER BY record_ref")).toEqual([
        {
          record_ref: `${file}:4`,
          reason:
            "measure 'furlongs' is not one of distance_m, player_load_au, vendor_player_load_au, trimp_edwards_au, trimp_banister_au, srpe_au",
        },
        { record_ref: `${file}:5`, reason: "load '5000' is not a player_load_au from 0 to 2400 AU" },
      ]);
    });
  });

  it("puts one wearable record per load on a deployed stream (--target aws; kinesalite standing in)", async () => {
    await withDeployedStream("sideline-wearables-test", async (stream) => {
      // A line with a load and an rpe holds two loads: 3 lines, 4 loads, one bad line.
      const file = csv(
        "aws.csv",
        [
          "player_id,date,load,rpe,minutes,session_id",
          "p1,2026-05-01,6100,6,90,t1",
          "p1,2026-05-02,5200,,75,t2",
          "p2,2026-05-01,,7,60,t3",
          "p2,2026-05-01,,99,60,t4",
          "",
        ].join("\n"),
      );
      const r = await sidelineInProcess(
        "loads",
        file,
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
      );
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^sent 4 samples of loads-import to sideline-wearables-test in 4 records /);
      expect(r.stdout).toMatch(/; 1 samples quarantined in /);
      const records = (await stream.records()).map((x) => {
        const parsed = WEARABLE_RECORD.parse(x.data);
        if (!parsed.ok) throw new Error(parsed.reason);
        // Keyed by the record's own identity, so the deployed extractor accepts it.
        expect(x.partitionKey).toBe(WEARABLE_RECORD.identity(parsed.record).partitionKey);
        return parsed.record;
      });
      const summary = (c: WearableChunk) => ({
        player: c.player_id,
        session: c.session_id,
        t0: c.t0,
        final: c.final,
        imu: c.imu,
        hr: c.hr,
        ...c.session_load,
      });
      expect(
        records.map(summary).sort((a, b) => `${a.session}${a.measure}`.localeCompare(`${b.session}${b.measure}`)),
      ).toEqual([
        // Distance in metres, the default measure; session RPE 6 x 90 = 540 AU; 7 x 60 = 420 AU.
        { player: "p1", session: "t1", t0: DAY1, final: true, measure: "distance_m", load: 6100, minutes: 90 },
        {
          player: "p1",
          session: "t1",
          t0: DAY1,
          final: true,
          measure: "srpe_au",
          load: 540,
          minutes: 90,
          rpe: 6,
        },
        { player: "p1", session: "t2", t0: DAY2, final: true, measure: "distance_m", load: 5200, minutes: 75 },
        {
          player: "p2",
          session: "t3",
          t0: DAY1,
          final: true,
          measure: "srpe_au",
          load: 420,
          minutes: 60,
          rpe: 7,
        },
      ]);
    });
  });
});
