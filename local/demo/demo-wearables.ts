/**
 * The demo squad's wearables: the home team's load history in every measure, and its last training
 * week as devices record it.
 *
 * - History (5 weeks before the match, before the last one): each home player's imported session
 *   loads in distance (as before), PlayerLoad, Edwards and Banister TRIMP and session RPE, derived
 *   from each day's intensity, so every measure has a chronic base. The away team's history is
 *   distance only (its club shares no more). Imports go through the wearables stream like
 *   `sideline loads` (producers/readers/loads-csv.ts).
 * - The last week (5 sessions, a rest day, the previous match's day before them): every home player
 *   wears a heart-rate strap (1 Hz), rates the session (RPE), and the returning player also wears an
 *   IMU vest at 100 Hz, with jumps, a few impacts and clipped landings. One strap drops out for 45 s.
 *
 * The returning player's rehab weeks give him a low chronic load in every measure, so his first
 * full week flags in each measure on its own (never adding metres to AU).
 */
import type { WearableChunk } from "../../lambdas/contracts/records/wearable.js";
import { WEARABLE_SCHEMA_V1 } from "../../lambdas/contracts/records/wearable.js";
import { hrReference } from "../../lambdas/contracts/squad.js";
import { DAY_MS, dayOf } from "../../lambdas/core/load/acwr.js";
import { DEFAULT_SQUAD } from "../../lambdas/functions/extractors.js";
import { loadRecord } from "../../producers/readers/loads-csv.js";
import { DEMO_RETURNING_PLAYER, DEMO_WEEK_M, demoLoadHistory } from "./demo-history.js";
import { seededRandom } from "./demo-match.js";

/** The demo's imports are one import: its records are the same on every run. */
const DEMO_IMPORT = "demo";
/** Catapult vests record their IMU at 100 Hz (Catapult S5/S6). */
export const DEMO_IMU_HZ = 100;
/** Chest straps report once a second (Polar H10, Garmin HRM). */
export const DEMO_HR_PERIOD_MS = 1000;
/** The week's sessions, in days before the match (DEMO_WEEK_M's index + 1): day 6 is rest, day 7 the previous match. */
export const DEMO_TRAINING_DAYS = [5, 4, 3, 2, 1] as const;
/** Sessions start at 10:00 UTC. */
const SESSION_START_MS = 10 * 3_600_000;
/** A session's length: 60 min the day before a match, 75 min otherwise (typical elite training days). */
const sessionMinutes = (k: number) => (k === 1 ? 60 : 75);
/** The player whose strap drops out for 45 s on day 3: a gap, never 0 bpm. */
export const DEMO_DROPOUT_PLAYER = "home_10";
const DROPOUT_MS = 45_000;
/**
 * A replay's records, as REPLAY_CHUNK_MS is for tracking: latency does not matter, and fewer records
 * cut the per-record cost of the stream. A strap's 5 minutes is 300 readings (~3 KB); a vest's
 * 30 s is 3,000 samples at 100 Hz (~60 KB), half the record cap.
 */
const HR_CHUNK_MS = 300_000;
const IMU_CHUNK_MS = 30_000;

/** How hard a day was, 0.2-1: its distance against the hardest training day (6.5 km). */
const intensityOf = (distanceM: number) => Math.min(1, Math.max(0.2, distanceM / 6500));

/**
 * A day's loads in each measure from its intensity (demo assumptions, of the order vests and straps
 * report for elite squads: about 0.1 PlayerLoad AU per metre, Edwards TRIMP 100-300 AU, session
 * RPE 200-600 AU).
 */
function dayLoads(distanceM: number, minutes: number) {
  const i = intensityOf(distanceM);
  const hrr = 0.4 + 0.35 * i;
  return {
    player_load_au: distanceM * 0.1,
    trimp_edwards_au: minutes * (1.5 + 2.5 * i),
    trimp_banister_au: minutes * hrr * 0.64 * Math.exp(1.92 * hrr),
    srpe_au: minutes * Math.round(2 + 6 * i),
  };
}

/** The imported history as wearable records: distance for everyone, every measure for the home team before the last week. */
export function demoHistoryRecords(playerIds: readonly string[], kickoffMs: number, seed: number): WearableChunk[] {
  const rows = demoLoadHistory(playerIds, kickoffMs, seed);
  const matchDay = dayOf(kickoffMs);
  const out: WearableChunk[] = [];
  for (const r of rows) {
    const day = r.day.getTime();
    out.push(
      loadRecord(
        r.player_id,
        r.session_id,
        day,
        { measure: "distance_m", load: r.load, minutes: r.minutes },
        DEMO_IMPORT,
      ),
    );
    const k = Math.round((matchDay - day) / DAY_MS);
    // The devices recorded the last week's sessions (demoTrainingWeek); the previous match (day 7) was imported.
    if (!r.player_id.startsWith("home_") || k <= Math.max(...DEMO_TRAINING_DAYS)) continue;
    for (const [measure, load] of Object.entries(dayLoads(r.load, r.minutes)))
      out.push(
        loadRecord(
          r.player_id,
          r.session_id,
          day,
          {
            measure: measure as keyof ReturnType<typeof dayLoads>,
            load,
            minutes: r.minutes,
          },
          DEMO_IMPORT,
        ),
      );
  }
  return out;
}

/** Intensity, 0-1, at `s` seconds into a session: warm-up, drills with recoveries, cool-down. */
function intensityAt(s: number, minutes: number, day: number): number {
  const m = s / 60;
  if (m < 12) return 0.35;
  if (m > minutes - 8) return 0.2;
  return (m - 12) % 6 < 4 ? day * (0.85 + 0.15 * Math.sin(m)) : 0.35;
}

export interface DemoWeek {
  readonly sessions: readonly { sessionId: string; day: number; minutes: number }[];
  /** Every record of the week, in time order per device. */
  records(): Generator<WearableChunk>;
  /** Samples the week's devices record. */
  readonly samples: number;
}

/** The last training week of the home team's players: its last `days` sessions (all 5 by default). */
export function demoTrainingWeek(
  homePlayers: readonly string[],
  kickoffMs: number,
  seed: number,
  days: number = DEMO_TRAINING_DAYS.length,
): DemoWeek {
  const matchDay = dayOf(kickoffMs);
  const sessions = DEMO_TRAINING_DAYS.slice(DEMO_TRAINING_DAYS.length - days).map((k) => ({
    k,
    sessionId: `demo-training-${new Date(matchDay - k * DAY_MS).toISOString().slice(0, 10)}`,
    day: matchDay - k * DAY_MS,
    minutes: sessionMinutes(k),
  }));
  let samples = 0;
  for (const s of sessions) samples += homePlayers.length * s.minutes * 60 + s.minutes * 60 * DEMO_IMU_HZ;
  return {
    sessions,
    samples,
    *records() {
      const rnd = seededRandom(seed ^ 0x3a7e);
      for (const s of sessions) {
        const start = s.day + SESSION_START_MS;
        const distance = DEMO_WEEK_M[s.k - 1]!;
        for (const player of homePlayers) {
          const goalkeeper = player.endsWith("_1");
          const level = intensityOf(distance) * (goalkeeper ? 0.6 : 1);
          yield* heartRate(
            player,
            s.sessionId,
            start,
            s.minutes,
            level,
            s.k === 3 && player === DEMO_DROPOUT_PLAYER,
            rnd,
          );
          // Session RPE, 30 minutes after the session (Foster et al. 2001), through the same stream.
          const rpe = Math.min(10, Math.max(1, Math.round(2 + 6 * level + (rnd() - 0.5))));
          yield loadRecord(
            player,
            s.sessionId,
            s.day,
            { measure: "srpe_au", load: rpe * s.minutes, minutes: s.minutes, rpe },
            DEMO_IMPORT,
          );
        }
        yield* vest(DEMO_RETURNING_PLAYER, s.sessionId, start, s.minutes, intensityOf(distance), rnd);
      }
    },
  };
}

function* heartRate(
  player: string,
  sessionId: string,
  start: number,
  minutes: number,
  level: number,
  dropout: boolean,
  rnd: () => number,
): Generator<WearableChunk> {
  const ref = hrReference(DEFAULT_SQUAD, player, start);
  const n = minutes * 60;
  const dropFrom = Math.floor(n * 0.4);
  let hr = ref.hrRestBpm + 0.35 * (ref.hrMaxBpm - ref.hrRestBpm);
  let seq = 0;
  let chunk: { t: number[]; bpm: number[] } = { t: [], bpm: [] };
  let t0 = start;
  const emit = (final: boolean): WearableChunk => {
    const c: WearableChunk = {
      schema: WEARABLE_SCHEMA_V1,
      session_id: sessionId,
      player_id: player,
      team: "home",
      device_id: `strap-${player}`,
      device_kind: "hr-strap",
      seq: seq++,
      t0,
      ...(chunk.t.length > 0 ? { hr: chunk } : {}),
      ...(final ? { final: true } : {}),
    };
    chunk = { t: [], bpm: [] };
    return c;
  };
  for (let s = 0; s < n; s++) {
    const t = start + s * DEMO_HR_PERIOD_MS;
    // Heart rate follows the work with a ~30 s lag (first-order response).
    const target = ref.hrRestBpm + (ref.hrMaxBpm - ref.hrRestBpm) * (0.3 + 0.65 * intensityAt(s, minutes, level));
    hr += (target - hr) / 30;
    if (dropout && s >= dropFrom && s < dropFrom + DROPOUT_MS / 1000) continue;
    if (chunk.t.length === 0) t0 = t;
    chunk.t.push(t - t0);
    chunk.bpm.push(Math.round(hr + (rnd() - 0.5) * 3));
    if (t + DEMO_HR_PERIOD_MS - t0 >= HR_CHUNK_MS && s < n - 1) yield emit(false);
  }
  yield emit(true);
}

/** Rounds to 1 mg, as vests export (Catapult's OpenField CSV has 3-4 decimals of g): far below the 0.03 g noise. */
const g4 = (v: number) => Math.round(v * 1000) / 1000;

function* vest(
  player: string,
  sessionId: string,
  start: number,
  minutes: number,
  level: number,
  rnd: () => number,
): Generator<WearableChunk> {
  const n = minutes * 60 * DEMO_IMU_HZ;
  const dt = 1000 / DEMO_IMU_HZ;
  const noise = () => (rnd() + rnd() + rnd() - 1.5) * 0.03;
  // Two headers (0.45 s flights: h = 9.81 x 0.45^2 / 8 = 0.25 m) and three contacts per session, in drills.
  const jumps = [0.3, 0.62].map((f) => Math.floor(n * f));
  const impacts = [0.25, 0.5, 0.75].map((f) => Math.floor(n * f));
  const flight = Math.round(0.45 * DEMO_IMU_HZ);
  let seq = 0;
  let phase = 0;
  let c = { t: [] as number[], ax: [] as number[], ay: [] as number[], az: [] as number[] };
  let t0 = start;
  const emit = (final: boolean): WearableChunk => {
    const r: WearableChunk = {
      schema: WEARABLE_SCHEMA_V1,
      session_id: sessionId,
      player_id: player,
      team: "home",
      device_id: `vest-${player}`,
      device_kind: "catapult-s6",
      seq: seq++,
      t0,
      imu: { rate_hz: DEMO_IMU_HZ, vertical_axis: "z", range_g: 8, ...c },
      ...(final ? { final: true } : {}),
    };
    c = { t: [], ax: [], ay: [], az: [] };
    return r;
  };
  for (let i = 0; i < n; i++) {
    const t = start + i * dt;
    const x = intensityAt(i / DEMO_IMU_HZ, minutes, level);
    // Steps: 1.4-3 per second, each a vertical bounce of 0.2-1.8 g about gravity.
    phase += (2 * Math.PI * (1.4 + 1.6 * x)) / DEMO_IMU_HZ;
    let az = 1 + (0.2 + 1.6 * x) * Math.sin(phase) + noise();
    let ax = 0.3 * x * Math.sin(phase / 2) + noise();
    let ay = 0.15 * x * Math.sin(phase / 2 + 1) + noise();
    const j = jumps.find((s) => i >= s && i < s + flight + 3);
    if (j !== undefined) {
      // Free fall in the flight, then the landing: 9 g, past the vest's 8 g range, so it clips.
      const landing = i >= j + flight;
      az = landing ? 9 : noise();
      ax = landing ? 1.5 : noise();
      ay = noise();
    }
    if (impacts.some((s) => i === s)) ax = 6.5 + rnd();
    if (c.t.length === 0) t0 = t;
    c.t.push(Math.round(t - t0));
    c.ax.push(g4(Math.max(-8, Math.min(8, ax))));
    c.ay.push(g4(Math.max(-8, Math.min(8, ay))));
    c.az.push(g4(Math.max(-8, Math.min(8, az))));
    if (t + dt - t0 >= IMU_CHUNK_MS && i < n - 1) yield emit(false);
  }
  yield emit(true);
}
