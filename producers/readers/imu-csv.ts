/**
 * A generic IMU CSV, one sample per line, columns in any order (the header names them):
 * - time: `timestamp` (ISO 8601 or epoch seconds; an ISO time without an offset is read in
 *   --time-zone) or `t_ms` (milliseconds from the recording's start, which --start then gives);
 * - acceleration: `ax, ay, az` in g, or `ax_mps2, ay_mps2, az_mps2` in m/s² (converted with standard
 *   gravity);
 * - optional `gx, gy, gz` (deg/s, all three or none) and `player_id` (else --player-id, else the
 *   file's name).
 * The vertical axis is z (IMU_CSV_VERTICAL_AXIS), the same for every row: it is a property of how
 * the device is worn, not of a sample. The rate is measured from each player's first
 * IMU_CSV_RATE_SAMPLES times (median step, jitter averaged), so those samples are held back until
 * it is known: memory is players x IMU_CSV_RATE_SAMPLES samples.
 */
import { InputError, WHOLE_FILE } from "./input-error.js";
import { looksBinary, readLines } from "./lines.js";
import { DEFAULT_TIME_ZONE, parseTime } from "./timestamps.js";
import type { ReaderItem, WearableImuSample } from "./types.js";
import {
  badItem,
  fileStem,
  measureRateHz,
  numberCell,
  playerIdFor,
  rateProblem,
  STANDARD_GRAVITY_MPS2,
  TimeOrder,
  type WearableReadSettings,
} from "./wearable-common.js";

/** The axis that points up unless the file says otherwise: z, the usual "out of the board" axis of IMUs worn flat on the back. */
export const IMU_CSV_VERTICAL_AXIS = "z";
export const IMU_CSV_DEVICE_KIND = "imu";
/** Samples per player the rate is measured over: 256 is 2.5 s at 100 Hz, ~5 s at 52 Hz. */
export const IMU_CSV_RATE_SAMPLES = 256;

const HINT = "the first line must name the columns, e.g. 'timestamp,ax,ay,az,gx,gy,gz' (or t_ms, ax_mps2, ...)";
const G_AXES = ["ax", "ay", "az"] as const;
const MPS2_AXES = ["ax_mps2", "ay_mps2", "az_mps2"] as const;
const GYRO = ["gx", "gy", "gz"] as const;

interface Columns {
  readonly time: number;
  /** True: `t_ms` from --start; false: `timestamp`. */
  readonly relative: boolean;
  readonly acc: readonly [number, number, number];
  /** m/s² -> g divisor (1 when the columns are in g). */
  readonly accScale: number;
  readonly gyro: readonly [number, number, number] | null;
  readonly player: number | undefined;
}

function parseHeader(path: string, line: string, s: WearableReadSettings): Columns {
  if (looksBinary(line)) throw new InputError(path, 0, "binary data, not an IMU CSV text file", HINT);
  const names = line.split(",").map((c) => c.trim().toLowerCase());
  const idx = (n: string) => (names.includes(n) ? names.indexOf(n) : undefined);
  const fail = (reason: string, hint = HINT) => new InputError(path, 0, `not an imu-csv file: ${reason}`, hint);
  const ts = idx("timestamp");
  const tms = idx("t_ms");
  if (ts === undefined && tms === undefined) throw fail("the header names neither timestamp nor t_ms");
  if (ts === undefined && !(s.startMs !== undefined && Number.isFinite(s.startMs)))
    throw fail("its t_ms column counts from the recording's start, which is not given", "pass --start <ISO time>");
  const g = G_AXES.map(idx);
  const mps2 = MPS2_AXES.map(idx);
  const acc = g.every((i) => i !== undefined) ? g : mps2.every((i) => i !== undefined) ? mps2 : null;
  if (!acc) throw fail("the header lacks ax, ay, az (g) or ax_mps2, ay_mps2, az_mps2 (m/s²)");
  const gyro = GYRO.map(idx);
  const someGyro = gyro.some((i) => i !== undefined);
  if (someGyro && !gyro.every((i) => i !== undefined)) throw fail("it names some of gx, gy, gz but not all three");
  return {
    time: ts ?? tms!,
    relative: ts === undefined,
    acc: acc as [number, number, number],
    accScale: acc === g ? 1 : STANDARD_GRAVITY_MPS2,
    gyro: someGyro ? (gyro as [number, number, number]) : null,
    player: idx("player_id"),
  };
}

type Pending = Omit<WearableImuSample, "rateHz">;

export async function* readImuCsv(path: string, s: WearableReadSettings = {}): AsyncGenerator<ReaderItem> {
  const zone = s.timeZone ?? DEFAULT_TIME_ZONE;
  const deviceId = fileStem(path);
  const defaultPlayer = playerIdFor(s, deviceId);
  const order = new TimeOrder();
  /** Per player: the measured rate, or the samples held back until it is measured. */
  const rates = new Map<string, number>();
  const held = new Map<string, { sample: Pending; ref: string; line: string }[]>();
  let cols: Columns | null = null;
  let lineNo = 0;

  const release = function* (player: string): Generator<ReaderItem> {
    const rows = held.get(player) ?? [];
    held.delete(player);
    const rate = measureRateHz(rows.map((r) => r.sample.t));
    const problem = rate === null ? "one sample: the sample rate cannot be measured" : rateProblem(rate);
    if (problem) {
      for (const r of rows) yield badItem(r.ref, `player ${player}: ${problem}`, r.line);
      return;
    }
    rates.set(player, rate!);
    for (const r of rows) yield { kind: "wearable", sample: { ...r.sample, rateHz: rate! } };
  };

  for await (const line of readLines(path)) {
    lineNo++;
    if (line.trim() === "") continue;
    if (!cols) {
      cols = parseHeader(path, line, s);
      continue;
    }
    const ref = `${path}:${lineNo}`;
    const cells = line.split(",");
    const timeCell = cells[cols.time] ?? "";
    let t: number;
    if (cols.relative) {
      const ms = numberCell(timeCell);
      if (!Number.isFinite(ms)) {
        yield badItem(ref, `t_ms '${timeCell}' is not a number`, line);
        continue;
      }
      t = s.startMs! + ms;
    } else {
      const r = parseTime(timeCell, zone);
      if (!r.ok) {
        yield badItem(ref, r.reason, line);
        continue;
      }
      t = r.t;
    }
    const acc = cols.acc.map((i) => numberCell(cells[i]) / cols!.accScale);
    if (!acc.every(Number.isFinite)) {
      yield badItem(ref, `acceleration is missing or not a number (${cols.acc.map((i) => cells[i]).join(", ")})`, line);
      continue;
    }
    const gyro = cols.gyro?.map((i) => numberCell(cells[i]));
    const player = (cols.player !== undefined ? cells[cols.player]?.trim() : "") || defaultPlayer;
    const timeProblem = order.check(player, t);
    if (timeProblem) {
      yield badItem(ref, timeProblem, line);
      continue;
    }
    const sample: Pending = {
      channel: "imu",
      t,
      playerId: player,
      deviceId,
      deviceKind: IMU_CSV_DEVICE_KIND,
      verticalAxis: IMU_CSV_VERTICAL_AXIS,
      ax: acc[0]!,
      ay: acc[1]!,
      az: acc[2]!,
      // A row with empty gyroscope cells is a sample without a gyroscope reading.
      ...(gyro?.every(Number.isFinite) ? { gx: gyro[0]!, gy: gyro[1]!, gz: gyro[2]! } : {}),
    };
    const rate = rates.get(player);
    if (rate !== undefined) {
      yield { kind: "wearable", sample: { ...sample, rateHz: rate } };
      continue;
    }
    const rows = held.get(player) ?? [];
    held.set(player, rows);
    rows.push({ sample, ref, line });
    if (rows.length === IMU_CSV_RATE_SAMPLES) yield* release(player);
  }
  if (!cols) throw new InputError(path, WHOLE_FILE, "empty file", HINT);
  for (const player of [...held.keys()]) yield* release(player);
}
