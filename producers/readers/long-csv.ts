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

/**
 * Start of each cell of the line being parsed (grown as needed; cells end at the next start - 1).
 * Shared by every reader: parseLine fills and reads it without an await in between.
 */
let starts = new Int32Array(16);

/** Powers of ten that doubles hold exactly (10^22 is the last). */
const EXACT_POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
/** Significant digits whose integer a double holds exactly (10^15 < 2^53). */
const EXACT_DIGITS = 15;

/**
 * The number written in line[from, to) when it is plain decimal (`-?digits[.digits]`, at most 15
 * digits): the digits' integer divided by a power of ten, both exact, is correctly rounded, so it
 * equals Number() of the text. NaN for anything else (the caller then uses Number() itself).
 */
function plainDecimal(line: string, from: number, to: number): number {
  let i = from;
  const negative = i < to && line.charCodeAt(i) === 0x2d;
  if (negative) i++;
  let int = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < to; i++) {
    const c = line.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      int = int * 10 + (c - 0x30);
      digits++;
    } else if (c === 0x2e && fraction === -1 && digits > 0) fraction = digits;
    else return Number.NaN;
  }
  if (digits === 0 || digits > EXACT_DIGITS || fraction === digits) return Number.NaN;
  const v = fraction === -1 ? int : int / EXACT_POW10[digits - fraction]!;
  return negative ? -v : v;
}

/** Slots of a file's table of cell texts (a power of two); it takes new texts until half full. */
const INTERN_SLOTS = 256;

/**
 * The player ids and teams of a file, one string each: a long CSV repeats a few dozen ids on
 * millions of lines, and cutting a new string out of every line is most of what the reader
 * allocates. A cell without surrounding spaces is looked up by its length and three of its
 * characters, and compared in place; anything else is cut and trimmed as before. The answer is
 * always `line.slice(from, to).trim()`.
 */
class CellTexts {
  private readonly table = new Array<string | undefined>(INTERN_SLOTS);
  private size = 0;

  get(line: string, from: number, to: number): string {
    const len = to - from;
    if (len <= 0) return "";
    const first = line.charCodeAt(from);
    const last = line.charCodeAt(to - 1);
    // Not trimmed (a space, a control character, or a character trim might take: past ASCII).
    if (first <= 0x20 || last <= 0x20 || first > 0x7e || last > 0x7e) return line.slice(from, to).trim();
    const mask = INTERN_SLOTS - 1;
    let slot = (((len * 31 + first) * 31 + last) * 31 + line.charCodeAt(from + (len >> 1))) & mask;
    for (let seen = 0; seen < INTERN_SLOTS; seen++) {
      const text = this.table[slot];
      if (text === undefined) break;
      if (text.length === len && line.startsWith(text, from)) return text;
      slot = (slot + 1) & mask;
    }
    const text = line.slice(from, to);
    if (this.size < INTERN_SLOTS / 2 && this.table[slot] === undefined) {
      this.table[slot] = text;
      this.size++;
    }
    return text;
  }
}

/** Where cell `k` (< n) of the line ends. */
function end(line: string, n: number, k: number): number {
  return k + 1 < n ? starts[k + 1]! - 1 : line.length;
}

/** Cell `k` of a line whose `n` cells start at `starts` (undefined past the last, as split(",")[k] is). */
function cellOf(line: string, n: number, k: number): string | undefined {
  return k < n ? line.slice(starts[k]!, end(line, n, k)) : undefined;
}

/**
 * One data line's sample, or the reason it is rejected. Cells are cut out of the line only when
 * read; epoch seconds without sign or spaces skip parseTime's general path but use its arithmetic.
 */
function parseLine(line: string, c: Columns, zone: string, texts: CellTexts): TrackingSample | string {
  let n = 1;
  starts[0] = 0;
  for (let i = line.indexOf(","); i !== -1; i = line.indexOf(",", i + 1)) {
    if (n === starts.length) {
      const grown = new Int32Array(n * 2);
      grown.set(starts);
      starts = grown;
    }
    starts[n++] = i + 1;
  }
  if (n < c.count) return `expected ${c.count} columns, got ${n}`;
  // parseTime's arithmetic for epoch seconds: Math.round(seconds * 1000).
  const seconds = c.timestamp < n ? plainDecimal(line, starts[c.timestamp]!, end(line, n, c.timestamp)) : Number.NaN;
  let t: number;
  if (!Number.isNaN(seconds)) t = Math.round(seconds * 1000);
  else {
    const time = parseTime(cellOf(line, n, c.timestamp)!, zone);
    if (!time.ok) return time.reason;
    t = time.t;
  }
  const playerId = c.playerId < n ? texts.get(line, starts[c.playerId]!, end(line, n, c.playerId)) : "";
  if (playerId === "") return "player_id is empty";
  let x = c.x < n ? plainDecimal(line, starts[c.x]!, end(line, n, c.x)) : Number.NaN;
  let y = c.y < n ? plainDecimal(line, starts[c.y]!, end(line, n, c.y)) : Number.NaN;
  if (Number.isNaN(x) || Number.isNaN(y)) {
    const xs = cellOf(line, n, c.x);
    const ys = cellOf(line, n, c.y);
    x = Number(xs);
    y = Number(ys);
    // Number() of an empty or blank cell is 0, so only a 0 can be a blank cell.
    if (!Number.isFinite(x) || !Number.isFinite(y) || (x === 0 && xs!.trim() === "") || (y === 0 && ys!.trim() === ""))
      return `non-finite coordinate (x='${xs}', y='${ys}')`;
  }
  const team =
    c.team !== undefined && c.team < n
      ? texts.get(line, starts[c.team]!, end(line, n, c.team)) || undefined
      : undefined;
  return { t, playerId, team, entity: playerId === "ball" ? "ball" : "player", x, y };
}

export async function* readLongCsv(path: string, options: LongCsvOptions = {}): AsyncGenerator<ReaderItem> {
  const zone = options.timeZone ?? DEFAULT_TIME_ZONE;
  let cols: Columns | null = null;
  let lineNo = 0;
  const texts = new CellTexts();
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
      const parsed = parseLine(line, cols, zone, texts);
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
