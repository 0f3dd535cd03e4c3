/**
 * Timestamps in provider files: ISO 8601 (with `T` or a space between date and time) or seconds
 * since the epoch. An ISO time without an offset is a wall-clock time in a named zone, UTC unless
 * the caller says otherwise; the machine's own time zone never enters (so a file means the same
 * on every machine). Zones are IANA names, converted with Intl (no time zone data of our own).
 */

export type ParsedTime = { readonly ok: true; readonly t: number } | { readonly ok: false; readonly reason: string };

/** The zone naive timestamps are read in unless a caller names one. */
export const DEFAULT_TIME_ZONE = "UTC";

const NUMERIC_EPOCH = /^-?\d+(\.\d+)?$/;
/** Date, `T`/`t`/space, time with optional seconds and fraction, optional offset (Z, ±HH, ±HHMM, ±HH:MM). */
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Wall-clock minutes remembered per zone (a match is ~120; a season file a few thousand). */
const MINUTE_CACHE_SIZE = 4096;

/** Checks an IANA zone name; returns it as given. Throws with what to pass instead. */
export function assertTimeZone(zone: string): string {
  if (zone.trim() === "") throw new Error("time zone is empty: pass an IANA name such as Europe/Oslo or UTC");
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
  } catch {
    throw new Error(`unknown time zone '${zone}': pass an IANA name such as Europe/Oslo, America/New_York or UTC`);
  }
  return zone;
}

/** Converts wall-clock times of one zone to instants, across daylight-saving changes. */
class ZoneClock {
  private readonly fmt: Intl.DateTimeFormat;
  /** Wall minute (ms since the epoch, read as UTC) -> zone offset in ms; null: the minute does not exist. */
  private readonly minutes = new Map<number, number | null>();

  constructor(readonly zone: string) {
    this.fmt = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  }

  /**
   * The instant of a wall-clock time (given as ms since the epoch as if it were UTC); null when the
   * clocks skipped it (spring forward). A time the clocks passed twice (fall back) is the earlier
   * instant, as Temporal's "compatible" disambiguation does.
   */
  toInstant(wall: number): number | null {
    const minute = Math.floor(wall / MINUTE_MS) * MINUTE_MS;
    let offset = this.minutes.get(minute);
    if (offset === undefined) {
      offset = this.resolve(minute);
      if (this.minutes.size >= MINUTE_CACHE_SIZE) this.minutes.clear();
      this.minutes.set(minute, offset);
    }
    return offset === null ? null : wall - offset;
  }

  /** Offset changes happen on whole minutes and at most once a day: the offsets a day either side are the candidates. */
  private resolve(wallMinute: number): number | null {
    let best: number | null = null;
    for (const o of new Set([this.offsetAt(wallMinute - DAY_MS), this.offsetAt(wallMinute + DAY_MS)])) {
      const t = wallMinute - o;
      if (this.offsetAt(t) === o && (best === null || t < wallMinute - best)) best = o;
    }
    return best;
  }

  /** The zone's offset from UTC at an instant, ms. */
  private offsetAt(instant: number): number {
    const p: Record<string, number> = {};
    for (const part of this.fmt.formatToParts(new Date(instant))) p[part.type] = Number(part.value);
    const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour! % 24, p.minute!, p.second!);
    return wall - Math.floor(instant / 1000) * 1000;
  }
}

const clocks = new Map<string, ZoneClock>();
function clockFor(zone: string): ZoneClock {
  let c = clocks.get(zone);
  if (!c) {
    c = new ZoneClock(assertTimeZone(zone));
    clocks.set(zone, c);
  }
  return c;
}

/**
 * The instant (epoch ms) of a wall-clock time in `zone`, the wall time given as ms since the epoch as
 * if it were UTC (fractions kept). Null when the clocks skipped that time (spring forward); a time the
 * clocks passed twice (fall back) is the earlier instant. An unknown zone throws.
 */
export function wallClockToInstant(wall: number, zone: string): number | null {
  return zone === "UTC" ? wall : clockFor(zone).toInstant(wall);
}

/** 400 Gregorian years, in days: Date.UTC reads years 0-99 as 1900-1999, so those are shifted by this. */
const GREGORIAN_CYCLE_DAYS = 146_097;
const daysIn = (year: number, month: number) => new Date(Date.UTC(year + 400, month, 0)).getUTCDate();

/**
 * Parses an ISO 8601 time or epoch seconds into epoch milliseconds (an integer). An ISO time without
 * an offset is read in `zone` (an IANA name). Never throws for bad input; an unknown zone throws.
 */
export function parseTime(s: string, zone: string = DEFAULT_TIME_ZONE): ParsedTime {
  const v = s.trim();
  if (NUMERIC_EPOCH.test(v)) return { ok: true, t: Math.round(Number(v) * 1000) };
  const m = ISO.exec(v);
  if (!m) return { ok: false, reason: `timestamp '${v}' is neither ISO 8601 nor epoch seconds` };
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Math.round(Number(`0.${m[7]}`) * 1000);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59)
    return { ok: false, reason: `timestamp '${v}' is not a valid date and time` };
  const wall = Date.UTC(year + 400, month - 1, day, hour, minute, second) - GREGORIAN_CYCLE_DAYS * DAY_MS + ms;
  if (m[8] !== undefined) return { ok: true, t: wall };
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = m[11] === undefined ? 0 : Number(m[11]);
    if (oh > 23 || om > 59) return { ok: false, reason: `timestamp '${v}' has an invalid UTC offset` };
    return { ok: true, t: wall - (m[9] === "-" ? -1 : 1) * (oh * 60 + om) * MINUTE_MS };
  }
  const t = wallClockToInstant(wall, zone);
  if (t === null)
    return { ok: false, reason: `timestamp '${v}' does not exist in ${zone} (the clocks went forward over it)` };
  return { ok: true, t };
}
