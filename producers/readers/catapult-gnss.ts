/**
 * Catapult GNSS positions (OptimEye S5 and the like, 10 Hz): one file per player, a
 * `Timestamp, Longitude, Latitude` header (spaces after the commas) and one fix per line. The
 * timestamp is an Excel serial day number (days since 1899-12-30) in the session's local time; the
 * position is WGS-84 degrees, projected into Sideline's pitch frame with the pitch's surveyed
 * corners (./pitch-corners.ts). The positions are quantised and jumpy: smoothing, the speed cap and
 * the off-pitch check are the tracking core's, as for every other tracking source.
 */
import { InputError, WHOLE_FILE } from "./input-error.js";
import { badItem, csvHeader, fileStem, readLines } from "./lines.js";
import type { PitchFrame } from "./pitch-corners.js";
import { wallClockToInstant } from "./timestamps.js";
import type { ReaderItem } from "./types.js";

const COLUMNS = ["timestamp", "longitude", "latitude"] as const;
const HEADER = "Timestamp, Longitude, Latitude";
const DAY_MS = 86_400_000;
/** Excel's day 0 is 1899-12-30 (the 1900 leap-year bug shifted it back a day); 1970-01-01 is serial 25569 (ECMA-376 Part 1, 18.17.4, the 1900 date system). */
export const EXCEL_SERIAL_UNIX_EPOCH = 25_569;
/** The GPS epoch, 1980-01-06, as an Excel serial (IS-GPS-200: GPS time counts from it): no GNSS fix is older. */
export const GPS_EPOCH_SERIAL = 29_226;
/** Excel's last date, 9999-12-31 (Microsoft, "Excel specifications and limits"). */
export const EXCEL_MAX_SERIAL = 2_958_465;

/**
 * An Excel serial day number -> wall-clock ms since the epoch (as if the local time were UTC), rounded
 * to the whole millisecond. 10 Hz slots are tenths of a second, 1/864000 of a day, which binary
 * floating point cannot hold exactly: the exported serials come back as ...099.9985 ms and the
 * like (the serial's own resolution near 44,500 days is 0.6 us). Rounding to the millisecond removes
 * that noise and keeps whatever timing the device recorded; rounding to 100 ms would assume the rate.
 */
export function excelSerialToWallMs(serial: number): number {
  return Math.round((serial - EXCEL_SERIAL_UNIX_EPOCH) * DAY_MS);
}

export interface CatapultGnssOptions {
  /** IANA zone the timestamps' local time is in. */
  readonly timeZone: string;
  /** @default - the file's name without its extension */
  readonly playerId?: string | undefined;
  /** The pitch's frame, from its corners. */
  readonly frame: PitchFrame;
}

export async function* readCatapultGnss(path: string, o: CatapultGnssOptions): AsyncGenerator<ReaderItem> {
  const playerId = o.playerId ?? fileStem(path);
  let idx: Record<(typeof COLUMNS)[number], number> | null = null;
  let lineNo = 0;
  let prevT = Number.NEGATIVE_INFINITY;
  let prevLine = 0;
  for await (const line of readLines(path)) {
    lineNo++;
    if (line.trim() === "") continue;
    const cells = line.split(",");
    if (idx === null) {
      const names = csvHeader(path, lineNo - 1, line, "catapult-gnss", COLUMNS, `the first line must be '${HEADER}'`);
      idx = { timestamp: names.timestamp!, longitude: names.longitude!, latitude: names.latitude! };
      continue;
    }
    const bad = (reason: string): ReaderItem => badItem(`${path}:${lineNo}`, reason, line);
    if (cells.length < COLUMNS.length) {
      yield bad(`expected ${COLUMNS.length} columns, got ${cells.length}`);
      continue;
    }
    const [ts, lonText, latText] = [
      cells[idx.timestamp]!.trim(),
      cells[idx.longitude]!.trim(),
      cells[idx.latitude]!.trim(),
    ];
    const serial = Number(ts);
    if (ts === "" || !Number.isFinite(serial)) {
      yield bad(`timestamp '${ts}' is not an Excel serial day number`);
      continue;
    }
    if (serial < GPS_EPOCH_SERIAL || serial > EXCEL_MAX_SERIAL) {
      yield bad(
        `timestamp ${ts} is outside ${GPS_EPOCH_SERIAL} (1980-01-06, the GPS epoch) to ${EXCEL_MAX_SERIAL} (9999-12-31)`,
      );
      continue;
    }
    const lon = Number(lonText);
    const lat = Number(latText);
    if (lonText === "" || latText === "" || !Number.isFinite(lon) || !Number.isFinite(lat)) {
      yield bad(`non-numeric position (longitude '${lonText}', latitude '${latText}')`);
      continue;
    }
    if (Math.abs(lat) > 90 || Math.abs(lon) > 180) {
      yield bad(`impossible position: latitude ${lat} must be within -90..90 and longitude ${lon} within -180..180`);
      continue;
    }
    if (lat === 0 && lon === 0) {
      yield bad("position 0, 0: the unit had no fix");
      continue;
    }
    const t = wallClockToInstant(excelSerialToWallMs(serial), o.timeZone);
    if (t === null) {
      yield bad(`timestamp ${ts} falls in the hour ${o.timeZone} skipped (the clocks went forward over it)`);
      continue;
    }
    if (t <= prevT) {
      yield bad(
        t === prevT
          ? `timestamp repeats line ${prevLine}'s`
          : `time runs backwards: ${prevT - t} ms before line ${prevLine}'s (a clock change or a merged file?)`,
      );
      continue;
    }
    prevT = t;
    prevLine = lineNo;
    const { x, y } = o.frame.toPitch(lon, lat);
    yield { kind: "sample", sample: { t, playerId, entity: "player", x, y } };
  }
  if (idx === null)
    throw new InputError(path, WHOLE_FILE, "empty file", `a catapult-gnss file starts with a '${HEADER}' header`);
}
