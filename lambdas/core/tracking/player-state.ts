/**
 * A player's feature state and the engine's inputs and outputs (./player-features.ts applies the
 * chunks). The state is plain JSON, stored between invocations.
 */
import type { PitchDimensions } from "../../contracts/pitch.js";
import { type EffortState, newEffortState } from "../stream/efforts.js";
import { SAVGOL_WINDOW } from "../stream/smoothing.js";
import { type FatigueFinding, type FatigueState, newFatigueState } from "./fatigue.js";
import { type CellRun, type MatchProfile, type MatchProfileState, newMatchProfileState } from "./match-profile.js";
import type { ClosedWindow, WindowAcc } from "./windows.js";

export interface PlayerState {
  windowMs: number;
  /** Last accepted position sample. */
  last: { t: number; x: number; y: number; period: number | null } | null;
  /**
   * The current segment's last SAVGOL_WINDOW velocity samples, a ring: the segment's sample k is in
   * slot k % SAVGOL_WINDOW (slots past segN are left over from earlier segments and never read).
   */
  buf: { t: number[]; dt: number[]; vx: number[]; vy: number[] };
  /** Velocity samples seen in the current segment, and how many of them were smoothed. */
  segN: number;
  emitted: number;
  /** The segment's last ACCEL_FIT_SAMPLES smoothed speeds (for acceleration), a ring like `buf` indexed by smoothed sample. */
  recent: { t: number[]; speed: number[] };
  sprint: EffortState;
  accel: EffortState;
  decel: EffortState;
  /** Open windows, in time order. */
  open: WindowAcc[];
  fatigue: FatigueState;
  /** Whole-match totals, heatmap grid and trend, for the profile and the pictures. */
  profile: MatchProfileState;
  /** Pitch length and width (m) of the last chunk: the heatmap grid's scale. */
  pitch: [number, number];
  /** The heatmap cell he is in now, with the time spent there not yet added to its window. */
  run: CellRun | null;
  /** True once the final chunk was applied: the match profile is complete. */
  completed: boolean;
  /**
   * Revision of the cold fields (PLAYER_STATE_COLD_FIELDS): bumped by every change to them, so the
   * state store encodes and decodes them only when they changed (see ColdState in ../../ports.ts).
   */
  coldRev: number;
}

/**
 * The fields of a player's state that change only when a window closes or an effort starts a
 * repeated-effort count (a few times a minute), against every sample for the rest: about 90% of
 * the stored state by size. Every change to them bumps `coldRev`.
 */
export const PLAYER_STATE_COLD_FIELDS = ["fatigue", "profile"] as const satisfies readonly (keyof PlayerState)[];

export interface RejectedSamples {
  readonly reason: string;
  readonly count: number;
  readonly firstIndex: number;
  /** The first rejected sample, as JSON: what the quarantine keeps. */
  readonly sample: string;
}

export interface ChunkInput {
  readonly t0: number;
  readonly t: ArrayLike<number>;
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  /** Metres per unit of x and y (0.001 for the wire's millimetres). @default 1 */
  readonly metresPerUnit?: number;
  readonly period?: number | undefined;
  readonly final?: boolean | undefined;
  readonly pitch: PitchDimensions;
}

export interface ChunkResult {
  readonly accepted: number;
  readonly rejected: readonly RejectedSamples[];
  readonly closed: readonly ClosedWindow[];
  readonly fatigue: readonly { window: ClosedWindow; finding: FatigueFinding }[];
  /** The player's match profile, when this call applied his final chunk. */
  readonly completed: MatchProfile | null;
}

export type { ClosedWindow, WindowAcc } from "./windows.js";

/** A ring of `n` slots, zeros until written (plain numbers: the state is JSON). */
const ring = (n: number): number[] => new Array<number>(n).fill(0);

export function newPlayerState(windowMs: number): PlayerState {
  if (!(windowMs > 0 && windowMs % 1000 === 0)) {
    throw new Error(`window length must be a positive whole number of seconds, got ${windowMs} ms`);
  }
  return {
    windowMs,
    last: null,
    buf: { t: ring(SAVGOL_WINDOW), dt: ring(SAVGOL_WINDOW), vx: ring(SAVGOL_WINDOW), vy: ring(SAVGOL_WINDOW) },
    segN: 0,
    emitted: 0,
    // ACCEL_FIT_SAMPLES (./player-features.ts) is SAVGOL_WINDOW.
    recent: { t: ring(SAVGOL_WINDOW), speed: ring(SAVGOL_WINDOW) },
    sprint: newEffortState(),
    accel: newEffortState(),
    decel: newEffortState(),
    open: [],
    fatigue: newFatigueState(),
    profile: newMatchProfileState(),
    pitch: [105, 68],
    run: null,
    completed: false,
    coldRev: 0,
  };
}
