/**
 * The demo match's squad and its movement model's constants: activities with their time shares and
 * speeds (from elite match analyses), the 4-4-2 anchors, who tires, the kinematic limits, and the
 * seeded random numbers that make every demo the same.
 */
/** Optical tracking frame rate of the demo (Metrica, Second Spectrum, TRACAB record at 25 Hz). */
export const DEMO_HZ = 25;
/** Half-time break (IFAB Law 7: not more than 15 minutes). */
export const HALF_TIME_BREAK_MS = 15 * 60_000;
/** Position noise of optical tracking after the vendor's filter, 1 sigma (Linke et al. 2020 report ~0.1 m RMSE raw). */
export const DEMO_POSITION_NOISE_M = 0.02;

export type Activity = "stand" | "walk" | "jog" | "run" | "hsr" | "sprint";

export interface ActivitySpec {
  /** Share of match time, outfield players (Bradley et al. 2009; Di Salvo et al. 2007 speed bands). */
  readonly share: number;
  /** Share of match time, goalkeepers (Di Salvo et al. 2008: ~5.6 km per match, little high-intensity running). */
  readonly gkShare: number;
  readonly speed: readonly [number, number];
  readonly durationS: readonly [number, number];
}

export const ACTIVITIES: Record<Activity, ActivitySpec> = {
  stand: { share: 0.14, gkShare: 0.4, speed: [0, 0.4], durationS: [2, 6] },
  walk: { share: 0.52, gkShare: 0.47, speed: [1.0, 1.9], durationS: [4, 10] },
  jog: { share: 0.23, gkShare: 0.1, speed: [2.3, 3.8], durationS: [3, 9] },
  run: { share: 0.08, gkShare: 0.01, speed: [4.3, 5.3], durationS: [2, 6] },
  hsr: { share: 0.025, gkShare: 0.002, speed: [5.7, 6.8], durationS: [1.6, 4] },
  sprint: { share: 0.011, gkShare: 0, speed: [0, 0], durationS: [2.5, 4.5] },
};
export const HIGH_INTENSITY: readonly Activity[] = ["run", "hsr", "sprint"];
/** Speed response time constant and human limits for the kinematic model (Osgnach et al. 2010 show ~4 m/s^2 peaks). */
export const SPEED_TAU_S = 0.9;
export const MAX_ACCEL_MPS2 = 4.2;
export const MAX_DECEL_MPS2 = 5;

export interface DemoMatchOptions {
  readonly seed?: number;
  /** Playing time, two equal halves. @default 90 */
  readonly minutes?: number;
  /** @default 2026-05-16T15:00:00Z */
  readonly kickoffMs?: number;
  readonly matchId?: string;
}

export interface DemoPlayer {
  readonly playerId: string;
  readonly team: "home" | "away";
  readonly goalkeeper: boolean;
  /** Tires in the second half (the demo's ground truth for the fatigue insight). */
  readonly tires: boolean;
}

export const DEFAULT_KICKOFF_MS = Date.parse("2026-05-16T15:00:00Z");

/** mulberry32: a small, fast, seeded PRNG (Tommy Ettinger, public domain). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 4-4-2 anchors for a team attacking +x, as fractions of the pitch. */
export const FORMATION: readonly (readonly [number, number])[] = [
  [0.05, 0.5],
  [0.22, 0.15],
  [0.2, 0.38],
  [0.2, 0.62],
  [0.22, 0.85],
  [0.45, 0.15],
  [0.42, 0.4],
  [0.42, 0.6],
  [0.45, 0.85],
  [0.62, 0.4],
  [0.62, 0.6],
];
/** Shirts that tire in the second half (index into the line-up), per team. */
export const TIRING: Record<"home" | "away", readonly number[]> = { home: [6, 9], away: [7] };

export interface Mover {
  readonly info: DemoPlayer;
  readonly anchor: readonly [number, number];
  readonly workRate: number;
  readonly hiFactor: number;
  readonly topSpeed: number;
  x: number;
  y: number;
  heading: number;
  speed: number;
  activity: Activity;
  targetSpeed: number;
  remainingS: number;
  tx: number;
  ty: number;
}

export const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
