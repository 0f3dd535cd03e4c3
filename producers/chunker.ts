/**
 * Groups samples into `sideline.tracking.v1` chunks, one stream of chunks per player, numbered by
 * `seq`. A chunk is emitted when it spans `chunkMs`, holds MAX_SAMPLES_PER_CHUNK samples, or the
 * period changes; `finish` emits every player's last chunk with `final: true`. Memory is bounded
 * by players x one chunk, so a whole match is never held in memory.
 */
import { DEFAULT_PITCH, type PitchDimensions } from "../lambdas/contracts/pitch.js";
import {
  DEFAULT_CHUNK_MS,
  MAX_SAMPLES_PER_CHUNK,
  TRACKING_SCHEMA_V1,
  type TrackingChunk,
  toWireUnits,
} from "../lambdas/contracts/records/tracking.js";
import type { TrackingSample } from "./readers/types.js";

interface Open {
  team: string | undefined;
  entity: "player" | "ball";
  period: number | undefined;
  seq: number;
  t0: number;
  t: number[];
  x: number[];
  y: number[];
}

export class Chunker {
  private readonly open = new Map<string, Open>();
  private readonly pitch: { length_m: number; width_m: number } | undefined;

  constructor(
    readonly matchId: string,
    readonly chunkMs: number = DEFAULT_CHUNK_MS,
    pitch: PitchDimensions = DEFAULT_PITCH,
  ) {
    if (!matchId) throw new Error("match id is empty");
    if (!(chunkMs > 0)) throw new Error(`chunk length must be positive, got ${chunkMs} ms`);
    this.pitch =
      pitch.lengthM === DEFAULT_PITCH.lengthM && pitch.widthM === DEFAULT_PITCH.widthM
        ? undefined
        : { length_m: pitch.lengthM, width_m: pitch.widthM };
  }

  /** Adds one sample; returns the chunk it completed, if any. */
  add(s: TrackingSample): TrackingChunk | null {
    let o = this.open.get(s.playerId);
    let done: TrackingChunk | null = null;
    if (
      o &&
      o.t.length > 0 &&
      (s.t - o.t0 >= this.chunkMs || o.t.length >= MAX_SAMPLES_PER_CHUNK || s.period !== o.period)
    ) {
      done = this.emit(s.playerId, o, false);
    }
    if (!o) {
      o = { team: s.team, entity: s.entity, period: s.period, seq: 0, t0: s.t, t: [], x: [], y: [] };
      this.open.set(s.playerId, o);
    }
    if (o.t.length === 0) {
      o.t0 = s.t;
      o.period = s.period;
    }
    o.t.push(s.t - o.t0);
    o.x.push(toWireUnits(s.x));
    o.y.push(toWireUnits(s.y));
    if (s.team !== undefined) o.team = s.team;
    return done;
  }

  /** Emits the remaining samples of every player, each as a final chunk. */
  finish(): TrackingChunk[] {
    const out: TrackingChunk[] = [];
    for (const [id, o] of this.open) out.push(this.emit(id, o, true));
    this.open.clear();
    return out;
  }

  private emit(playerId: string, o: Open, final: boolean): TrackingChunk {
    const c: TrackingChunk = {
      schema: TRACKING_SCHEMA_V1,
      match_id: this.matchId,
      player_id: playerId,
      ...(o.team !== undefined ? { team: o.team } : {}),
      entity: o.entity,
      seq: o.seq++,
      ...(o.period !== undefined ? { period: o.period } : {}),
      t0: o.t0,
      t: o.t,
      x_mm: o.x,
      y_mm: o.y,
      ...(this.pitch ? { pitch: this.pitch } : {}),
      ...(final ? { final: true } : {}),
    };
    o.t = [];
    o.x = [];
    o.y = [];
    return c;
  }
}
