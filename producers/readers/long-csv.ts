/**
 * Long CSV: one sample per line, `timestamp,player_id,x,y` with optional `team` and `z` columns in
 * any order (the header names them). The timestamp is ISO 8601 (`T` or a space before the time) or
 * seconds since the epoch, with fractions; an ISO time without an offset is read in the `timeZone`
 * option (UTC by default), never in the machine's zone. x and y are metres, already in Sideline's
 * pitch frame (origin at a corner). Cells are split on commas: the format has no quoting.
 *
 * A file is read in blocks of lines (readLineBlocks) and each block parsed without an `await`: the
 * reader yields the samples of consecutive good lines as one `samples` item, and each rejected line
 * as a `bad` item with its file:line and reason, in file order.
 */
import { InputError, WHOLE_FILE } from "./input-error.js";
import { badItem, csvHeader, readLineBlocks } from "./lines.js";
import { DEFAULT_TIME_ZONE, parseTime } from "./timestamps.js";
import type { ReaderItem, TrackingSample } from "./types.js";

const REQUIRED = ["timestamp", "player_id", "x", "y"] as const;
const HEADER = REQUIRED.join(",");

export interface LongCsvOptions {
  /** IANA zone of ISO timestamps that carry no offset. @default UTC */
  readonly timeZone?: string;
}

/** Parses an ISO 8601 timestamp or epoch seconds into epoch milliseconds (integer); NaN when it is neither. */
export function parseTimestamp(s: string, timeZone: string = DEFAULT_TIME_ZONE): number {
  const r = parseTime(s, timeZone);
  return r.ok ? r.t : Number.NaN;
}

/** Where the header put each column, and how many distinct columns it named (a line needs at least that many cells). */
interface Columns {
  readonly timestamp: number;
  readonly playerId: number;
  readonly x: number;
  readonly y: number;
  readonly team: number | undefined;
  readonly count: number;
}

function columns(idx: Record<string, number>): Columns {
  return {
    timestamp: idx.timestamp!,
    playerId: idx.player_id!,
    x: idx.x!,
    y: idx.y!,
    team: idx.team,
    count: Object.keys(idx).length,
  };
}

/** One data line's sample, or the reason it is rejected. */
function parseLine(line: string, c: Columns, zone: string): TrackingSample | string {
  const cells = line.split(",");
  if (cells.length < c.count) return `expected ${c.count} columns, got ${cells.length}`;
  const time = parseTime(cells[c.timestamp]!, zone);
  if (!time.ok) return time.reason;
  const playerId = cells[c.playerId]!.trim();
  if (playerId === "") return "player_id is empty";
  const xs = cells[c.x];
  const ys = cells[c.y];
  const x = Number(xs);
  const y = Number(ys);
  if (!Number.isFinite(x) || !Number.isFinite(y) || xs!.trim() === "" || ys!.trim() === "")
    return `non-finite coordinate (x='${xs}', y='${ys}')`;
  const team = c.team !== undefined ? cells[c.team]?.trim() || undefined : undefined;
  return { t: time.t, playerId, team, entity: playerId === "ball" ? "ball" : "player", x, y };
}

export async function* readLongCsv(path: string, options: LongCsvOptions = {}): AsyncGenerator<ReaderItem> {
  const zone = options.timeZone ?? DEFAULT_TIME_ZONE;
  let cols: Columns | null = null;
  let lineNo = 0;
  for await (const block of readLineBlocks(path)) {
    let samples: TrackingSample[] = [];
    for (const line of block) {
      lineNo++;
      if (line.trim() === "") continue;
      if (cols === null) {
        cols = columns(
          csvHeader(
            path,
            lineNo - 1,
            line,
            "long-csv",
            REQUIRED,
            `the first line must name the columns, e.g. '${HEADER}'`,
          ),
        );
        continue;
      }
      const parsed = parseLine(line, cols, zone);
      if (typeof parsed !== "string") {
        samples.push(parsed);
        continue;
      }
      if (samples.length > 0) yield { kind: "samples", samples };
      samples = [];
      yield badItem(`${path}:${lineNo}`, parsed, line);
    }
    if (samples.length > 0) yield { kind: "samples", samples };
  }
  if (cols === null)
    throw new InputError(path, WHOLE_FILE, "empty file", `a long-csv file starts with a header such as '${HEADER}'`);
}
