/**
 * Heart rate CSV, one reading per line: `time,bpm`, or the columns of a FIT file decoded to CSV
 * (`timestamp_utc`, `heart_rate_bpm`, among others, as ../shared's fenix 2 run). The time is ISO
 * 8601 or epoch seconds (an ISO time without an offset is read in --time-zone). An empty bpm cell
 * means the watch recorded no heart rate then (a GPS-only record): a gap, not a reading and not
 * an error, so nothing is yielded for it. 0 bpm is a dropout (the strap lost contact), and a value
 * outside MIN_HR_BPM..MAX_HR_BPM an artefact: both are bad rows with the reason, never samples.
 */
import { InputError, WHOLE_FILE } from "./input-error.js";
import { looksBinary, readLines } from "./lines.js";
import { DEFAULT_TIME_ZONE, parseTime } from "./timestamps.js";
import type { ReaderItem } from "./types.js";
import { badItem, bpmProblem, fileStem, playerIdFor, TimeOrder, type WearableReadSettings } from "./wearable-common.js";

export const HR_CSV_DEVICE_KIND = "hr-strap";
/** Accepted names of the time column: Sideline's own, and FIT-decoded CSVs'. */
const TIME_COLUMNS = ["time", "timestamp_utc"] as const;
/** Accepted names of the heart-rate column. */
const BPM_COLUMNS = ["bpm", "heart_rate_bpm"] as const;
const HINT = "the first line must name the columns: 'time,bpm' (or timestamp_utc and heart_rate_bpm)";

export async function* readHrCsv(path: string, s: WearableReadSettings = {}): AsyncGenerator<ReaderItem> {
  const zone = s.timeZone ?? DEFAULT_TIME_ZONE;
  const deviceId = fileStem(path);
  const playerId = playerIdFor(s, deviceId);
  const order = new TimeOrder();
  let col: { time: number; bpm: number } | null = null;
  let lineNo = 0;
  for await (const line of readLines(path)) {
    lineNo++;
    if (line.trim() === "") continue;
    const cells = line.split(",");
    if (!col) {
      if (looksBinary(line)) throw new InputError(path, 0, "binary data, not a heart-rate CSV text file", HINT);
      const names = cells.map((c) => c.trim().toLowerCase());
      const time = names.findIndex((n) => (TIME_COLUMNS as readonly string[]).includes(n));
      const bpm = names.findIndex((n) => (BPM_COLUMNS as readonly string[]).includes(n));
      if (time < 0 || bpm < 0)
        throw new InputError(
          path,
          0,
          `not an hr-csv file: the header lacks ${[time < 0 ? "a time column" : "", bpm < 0 ? "a bpm column" : ""].filter(Boolean).join(" and ")} (it reads ${JSON.stringify(line.slice(0, 80))})`,
          HINT,
        );
      col = { time, bpm };
      continue;
    }
    const ref = `${path}:${lineNo}`;
    const bpmCell = cells[col.bpm]?.trim() ?? "";
    // Absent, not 0: the record holds no heart rate, so the times carry a gap.
    if (bpmCell === "") continue;
    const time = parseTime(cells[col.time] ?? "", zone);
    if (!time.ok) {
      yield badItem(ref, time.reason, line);
      continue;
    }
    const bpm = Number(bpmCell);
    const problem = bpmProblem(bpm);
    if (problem) {
      yield badItem(ref, problem, line);
      continue;
    }
    const timeProblem = order.check("hr", time.t);
    if (timeProblem) {
      yield badItem(ref, timeProblem, line);
      continue;
    }
    yield {
      kind: "wearable",
      sample: { channel: "hr", t: time.t, playerId, deviceId, deviceKind: HR_CSV_DEVICE_KIND, bpm },
    };
  }
  if (!col) throw new InputError(path, WHOLE_FILE, "empty file", HINT);
}
