/**
 * Events in a body-worn accelerometer's signal, from the resultant |a| in g (gravity included, so a
 * device at rest reads 1 g and one in free fall 0 g):
 * - impacts: one per excursion of |a| at or above IMPACT_LIGHT_G, banded by its peak;
 * - jumps: a flight (|a| near zero) of plausible length ended by a landing spike, with the height
 *   from the flight time (Bosco et al. 1983);
 * - clipping: a sample with an axis at the accelerometer's full scale, whose true peak is unknown.
 *
 * The detectors are small JSON state machines fed one sample at a time, so the streaming windows can
 * carry a spike or a flight across chunk boundaries and find it exactly once.
 *
 * Calibration (Movesense, 52 Hz, trunk-worn, the datasets' imu-movesense files): running_example's
 * stretches of |a| < 0.8 g last at most 9 samples (0.17 s: the flight phase of a stride), while
 * run_jump_example's two jumps give 21 and 24 samples (0.40 and 0.46 s) averaging about 0.3 g, each
 * followed within 2 samples by a 4.7-4.9 g landing. These thresholds find those 2 jumps and none in the run.
 */

/**
 * Standard gravity, m/s^2 per g: the conventional value adopted by the 3rd CGPM (1901). Converts m/s^2
 * to g (the readers import it from here) and flight time to height.
 */
export const STANDARD_GRAVITY_MPS2 = 9.80665;

/** Impact bands by peak resultant: 5-6.5 g light (zones 1-2 of Cunniffe et al. 2009 / McLellan et al. 2011, grouped). */
export const IMPACT_LIGHT_G = 5;
/** 6.5-8 g moderate (zones 3-4). */
export const IMPACT_MODERATE_G = 6.5;
/** 8 g and above heavy (zones 5-6); at a +-8 g accelerometer these are also clipped, so read them with clippedSamples. */
export const IMPACT_HEAVY_G = 8;
/**
 * One impact per excursion of |a| to IMPACT_LIGHT_G or above: it ends only once |a| has stayed below
 * IMPACT_LIGHT_G for 100 ms (no sample at or above it within 100 ms after the excursion's last one),
 * and its band is the excursion's peak. A foot strike's or collision's transient rings for a few tens
 * of ms, dipping under 5 g and back, while consecutive foot strikes are >= ~200 ms apart even at top
 * sprint step rates of ~4.5-5 Hz (Weyand et al. 2000, J Appl Physiol 89:1991), so a quiet 100 ms
 * merges one strike's samples (however long it stays above 5 g) and still keeps two strikes apart:
 * a strike above 5 g for up to ~100 ms leaves >= 100 ms quiet before the next.
 */
export const IMPACT_QUIET_MS = 100;

/**
 * A flight sample has |a| below 0.8 g (calibrated on the Movesense jumps: a trunk-worn unit in the air
 * reads 0.1-0.7 g from rotation and soft-tissue movement, never the ideal 0 g).
 */
export const FLIGHT_ACC_G = 0.8;
/** ... and the flight's mean |a| is at most 0.5 g: near-zero overall (the two Movesense flights average ~0.3 g), not a slow squat descent at 0.7 g. */
export const FLIGHT_MEAN_MAX_G = 0.5;
/**
 * A flight lasts at least 250 ms: running strides fly for only ~0.12-0.14 s even at top speed
 * (Weyand et al. 2000), read as up to 0.17 s under FLIGHT_ACC_G in the Movesense run; 250 ms is a
 * 7.7 cm jump.
 */
export const MIN_FLIGHT_MS = 250;
/** ... and at most 1 s (a 1.23 m jump, beyond any human vertical jump): longer is a device dropped or thrown. */
export const MAX_FLIGHT_MS = 1000;
/**
 * The landing is a spike of at least 3 g (landings load the body with ~3-7 body weights, Dufek & Bates
 * 1991, Sports Med 12:326; the Movesense landings read 4.7 and 4.9 g) ...
 */
export const LANDING_ACC_G = 3;
/** ... within 100 ms of the flight's end (the Movesense landings peak 1-2 samples, 19-38 ms, after it). */
export const LANDING_WINDOW_MS = 100;

/** An axis at 99 % of the accelerometer's full scale or more is clipped (Sideline spec: 7.99 g on a +-8 g Movesense axis is a clipped peak). */
export const CLIP_FRACTION = 0.99;

export type ImpactBand = "light" | "moderate" | "heavy";

/** The resultant acceleration, g. */
export function resultantG(ax: number, ay: number, az: number): number {
  return Math.sqrt(ax * ax + ay * ay + az * az);
}

/** The band of an impact peaking at `g`, or null below IMPACT_LIGHT_G. */
export function impactBand(g: number): ImpactBand | null {
  if (g >= IMPACT_HEAVY_G) return "heavy";
  if (g >= IMPACT_MODERATE_G) return "moderate";
  if (g >= IMPACT_LIGHT_G) return "light";
  return null;
}

/** Jump height, m, from flight time, s: h = g t^2 / 8 (Bosco, Luhtanen & Komi 1983, Eur J Appl Physiol 50:273). */
export function jumpHeightM(flightS: number): number {
  return (STANDARD_GRAVITY_MPS2 * flightS * flightS) / 8;
}

/** True when an axis reaches CLIP_FRACTION of the full scale `rangeG`. */
export function isClipped(ax: number, ay: number, az: number, rangeG: number): boolean {
  const limit = CLIP_FRACTION * rangeG;
  return Math.abs(ax) >= limit || Math.abs(ay) >= limit || Math.abs(az) >= limit;
}

/**
 * The excursion in progress (peakT null when none): its highest sample (the first of equal ones) and
 * its last sample at or above IMPACT_LIGHT_G, from which the quiet time runs. Plain JSON.
 */
export interface ImpactDetector {
  peakT: number | null;
  peakG: number;
  aboveT: number;
  /** The excursion's first sample at or above IMPACT_LIGHT_G. */
  startT: number;
}

/**
 * The longest excursion one impact may be: a collision's spike above 5 g lasts tens of ms, so a
 * signal held above it for a second is a stuck or saturated sensor (or a fall), not one impact. The
 * excursion is closed there (Sideline choice), so the windows behind it close and the state stays bounded.
 */
export const IMPACT_MAX_EXCURSION_MS = 1000;

export interface Impact {
  readonly t: number;
  readonly g: number;
  readonly band: ImpactBand;
}

export const newImpactDetector = (): ImpactDetector => ({ peakT: null, peakG: 0, aboveT: 0, startT: 0 });

function takeImpact(d: ImpactDetector): Impact | null {
  if (d.peakT === null) return null;
  const out = { t: d.peakT, g: d.peakG, band: impactBand(d.peakG)! };
  d.peakT = null;
  d.peakG = 0;
  d.aboveT = 0;
  d.startT = 0;
  return out;
}

/**
 * Feeds one sample (time ms, |a| g). Returns the impact that this sample shows to be over (a sample
 * IMPACT_QUIET_MS or more after the excursion's last sample at or above IMPACT_LIGHT_G), at most one
 * per call; the sample itself may then start the next excursion.
 */
export function stepImpact(d: ImpactDetector, t: number, g: number): Impact | null {
  const over = d.peakT !== null && (t - d.aboveT >= IMPACT_QUIET_MS || t - d.startT >= IMPACT_MAX_EXCURSION_MS);
  const done = over ? takeImpact(d) : null;
  if (g >= IMPACT_LIGHT_G) {
    if (d.peakT === null) d.startT = t;
    if (d.peakT === null || g > d.peakG) {
      d.peakT = t;
      d.peakG = g;
    }
    d.aboveT = t;
  }
  return done;
}

/** The impact still in progress at the end of the data (the final chunk), if any. */
export const flushImpact = (d: ImpactDetector): Impact | null => takeImpact(d);

/**
 * The jump detector: on the ground; in a flight (since `from`, with the count and sum of |a|); or,
 * after a flight of plausible length and mean, waiting up to LANDING_WINDOW_MS from its end for the
 * landing spike. Plain JSON.
 */
export interface JumpDetector {
  phase: "ground" | "flight" | "landing";
  /** Flight: time of its first sample. */
  from: number;
  /** Flight: samples and sum of |a|. */
  n: number;
  sum: number;
  /** Landing: time of the first sample after the flight, and the flight's length, ms. */
  end: number;
  flightMs: number;
}

export interface Jump {
  /** Time of the landing spike. */
  readonly t: number;
  readonly flightS: number;
  readonly heightM: number;
}

export const newJumpDetector = (): JumpDetector => ({ phase: "ground", from: 0, n: 0, sum: 0, end: 0, flightMs: 0 });

/** Back on the ground: a flight in progress is dropped (after a gap in the samples, its length is unknown). */
export function resetJump(d: JumpDetector): void {
  d.phase = "ground";
  d.n = 0;
  d.sum = 0;
}

function startFlight(d: JumpDetector, t: number, g: number): void {
  d.phase = "flight";
  d.from = t;
  d.n = 1;
  d.sum = g;
}

/**
 * Feeds one consecutive sample (time ms, |a| g; call resetJump first across a gap). Returns the jump
 * this sample lands, if any. The flight time runs from the flight's first sample to the first sample
 * after it, which at a uniform rate is the flight's sample count times the period.
 */
export function stepJump(d: JumpDetector, t: number, g: number): Jump | null {
  if (d.phase === "flight") {
    if (g < FLIGHT_ACC_G) {
      d.n++;
      d.sum += g;
      return null;
    }
    const flightMs = t - d.from;
    const ok = flightMs >= MIN_FLIGHT_MS && flightMs <= MAX_FLIGHT_MS && d.sum / d.n <= FLIGHT_MEAN_MAX_G;
    resetJump(d);
    if (!ok) return null;
    d.phase = "landing";
    d.end = t;
    d.flightMs = flightMs;
  }
  if (d.phase === "landing") {
    if (t - d.end <= LANDING_WINDOW_MS) {
      if (g >= LANDING_ACC_G) {
        d.phase = "ground";
        const flightS = d.flightMs / 1000;
        return { t, flightS, heightM: jumpHeightM(flightS) };
      }
      if (g >= FLIGHT_ACC_G) return null;
    }
    d.phase = "ground";
  }
  if (g < FLIGHT_ACC_G) startFlight(d, t, g);
  return null;
}

export interface ImuEvents {
  readonly impacts: readonly Impact[];
  readonly jumps: readonly Jump[];
  readonly clippedSamples: number;
}

/**
 * The events of a whole series at once (times ms, accelerations g), with the same detectors and gap
 * rule as the streaming windows: a step longer than `maxGapMs` resets the jump detector.
 */
export function detectImuEvents(
  s: {
    readonly t: ArrayLike<number>;
    readonly ax: ArrayLike<number>;
    readonly ay: ArrayLike<number>;
    readonly az: ArrayLike<number>;
  },
  maxGapMs: number,
  rangeG: number,
): ImuEvents {
  const impacts: Impact[] = [];
  const jumps: Jump[] = [];
  let clippedSamples = 0;
  const imp = newImpactDetector();
  const jmp = newJumpDetector();
  for (let i = 0; i < s.t.length; i++) {
    const t = s.t[i]!;
    const ax = s.ax[i]!;
    const ay = s.ay[i]!;
    const az = s.az[i]!;
    const g = resultantG(ax, ay, az);
    if (isClipped(ax, ay, az, rangeG)) clippedSamples++;
    const impact = stepImpact(imp, t, g);
    if (impact) impacts.push(impact);
    if (i > 0 && t - s.t[i - 1]! > maxGapMs) resetJump(jmp);
    const jump = stepJump(jmp, t, g);
    if (jump) jumps.push(jump);
  }
  const last = flushImpact(imp);
  if (last) impacts.push(last);
  return { impacts, jumps, clippedSamples };
}
