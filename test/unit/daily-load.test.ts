/**
 * Daily load rows: monotony and strain by Foster (1998), rolling averages (Hulin et al. 2016), and
 * the EWMA ratio as ./acwr.ts computes it. Expected values are worked from the published formulas
 * (each worked in the comments), not taken from the code.
 */
import { describe, expect, it } from "@jest/globals";
import { acwr, DAY_MS } from "../../lambdas/core/load/acwr.js";
import { dailyLoadRow, dailyLoadRows, daysToWrite } from "../../lambdas/core/load/daily-load.js";
import type { SessionLoad } from "../../lambdas/ports.js";

const D0 = Date.UTC(2026, 10, 2); // a Monday, midnight UTC
const day = (k: number) => D0 + k * DAY_MS;
const sessions = (loads: readonly number[]): SessionLoad[] =>
  loads.flatMap((load, k) => (load > 0 ? [{ sessionId: `s${k}`, day: day(k), load }] : []));

describe("daily load: monotony and strain (Foster 1998)", () => {
  // One week 300, 500, rest, 400, 600, rest, 200: mean 2000/7 = 285.714; sample SD
  // sqrt(sum((x - 285.714)^2) / 6) = sqrt(328571.43 / 6) = 234.0126; monotony 285.714 / 234.0126 = 1.22094;
  // strain 2000 x 1.22094 = 2441.87.
  const week = sessions([300, 500, 0, 400, 600, 0, 200]);
  it("counts rest days as 0 and uses the sample standard deviation", () => {
    const r = dailyLoadRow(week, day(6));
    expect(r.weekLoad).toBe(2000);
    expect(r.monotony).toBeCloseTo(1.2209354, 6);
    expect(r.strain).toBeCloseTo(2441.8708, 3);
  });
  it("is null before a full week, and when the loads do not vary", () => {
    expect(dailyLoadRow(week, day(5)).monotony).toBeNull();
    const flat = sessions([400, 400, 400, 400, 400, 400, 400]);
    expect(dailyLoadRow(flat, day(6)).monotony).toBeNull();
    expect(dailyLoadRow(flat, day(6)).strain).toBeNull();
  });
  it("a rest day's row has load 0 and no session", () => {
    const r = dailyLoadRow(week, day(2));
    expect(r.load).toBe(0);
    expect(r.sessions).toBe(0);
  });
});

describe("daily load: rolling and EWMA ratios", () => {
  it("rolling acute and chronic are the mean daily loads of the last 7 and 28 days, rest days 0", () => {
    // 28 days of 100 then 7 days of 300: acute 300; chronic (21 x 100 + 7 x 300) / 28 = 150; ratio 2.
    const s = sessions([...Array(28).fill(100), ...Array(7).fill(300)]);
    const r = dailyLoadRow(s, day(34));
    expect(r.acuteRolling).toBeCloseTo(300, 9);
    expect(r.chronicRolling).toBeCloseTo(150, 9);
    expect(r.acwrRolling).toBeCloseTo(2, 9);
  });
  it("uses fewer days at the start of the history", () => {
    // Three days 100, 200, 300: acute = chronic = 200.
    const r = dailyLoadRow(sessions([100, 200, 300]), day(2));
    expect(r.acuteRolling).toBe(200);
    expect(r.chronicRolling).toBe(200);
  });
  it("the EWMA columns are the acute:chronic ratio the load spike fires on, as of that day", () => {
    const s = sessions([...Array(30).fill(500), 0, 900, 1200]);
    for (const k of [10, 30, 32]) {
      const r = dailyLoadRow(s, day(k));
      const ref = acwr(s, day(k));
      expect(r.acuteEwma).toBe(ref.acute);
      expect(r.chronicEwma).toBe(ref.chronic);
      expect(r.historyDays).toBe(ref.historyDays);
    }
    expect(dailyLoadRow(s, day(30)).acwrEwma).toBe(acwr(s, day(30)).ratio);
  });
  it("gives no ratio before 28 days of history, as the spike rule trusts none (the averages are kept)", () => {
    // Day 27 is the 28th day of history; day 26 the 27th.
    const s = sessions(Array(28).fill(500));
    expect(dailyLoadRow(s, day(26))).toMatchObject({ acwrEwma: null, acwrRolling: null, historyDays: 27 });
    expect(dailyLoadRow(s, day(26)).acuteRolling).toBe(500);
    expect(dailyLoadRow(s, day(27))).toMatchObject({ acwrEwma: 1, acwrRolling: 1, historyDays: 28 });
  });
  it("sums two sessions of one day", () => {
    const s: SessionLoad[] = [
      { sessionId: "am", day: day(0), load: 200 },
      { sessionId: "pm", day: day(0) + 3_600_000, load: 300 },
    ];
    const r = dailyLoadRow(s, day(0));
    expect(r.load).toBe(500);
    expect(r.sessions).toBe(2);
  });
});

describe("daily load: which days a recorded session rewrites", () => {
  it("a session after rest days writes the rest days too", () => {
    const s = sessions([100, 0, 0, 200]);
    expect(daysToWrite(s, day(3))).toEqual([day(1), day(2), day(3)]);
  });
  it("an older session imported late rewrites every later day", () => {
    const s = sessions([100, 0, 300, 0, 200]);
    expect(daysToWrite(s, day(2))).toEqual([day(1), day(2), day(3), day(4)]);
    expect(dailyLoadRows(s, day(2)).map((r) => r.load)).toEqual([0, 300, 0, 200]);
  });
  it("the first session writes its own day only", () => {
    expect(daysToWrite(sessions([100]), day(0))).toEqual([day(0)]);
  });
});
