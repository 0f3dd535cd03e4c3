import { DEFAULT_PITCH } from "../../lambdas/contracts/pitch.js";
import { REORDER_LIMIT_RECORDS } from "../../lambdas/core/stream/sequencer.js";
import { savgolLinear } from "../../lambdas/core/stream/smoothing.js";
import { metabolicPower } from "../../lambdas/core/tracking/metabolic.js";
import { type ClosedWindow, newPlayerState } from "../../lambdas/core/tracking/player-features.js";
import {
  concat,
  engineChunks,
  ingest,
  type SeqChunk,
  seededShuffle,
  sequencedPlayer,
  straightRun,
  T0,
  TEST_TRACK,
  type Trajectory,
} from "../helpers/factories.js";

const WINDOW = 60_000;

function run(chunks: readonly SeqChunk[], windowMs = WINDOW) {
  const s = sequencedPlayer(windowMs);
  const closed: ClosedWindow[] = [];
  const rejected: { reason: string; count: number }[] = [];
  let duplicates = 0;
  for (const c of chunks) {
    const r = ingest(s, c);
    if (r.duplicate) duplicates++;
    closed.push(...r.closed);
    rejected.push(...r.rejected.map((x) => ({ reason: x.reason, count: x.count })));
  }
  return { closed, rejected, duplicates, state: s };
}

const sum = (ws: readonly ClosedWindow[], f: (w: ClosedWindow) => number) => ws.reduce((a, w) => a + f(w), 0);

/** A run whose speed wanders between 0.5 and 8.5 m/s and turns, deterministic. */
function wanderingRun(durationMs: number, seed = 1): Trajectory {
  const out: Trajectory = { t: [], x: [], y: [] };
  let x = 20;
  let y = 30;
  let heading = 0;
  let v = 2;
  let r = seed;
  const rnd = () => {
    r = (r * 16807) % 2147483647;
    return r / 2147483647;
  };
  for (let ms = 0; ms < durationMs; ms += 40) {
    v = Math.min(8.5, Math.max(0.5, v + (rnd() - 0.5) * 0.6));
    heading += (rnd() - 0.5) * 0.2;
    x = Math.min(100, Math.max(5, x + Math.cos(heading) * v * 0.04));
    y = Math.min(63, Math.max(5, y + Math.sin(heading) * v * 0.04));
    out.t.push(T0 + ms);
    out.x.push(x);
    out.y.push(y);
  }
  return out;
}

describe("player features: physical metrics", () => {
  it("measures a constant 5 m/s run exactly", () => {
    // 1,500 samples at 25 Hz: 1,499 intervals of 0.04 s at 5 m/s.
    const { closed } = run(
      engineChunks(straightRun({ durationMs: 60_000, speed: () => 5 }), 25, { pitch: TEST_TRACK }),
    );
    expect(closed).toHaveLength(1);
    const w = closed[0]!;
    expect(w.start).toBe(T0);
    expect(w.end).toBe(T0 + WINDOW);
    expect(w.samples).toBe(1500);
    expect(w.trackedS).toBeCloseTo(59.96, 9);
    expect(w.distanceM).toBeCloseTo(1499 * 0.04 * 5, 6);
    expect(w.hiDistanceM).toBeCloseTo(1499 * 0.04 * 5, 6); // 5 m/s >= 15 km/h
    expect(w.hsrDistanceM).toBe(0); // 5 m/s < 5.5 m/s
    expect(w.topSpeedMps).toBeCloseTo(5, 9);
    expect(w.metabolicEnergyJkg).toBeCloseTo(metabolicPower(5, 0) * 59.96, 4);
    expect(w.avgMetabolicPowerWkg).toBeCloseTo(metabolicPower(5, 0), 6);
    expect(w.accelCount + w.decelCount + w.sprintCount).toBe(0);
  });

  it("counts a 2 s sprint once and ignores a 0.8 s burst", () => {
    const sprint = straightRun({ durationMs: 8000, speed: (t) => (t >= 3 && t < 5 ? 8 : 3) });
    const burst = straightRun({
      durationMs: 8000,
      speed: (t) => (t >= 3 && t < 3.8 ? 8 : 3),
      startMs: T0 + 20_000,
    });
    const { closed } = run(engineChunks(concat(sprint, burst), 50, { pitch: TEST_TRACK }));
    expect(sum(closed, (w) => w.sprintCount)).toBe(1);
    // Sprint distance: about 2 s at 8 m/s for the sprint (smoothing blurs the edges by 3 samples).
    expect(sum(closed, (w) => w.sprintDistanceM)).toBeGreaterThan(14);
    expect(sum(closed, (w) => w.sprintDistanceM)).toBeLessThan(16 + 0.8 * 8);
  });

  it("counts accelerations and decelerations held >= 0.5 s above 3 m/s^2, not gentler ones", () => {
    const hard = (t: number) => (t < 3 ? 1 : t < 4.5 ? 1 + 4 * (t - 3) : t < 7 ? 7 : t < 8.5 ? 7 - 4 * (t - 7) : 1);
    const gentle = (t: number) => (t < 3 ? 1 : t < 5 ? 1 + 2 * (t - 3) : t < 8 ? 5 : t < 10 ? 5 - 2 * (t - 8) : 1);
    const { closed } = run(
      engineChunks(
        concat(
          straightRun({ durationMs: 12_000, speed: hard }),
          straightRun({ durationMs: 12_000, speed: gentle, startMs: T0 + 20_000 }),
        ),
        25,
        { pitch: TEST_TRACK },
      ),
    );
    expect(sum(closed, (w) => w.accelCount)).toBe(1);
    expect(sum(closed, (w) => w.decelCount)).toBe(1);
  });

  it("counts no distance or speed across a gap longer than 1 s", () => {
    const a = straightRun({ durationMs: 10_000, speed: () => 4 });
    const b = straightRun({ durationMs: 10_000, speed: () => 4, startMs: T0 + 15_000, x0: 80 }); // 5 s gap, 30 m jump
    const { closed } = run(engineChunks(concat(a, b), 25, { pitch: TEST_TRACK }));
    expect(sum(closed, (w) => w.distanceM)).toBeCloseTo(2 * 249 * 0.04 * 4, 6);
    expect(Math.max(...closed.map((w) => w.topSpeedMps))).toBeCloseTo(4, 6);
  });

  it("drops raw speeds above 12 m/s as outliers, counting the samples as discarded", () => {
    const tr = straightRun({ durationMs: 60_000, speed: () => 3 });
    tr.x[700] = tr.x[700]! + 2; // one glitch: 53 m/s out, 47 m/s back
    const { closed } = run(engineChunks(tr, 25, { pitch: TEST_TRACK }));
    const w = closed[0]!;
    expect(w.samples).toBe(1500);
    expect(w.discardedSamples).toBe(2);
    expect(w.topSpeedMps).toBeCloseTo(3, 6);
    expect(w.distanceM).toBeCloseTo(1497 * 0.04 * 3, 6);
  });

  it("quarantines samples far off the pitch and time running backwards beyond 200 ms", () => {
    const tr = straightRun({ durationMs: 4000, speed: () => 2 });
    const chunks = engineChunks(tr, 100, { final: false });
    const late: SeqChunk = {
      seq: chunks.length,
      t0: tr.t[tr.t.length - 1]! - 300,
      t: [0, 200, 400],
      x: [50, 50, 400],
      y: [30, 30, 30],
      final: true,
      pitch: DEFAULT_PITCH,
    };
    const { closed, rejected } = run([...chunks, late]);
    expect(rejected).toEqual([
      { reason: "time runs backwards by more than 200 ms", count: 1 },
      { reason: "coordinates far outside the 105 x 68 m pitch", count: 1 },
    ]);
    // the sample 100 ms back is within tolerance: counted, discarded
    expect(sum(closed, (w) => w.samples)).toBe(tr.t.length + 1);
    expect(sum(closed, (w) => w.discardedSamples)).toBe(1);
  });

  it("smooths in the stream exactly as the whole-series Savitzky-Golay reference", () => {
    const tr = wanderingRun(150_000);
    const vt: number[] = [];
    const vx: number[] = [];
    const vy: number[] = [];
    const dts: number[] = [];
    for (let i = 1; i < tr.t.length; i++) {
      const dt = tr.t[i]! - tr.t[i - 1]!;
      vt.push(tr.t[i]!);
      dts.push(dt);
      vx.push(((tr.x[i]! - tr.x[i - 1]!) * 1000) / dt);
      vy.push(((tr.y[i]! - tr.y[i - 1]!) * 1000) / dt);
    }
    const sx = savgolLinear(vt, vx);
    const sy = savgolLinear(vt, vy);
    const perWindow = new Map<number, number>();
    sx.forEach((v, i) => {
      const w = Math.floor(vt[i]! / WINDOW) * WINDOW;
      perWindow.set(w, (perWindow.get(w) ?? 0) + (Math.hypot(v, sy[i]!) * dts[i]!) / 1000);
    });
    const { closed } = run(engineChunks(tr, 33));
    expect(closed.map((w) => w.start)).toEqual([...perWindow.keys()]);
    for (const w of closed) expect(w.distanceM).toBeCloseTo(perWindow.get(w.start)!, 8);
  });
});

describe("player features: batching, order and duplicates", () => {
  // Wandering play, a 2 s gap, then a sustained sprint: windows, gaps and efforts all cross chunks.
  const tr = concat(
    wanderingRun(200_000, 3),
    straightRun({ durationMs: 30_000, speed: () => 7.5, startMs: T0 + 202_000 }),
  );
  const chunksOf = (size: number) => engineChunks(tr, size, { pitch: TEST_TRACK });
  const reference = run(chunksOf(tr.t.length)).closed;

  it.each([1, 7, 25, 250, 1000])("gives identical windows whatever the chunk size (%i samples)", (size) => {
    expect(run(chunksOf(size)).closed).toEqual(reference);
  });

  it("restores the order of chunks that arrive shuffled within the reorder limit", () => {
    const chunks = chunksOf(25);
    const shuffled: SeqChunk[] = [];
    for (let i = 0; i < chunks.length; i += 10) shuffled.push(...seededShuffle(chunks.slice(i, i + 10), i));
    expect(run(shuffled).closed).toEqual(run(chunks).closed);
  });

  it("ignores duplicate chunks (producer retries and redelivery)", () => {
    const chunks = chunksOf(25);
    const withDupes = chunks.flatMap((c, i) => (i % 5 === 0 ? [c, c] : [c]));
    const result = run(withDupes);
    expect(result.duplicates).toBe(Math.ceil(chunks.length / 5));
    expect(result.closed).toEqual(run(chunks).closed);
  });

  it("skips a gap that never fills once more than the reorder limit is held", () => {
    const chunks = chunksOf(25);
    const lost = chunks.filter((_, i) => i !== 3);
    const s = sequencedPlayer(WINDOW);
    let missing = 0;
    for (const c of lost) missing += ingest(s, c).missingChunks;
    expect(missing).toBe(1);
    expect(s.seq.held).toHaveLength(0);
    expect(lost.length).toBeGreaterThan(REORDER_LIMIT_RECORDS + 3);
  });

  it("survives a JSON round trip of its state between every chunk", () => {
    let s = sequencedPlayer(WINDOW);
    const closed: ClosedWindow[] = [];
    for (const c of chunksOf(40)) {
      closed.push(...ingest(s, c).closed);
      s = JSON.parse(JSON.stringify(s));
    }
    expect(closed).toEqual(reference);
  });

  it("fails when the window is not a whole number of seconds", () => {
    expect(() => newPlayerState(1500)).toThrow(/whole number of seconds/);
  });
});
