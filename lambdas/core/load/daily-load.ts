/**
 * A player's load per day and measure, with what practitioners read beside it: the acute:chronic
 * ratio two ways, and weekly monotony and strain. Pure: sessions in, rows out.
 *
 * - EWMA acute:chronic (Williams et al. 2017): exactly `acwr()` of ./acwr.ts as of each day, the
 *   ratio the Player Load Spike fires on.
 * - Rolling averages (Hulin et al. 2016, Br J Sports Med 50:231): mean daily load over the last 7
 *   and 28 days, rest days 0; the ratio of the two is the "coupled" rolling ACWR (Lolli et al. 2019
 *   show the coupling; the EWMA is the one Sideline flags on).
 * - Monotony and strain (Foster 1998, Med Sci Sports Exerc 30:1164): over the last 7 days, rest
 *   days counting as 0, monotony = mean daily load / its standard deviation, strain = the week's
 *   load x monotony. Foster does not say which standard deviation (MONOTONY_SD_DDOF).
 * Both ratios are null until ACWR_MIN_HISTORY_DAYS of history: a 28-day average of a few days is not
 * a chronic load, and a ratio near 1 from it would look trustworthy. The averages themselves are kept.
 */
import type { SessionLoad } from "../../ports.js";
import { ACWR_ACUTE_DAYS, ACWR_CHRONIC_DAYS, ACWR_MIN_HISTORY_DAYS, acwr, DAY_MS, dayOf } from "./acwr.js";

/** Days monotony and strain are computed over: one training week (Foster 1998). */
export const MONOTONY_DAYS = 7;
/**
 * Delta degrees of freedom of monotony's standard deviation: 1, the sample SD (Sideline choice; Foster
 * 1998 does not say). The population SD (0) gives monotony and strain sqrt(7/6), about 8 %, higher.
 */
export const MONOTONY_SD_DDOF = 1;

export interface DailyLoadRow {
  /** Midnight UTC, ms. */
  readonly day: number;
  readonly load: number;
  readonly sessions: number;
  readonly acuteEwma: number;
  readonly chronicEwma: number;
  /** Null before ACWR_MIN_HISTORY_DAYS of history, or when the chronic load is 0. */
  readonly acwrEwma: number | null;
  readonly acuteRolling: number;
  readonly chronicRolling: number;
  readonly acwrRolling: number | null;
  readonly weekLoad: number;
  /** Null before a full week of history, or when the week's loads do not vary. */
  readonly monotony: number | null;
  readonly strain: number | null;
  readonly historyDays: number;
}

/** Standard deviation with MONOTONY_SD_DDOF. */
function sd(xs: readonly number[]): number {
  const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - MONOTONY_SD_DDOF));
}

/** The row of `day` (midnight UTC) from every session of one player and measure. */
export function dailyLoadRow(sessions: readonly SessionLoad[], day: number): DailyLoadRow {
  const r = acwr(sessions, day);
  const loads = r.series.map((d) => d.load);
  const n = loads.length;
  const last = (k: number) => loads.slice(Math.max(0, n - k));
  const sum = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0);
  const acute = last(ACWR_ACUTE_DAYS);
  const chronic = last(ACWR_CHRONIC_DAYS);
  const acuteRolling = acute.length > 0 ? sum(acute) / acute.length : 0;
  const chronicRolling = chronic.length > 0 ? sum(chronic) / chronic.length : 0;
  const week = last(MONOTONY_DAYS);
  const weekLoad = sum(week);
  const spread = week.length === MONOTONY_DAYS ? sd(week) : 0;
  const monotony = spread > 0 ? weekLoad / MONOTONY_DAYS / spread : null;
  const trusted = r.historyDays >= ACWR_MIN_HISTORY_DAYS;
  const today = sessions.filter((s) => dayOf(s.day) === day);
  return {
    day,
    load: n > 0 ? loads[n - 1]! : 0,
    sessions: today.length,
    acuteEwma: r.acute,
    chronicEwma: r.chronic,
    acwrEwma: trusted ? r.ratio : null,
    acuteRolling,
    chronicRolling,
    acwrRolling: trusted && chronicRolling > 0 ? acuteRolling / chronicRolling : null,
    weekLoad,
    monotony,
    strain: monotony === null ? null : weekLoad * monotony,
    historyDays: r.historyDays,
  };
}

/**
 * The days whose rows change when the session on `changedDay` is recorded: from the day after the
 * player's previous session (the rest days in between get their rows now) to his latest session
 * day, so an imported older session rewrites the days after it.
 */
export function daysToWrite(sessions: readonly SessionLoad[], changedDay: number): number[] {
  const days = sessions.map((s) => dayOf(s.day));
  const changed = dayOf(changedDay);
  const before = days.filter((d) => d < changed);
  const from = before.length > 0 ? Math.max(...before) + DAY_MS : changed;
  const to = Math.max(changed, ...days);
  const out: number[] = [];
  for (let d = from; d <= to; d += DAY_MS) out.push(d);
  return out;
}

/** The rows to upsert after the session on `changedDay` was added to `sessions` (which must include it). */
export function dailyLoadRows(sessions: readonly SessionLoad[], changedDay: number): DailyLoadRow[] {
  return daysToWrite(sessions, changedDay).map((d) => dailyLoadRow(sessions, d));
}
