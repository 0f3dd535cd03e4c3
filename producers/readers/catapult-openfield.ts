/**
 * Catapult OpenField's 100 Hz export (catapultr's `read_CATcsv` format): three metadata lines
 * (`Reference time: MM/DD/YY hh:mm:ss UTC`, `CentisecTime: N`, `DeviceID: 71, DeviceFamily: S6, ...`,
 * each padded with commas), the column names, then one row a sample. There is no time column: row i
 * (0-based) is at CentisecTime x 10 ms + i x 10 ms. The file states no rate; OpenField's
 * high-frequency export is 100 Hz, so that is used.
 *
 * Read here: `Acceleration.forward/.side/.up` (g, device axes) as ax/ay/az with `up` the vertical
 * axis (z); `Rotation.roll/.pitch/.yaw` (deg/s, about forward/side/up) as gx/gy/gz; `RawPlayerLoad`
 * as the vendor's PlayerLoad per sample; `HeartRate` (bpm) as the heart-rate channel.
 * Not read here: the GNSS columns (Latitude, Longitude, velocities, ...), 10 Hz inside the 100 Hz
 * rows: positions travel as tracking samples (catapult-gnss), so every physical metric comes from
 * one path; and the orientation-corrected imuAcceleration/imuOrientation (derived by OpenField).
 *
 * HeartRate is a 1 Hz strap signal repeated on every 100 Hz row. One reading a second is kept: the
 * value on the first row of each whole UTC second (rows where the value changes would drop a
 * steady heart rate, and every row would send the same reading 100 times). 0 means no strap (or
 * contact lost): no reading, a gap, never a 0 bpm sample.
 */
import { InputError, WHOLE_FILE } from "./input-error.js";
import { looksBinary, readLines } from "./lines.js";
import type { ReaderItem } from "./types.js";
import { badItem, bpmProblem, numberCell, playerIdFor, type WearableReadSettings } from "./wearable-common.js";

/** OpenField's high-frequency export rate, Hz (Catapult S5/S6 IMU at 100 Hz; catapultr's `highfreq100hz.csv`). */
export const CATAPULT_OPENFIELD_RATE_HZ = 100;
/** The device axis that points up when a vest unit is worn: OpenField names it `up` (our z). */
export const CATAPULT_VERTICAL_AXIS = "z";
/** Metadata lines before the column names (catapultr's read_CATcsv skips 3). */
const METADATA_LINES = 3;
/** The strap's reading is kept once a second (chest straps report at 1 Hz). */
const HR_PERIOD_MS = 1000;
/** Centiseconds to milliseconds. */
const MS_PER_CENTISECOND = 10;
/** Reference time and CentisecTime must agree to this, ms (the reference time is whole seconds). */
const REFERENCE_TOLERANCE_MS = 1000;

const HINT = "pass OpenField's 100 Hz CSV export as written (3 metadata lines, then the column names)";
const ACC = ["Acceleration.forward", "Acceleration.side", "Acceleration.up"] as const;
const GYRO = ["Rotation.roll", "Rotation.pitch", "Rotation.yaw"] as const;

interface Header {
  readonly startMs: number;
  readonly deviceId: string;
  readonly deviceKind: string;
}

/** Drops the padding commas OpenField appends to every metadata line. */
const unpad = (line: string) => line.replace(/,+\s*$/, "").trim();

function parseMetadata(path: string, lines: readonly string[]): Header {
  if (lines.some(looksBinary)) throw new InputError(path, 0, "binary data, not a Catapult CSV text file", HINT);
  const cs = /^CentisecTime:\s*(\d+)$/.exec(unpad(lines[1] ?? ""));
  if (!cs)
    throw new InputError(
      path,
      1,
      `not a Catapult OpenField export: line 2 should be 'CentisecTime: <centiseconds since 1970>', it reads ${JSON.stringify(unpad(lines[1] ?? "").slice(0, 60))}`,
      HINT,
    );
  const startMs = Number(cs[1]) * MS_PER_CENTISECOND;
  const ref = /^Reference time:\s*(\d{2})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2}) UTC$/.exec(unpad(lines[0] ?? ""));
  if (ref) {
    // MM/DD/YY, two-digit years in 2000-2099 (OpenField appeared in 2016).
    const [mo, d, y, h, mi, s] = ref.slice(1).map(Number) as [number, number, number, number, number, number];
    const refMs = Date.UTC(2000 + y, mo - 1, d, h, mi, s);
    if (Math.abs(startMs - refMs) >= REFERENCE_TOLERANCE_MS)
      throw new InputError(
        path,
        1,
        `the reference time (${new Date(refMs).toISOString()}) and CentisecTime (${new Date(startMs).toISOString()}) disagree`,
        "the metadata lines are inconsistent: export the file again from OpenField",
      );
  }
  // `DeviceID: 71, DeviceFamily: S6, OFVersion: ...`, split over cells by its commas.
  const meta = new Map<string, string>();
  for (const cell of unpad(lines[2] ?? "").split(",")) {
    const m = /^\s*([A-Za-z]+):\s*(.*?)\s*$/.exec(cell);
    if (m) meta.set(m[1]!, m[2]!);
  }
  const id = meta.get("DeviceID");
  if (!id) throw new InputError(path, 2, "not a Catapult OpenField export: line 3 names no DeviceID", HINT);
  const family = meta
    .get("DeviceFamily")
    ?.toLowerCase()
    .replace(/[^a-z0-9]+/g, "-");
  return { startMs, deviceId: `catapult-${id}`, deviceKind: family ? `catapult-${family}` : "catapult" };
}

export async function* readCatapultOpenField(path: string, s: WearableReadSettings = {}): AsyncGenerator<ReaderItem> {
  const meta: string[] = [];
  let header: Header | null = null;
  let col: Record<string, number> | null = null;
  let playerId = "";
  let lineNo = 0;
  let row = -1;
  let lastHrSecond = Number.NaN;
  for await (const line of readLines(path)) {
    lineNo++;
    if (!header) {
      meta.push(line);
      if (meta.length === METADATA_LINES) {
        header = parseMetadata(path, meta);
        playerId = playerIdFor(s, header.deviceId);
      }
      continue;
    }
    if (!col) {
      const names = line.split(",").map((c) => c.trim());
      const missing = ACC.filter((n) => !names.includes(n));
      if (missing.length > 0)
        throw new InputError(
          path,
          lineNo - 1,
          `not a Catapult OpenField export: the column names on line 4 lack ${missing.join(", ")}`,
          HINT,
        );
      col = Object.fromEntries(names.map((n, i) => [n, i]));
      continue;
    }
    if (line.trim() === "") continue;
    // Every data row advances the clock, bad or not: the rows are the time base, so times always increase.
    row++;
    const t = header.startMs + Math.round((row * 1000) / CATAPULT_OPENFIELD_RATE_HZ);
    const ref = `${path}:${lineNo}`;
    const cells = line.split(",");
    const at = (name: string) => (col![name] === undefined ? Number.NaN : numberCell(cells[col![name]!]));
    const [ax, ay, az] = ACC.map(at) as [number, number, number];
    if (![ax, ay, az].every(Number.isFinite)) {
      yield badItem(
        ref,
        `acceleration is missing or not a number (${ACC.map((n) => cells[col![n]!]).join(", ")})`,
        line,
      );
      continue;
    }
    const [gx, gy, gz] = GYRO.map(at) as [number, number, number];
    const gyro = [gx, gy, gz].every(Number.isFinite);
    const load = at("RawPlayerLoad");
    yield {
      kind: "wearable",
      sample: {
        channel: "imu",
        t,
        playerId,
        deviceId: header.deviceId,
        deviceKind: header.deviceKind,
        rateHz: CATAPULT_OPENFIELD_RATE_HZ,
        verticalAxis: CATAPULT_VERTICAL_AXIS,
        ax,
        ay,
        az,
        ...(gyro ? { gx, gy, gz } : {}),
        ...(Number.isFinite(load) ? { vendorPlayerLoad: load } : {}),
      },
    };
    const second = Math.floor(t / HR_PERIOD_MS);
    if (second === lastHrSecond || col.HeartRate === undefined) continue;
    lastHrSecond = second;
    const bpm = at("HeartRate");
    // 0 (no strap) and NA are gaps: no reading this second.
    if (bpm === 0 || Number.isNaN(bpm)) continue;
    const hrProblem = bpmProblem(bpm);
    if (hrProblem) {
      yield badItem(ref, `HeartRate: ${hrProblem}`, line);
      continue;
    }
    yield {
      kind: "wearable",
      sample: { channel: "hr", t, playerId, deviceId: header.deviceId, deviceKind: header.deviceKind, bpm },
    };
  }
  if (!col)
    throw new InputError(
      path,
      lineNo === 0 ? WHOLE_FILE : lineNo,
      `not a Catapult OpenField export: ${lineNo} lines, fewer than its ${METADATA_LINES} metadata lines and the column names`,
      HINT,
    );
}
