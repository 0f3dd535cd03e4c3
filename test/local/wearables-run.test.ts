import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { WEARABLE_RECORD } from "../../lambdas/contracts/records/wearable.js";
import { sidelineInProcess } from "../helpers/cli-in-process.js";
import { withDeployedStream } from "../helpers/deployed-stream.js";

// `sideline run --format movesense | hr-csv`: one player's wearable file into wearable_windows and player_loads.
const dir = mkdtempSync(join(tmpdir(), "sideline-wearables-run-"));
const START = Date.parse("2026-05-01T10:00:00Z");
/** Standard gravity, m/s² per g: Movesense logs m/s², the record carries g. */
const G = 9.80665;

async function withLake<T>(path: string, f: (db: DuckDbLake) => Promise<T>): Promise<T> {
  const db = await DuckDbLake.open(path, { readOnly: true });
  try {
    return await f(db);
  } finally {
    db.close();
  }
}

/**
 * A Movesense `Meas/IMU6` log: `packets` packets of 4 samples at 52 Hz, so a packet every
 * 4000/52 = 76.92 ms (Timestamps rounded to the millisecond, 76 or 77 ms apart, from the sensor's
 * own clock at 1,000 ms). The vertical axis y alternates 1.1 g and 0.9 g every sample, x and z are 0.
 */
function movesenseFile(name: string, packets: number): string {
  const data = [];
  for (let p = 0; p < packets; p++) {
    const acc = [];
    const gyro = [];
    for (let k = 0; k < 4; k++) {
      const i = 4 * p + k;
      acc.push({ x: 0, y: i % 2 === 0 ? 1.1 * G : 0.9 * G, z: 0 });
      gyro.push({ x: 1, y: 2, z: 3 });
    }
    data.push({ imu: { Timestamp: 1000 + Math.round((p * 4000) / 52), ArrayAcc: acc, ArrayGyro: gyro } });
  }
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify({ data }));
  return f;
}

describe("sideline run with wearables", () => {
  it("lands a Movesense recording in wearable_windows at its own 52 Hz, its PlayerLoad worked by hand", async () => {
    // 1,170 packets: 4,680 samples, 90 s at 52 Hz.
    const file = movesenseFile("vest.json", 1170);
    const lake = join(dir, "movesense.duckdb");
    const r = await sidelineInProcess(
      "run",
      file,
      "--format",
      "movesense",
      "--player-id",
      "P7",
      "--start",
      "2026-05-01T10:00:00Z",
      "--lake",
      lake,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("session vest (wearables)");
    expect(r.stdout).toContain("Accounting: 4,680 samples in = 4,680 in wearable_windows + 0 quarantined  (balanced)");
    await withLake(lake, async (db) => {
      const w = await db.queryObjects<Record<string, number | string>>(
        `SELECT player_id, device_kind, epoch_ms(window_start)::DOUBLE AS start, imu_samples, sample_rate_hz,
                player_load, player_load_2d FROM wearable_windows ORDER BY window_start`,
      );
      // The rate measured from the first 256 Timestamps: 255 steps holding 1,020 samples over 19,615 ms = 52.0 Hz.
      // Samples 19.23 ms apart from 10:00:00: 60 s holds 3,120 of them (3,119 steps), the last 30 s 1,560 (1,560 steps).
      // Each step changes y by 0.2 g: 0.2 / 100 = 0.002 AU.
      expect(w).toEqual([
        {
          player_id: "P7",
          device_kind: "movesense",
          start: START,
          imu_samples: 3120,
          sample_rate_hz: 52,
          player_load: expect.closeTo(3119 * 0.002, 9),
          // Only the vertical axis (y for a worn Movesense) moves.
          player_load_2d: 0,
        },
        {
          player_id: "P7",
          device_kind: "movesense",
          start: START + 60_000,
          imu_samples: 1560,
          sample_rate_hz: 52,
          player_load: expect.closeTo(1560 * 0.002, 9),
          player_load_2d: 0,
        },
      ]);
      // The session's PlayerLoad: (4,680 - 1) x 0.002 = 9.358 AU.
      expect(await db.queryObjects("SELECT player_id, session_id, load_measure, load FROM player_loads")).toEqual([
        { player_id: "P7", session_id: "vest", load_measure: "player_load_au", load: expect.closeTo(9.358, 9) },
      ]);
    });
    const sql = await sidelineInProcess(
      "sql",
      "SELECT player_id, SUM(player_load) FROM wearable_windows GROUP BY 1",
      "--lake",
      lake,
      "--format",
      "csv",
    );
    expect(sql.code).toBe(0);
    const [head, row, ...rest] = sql.stdout.trim().split("\n");
    expect(head).toBe("player_id,sum(player_load)");
    expect(rest).toEqual([]);
    expect(row!.split(",")[0]).toBe("P7");
    expect(Number(row!.split(",")[1])).toBeCloseTo(9.358, 9);
  });

  it("lands a heart-rate CSV in zones and TRIMP against the squad's assumptions, a 0 bpm reading quarantined", async () => {
    // 165 bpm each second from 10:00:00 to 10:05:00; at 10:01:40 the strap lost contact (0 bpm) and at
    // 10:03:20 the watch logged no heart rate (an empty cell: a gap, not a reading).
    const lines = ["time,bpm"];
    for (let k = 0; k <= 300; k++) {
      const at = new Date(START + k * 1000).toISOString();
      lines.push(`${at},${k === 100 ? "0" : k === 200 ? "" : "165"}`);
    }
    const file = join(dir, "strap.csv");
    writeFileSync(file, `${lines.join("\n")}\n`);
    const lake = join(dir, "hr.duckdb");
    const r = await sidelineInProcess("run", file, "--format", "hr-csv", "--player-id", "P8", "--lake", lake);
    expect(r.code).toBe(0);
    // 300 readings read (the empty cell is none): 299 kept, the 0 bpm one quarantined.
    expect(r.stdout).toContain(
      "Accounting: 300 samples in = 299 in wearable_windows + 1 quarantined  (balanced, 0.3% quarantined)",
    );
    await withLake(lake, async (db) => {
      // Both missing readings leave 2 s gaps (under 10 s), interpolated: every second of the 5 minutes is covered.
      // P8 is not in config/squad.json: HRmax 195, HRrest 60 assumed; 165/195 = 84.6 %, zone 4.
      const w = await db.queryObjects<Record<string, unknown>>(
        `SELECT hr_readings, hr_covered_s, hr_z4_s, trimp_edwards, hr_max_ref_bpm, hr_rest_ref_bpm, hr_ref_source
           FROM wearable_windows ORDER BY window_start`,
      );
      expect(w.map((x) => x.hr_readings)).toEqual([60, 59, 60, 59, 60, 1]);
      for (const x of w.slice(0, 5))
        expect(x).toEqual({
          hr_readings: expect.any(Number),
          hr_covered_s: 60,
          hr_z4_s: 60,
          trimp_edwards: expect.closeTo(4, 12),
          hr_max_ref_bpm: 195,
          hr_rest_ref_bpm: 60,
          hr_ref_source: "assumed",
        });
      const loads = await db.queryObjects<{ load_measure: string; load: number; minutes: number }>(
        "SELECT load_measure, load, minutes FROM player_loads ORDER BY load_measure",
      );
      // Edwards 5 min x 4 = 20 AU; Banister 5 x (105/135) x 0.64 e^(1.92 x 105/135) = 5 x 0.777778 x 0.64 x 4.451911 = 11.0803 AU.
      expect(loads).toEqual([
        { load_measure: "trimp_banister_au", load: expect.closeTo(11.0803, 4), minutes: 5 },
        { load_measure: "trimp_edwards_au", load: expect.closeTo(20, 10), minutes: 5 },
      ]);
      expect(await db.queryObjects("SELECT record_ref, reason FROM quarantine")).toEqual([
        { record_ref: `${file}:102`, reason: "0 bpm: strap contact lost" },
      ]);
    });
  });

  it("accounts each run for its own device when a session's second device is run into the same lake", async () => {
    // A strap and then a Movesense pod of one player in session s1, two runs on one lake: the second run's
    // accounting is its own 1,040 IMU samples, not the strap's windows of the same session as well.
    const lake = join(dir, "two-devices.duckdb");
    const strap = join(dir, "s1-strap.csv");
    const lines = ["time,bpm"];
    for (let k = 0; k < 120; k++) lines.push(`${new Date(START + k * 1000).toISOString()},150`);
    writeFileSync(strap, `${lines.join("\n")}\n`);
    const pod = movesenseFile("s1-pod.json", 260);
    const hr = await sidelineInProcess(
      "run",
      strap,
      "--format",
      "hr-csv",
      "--player-id",
      "P9",
      "--match-id",
      "s1",
      "--lake",
      lake,
    );
    expect(hr.stdout).toContain("Accounting: 120 samples in = 120 in wearable_windows");
    const imu = await sidelineInProcess(
      "run",
      pod,
      "--format",
      "movesense",
      "--player-id",
      "P9",
      "--match-id",
      "s1",
      "--start",
      "2026-05-01T10:00:00Z",
      "--lake",
      lake,
    );
    expect(imu.code).toBe(0);
    expect(imu.stdout).toContain(
      "Accounting: 1,040 samples in = 1,040 in wearable_windows + 0 quarantined  (balanced)",
    );
  });

  it("sends a wearable file to a deployed wearables stream (--target aws; kinesalite standing in), every sample once", async () => {
    await withDeployedStream("sideline-wearables-test", async (stream) => {
      // 1,200 packets of 4 samples at 52 Hz: 4,800 samples over 92 s, in 30 s records (WEARABLE_CHUNK_MS).
      const pod = movesenseFile("aws-pod.json", 1200);
      const r = await sidelineInProcess(
        "run",
        pod,
        "--format",
        "movesense",
        "--player-id",
        "P7",
        "--start",
        "2026-05-01T10:00:00Z",
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
      const records = (await stream.records()).map((x) => {
        const parsed = WEARABLE_RECORD.parse(x.data);
        if (!parsed.ok) throw new Error(parsed.reason);
        expect(x.partitionKey).toBe(WEARABLE_RECORD.identity(parsed.record).partitionKey);
        return parsed.record;
      });
      // seq 0.. in order, the last one final, every sample sent once, at the pod's own measured rate.
      expect(records.map((c) => c.seq)).toEqual(records.map((_, i) => i));
      expect(records.map((c) => c.final ?? false)).toEqual(records.map((_, i) => i === records.length - 1));
      expect(records.reduce((a, c) => a + (c.imu?.t.length ?? 0), 0)).toBe(4800);
      for (const c of records) {
        expect(c).toMatchObject({ player_id: "P7", device_kind: "movesense" });
        expect(c.imu?.rate_hz).toBeCloseTo(52, 0);
      }
      expect(records[0]!.t0).toBe(START);
    });
  });
});
