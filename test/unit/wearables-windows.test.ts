import { WEARABLE_WINDOWS } from "../../lambdas/contracts/tables/wearables.js";
import { type HrReference, heartRateLoad } from "../../lambdas/core/wearables/heart-rate.js";
import { playerLoad } from "../../lambdas/core/wearables/player-load.js";
import {
  applyWearableChunk,
  HR_OUT_OF_ORDER,
  HR_TIME_NOT_FINITE,
  IMU_OUT_OF_ORDER,
  IMU_TIME_NOT_FINITE,
  newWearableState,
  type WearableChunkInput,
  type WearableChunkResult,
  type WearableState,
  type WearableWindow,
} from "../../lambdas/core/wearables/wearable-windows.js";

const MIN = 60_000;
const T0 = Date.parse("2026-05-16T15:00:00Z"); // on a minute: windows start here
const REF: HrReference = { hrMaxBpm: 200, hrRestBpm: 60, sex: "male", source: "assumed" };

type Sample =
  | { kind: "imu"; t: number; ax: number; ay: number; az: number; vendor?: number }
  | { kind: "hr"; t: number; bpm: number };

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One chunk from samples in time order; offsets from T0, so every chunking gives the same times. */
function chunk(samples: readonly Sample[], rateHz: number, final: boolean): WearableChunkInput {
  const imu = samples.filter((s) => s.kind === "imu");
  const hr = samples.filter((s) => s.kind === "hr");
  const withVendor = imu.length > 0 && imu.every((s) => s.vendor !== undefined);
  return {
    t0: T0,
    imu:
      imu.length > 0
        ? {
            rate_hz: rateHz,
            vertical_axis: "y",
            t: imu.map((s) => s.t),
            ax: imu.map((s) => s.ax),
            ay: imu.map((s) => s.ay),
            az: imu.map((s) => s.az),
            ...(withVendor ? { vendor_player_load: imu.map((s) => s.vendor!) } : {}),
          }
        : undefined,
    hr: hr.length > 0 ? { t: hr.map((s) => s.t), bpm: hr.map((s) => s.bpm) } : undefined,
    final,
  };
}

/** Feeds samples cut at `cuts` (indices), the last chunk final, optionally through JSON between chunks. */
function run(
  samples: readonly Sample[],
  cuts: readonly number[],
  opts: { roundTrip?: boolean; windowMs?: number; rateHz?: number } = {},
) {
  let s: WearableState = newWearableState(opts.windowMs ?? MIN);
  const bounds = [0, ...cuts, samples.length];
  const results: WearableChunkResult[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    results.push(
      applyWearableChunk(
        s,
        chunk(samples.slice(bounds[k], bounds[k + 1]), opts.rateHz ?? 52, k + 2 === bounds.length),
        REF,
      ),
    );
    if (opts.roundTrip) s = JSON.parse(JSON.stringify(s)) as WearableState;
  }
  return {
    s,
    results,
    closed: results.flatMap((r) => r.closed),
    session: results[results.length - 1]!.session,
  };
}

const imu = (t: number, ay: number, ax = 0, az = 0): Sample & { kind: "imu" } => ({ kind: "imu", t, ax, ay, az });
const hr = (t: number, bpm: number): Sample => ({ kind: "hr", t, bpm });
const repeat = (v: number, n: number): number[] => new Array(n).fill(v);

/**
 * About three minutes of a device with IMU at 52 Hz (from 15 s) and a strap reading every 1-6 s
 * (from 10 s): noise around 1 g with impacts, four jumps (one landing just after the minute at 60 s,
 * one whose flight spans 120 s), a clipped sample, a 2 s IMU dropout at 100 s, a 30 s strap dropout
 * from 130 s, and the strap silent for the last 15 s while the IMU goes on.
 */
function session(): Sample[] {
  const rnd = prng(7);
  const out: Sample[] = [];
  const jumps = [30_000, 59_700, 119_800, 150_000]; // flight starts (ms): 0.5 s flights
  for (let k = 0; k < 52 * 170; k++) {
    const t = 15_000 + (k * 1000) / 52;
    if (t >= 100_000 && t < 102_000) continue;
    let ay = 1 + 0.4 * (rnd() - 0.5);
    const ax = 0.3 * (rnd() - 0.5);
    const az = 0.3 * (rnd() - 0.5);
    for (const j of jumps) {
      if (t >= j && t < j + 500) ay = 0.1 * rnd();
      else if (t >= j + 500 && t < j + 520) ay = 5.5;
    }
    if (k % 700 === 350) ay = 6 + 3 * rnd(); // an impact every 13.5 s
    if (k === 4000) ay = 7.995; // clipped
    out.push({ ...imu(t, ay, ax, az), vendor: 0.01 * rnd() });
  }
  let t = 10_000;
  while (t < 172_000) {
    if (!(t > 130_000 && t < 160_000)) out.push(hr(t, 120 + 60 * rnd()));
    t += 1000 * (1 + Math.floor(6 * rnd()));
  }
  return out.sort((a, b) => a.t - b.t || (a.kind === "imu" ? -1 : 1));
}

describe("wearable windows", () => {
  it("puts the step across a window boundary in the later window, and leaves the heart rate null without a strap", () => {
    // 100 Hz: 59.98, 59.99 s in the first minute; 60.00, 60.01 s in the second.
    const samples = [imu(59_980, 1), imu(59_990, 1.3, 0.4), imu(60_000, 1.3, 0.4), imu(60_010, 2.3, 0.4)];
    const { closed, session: total } = run(samples, [], { rateHz: 100 });
    expect(closed).toHaveLength(2);
    const [a, b] = closed as [WearableWindow, WearableWindow];
    expect(a).toMatchObject({
      windowStart: T0,
      windowEnd: T0 + MIN,
      samples: 2,
      imuSamples: 2,
      sampleRateHz: 100,
      jumps: 0,
      impactsLight: 0,
      clippedSamples: 0,
      vendorPlayerLoad: null,
      jumpHeightMaxM: null,
      hrReadings: null,
      hrCoveredS: null,
      hrMeanBpm: null,
      trimpEdwards: null,
      hrRefSource: null,
    });
    expect(a.playerLoad).toBeCloseTo(0.5 / 100, 15); // (0.4, 0.3, 0): 0.5
    expect(a.playerLoad2d).toBeCloseTo(0.4 / 100, 15); // y up: only x moved
    expect(a.imuCoveredS).toBeCloseTo(0.01, 12);
    expect(a.playerLoadPerMin).toBeCloseTo(0.005 / (0.01 / 60), 9);
    expect(b.playerLoad).toBeCloseTo(1 / 100, 15); // 0 across the boundary, then 1 on y
    expect(b.playerLoad2d).toBe(0);
    expect(b.imuCoveredS).toBeCloseTo(0.02, 12);
    expect(total).toMatchObject({ start: T0 + 59_980, end: T0 + 60_010, trimpEdwards: null, hrCoveredS: 0 });
    expect(total!.playerLoad).toBeCloseTo(0.015, 15);
    expect(total!.minutes).toBeCloseTo(30 / MIN, 15);
  });

  it("closes a window when a sample of a later window arrives, once no impact peaking in it is open", () => {
    const s = newWearableState(MIN);
    const c = (t: number, ay: number): WearableChunkInput => chunk([imu(t, ay)], 100, false);
    expect(applyWearableChunk(s, c(59_950, 1), REF).closed).toEqual([]);
    expect(applyWearableChunk(s, c(59_990, 6), REF).closed).toEqual([]); // an impact peaks at 59.99 s
    expect(applyWearableChunk(s, c(60_000, 1), REF).closed).toEqual([]); // still in its 100 ms
    const r = applyWearableChunk(s, c(60_040, 1), REF); // a gap: the impact stays open until 60.09 s
    expect(r.closed).toEqual([]);
    const done = applyWearableChunk(s, c(60_090, 1), REF);
    expect(done.closed.map((w) => [w.windowStart - T0, w.impactsLight, w.imuSamples])).toEqual([[0, 1, 2]]);
  });

  it("splits interpolated heart-rate seconds between windows and waits for the next reading to close", () => {
    const s = newWearableState(MIN);
    expect(applyWearableChunk(s, chunk([hr(55_000, 150), imu(61_000, 1)], 52, false), REF).closed).toEqual([]);
    const r = applyWearableChunk(s, chunk([hr(62_000, 164)], 52, true), REF);
    const [a, b] = r.closed as [WearableWindow, WearableWindow];
    // Grid seconds 55-61 at 150, 152, ..., 162: five in the first minute, two in the second.
    expect(a).toMatchObject({ samples: 1, hrReadings: 1, hrCoveredS: 5, hrGapS: 0, hrMeanBpm: 154, hrPeakBpm: 158 });
    expect(a).toMatchObject({ hrZ4S: 0, hrZ3S: 5, imuSamples: 0, playerLoad: null, sampleRateHz: null });
    expect(a).toMatchObject({ hrMaxRefBpm: 200, hrRestRefBpm: 60, hrRefSource: "assumed" });
    expect(a.trimpEdwards).toBeCloseTo((5 * 3) / 60, 12);
    expect(b).toMatchObject({
      samples: 2,
      hrReadings: 1,
      hrCoveredS: 2,
      hrMeanBpm: 161,
      hrPeakBpm: 164,
      imuSamples: 1,
    });
    expect(b.playerLoad).toBe(0);
    expect(b.playerLoadPerMin).toBeNull(); // one IMU sample spans no step
    expect(r.session!.hrCoveredS).toBe(7);
  });

  it("counts a strap dropout as gap seconds once the device has gone on for more than 10 s", () => {
    const s = newWearableState(MIN);
    const first = applyWearableChunk(
      s,
      chunk([hr(50_000, 150), hr(51_000, 150), imu(60_500, 1), imu(61_000, 1)], 2, false),
      REF,
    );
    expect(first.closed).toEqual([]); // a reading up to 61 s could still come
    const r = applyWearableChunk(s, chunk([imu(61_500, 1)], 2, false), REF);
    expect(r.closed.map((w) => [w.hrCoveredS, w.hrGapS, w.hrReadings])).toEqual([[1, 9, 2]]); // 50 covered; 51-59 gap
    const end = applyWearableChunk(s, chunk([imu(62_000, 1), hr(75_000, 140), imu(80_000, 1)], 2, true), REF);
    // 60-74 gap in the second minute; 75 on has no next reading, and 80 s is within 10 s of it: no trailing gap.
    expect(end.closed.map((w) => [w.hrCoveredS, w.hrGapS, w.hrReadings, w.hrMeanBpm])).toEqual([[0, 15, 1, null]]);
    expect(end.closed[0]!.trimpEdwards).toBeNull();
    expect(end.session!.trimpEdwards).toBeCloseTo(3 / 60, 12);
  });

  it("rejects samples not after the device's previous sample, with the reason and the first of them", () => {
    const s = newWearableState(MIN);
    applyWearableChunk(s, chunk([imu(1000, 1), hr(1500, 120)], 52, false), REF);
    const r = applyWearableChunk(
      s,
      chunk([imu(1000, 1), imu(1200, 1), hr(1500, 121), imu(1510, 1), hr(1400, 130)], 52, false),
      REF,
    );
    expect(r.accepted).toBe(1);
    expect(r.rejected).toEqual([
      {
        reason: IMU_OUT_OF_ORDER,
        count: 2,
        firstIndex: 0,
        sample: JSON.stringify({ t: T0 + 1000, ax: 0, ay: 1, az: 0 }),
      },
      { reason: HR_OUT_OF_ORDER, count: 2, firstIndex: 0, sample: JSON.stringify({ t: T0 + 1500, bpm: 121 }) },
    ]);
  });

  it("rejects a time that is not a finite number with its own reason, and goes on with the rest", () => {
    // GIVEN an IMU sample and a heart-rate reading at NaN, between good ones
    const s = newWearableState(MIN);
    const c: WearableChunkInput = {
      t0: T0,
      imu: { rate_hz: 52, vertical_axis: "y", t: [0, Number.NaN, 40], ax: [0, 0, 0], ay: [1, 1, 1], az: [0, 0, 0] },
      hr: { t: [Number.NaN, 500], bpm: [120, 121] },
      final: true,
    };
    // WHEN applied
    const r = applyWearableChunk(s, c, REF);
    // THEN both are rejected as non-finite, not as out of order, and the other three are kept
    expect(r.accepted).toBe(3);
    expect(r.rejected).toEqual([
      {
        reason: IMU_TIME_NOT_FINITE,
        count: 1,
        firstIndex: 1,
        sample: JSON.stringify({ t: null, ax: 0, ay: 1, az: 0 }),
      },
      { reason: HR_TIME_NOT_FINITE, count: 1, firstIndex: 0, sample: JSON.stringify({ t: null, bpm: 120 }) },
    ]);
    expect(IMU_TIME_NOT_FINITE).toBe("imu time is not a finite number");
    expect(HR_TIME_NOT_FINITE).toBe("heart-rate time is not a finite number");
    expect(r.closed.map((w) => [w.imuSamples, w.hrReadings])).toEqual([[2, 1]]);
  });

  it("finds a jump whose flight spans a chunk boundary exactly once", () => {
    const samples: Sample[] = [];
    for (let k = 0; k < 52 * 3; k++) {
      const t = 10_000 + (k * 1000) / 52;
      samples.push(imu(t, k >= 52 && k < 78 ? 0 : k === 78 ? 5 : 1));
    }
    for (const cut of [0, 60, 70, 78, 79]) {
      const { closed } = run(samples, cut === 0 ? [] : [cut], { roundTrip: true });
      expect(closed.map((w) => [w.jumps, w.jumpHeightMaxM])).toEqual([[1, (9.80665 * 0.25) / 8]]);
    }
  });

  it("finds a long spike across a chunk boundary exactly once", () => {
    // 40 Hz: 6, 5.8, 5.6, 5.4, 5.2, 5.1 g from 59.9 s, over the minute: one light impact, in the first window.
    const values = [...repeat(1, 8), 6, 5.8, 5.6, 5.4, 5.2, 5.1, ...repeat(1, 10)];
    const samples: Sample[] = values.map((g, k) => imu(59_700 + k * 25, g));
    for (let cut = 0; cut < samples.length; cut++) {
      const { closed } = run(samples, cut === 0 ? [] : [cut], { roundTrip: true, rateHz: 40 });
      expect(closed.map((w) => [w.windowStart - T0, w.impactsLight, w.impactsModerate, w.impactsHeavy])).toEqual([
        [0, 1, 0, 0],
        [MIN, 0, 0, 0],
      ]);
    }
  });

  it("gives identical windows and totals at any chunking, and through JSON between chunks", () => {
    const samples = session();
    const reference = run(samples, []);
    expect(reference.closed.map((w) => (w.windowStart - T0) / MIN)).toEqual([0, 1, 2, 3]);
    expect(reference.closed.map((w) => w.jumps)).toEqual([1, 1, 2, 0]);
    expect(reference.closed.reduce((n, w) => n + w.impactsLight! + w.impactsModerate! + w.impactsHeavy!, 0)).toBe(18); // 13 spikes, 4 landings, the clipped sample
    const clipped = samples.filter((x) => x.kind === "imu" && x.ay >= 0.99 * 8).length;
    expect(clipped).toBeGreaterThan(1); // the 7.995 g sample and the highest spikes
    expect(reference.closed.reduce((n, w) => n + w.clippedSamples!, 0)).toBe(clipped);
    // The strap dropout (over 30 s) and the silence after the last reading (under 172 s) up to the last
    // IMU sample at 184.98 s: 180-184 in the last minute.
    const gaps = reference.closed.map((w) => w.hrGapS!);
    expect([gaps[0], gaps[1], gaps[3]]).toEqual([0, 0, 5]);
    expect(gaps[2]).toBeGreaterThan(30 + 8);
    const rnd = prng(42);
    for (let trial = 0; trial < 20; trial++) {
      const cuts = [
        ...new Set(
          Array.from({ length: 1 + Math.floor(rnd() * 40) }, () => 1 + Math.floor(rnd() * (samples.length - 1))),
        ),
      ];
      cuts.sort((a, b) => a - b);
      const chunked = run(samples, cuts, { roundTrip: trial % 2 === 0 });
      expect(chunked.closed).toEqual(reference.closed);
      expect(chunked.session).toEqual(reference.session);
    }
    const one = run(
      samples.slice(0, 3000),
      Array.from({ length: 2999 }, (_, i) => i + 1),
    );
    expect(one.closed).toEqual(run(samples.slice(0, 3000), []).closed);
  });

  it("sums to the session's PlayerLoad and heart-rate load computed at once", () => {
    const samples = session();
    const { closed, session: total } = run(samples, [1234, 5000]);
    const imus = samples.filter((s) => s.kind === "imu");
    const whole = playerLoad({
      t: imus.map((s) => s.t),
      ax: imus.map((s) => s.ax),
      ay: imus.map((s) => s.ay),
      az: imus.map((s) => s.az),
      rateHz: 52,
      verticalAxis: "y",
    });
    expect(Math.abs(total!.playerLoad! - whole.playerLoad)).toBeLessThan(1e-9);
    expect(Math.abs(total!.playerLoad2d! - whole.playerLoad2d)).toBeLessThan(1e-9);
    expect(total!.imuCoveredS).toBeCloseTo(whole.coveredS, 6); // ms summed per window, then over windows
    const hrs = samples.filter((s) => s.kind === "hr");
    const hrLoad = heartRateLoad(
      hrs.map((s) => s.t),
      hrs.map((s) => s.bpm),
      REF,
    );
    expect(total!.hrCoveredS).toBe(hrLoad.coveredS);
    expect(Math.abs(total!.trimpEdwards! - hrLoad.trimpEdwards!)).toBeLessThan(1e-9);
    expect(Math.abs(total!.trimpBanister! - hrLoad.trimpBanister!)).toBeLessThan(1e-9);
    // Gap seconds: the 30 s dropout, plus the silence after the last reading up to the last IMU sample.
    const gaps = closed.reduce((n, w) => n + (w.hrGapS ?? 0), 0);
    expect(gaps).toBe(hrLoad.gapS + Math.ceil((total!.end! - T0) / 1000) - Math.ceil(hrs[hrs.length - 1]!.t / 1000));
    expect(total!.vendorPlayerLoad).toBeCloseTo(
      closed.reduce((n, w) => n + w.vendorPlayerLoad!, 0),
      9,
    );
    expect(total!.start).toBe(T0 + 10_000);
    expect(total!.minutes).toBeCloseTo((total!.end! - total!.start!) / MIN, 12);
  });

  it("has no vendor PlayerLoad for a window or session where some IMU sample came without it", () => {
    // GIVEN a first minute whose third sample lacks the vendor's value, and a second minute whose samples all have it
    const s = newWearableState(MIN);
    const v = (t: number, vendor: number): Sample => ({ ...imu(t, 1), vendor });
    applyWearableChunk(s, chunk([v(0, 0.1), v(20, 0.2)], 50, false), REF);
    applyWearableChunk(s, chunk([imu(40, 1)], 50, false), REF);
    // WHEN the second minute arrives whole, with the vendor's values
    const r = applyWearableChunk(s, chunk([v(60_000, 0.3), v(60_020, 0.4)], 50, true), REF);
    // THEN the partial minute and the session have none; the whole minute has its sum
    expect(r.closed.map((w) => [w.imuSamples, w.vendorPlayerLoad])).toEqual([
      [3, null],
      [2, 0.7],
    ]);
    expect(r.session!.vendorPlayerLoad).toBeNull();
  });

  it("reports the mean rate of a window whose chunks came at different rates", () => {
    const s = newWearableState(MIN);
    applyWearableChunk(s, chunk([imu(0, 1), imu(20, 1)], 50, false), REF);
    const r = applyWearableChunk(s, chunk([imu(40, 1), imu(60, 1)], 52, true), REF);
    expect(r.closed[0]!.sampleRateHz).toBe(51);
    expect(r.session).not.toBeNull();
  });

  it("fails on a window that is not whole seconds, or a heart-rate reference upside down", () => {
    expect(() => newWearableState(1500)).toThrow("window length must be a positive whole number of seconds");
    const bad: HrReference = { ...REF, hrMaxBpm: 50 };
    expect(() => applyWearableChunk(newWearableState(), chunk([hr(0, 100)], 52, false), bad)).toThrow(
      "heart-rate reference needs hrMaxBpm above hrRestBpm",
    );
  });

  it("has exactly the wearable_windows columns less the keys, null only where the table allows", () => {
    const keys = new Set(["session_id", "player_id", "team", "device_id", "device_kind"]);
    const camel = (name: string) => name.replace(/_(.)/g, (_, c: string) => c.toUpperCase());
    const columns = WEARABLE_WINDOWS.columns.filter((c) => !keys.has(c.name));
    const { closed } = run(session(), []);
    for (const w of closed) {
      expect(Object.keys(w).sort()).toEqual(columns.map((c) => camel(c.name)).sort());
      for (const c of columns) if (!c.nullable) expect(w[camel(c.name) as keyof WearableWindow]).not.toBeNull();
    }
  });

  it("closes an empty final chunk with its totals", () => {
    const r = applyWearableChunk(newWearableState(), { t0: T0, final: true }, REF);
    expect(r).toEqual({
      accepted: 0,
      rejected: [],
      closed: [],
      session: {
        start: null,
        end: null,
        minutes: 0,
        playerLoad: null,
        playerLoad2d: null,
        vendorPlayerLoad: null,
        imuCoveredS: 0,
        hrCoveredS: 0,
        trimpEdwards: null,
        trimpBanister: null,
      },
    });
  });
});
