/**
 * Streaming physical features for one player. Samples go in chunk by chunk; closed windows and
 * fatigue findings come out. The whole state is plain JSON, so it survives between Lambda
 * invocations in a state store, and the output never depends on how the input was batched:
 * smoothing, open windows and efforts in progress all carry over in the state.
 *
 * Per player, from actual timestamps (never a fixed rate):
 * 1. velocity is the backward difference of position over the actual dt;
 * 2. a raw speed above MAX_PLAUSIBLE_SPEED_MPS is an outlier and dropped from the velocity series;
 * 3. vx and vy are smoothed by Savitzky-Golay (window 7, order 1) within a segment, and speed is the
 *    magnitude of the smoothed vector; a gap > 1 s or a change of period ends the segment;
 * 4. acceleration is the slope of a least-squares line through the last ACCEL_FIT_SAMPLES smoothed
 *    speeds of the segment (a causal Savitzky-Golay first derivative); a segment's first sample has 0;
 * 5. distance is the sum of speed x dt; bands, efforts and metabolic energy follow from them.
 */
import { pitchBounds } from "../../contracts/pitch.js";
import { resetEffort, stepEffort } from "../stream/efforts.js";
import { ringFitAt2, ringSlope, SAVGOL_HALF, SAVGOL_WINDOW } from "../stream/smoothing.js";
import { FATIGUE_TRAILING_MS, type FatigueFinding, stepFatigue } from "./fatigue.js";
import { flushRun, startRun } from "./heatmap.js";
import { addWindow, finishProfile, type MatchProfile, stepRhie } from "./match-profile.js";
import { metabolicPower } from "./metabolic.js";
import type { ChunkInput, ChunkResult, PlayerState, RejectedSamples } from "./player-state.js";
import {
  ACCEL_MIN_DURATION_MS,
  ACCEL_THRESHOLD_MPS2,
  HIGH_INTENSITY_SPEED_MPS,
  HSR_SPEED_MPS,
  MAX_PLAUSIBLE_SPEED_MPS,
  SEGMENT_GAP_MS,
  SPRINT_MIN_DURATION_MS,
  SPRINT_SPEED_MPS,
  TIME_BACKWARDS_TOLERANCE_MS,
} from "./thresholds.js";
import { type ClosedWindow, toClosed, windowFor } from "./windows.js";

export * from "./player-state.js";

/** One smoothed sample, the segment's `j`-th: everything downstream of smoothing happens here. */
function applySmoothed(s: PlayerState, j: number, t: number, dtMs: number, vx: number, vy: number): void {
  const speed = Math.sqrt(vx * vx + vy * vy); // not Math.hypot: several times slower in V8
  const r = s.recent;
  const slot = j % ACCEL_FIT_SAMPLES;
  r.t[slot] = t;
  r.speed[slot] = speed;
  const n = j + 1;
  const lo = n > ACCEL_FIT_SAMPLES ? n - ACCEL_FIT_SAMPLES : 0;
  const accel = n > 1 ? ringSlope(r.t, r.speed, lo, n - lo) * 1000 : 0;
  const w = windowFor(s.open, s.windowMs, t);
  const dtS = dtMs / 1000;
  const d = speed * dtS;
  w.trackedMs += dtMs;
  w.distance += d;
  if (speed >= HIGH_INTENSITY_SPEED_MPS) w.hi += d;
  if (speed >= HSR_SPEED_MPS) w.hsr += d;
  if (speed >= SPRINT_SPEED_MPS) w.sprint += d;
  if (speed > w.top) w.top = speed;
  w.energy += metabolicPower(speed, accel) * dtS;
  // The last raw position is at most SAVGOL_HALF samples ahead: well inside one 5 m cell.
  const x = s.last!.x;
  const y = s.last!.y;
  const run = s.run;
  if (run !== null && run.windowStart === w.start && x >= run.x0 && x < run.x1 && y >= run.y0 && y < run.y1)
    run.ms += dtMs;
  else startRun(s, w, x, y, dtMs);
  if (stepEffort(s.sprint, speed >= SPRINT_SPEED_MPS, t, SPRINT_MIN_DURATION_MS)) {
    w.sprints++;
    s.coldRev++;
    stepRhie(s.profile, t);
  }
  if (stepEffort(s.accel, accel >= ACCEL_THRESHOLD_MPS2, t, ACCEL_MIN_DURATION_MS)) {
    w.accels++;
    s.coldRev++;
    stepRhie(s.profile, t);
  }
  if (stepEffort(s.decel, accel <= -ACCEL_THRESHOLD_MPS2, t, ACCEL_MIN_DURATION_MS)) w.decels++;
}

const FIT: [number, number] = [0, 0];

/**
 * Smoothed speeds in the acceleration fit: 7, the Savitzky-Golay window again, spans 0.24 s at
 * 25 Hz. A one-frame difference of speed multiplies 2 cm of position noise into ~3 m/s^2 of
 * acceleration noise; the fit's slope brings it well under the 3 m/s^2 effort threshold.
 */
export const ACCEL_FIT_SAMPLES = SAVGOL_WINDOW;

/** Smooths the segment's sample `j` with the fit over its samples [lo, lo + count). */
function emit(s: PlayerState, j: number, lo: number, count: number): void {
  const b = s.buf;
  const slot = j % SAVGOL_WINDOW;
  const at = b.t[slot]!;
  ringFitAt2(b.t, b.vx, b.vy, lo, count, at, FIT);
  applySmoothed(s, j, at, b.dt[slot]!, FIT[0], FIT[1]);
  s.emitted = j + 1;
}

function pushVelocity(s: PlayerState, t: number, dt: number, vx: number, vy: number): void {
  const b = s.buf;
  const slot = s.segN % SAVGOL_WINDOW;
  b.t[slot] = t;
  b.dt[slot] = dt;
  b.vx[slot] = vx;
  b.vy[slot] = vy;
  s.segN++;
  const n = s.segN;
  if (n < SAVGOL_WINDOW) return;
  // The ring holds segment samples [n-7, n): centred fit for n-4, and the leading edge at n = 7.
  const first = n === SAVGOL_WINDOW ? 0 : n - 1 - SAVGOL_HALF;
  for (let j = first; j <= n - 1 - SAVGOL_HALF; j++) emit(s, j, n - SAVGOL_WINDOW, SAVGOL_WINDOW);
}

/** Ends the current segment: the trailing samples are smoothed with the last window's fit. */
function endSegment(s: PlayerState): void {
  const n = s.segN;
  const lo = Math.max(0, n - SAVGOL_WINDOW);
  for (let j = s.emitted; j < n; j++) emit(s, j, lo, n - lo);
  s.segN = 0;
  s.emitted = 0;
  resetEffort(s.sprint);
  resetEffort(s.accel);
  resetEffort(s.decel);
}

/**
 * Closes every window that can no longer change: all its samples have arrived (a later sample
 * exists) and all of them have been smoothed.
 */
function closeWindows(s: PlayerState, all: boolean, out: ChunkResult["closed"] & ClosedWindow[]): void {
  const pendingFrom = s.emitted < s.segN ? s.buf.t[s.emitted % SAVGOL_WINDOW]! : Number.POSITIVE_INFINITY;
  const lastRaw = s.last ? s.last.t : Number.NEGATIVE_INFINITY;
  const frontier = all ? Number.POSITIVE_INFINITY : Math.min(pendingFrom, lastRaw);
  const keepCells = Math.max(1, Math.ceil(FATIGUE_TRAILING_MS / s.windowMs));
  if (s.open.length > 0 && s.open[0]!.start + s.windowMs <= frontier) flushRun(s);
  while (s.open.length > 0 && s.open[0]!.start + s.windowMs <= frontier) {
    const acc = s.open.shift()!;
    s.coldRev++; // the profile, and the fatigue state after it (applyChunk)
    const closed = toClosed(acc, s.windowMs);
    addWindow(s.profile, closed, acc.cells, keepCells);
    out.push(closed);
  }
}

interface Accumulated {
  accepted: number;
  rejected: RejectedSamples[];
  closed: ClosedWindow[];
  fatigue: { window: ClosedWindow; finding: FatigueFinding }[];
  completed: MatchProfile | null;
}

type Rejections = Map<string, { count: number; firstIndex: number; sample: string }>;

function reject(into: Rejections, reason: string, i: number, t: number, x: number, y: number): void {
  const r = into.get(reason);
  if (r) r.count++;
  else into.set(reason, { count: 1, firstIndex: i, sample: JSON.stringify({ t, x, y }) });
}

/** Updates the last position in place: one object per player, not one per sample. */
function setLast(s: PlayerState, t: number, x: number, y: number, period: number | null): void {
  const l = s.last;
  if (l === null) s.last = { t, x, y, period };
  else {
    l.t = t;
    l.x = x;
    l.y = y;
    l.period = period;
  }
}

/**
 * Applies one chunk of a player's samples, which must come in order (the stream runtime's sequencer
 * sees to it): closed windows, fatigue findings and, on his final chunk, his match profile come out.
 */
export function applyChunk(s: PlayerState, c: ChunkInput): ChunkResult {
  const acc: Accumulated = { accepted: 0, rejected: [], closed: [], fatigue: [], completed: null };
  const rejected: Rejections = new Map();
  const period = c.period ?? null;
  const b = pitchBounds(c.pitch);
  s.pitch = [c.pitch.lengthM, c.pitch.widthM];
  const unit = c.metresPerUnit ?? 1;
  for (let i = 0; i < c.t.length; i++) {
    const t = c.t0 + c.t[i]!;
    const x = c.x[i]! * unit;
    const y = c.y[i]! * unit;
    if (x < b.minX || x > b.maxX || y < b.minY || y > b.maxY) {
      reject(rejected, `coordinates far outside the ${c.pitch.lengthM} x ${c.pitch.widthM} m pitch`, i, t, x, y);
      continue;
    }
    const last = s.last;
    if (last !== null && t <= last.t) {
      if (last.t - t > TIME_BACKWARDS_TOLERANCE_MS) {
        reject(rejected, `time runs backwards by more than ${TIME_BACKWARDS_TOLERANCE_MS} ms`, i, t, x, y);
        continue;
      }
      const w = windowFor(s.open, s.windowMs, last.t);
      w.samples++;
      w.discarded++;
      acc.accepted++;
      continue;
    }
    acc.accepted++;
    const w = windowFor(s.open, s.windowMs, t);
    w.samples++;
    if (last === null || t - last.t > SEGMENT_GAP_MS || period !== last.period) {
      endSegment(s);
      setLast(s, t, x, y, period);
      continue;
    }
    const dt = t - last.t;
    const vx = ((x - last.x) * 1000) / dt;
    const vy = ((y - last.y) * 1000) / dt;
    setLast(s, t, x, y, period);
    if (vx * vx + vy * vy > MAX_PLAUSIBLE_SPEED_MPS * MAX_PLAUSIBLE_SPEED_MPS) {
      w.discarded++;
      continue;
    }
    pushVelocity(s, t, dt, vx, vy);
  }
  for (const [reason, r] of rejected) acc.rejected.push({ reason, ...r });
  if (c.final) endSegment(s);
  const closed: ClosedWindow[] = [];
  closeWindows(s, c.final === true, closed);
  for (const w of closed) {
    acc.closed.push(w);
    const finding = stepFatigue(
      s.fatigue,
      { start: w.start, end: w.end, hiM: w.hiDistanceM, trackedMs: w.trackedS * 1000 },
      s.windowMs,
    );
    if (finding) acc.fatigue.push({ window: w, finding });
  }
  if (c.final && !s.completed) {
    s.completed = true;
    acc.completed = finishProfile(s.profile);
  }
  return acc;
}
