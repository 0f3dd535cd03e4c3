import { FEATURE_DEFAULTS } from "../../contracts/defaults.js";

/**
 * Physical thresholds used by the tracking features. Each is named with its source.
 */

/** Raw speeds above this are measurement outliers: no footballer runs faster (Sideline spec; peak match speeds are ~9-10 m/s, Haugen et al. 2014). */
export const MAX_PLAUSIBLE_SPEED_MPS = 12;
/** A gap longer than this between two samples of a player starts a new segment (Sideline spec). */
export const SEGMENT_GAP_MS = 1000;
/**
 * Time may step back this much before a sample is corrupt rather than jitter: 5 frames at 25 Hz,
 * the re-clocking jitter an edge box merging camera and radio feeds can introduce.
 */
export const TIME_BACKWARDS_TOLERANCE_MS = 200;
/** High-intensity running, >= 15 km/h (Mohr, Krustrup & Bangsbo 2003, J Sports Sci 21:519-528). */
export const HIGH_INTENSITY_SPEED_MPS = 15 / 3.6;
/** High-speed running, >= 19.8 km/h (Bradley et al. 2009, J Sports Sci 27:159-168; Di Salvo et al. 2007). */
export const HSR_SPEED_MPS = 5.5;
/** Sprinting, >= 25.2 km/h (Bradley et al. 2009; Di Salvo et al. 2007). */
export const SPRINT_SPEED_MPS = 7.0;
/** A sprint effort must stay at sprint speed at least this long (Sideline spec; Di Salvo et al. 2010 use 1 s). */
export const SPRINT_MIN_DURATION_MS = 1000;
/** Acceleration and deceleration efforts: |a| >= 3 m/s^2 (Varley & Aughey 2013, "high" band). */
export const ACCEL_THRESHOLD_MPS2 = 3;
/** ... held at least 0.5 s (Varley & Aughey 2013; Sideline spec). */
export const ACCEL_MIN_DURATION_MS = 500;
/** Default tumbling window per player: FEATURE_DEFAULTS, shared with the cloud's WINDOW_SECONDS. */
export const DEFAULT_WINDOW_MS = FEATURE_DEFAULTS.windowSeconds * 1000;
