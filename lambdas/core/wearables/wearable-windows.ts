/**
 * Streaming wearable features for one device of one player in one session (the record's partition
 * key). Chunks of `sideline.wearable.v1` go in; closed windows (wearable_windows rows, less their
 * keys) and, on the final chunk, the session's totals come out. The state is plain JSON and small
 * (the last IMU sample, the last heart-rate reading, two detectors and the open windows), so it is
 * stored between invocations, and the output never depends on how the samples were chunked.
 *
 * Per device, from the samples' own times:
 * 1. a chunk's IMU samples and heart-rate readings are taken in time order (IMU first at equal
 *    times). A sample at a time that is not a finite number, before the device's latest sample (either
 *    channel), or not after its own channel's previous one, is rejected with its reason: the runtime
 *    quarantines it;
 * 2. IMU: PlayerLoad steps (player-load.ts) between consecutive samples belong to the window of the
 *    later sample, and a step across a gap (IMU_MAX_GAP_PERIODS at the sample's rate) is not counted;
 *    impacts go to the window of their peak, jumps to the window of their landing, clipped samples
 *    to their own (imu-events.ts);
 * 3. heart rate: the 1 s grid points between two readings (heart-rate.ts) go to their windows when
 *    the later reading arrives. While the strap is silent for more than HR_MAX_GAP_S and the device
 *    goes on (IMU samples, or the reading that ends the silence), the silent seconds are gap seconds
 *    of the windows that hold samples; after the last reading they run to the device's last sample;
 * 4. tumbling windows aligned to multiples of windowMs since the epoch. A window closes, at the end
 *    of a chunk, once the device has a sample at or after its end, no excursion of |a| whose peak so
 *    far lies in it is still open (a peak only moves later, so one peaking after the window cannot
 *    come back to it), and the heart rate up to its end is known (a later reading, or more than
 *    HR_MAX_GAP_S of device time since the last one); on the final chunk every window closes.
 *
 * Rates: each chunk's IMU samples carry its rate_hz (the gap rule uses it). A chunk at another rate
 * than the previous one is accepted, not rejected (readers that measure the rate from timestamps
 * report 52.1 then 52.0 Hz): a window's sampleRateHz is its samples' rate, their mean if they differ.
 */
import { DEFAULT_ACC_RANGE_G } from "../../contracts/records/wearable.js";
import type { RejectedSamples } from "../tracking/player-state.js";
import { DEFAULT_WINDOW_MS } from "../tracking/thresholds.js";
import {
  banisterSecond,
  EDWARDS_ZONE_FRACTIONS,
  edwardsTrimp,
  gridPoints,
  HR_GRID_MS,
  HR_MAX_GAP_MS,
  type HrReference,
  hrZone,
  interpolateSeconds,
} from "./heart-rate.js";
import {
  flushImpact,
  type Impact,
  type ImpactDetector,
  isClipped,
  type JumpDetector,
  newImpactDetector,
  newJumpDetector,
  resetJump,
  resultantG,
  stepImpact,
  stepJump,
} from "./imu-events.js";
import { type Axis, imuMaxGapMs, playerLoad2dStep, playerLoadPerMin, playerLoadStep } from "./player-load.js";

export type { HrReference, RejectedSamples };
export { DEFAULT_WINDOW_MS };

/** An open window's sums: plain JSON. */
export interface WearableWindowAcc {
  start: number;
  imuSamples: number;
  /** Lowest and highest rate of its IMU samples, and their sum (the mean when they differ). */
  rateLo: number;
  rateHi: number;
  rateSum: number;
  /** Milliseconds spanned by its counted PlayerLoad steps. */
  coveredMs: number;
  pl: number;
  pl2d: number;
  /** The vendor's PlayerLoad summed over the IMU samples that carried it, and how many did. */
  vendor: number;
  vendorSamples: number;
  impacts: [number, number, number];
  jumps: number;
  jumpMax: number | null;
  clipped: number;
  hrReadings: number;
  /** Grid seconds with a heart rate, and in dropouts. */
  hrCovered: number;
  hrGap: number;
  hrSum: number;
  hrPeak: number | null;
  /** Seconds in Edwards zones 1-5. */
  zones: number[];
  banister: number;
  ref: HrReference | null;
}

/** Session totals so far, from the closed windows. */
interface SessionAcc {
  first: number | null;
  pl: number | null;
  pl2d: number | null;
  /** The vendor's PlayerLoad over the closed windows, with their IMU samples and those that carried it. */
  vendor: number;
  imuSamples: number;
  vendorSamples: number;
  imuCoveredMs: number;
  hrCovered: number;
  edwards: number | null;
  banister: number | null;
}

export interface WearableState {
  windowMs: number;
  /** Time of the device's latest accepted sample, either channel (epoch ms). */
  lastT: number | null;
  /** The last accepted IMU sample: the first step of the next chunk starts from it. */
  imu: { t: number; ax: number; ay: number; az: number } | null;
  impact: ImpactDetector;
  jump: JumpDetector;
  /** The last accepted heart-rate reading: the next reading interpolates from it. */
  hr: { t: number; bpm: number } | null;
  /** Inside an open dropout: the time up to which its gap seconds went to windows already. */
  hrGapTo: number | null;
  /** Open windows, in time order. */
  open: WearableWindowAcc[];
  session: SessionAcc;
}

/** A closed window: the wearable_windows columns less the keys, camelCase. */
export interface WearableWindow {
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly samples: number;
  readonly imuSamples: number;
  /** IMU columns: null when the window has no IMU sample. */
  readonly sampleRateHz: number | null;
  readonly imuCoveredS: number | null;
  readonly playerLoad: number | null;
  readonly playerLoad2d: number | null;
  /** Null also when the window's IMU samples span no counted step. */
  readonly playerLoadPerMin: number | null;
  /**
   * Null also unless every IMU sample of the window carried the vendor's value: a sum over some of
   * them would read as a lighter window, with nothing to say so.
   */
  readonly vendorPlayerLoad: number | null;
  readonly impactsLight: number | null;
  readonly impactsModerate: number | null;
  readonly impactsHeavy: number | null;
  readonly jumps: number | null;
  /** Null also without a jump. */
  readonly jumpHeightMaxM: number | null;
  readonly clippedSamples: number | null;
  /**
   * Heart-rate columns: null when the window has no reading, no interpolated second and no gap
   * second. A window inside a dropout has hrReadings 0, hrGapS > 0, and null mean, peak and TRIMP.
   */
  readonly hrReadings: number | null;
  readonly hrCoveredS: number | null;
  readonly hrGapS: number | null;
  readonly hrMeanBpm: number | null;
  readonly hrPeakBpm: number | null;
  readonly hrZ1S: number | null;
  readonly hrZ2S: number | null;
  readonly hrZ3S: number | null;
  readonly hrZ4S: number | null;
  readonly hrZ5S: number | null;
  readonly trimpEdwards: number | null;
  readonly trimpBanister: number | null;
  readonly hrMaxRefBpm: number | null;
  readonly hrRestRefBpm: number | null;
  readonly hrRefSource: HrReference["source"] | null;
}

/** The whole session's load, on the device's final chunk. */
export interface SessionTotals {
  /** First and last accepted sample, either channel (epoch ms); null when the device sent none. */
  readonly start: number | null;
  readonly end: number | null;
  /** end - start, minutes: the session's duration (what sRPE multiplies). */
  readonly minutes: number;
  /** Null when the device sent no IMU sample. */
  readonly playerLoad: number | null;
  readonly playerLoad2d: number | null;
  /** Null also unless every IMU sample of the session carried the vendor's value. */
  readonly vendorPlayerLoad: number | null;
  /** Seconds spanned by counted PlayerLoad steps, and heart-rate seconds (grid points with a value). */
  readonly imuCoveredS: number;
  readonly hrCoveredS: number;
  /** Null when no second had a heart rate. */
  readonly trimpEdwards: number | null;
  readonly trimpBanister: number | null;
}

/** The channels as `sideline.wearable.v1` carries them (records/wearable.ts): times are offsets from t0, ms. */
export interface WearableChunkInput {
  readonly t0: number;
  readonly imu?:
    | {
        readonly rate_hz: number;
        readonly vertical_axis: Axis;
        readonly range_g?: number | undefined;
        readonly t: readonly number[];
        readonly ax: readonly number[];
        readonly ay: readonly number[];
        readonly az: readonly number[];
        readonly vendor_player_load?: readonly number[] | undefined;
      }
    | undefined;
  readonly hr?: { readonly t: readonly number[]; readonly bpm: readonly number[] } | undefined;
  /** True on the device's last chunk of the session: every window closes and the totals come out. */
  readonly final?: boolean | undefined;
}

export interface WearableChunkResult {
  readonly accepted: number;
  readonly rejected: readonly RejectedSamples[];
  readonly closed: readonly WearableWindow[];
  /** The session's totals, when this chunk was final. */
  readonly session: SessionTotals | null;
}

export const IMU_OUT_OF_ORDER = "imu sample not after the device's previous sample";
export const HR_OUT_OF_ORDER = "heart-rate reading not after the device's previous sample";
/** A time that is not a finite number (NaN, or an offset or t0 of Infinity) has no place in the order. */
export const IMU_TIME_NOT_FINITE = "imu time is not a finite number";
export const HR_TIME_NOT_FINITE = "heart-rate time is not a finite number";

export function newWearableState(windowMs = DEFAULT_WINDOW_MS): WearableState {
  if (!(windowMs > 0 && windowMs % HR_GRID_MS === 0)) {
    throw new Error(`window length must be a positive whole number of seconds, got ${windowMs} ms`);
  }
  return {
    windowMs,
    lastT: null,
    imu: null,
    impact: newImpactDetector(),
    jump: newJumpDetector(),
    hr: null,
    hrGapTo: null,
    open: [],
    session: {
      first: null,
      pl: null,
      pl2d: null,
      vendor: 0,
      imuSamples: 0,
      vendorSamples: 0,
      imuCoveredMs: 0,
      hrCovered: 0,
      edwards: null,
      banister: null,
    },
  };
}

/** The open window holding time t, created (in time order) if there is none. */
function windowFor(s: WearableState, t: number): WearableWindowAcc {
  const start = Math.floor(t / s.windowMs) * s.windowMs;
  for (let i = s.open.length - 1; i >= 0; i--) {
    const w = s.open[i]!;
    if (w.start === start) return w;
    if (w.start < start) break;
  }
  const w: WearableWindowAcc = {
    start,
    imuSamples: 0,
    rateLo: 0,
    rateHi: 0,
    rateSum: 0,
    coveredMs: 0,
    pl: 0,
    pl2d: 0,
    vendor: 0,
    vendorSamples: 0,
    impacts: [0, 0, 0],
    jumps: 0,
    jumpMax: null,
    clipped: 0,
    hrReadings: 0,
    hrCovered: 0,
    hrGap: 0,
    hrSum: 0,
    hrPeak: null,
    zones: EDWARDS_ZONE_FRACTIONS.map(() => 0),
    banister: 0,
    ref: null,
  };
  s.open.push(w);
  s.open.sort((a, b) => a.start - b.start);
  return w;
}

const BAND_INDEX = { light: 0, moderate: 1, heavy: 2 } as const;

function addImpact(s: WearableState, impact: Impact): void {
  windowFor(s, impact.t).impacts[BAND_INDEX[impact.band]]++;
}

function setRef(w: WearableWindowAcc, ref: HrReference): void {
  w.ref ??= { hrMaxBpm: ref.hrMaxBpm, hrRestBpm: ref.hrRestBpm, sex: ref.sex, source: ref.source };
}

function addPeak(w: WearableWindowAcc, bpm: number): void {
  if (w.hrPeak === null || bpm > w.hrPeak) w.hrPeak = bpm;
}

/** Gap seconds (grid points in [from, to)) to the open windows that hold samples. */
function addGap(s: WearableState, from: number, to: number, ref: HrReference): void {
  for (const w of s.open) {
    const n = gridPoints(Math.max(from, w.start), Math.min(to, w.start + s.windowMs));
    if (n > 0) {
      w.hrGap += n;
      setRef(w, ref);
    }
  }
}

type Rejections = Map<string, { count: number; firstIndex: number; sample: string }>;

function reject(into: Rejections, reason: string, i: number, sample: object): void {
  const r = into.get(reason);
  if (r) r.count++;
  else into.set(reason, { count: 1, firstIndex: i, sample: JSON.stringify(sample) });
}

function applyImu(s: WearableState, c: NonNullable<WearableChunkInput["imu"]>, i: number, t: number): void {
  const ax = c.ax[i]!;
  const ay = c.ay[i]!;
  const az = c.az[i]!;
  const rate = c.rate_hz;
  const w = windowFor(s, t);
  if (w.imuSamples === 0) {
    w.rateLo = rate;
    w.rateHi = rate;
  } else {
    w.rateLo = Math.min(w.rateLo, rate);
    w.rateHi = Math.max(w.rateHi, rate);
  }
  w.imuSamples++;
  w.rateSum += rate;
  const vendor = c.vendor_player_load?.[i];
  if (vendor !== undefined) {
    w.vendor += vendor;
    w.vendorSamples++;
  }
  if (isClipped(ax, ay, az, c.range_g ?? DEFAULT_ACC_RANGE_G)) w.clipped++;
  const prev = s.imu;
  if (prev !== null && t - prev.t <= imuMaxGapMs(rate)) {
    const dx = ax - prev.ax;
    const dy = ay - prev.ay;
    const dz = az - prev.az;
    w.pl += playerLoadStep(dx, dy, dz);
    w.pl2d += playerLoad2dStep(dx, dy, dz, c.vertical_axis);
    w.coveredMs += t - prev.t;
  } else resetJump(s.jump);
  const g = resultantG(ax, ay, az);
  const impact = stepImpact(s.impact, t, g);
  if (impact) addImpact(s, impact);
  const jump = stepJump(s.jump, t, g);
  if (jump) {
    w.jumps++;
    if (w.jumpMax === null || jump.heightM > w.jumpMax) w.jumpMax = jump.heightM;
  }
  if (prev === null) s.imu = { t, ax, ay, az };
  else {
    prev.t = t;
    prev.ax = ax;
    prev.ay = ay;
    prev.az = az;
  }
}

function applyHr(s: WearableState, bpm: number, t: number, ref: HrReference): void {
  const w = windowFor(s, t);
  w.hrReadings++;
  addPeak(w, bpm);
  setRef(w, ref);
  const prev = s.hr;
  if (prev !== null) {
    if (t - prev.t <= HR_MAX_GAP_MS) {
      interpolateSeconds(prev.t, prev.bpm, t, bpm, (g, b) => {
        const gw = windowFor(s, g);
        gw.hrCovered++;
        gw.hrSum += b;
        addPeak(gw, b);
        const z = hrZone(b, ref.hrMaxBpm);
        if (z > 0) gw.zones[z - 1]!++;
        gw.banister += banisterSecond(b, ref);
        setRef(gw, ref);
      });
    } else addGap(s, Math.max(prev.t, s.hrGapTo ?? prev.t), t, ref);
  }
  s.hr = { t, bpm };
  s.hrGapTo = null;
}

function toClosed(w: WearableWindowAcc, windowMs: number): WearableWindow {
  const imu = w.imuSamples > 0;
  const hr = w.hrReadings > 0 || w.hrCovered > 0 || w.hrGap > 0;
  const imuCoveredS = w.coveredMs / 1000;
  const i = <T>(v: T): T | null => (imu ? v : null);
  const h = <T>(v: T): T | null => (hr ? v : null);
  const covered = w.hrCovered > 0;
  return {
    windowStart: w.start,
    windowEnd: w.start + windowMs,
    samples: w.imuSamples + w.hrReadings,
    imuSamples: w.imuSamples,
    sampleRateHz: i(w.rateLo === w.rateHi ? w.rateLo : w.rateSum / w.imuSamples),
    imuCoveredS: i(imuCoveredS),
    playerLoad: i(w.pl),
    playerLoad2d: i(w.pl2d),
    playerLoadPerMin: imu ? playerLoadPerMin(w.pl, imuCoveredS) : null,
    vendorPlayerLoad: imu && w.vendorSamples === w.imuSamples ? w.vendor : null,
    impactsLight: i(w.impacts[0]),
    impactsModerate: i(w.impacts[1]),
    impactsHeavy: i(w.impacts[2]),
    jumps: i(w.jumps),
    jumpHeightMaxM: i(w.jumpMax),
    clippedSamples: i(w.clipped),
    hrReadings: h(w.hrReadings),
    hrCoveredS: h(w.hrCovered),
    hrGapS: h(w.hrGap),
    hrMeanBpm: covered ? w.hrSum / w.hrCovered : null,
    hrPeakBpm: h(w.hrPeak),
    hrZ1S: h(w.zones[0]!),
    hrZ2S: h(w.zones[1]!),
    hrZ3S: h(w.zones[2]!),
    hrZ4S: h(w.zones[3]!),
    hrZ5S: h(w.zones[4]!),
    trimpEdwards: covered ? edwardsTrimp(w.zones) : null,
    trimpBanister: covered ? w.banister : null,
    hrMaxRefBpm: h(w.ref?.hrMaxBpm ?? null),
    hrRestRefBpm: h(w.ref?.hrRestBpm ?? null),
    hrRefSource: h(w.ref?.source ?? null),
  };
}

const addOrNull = (sum: number | null, v: number | null): number | null =>
  v === null ? sum : sum === null ? v : sum + v;

function addToSession(a: SessionAcc, acc: WearableWindowAcc, w: WearableWindow): void {
  a.pl = addOrNull(a.pl, w.playerLoad);
  a.pl2d = addOrNull(a.pl2d, w.playerLoad2d);
  a.vendor += acc.vendor;
  a.imuSamples += acc.imuSamples;
  a.vendorSamples += acc.vendorSamples;
  a.imuCoveredMs += acc.coveredMs;
  a.hrCovered += acc.hrCovered;
  a.edwards = addOrNull(a.edwards, w.trimpEdwards);
  a.banister = addOrNull(a.banister, w.trimpBanister);
}

/** Closes the windows that can no longer change (module doc, 4), or all of them. */
function closeWindows(s: WearableState, all: boolean, ref: HrReference, out: WearableWindow[]): void {
  while (s.open.length > 0) {
    const w = s.open[0]!;
    const end = w.start + s.windowMs;
    if (!all) {
      if (s.lastT === null || s.lastT < end) break;
      if (s.impact.peakT !== null && s.impact.peakT < end) break; // an open excursion peaking in it
      const hr = s.hr;
      if (hr !== null && hr.t < end) {
        if (!(s.lastT > hr.t + HR_MAX_GAP_MS)) break;
        // A dropout is open: the window's seconds after the last reading are gap seconds.
        addGap(s, Math.max(hr.t, s.hrGapTo ?? hr.t), end, ref);
        s.hrGapTo = end;
      }
    }
    s.open.shift();
    const closed = toClosed(w, s.windowMs);
    addToSession(s.session, w, closed);
    out.push(closed);
  }
}

function sessionTotals(s: WearableState): SessionTotals {
  const a = s.session;
  const start = a.first;
  const end = s.lastT;
  return {
    start,
    end,
    minutes: start !== null && end !== null ? (end - start) / 60_000 : 0,
    playerLoad: a.pl,
    playerLoad2d: a.pl2d,
    vendorPlayerLoad: a.imuSamples > 0 && a.vendorSamples === a.imuSamples ? a.vendor : null,
    imuCoveredS: a.imuCoveredMs / 1000,
    hrCoveredS: a.hrCovered,
    trimpEdwards: a.edwards,
    trimpBanister: a.banister,
  };
}

/** Why a sample of the IMU (or heart-rate) channel at `t` cannot be taken (module doc, 1), or null. */
function timeProblem(s: WearableState, t: number, isImu: boolean): string | null {
  if (!Number.isFinite(t)) return isImu ? IMU_TIME_NOT_FINITE : HR_TIME_NOT_FINITE;
  const channelLast = isImu ? s.imu?.t : s.hr?.t;
  if ((s.lastT !== null && t < s.lastT) || (channelLast !== undefined && t <= channelLast))
    return isImu ? IMU_OUT_OF_ORDER : HR_OUT_OF_ORDER;
  return null;
}

/**
 * Applies one chunk of a device's samples; chunks must come in order (the stream runtime's sequencer
 * sees to it). Windows that can no longer change close; on the final chunk all of them do, and the
 * session's totals come out. `hrRef` is the player's HRmax, HRrest and sex (zones and TRIMP).
 */
export function applyWearableChunk(s: WearableState, c: WearableChunkInput, hrRef: HrReference): WearableChunkResult {
  if (c.hr && c.hr.t.length > 0 && !(hrRef.hrMaxBpm > hrRef.hrRestBpm && hrRef.hrRestBpm >= 0)) {
    throw new Error(
      `heart-rate reference needs hrMaxBpm above hrRestBpm, got ${hrRef.hrMaxBpm} and ${hrRef.hrRestBpm}: fix the squad's values`,
    );
  }
  const rejected: Rejections = new Map();
  let accepted = 0;
  const imu = c.imu;
  const hr = c.hr;
  const ni = imu?.t.length ?? 0;
  const nh = hr?.t.length ?? 0;
  let i = 0;
  let j = 0;
  while (i < ni || j < nh) {
    const ti = i < ni ? c.t0 + imu!.t[i]! : Number.POSITIVE_INFINITY;
    const th = j < nh ? c.t0 + hr!.t[j]! : Number.POSITIVE_INFINITY;
    // IMU first at equal times. Written so that a NaN time (which compares false with everything) is
    // taken from its own channel and rejected at once; `ti <= th` would take the other channel, and
    // once that is exhausted loop for ever past its end.
    const isImu = i < ni && (j >= nh || !(th < ti));
    const t = isImu ? ti : th;
    const why = timeProblem(s, t, isImu);
    if (why !== null) {
      if (isImu) reject(rejected, why, i, { t, ax: imu!.ax[i], ay: imu!.ay[i], az: imu!.az[i] });
      else reject(rejected, why, j, { t, bpm: hr!.bpm[j] });
    } else {
      accepted++;
      if (isImu) applyImu(s, imu!, i, t);
      else applyHr(s, hr!.bpm[j]!, t, hrRef);
      s.lastT = t;
      s.session.first ??= t;
    }
    if (isImu) i++;
    else j++;
  }
  if (c.final) {
    const impact = flushImpact(s.impact);
    if (impact) addImpact(s, impact);
    const last = s.hr;
    if (last !== null && s.lastT !== null && s.lastT > last.t + HR_MAX_GAP_MS) {
      addGap(s, Math.max(last.t, s.hrGapTo ?? last.t), s.lastT, hrRef);
      s.hrGapTo = s.lastT;
    }
  }
  const closed: WearableWindow[] = [];
  closeWindows(s, c.final === true, hrRef, closed);
  return {
    accepted,
    rejected: [...rejected].map(([reason, r]) => ({ reason, ...r })),
    closed,
    session: c.final ? sessionTotals(s) : null,
  };
}
