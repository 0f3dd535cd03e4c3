/**
 * The fair physical limit of the tracking record loop (`bench.handler.limit_samples_per_s`): what
 * any JavaScript implementation must do for a record, and nothing else. Per record: base64 to
 * text, JSON.parse, then one pass over Float64Arrays computing the backward-difference velocity,
 * the 7-sample least-squares (Savitzky-Golay order 1) smoothing against actual times, the speed,
 * and the distance in each speed band. Each player's last samples carry over between records, as
 * smoothing needs them. No validation, no windows, no efforts, no state store: the handler is
 * measured against this in the same run.
 */
import { SAVGOL_HALF, SAVGOL_WINDOW } from "../../lambdas/core/stream/smoothing.js";
import { HIGH_INTENSITY_SPEED_MPS, HSR_SPEED_MPS, SPRINT_SPEED_MPS } from "../../lambdas/core/tracking/thresholds.js";

/** Longest chunk the kernel's arrays hold (the contract's MAX_SAMPLES_PER_CHUNK) plus the carried tail. */
const CAPACITY = 1000 + SAVGOL_WINDOW;

interface Carry {
  /** Last raw sample. */
  t: number;
  x: number;
  y: number;
  /** The last SAVGOL_WINDOW - 1 velocity samples (time, vx, vy), oldest first. */
  n: number;
  vt: Float64Array;
  vx: Float64Array;
  vy: Float64Array;
  bands: Float64Array;
}

const T = new Float64Array(CAPACITY);
const VX = new Float64Array(CAPACITY);
const VY = new Float64Array(CAPACITY);

function carryFor(players: Map<string, Carry>, key: string): Carry {
  let c = players.get(key);
  if (!c) {
    const tail = SAVGOL_WINDOW - 1;
    c = {
      t: Number.NaN,
      x: 0,
      y: 0,
      n: 0,
      vt: new Float64Array(tail),
      vx: new Float64Array(tail),
      vy: new Float64Array(tail),
      bands: new Float64Array(4),
    };
    players.set(key, c);
  }
  return c;
}

/** Runs the limit over base64 record data; returns the samples seen (and keeps the band sums live). */
export function limitPass(
  data: readonly string[],
  keys: readonly string[],
  players: Map<string, Carry> = new Map(),
): number {
  let samples = 0;
  for (let r = 0; r < data.length; r++) {
    const chunk = JSON.parse(Buffer.from(data[r]!, "base64").toString("utf8")) as {
      t0: number;
      t: number[];
      x_mm: number[];
      y_mm: number[];
    };
    const c = carryFor(players, keys[r]!);
    const ts = chunk.t;
    const xs = chunk.x_mm;
    const ys = chunk.y_mm;
    const len = ts.length;
    samples += len;
    // The carried velocities first, then this chunk's: one Float64Array pass from here on.
    let n = c.n;
    for (let i = 0; i < n; i++) {
      T[i] = c.vt[i]!;
      VX[i] = c.vx[i]!;
      VY[i] = c.vy[i]!;
    }
    let lt = c.t;
    let lx = c.x;
    let ly = c.y;
    let all = 0;
    let hi = 0;
    let hsr = 0;
    let sprint = 0;
    for (let i = 0; i < len; i++) {
      const t = chunk.t0 + ts[i]!;
      const x = xs[i]! * 0.001;
      const y = ys[i]! * 0.001;
      if (!Number.isNaN(lt)) {
        const dt = t - lt;
        T[n] = t;
        VX[n] = ((x - lx) * 1000) / dt;
        VY[n] = ((y - ly) * 1000) / dt;
        n++;
        if (n >= SAVGOL_WINDOW) {
          // The centred 7-sample line fit at the middle sample, against actual times.
          const from = n - SAVGOL_WINDOW;
          const t0 = T[from]!;
          let st = 0;
          let sa = 0;
          let sb = 0;
          for (let k = from; k < n; k++) {
            st += T[k]! - t0;
            sa += VX[k]!;
            sb += VY[k]!;
          }
          const mt = st / SAVGOL_WINDOW;
          const ma = sa / SAVGOL_WINDOW;
          const mb = sb / SAVGOL_WINDOW;
          let stt = 0;
          let sta = 0;
          let stb = 0;
          for (let k = from; k < n; k++) {
            const d = T[k]! - t0 - mt;
            stt += d * d;
            sta += d * (VX[k]! - ma);
            stb += d * (VY[k]! - mb);
          }
          const mid = from + SAVGOL_HALF;
          const off = T[mid]! - t0 - mt;
          const vx = stt > 0 ? ma + (sta / stt) * off : ma;
          const vy = stt > 0 ? mb + (stb / stt) * off : mb;
          const speed = Math.sqrt(vx * vx + vy * vy);
          const dist = (speed * (T[mid]! - T[mid - 1]!)) / 1000; // mid >= 3
          all += dist;
          if (speed >= HIGH_INTENSITY_SPEED_MPS) hi += dist;
          if (speed >= HSR_SPEED_MPS) hsr += dist;
          if (speed >= SPRINT_SPEED_MPS) sprint += dist;
        }
      }
      lt = t;
      lx = x;
      ly = y;
    }
    // Carry the last SAVGOL_WINDOW - 1 velocities.
    const keep = Math.min(n, SAVGOL_WINDOW - 1);
    for (let i = 0; i < keep; i++) {
      c.vt[i] = T[n - keep + i]!;
      c.vx[i] = VX[n - keep + i]!;
      c.vy[i] = VY[n - keep + i]!;
    }
    c.n = keep;
    c.bands[0] = c.bands[0]! + all;
    c.bands[1] = c.bands[1]! + hi;
    c.bands[2] = c.bands[2]! + hsr;
    c.bands[3] = c.bands[3]! + sprint;
    c.t = lt;
    c.x = lx;
    c.y = ly;
  }
  return samples;
}
