/**
 * A seeded synthetic match for the demo: 22 players and the ball at 25 Hz, two halves with a
 * 15-minute break, sides switched at half time. Each player alternates bouts of standing, walking,
 * jogging, running, high-speed running and sprinting, with time shares taken from elite match
 * analyses, turning and accelerating within human limits. Some players tire in the second half:
 * their high-intensity bouts become rarer, as in Mohr, Krustrup & Bangsbo (2003).
 *
 * The output is plain tracking samples: the pipeline measures the match as it would a real one.
 */
import { DEFAULT_PITCH } from "../../lambdas/contracts/pitch.js";
import { TRACKING_SCHEMA_V1, type TrackingChunk, toWireUnits } from "../../lambdas/contracts/records/tracking.js";
import type { ReaderItem } from "../../producers/readers/types.js";
import {
  ACTIVITIES,
  type Activity,
  type ActivitySpec,
  clamp,
  DEFAULT_KICKOFF_MS,
  DEMO_HZ,
  DEMO_POSITION_NOISE_M,
  type DemoMatchOptions,
  type DemoPlayer,
  FORMATION,
  HALF_TIME_BREAK_MS,
  HIGH_INTENSITY,
  MAX_ACCEL_MPS2,
  MAX_DECEL_MPS2,
  type Mover,
  SPEED_TAU_S,
  seededRandom,
  TIRING,
} from "./squad.js";

export { DEFAULT_KICKOFF_MS, DEMO_HZ, type DemoMatchOptions, type DemoPlayer, seededRandom } from "./squad.js";

/** A whole match, when no length is given. */
export const DEFAULT_DEMO_MINUTES = 90;

export class DemoMatch {
  readonly players: readonly DemoPlayer[];
  readonly matchId: string;
  readonly kickoffMs: number;
  readonly minutes: number;
  private readonly rnd: () => number;
  private readonly movers: Mover[];

  constructor(options: DemoMatchOptions = {}) {
    const seed = options.seed ?? 7;
    this.minutes = options.minutes ?? DEFAULT_DEMO_MINUTES;
    if (!(this.minutes > 0 && this.minutes <= 150))
      throw new Error(`--minutes must be in (0, 150], got ${this.minutes}`);
    this.kickoffMs = options.kickoffMs ?? DEFAULT_KICKOFF_MS;
    this.matchId = options.matchId ?? `demo-${seed}`;
    this.rnd = seededRandom(seed);
    const r = this.rnd;
    const L = DEFAULT_PITCH.lengthM;
    const W = DEFAULT_PITCH.widthM;
    this.movers = (["home", "away"] as const).flatMap((team) =>
      FORMATION.map(([fx, fy], i) => {
        const info: DemoPlayer = {
          playerId: `${team}_${i + 1}`,
          team,
          goalkeeper: i === 0,
          tires: TIRING[team].includes(i),
        };
        const ax = (team === "home" ? fx : 1 - fx) * L;
        const ay = fy * W;
        return {
          info,
          anchor: [ax, ay] as const,
          workRate: 0.9 + 0.18 * r(),
          hiFactor: 0.85 + 0.35 * r(),
          topSpeed: 8.4 + 1.1 * r(),
          x: ax,
          y: ay,
          heading: r() * 2 * Math.PI,
          speed: 0,
          activity: "stand" as Activity,
          targetSpeed: 0,
          remainingS: 0,
          tx: ax,
          ty: ay,
        };
      }),
    );
    this.players = this.movers.map((m) => m.info);
  }

  /** Fatigue multiplier on high-intensity bouts: 1 until 65% of the match, then down to 0.2 over 5 min. */
  private fatigue(m: Mover, playedMs: number): number {
    if (!m.info.tires) return 1;
    const onset = 0.65 * this.minutes * 60_000;
    if (playedMs < onset) return 1;
    return Math.max(0.2, 1 - (0.8 * (playedMs - onset)) / 300_000);
  }

  private nextBout(m: Mover, playedMs: number, half: 1 | 2): void {
    const r = this.rnd;
    const f = this.fatigue(m, playedMs);
    const entries = Object.entries(ACTIVITIES) as [Activity, ActivitySpec][];
    const weights = entries.map(([k, a]) => {
      const share = m.info.goalkeeper ? a.gkShare : a.share;
      const hi = HIGH_INTENSITY.includes(k) ? m.hiFactor * f : 1;
      return (share * hi) / ((a.durationS[0] + a.durationS[1]) / 2);
    });
    const total = weights.reduce((s, w) => s + w, 0);
    let pick = r() * total;
    let i = 0;
    while (i < weights.length - 1 && pick >= weights[i]!) pick -= weights[i++]!;
    const [kind, spec] = entries[i]!;
    m.activity = kind;
    m.remainingS = spec.durationS[0] + r() * (spec.durationS[1] - spec.durationS[0]);
    const base =
      kind === "sprint"
        ? m.topSpeed * (0.9 + 0.1 * r()) /* sprints are run at 90-100% of top speed */
        : spec.speed[0] + r() * (spec.speed[1] - spec.speed[0]);
    m.targetSpeed = kind === "walk" || kind === "jog" ? base * m.workRate : base;
    this.pickTarget(m, half);
  }

  private pickTarget(m: Mover, half: 1 | 2): void {
    const r = this.rnd;
    const L = DEFAULT_PITCH.lengthM;
    const W = DEFAULT_PITCH.widthM;
    const ax = half === 1 ? m.anchor[0] : L - m.anchor[0];
    const reach = m.info.goalkeeper ? 8 : m.activity === "sprint" || m.activity === "hsr" ? 30 : 18;
    m.tx = clamp(ax + (r() * 2 - 1) * reach, 2, L - 2);
    m.ty = clamp(m.anchor[1] + (r() * 2 - 1) * reach * 0.8, 2, W - 2);
  }

  private step(m: Mover, dtS: number, playedMs: number, half: 1 | 2): void {
    m.remainingS -= dtS;
    if (m.remainingS <= 0) this.nextBout(m, playedMs, half);
    let dx = m.tx - m.x;
    let dy = m.ty - m.y;
    if (Math.hypot(dx, dy) < 2) {
      this.pickTarget(m, half);
      dx = m.tx - m.x;
      dy = m.ty - m.y;
    }
    const want = Math.atan2(dy, dx);
    let turn = want - m.heading;
    while (turn > Math.PI) turn -= 2 * Math.PI;
    while (turn < -Math.PI) turn += 2 * Math.PI;
    const maxTurn = (m.speed > 5 ? 1.2 : m.speed > 2.5 ? 2.5 : 4) * dtS;
    m.heading += clamp(turn, -maxTurn, maxTurn);
    if (m.heading > Math.PI) m.heading -= 2 * Math.PI;
    else if (m.heading < -Math.PI) m.heading += 2 * Math.PI;
    const a = clamp((m.targetSpeed - m.speed) / SPEED_TAU_S, -MAX_DECEL_MPS2, MAX_ACCEL_MPS2);
    m.speed = Math.max(0, m.speed + a * dtS);
    m.x = clamp(m.x + Math.cos(m.heading) * m.speed * dtS, 0.5, DEFAULT_PITCH.lengthM - 0.5);
    m.y = clamp(m.y + Math.sin(m.heading) * m.speed * dtS, 0.5, DEFAULT_PITCH.widthM - 0.5);
  }

  private spare: number | null = null;

  /** Standard normal deviate (Box-Muller, both outputs used). */
  private gauss(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(Math.max(this.rnd(), 1e-12)));
    const a = 2 * Math.PI * this.rnd();
    this.spare = r * Math.sin(a);
    return r * Math.cos(a);
  }

  /**
   * Every frame in order, as (entity index, t, x, y, period) calls: the players, then the ball
   * (index = players.length). The ball follows the player in possession, passing every few seconds.
   */
  private *frames(visit: (entity: number, t: number, x: number, y: number, period: number) => void): Generator<void> {
    const frameMs = 1000 / DEMO_HZ;
    const halfMs = (this.minutes * 60_000) / 2;
    const framesPerHalf = Math.round(halfMs / frameMs);
    const ballIndex = this.movers.length;
    let carrier = this.movers[9]!;
    let bx = DEFAULT_PITCH.lengthM / 2;
    let by = DEFAULT_PITCH.widthM / 2;
    let nextPassS = 0;
    for (const half of [1, 2] as const) {
      const halfStart = this.kickoffMs + (half - 1) * (halfMs + HALF_TIME_BREAK_MS);
      for (const m of this.movers) {
        m.x = half === 1 ? m.anchor[0] : DEFAULT_PITCH.lengthM - m.anchor[0];
        m.y = m.anchor[1];
        m.speed = 0;
        m.remainingS = 0;
      }
      for (let f = 0; f < framesPerHalf; f++) {
        const t = halfStart + Math.round(f * frameMs);
        const playedMs = (half - 1) * halfMs + f * frameMs;
        for (let i = 0; i < this.movers.length; i++) {
          const m = this.movers[i]!;
          if (f > 0) this.step(m, frameMs / 1000, playedMs, half);
          visit(i, t, m.x + DEMO_POSITION_NOISE_M * this.gauss(), m.y + DEMO_POSITION_NOISE_M * this.gauss(), half);
        }
        nextPassS -= frameMs / 1000;
        if (nextPassS <= 0) {
          carrier = this.movers[Math.floor(this.rnd() * this.movers.length)]!;
          nextPassS = 2 + 4 * this.rnd();
        }
        bx += (carrier.x - bx) * 0.25;
        by += (carrier.y - by) * 0.25;
        visit(ballIndex, t, bx, by, half);
        if (f % DEMO_HZ === DEMO_HZ - 1) yield; // hand over what one second of play produced
      }
    }
  }

  /** Samples in frame order, one object each (for tests and small matches). */
  *samples(): Generator<ReaderItem> {
    const out: ReaderItem[] = [];
    const frames = this.frames((e, t, x, y, period) => {
      const m = this.movers[e];
      out.push({
        kind: "sample",
        sample: m
          ? { t, playerId: m.info.playerId, team: m.info.team, entity: "player", x, y, period }
          : { t, playerId: "ball", entity: "ball", x, y, period },
      });
    });
    for (const _ of frames) yield* out.splice(0);
    yield* out.splice(0);
  }

  /**
   * The same samples as `samples()`, built straight into `sideline.tracking.v1` chunks of `chunkMs`
   * per entity (what the Chunker would make of them), without an object per sample.
   */
  *chunks(chunkMs: number): Generator<TrackingChunk> {
    const ids = [...this.movers.map((m) => m.info.playerId), "ball"];
    const open = ids.map(() => ({
      seq: 0,
      t0: 0,
      period: 1,
      t: [] as number[],
      x: [] as number[],
      y: [] as number[],
    }));
    const ready: TrackingChunk[] = [];
    const emit = (e: number, final: boolean) => {
      const o = open[e]!;
      const m = this.movers[e];
      ready.push({
        schema: TRACKING_SCHEMA_V1,
        match_id: this.matchId,
        player_id: ids[e]!,
        ...(m ? { team: m.info.team } : {}),
        entity: m ? "player" : "ball",
        seq: o.seq++,
        period: o.period,
        t0: o.t0,
        t: o.t,
        x_mm: o.x,
        y_mm: o.y,
        ...(final ? { final: true } : {}),
      });
      o.t = [];
      o.x = [];
      o.y = [];
    };
    const frames = this.frames((e, t, x, y, period) => {
      const o = open[e]!;
      if (o.t.length > 0 && (t - o.t0 >= chunkMs || period !== o.period)) emit(e, false);
      if (o.t.length === 0) {
        o.t0 = t;
        o.period = period;
      }
      o.t.push(t - o.t0);
      o.x.push(toWireUnits(x));
      o.y.push(toWireUnits(y));
    });
    for (const _ of frames) yield* ready.splice(0);
    for (let e = 0; e < ids.length; e++) emit(e, true);
    yield* ready.splice(0);
  }
}

/**
 * The demo match's chunks as a produce source, built from plain options: what a produce worker
 * calls to generate the match off the main thread (local/pipeline.ts GeneratedSource). The match is
 * seeded, so the worker's chunks are the ones `new DemoMatch(options).chunks(chunkMs)` gives here.
 */
export function demoMatchChunks(options: DemoMatchOptions, chunkMs: number): { chunks: Iterable<TrackingChunk> } {
  return { chunks: new DemoMatch(options).chunks(chunkMs) };
}

/** The module and export a GeneratedSource names to generate the demo match (demoMatchChunks). */
export const demoMatchSource = (options: DemoMatchOptions, chunkMs: number) => ({
  generate: { url: import.meta.url, name: "demoMatchChunks", args: [options, chunkMs] },
  // 22 players and the ball at 25 Hz.
  samples: 23 * DEMO_HZ * 60 * (options.minutes ?? DEFAULT_DEMO_MINUTES),
});
