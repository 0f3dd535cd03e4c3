/**
 * What the wearable readers share: unit constants, the rate measured from timestamps, the heart-rate
 * range check, the per-device time order every `sideline.wearable.v1` channel needs, and a file's
 * name as a device id.
 */
import { MAX_HR_BPM, MAX_IMU_RATE_HZ, MIN_HR_BPM } from "../../lambdas/contracts/records/wearable.js";
import type { ReadSettings } from "./index.js";

/** What a wearable reader takes from the command line; every field may be left out in tests. */
export type WearableReadSettings = Partial<Pick<ReadSettings, "timeZone" | "playerId" | "startMs">>;

/** Standard gravity, m/s² per g: defined once, in the wearables core (producers may import lambdas/, not the reverse). */
export { STANDARD_GRAVITY_MPS2 } from "../../lambdas/core/wearables/imu-events.js";

import { MAX_ID_CHARS } from "./lines.js";

/** Ids and rejected rows, shared with every reader (./lines.ts). */
export { badItem, fileStem, MAX_ID_CHARS } from "./lines.js";

/** The player a single-player file is about: the --player-id given, else the fallback (usually the file's name). */
export const playerIdFor = (s: WearableReadSettings, fallback: string): string =>
  s.playerId?.trim() ? s.playerId.trim().slice(0, MAX_ID_CHARS) : fallback.slice(0, MAX_ID_CHARS);

/**
 * A step counts towards the rate when it lies within this factor of the median step either way:
 * jitter (Movesense packets are 76 or 77 ms apart) averages out, gaps (lost packets, pauses) and
 * repeats do not enter.
 */
const RATE_STEP_TOLERANCE = 1.5;
/** Rates are stated to 0.1 Hz: finer than the jitter of millisecond clocks over a few seconds, coarse enough to read. */
const RATE_DECIMALS = 1;

/**
 * The sample rate, Hz, measured from increasing times (ms) with `perStep[i]` samples between
 * times[i] and times[i+1] (1 for one sample per time; 4 for Movesense packets): samples over time,
 * counting only the steps near the median step. Null when fewer than two times, or no positive step.
 */
export function measureRateHz(times: readonly number[], perStep: (i: number) => number = () => 1): number | null {
  const steps: { dt: number; n: number }[] = [];
  for (let i = 1; i < times.length; i++) {
    const dt = times[i]! - times[i - 1]!;
    if (dt > 0) steps.push({ dt, n: perStep(i - 1) });
  }
  if (steps.length === 0) return null;
  // Per-sample steps, so packets of different sizes compare.
  const perSample = steps.map((s) => s.dt / s.n).sort((a, b) => a - b);
  const median = perSample[Math.floor(perSample.length / 2)]!;
  let n = 0;
  let ms = 0;
  for (const s of steps) {
    const each = s.dt / s.n;
    if (each >= median / RATE_STEP_TOLERANCE && each <= median * RATE_STEP_TOLERANCE) {
      n += s.n;
      ms += s.dt;
    }
  }
  const f = 10 ** RATE_DECIMALS;
  return Math.round(((n * 1000) / ms) * f) / f;
}

/** Why a measured rate cannot travel in the record, or null when it can. */
export function rateProblem(rateHz: number): string | null {
  if (!(rateHz > 0)) return `sample rate ${rateHz} Hz is not positive`;
  if (rateHz > MAX_IMU_RATE_HZ) return `sample rate ${rateHz} Hz is above the ${MAX_IMU_RATE_HZ} Hz the record accepts`;
  return null;
}

/** Why a heart rate is not a reading (0: the strap lost contact; outside MIN_HR_BPM..MAX_HR_BPM: an artefact), or null. */
export function bpmProblem(bpm: number): string | null {
  if (!Number.isFinite(bpm)) return "heart rate is not a number";
  if (bpm === 0) return "0 bpm: strap contact lost";
  if (bpm < MIN_HR_BPM || bpm > MAX_HR_BPM)
    return `${bpm} bpm is outside ${MIN_HR_BPM}-${MAX_HR_BPM} bpm: not physiological (a strap artefact)`;
  return null;
}

/**
 * The last time of each stream (a player's channel), so a reader quarantines a sample whose time
 * does not increase: a record's channel times must increase (records/wearable.ts).
 */
export class TimeOrder {
  private readonly last = new Map<string, number>();

  /** Why `t` cannot follow the stream's last time, or null (and `t` becomes the last time). */
  check(stream: string, t: number): string | null {
    const prev = this.last.get(stream);
    if (prev !== undefined && t === prev) return "repeats the previous time";
    if (prev !== undefined && t < prev)
      return `goes back ${Math.round((prev - t) * 1000) / 1000} ms before the previous time`;
    this.last.set(stream, t);
    return null;
  }
}

/** A number cell; NaN when empty or `NA` (R's missing value, as Catapult's exports write it). */
export function numberCell(cell: string | undefined): number {
  const v = cell?.trim() ?? "";
  if (v === "" || v === "NA" || v === "NaN") return Number.NaN;
  return Number(v);
}
