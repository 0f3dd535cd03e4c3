/**
 * Long CSV: one sample per line, `timestamp,player_id,x,y` with optional `team` and `z` columns in
 * any order (the header names them). The timestamp is ISO 8601 (`T` or a space before the time) or
 * seconds since the epoch, with fractions; an ISO time without an offset is read in the `timeZone`
 * option (UTC by default), never in the machine's zone. x and y are metres, already in Sideline's
 * pitch frame (origin at a corner).
 */
import { InputError, WHOLE_FILE } from "./input-error.js";
import { badItem, csvHeader, readLines } from "./lines.js";
import { DEFAULT_TIME_ZONE, parseTime } from "./timestamps.js";
import type { ReaderItem } from "./types.js";

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

export async function* readLongCsv(path: string, options: LongCsvOptions = {}): AsyncGenerator<ReaderItem> {
  const zone = options.timeZone ?? DEFAULT_TIME_ZONE;
  let idx: Record<string, number> | null = null;
  let lineNo = 0;
  for await (const line of readLines(path)) {
    lineNo++;
    if (line.trim() === "") continue;
    const cells = line.split(",");
    if (idx === null) {
      idx = csvHeader(
        path,
        lineNo - 1,
        line,
        "long-csv",
        REQUIRED,
        `the first line must name the columns, e.g. '${HEADER}'`,
      );
      continue;
    }
    const bad = (reason: string): ReaderItem => badItem(`${path}:${lineNo}`, reason, line);
    if (cells.length < Object.keys(idx).length) {
      yield bad(`expected ${Object.keys(idx).length} columns, got ${cells.length}`);
      continue;
    }
    const time = parseTime(cells[idx.timestamp!]!, zone);
    if (!time.ok) {
      yield bad(time.reason);
      continue;
    }
    const t = time.t;
    const playerId = cells[idx.player_id!]!.trim();
    if (playerId === "") {
      yield bad("player_id is empty");
      continue;
    }
    const x = Number(cells[idx.x!]);
    const y = Number(cells[idx.y!]);
    if (!Number.isFinite(x) || !Number.isFinite(y) || cells[idx.x!]!.trim() === "" || cells[idx.y!]!.trim() === "") {
      yield bad(`non-finite coordinate (x='${cells[idx.x!]}', y='${cells[idx.y!]}')`);
      continue;
    }
    const team = idx.team !== undefined ? cells[idx.team]?.trim() || undefined : undefined;
    yield {
      kind: "sample",
      sample: { t, playerId, team, entity: playerId === "ball" ? "ball" : "player", x, y },
    };
  }
  if (idx === null)
    throw new InputError(path, WHOLE_FILE, "empty file", `a long-csv file starts with a header such as '${HEADER}'`);
}
