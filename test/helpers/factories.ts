/**
 * Test factories: synthetic trajectories with known kinematics, stream chunks and genuine
 * `KinesisStreamRecord`s. Every number a test asserts is derived from the trajectory it built.
 */
import type { KinesisStreamRecord } from "aws-lambda";
import { DEFAULT_PITCH } from "../../lambdas/contracts/pitch.js";
import { partitionKeyFor, TRACKING_SCHEMA_V1, type TrackingChunk } from "../../lambdas/contracts/records/tracking.js";
import type { AnyTable, ColumnType, Row } from "../../lambdas/contracts/tables/index.js";
import { DUPLICATE, newSequencer, type SequencerState, sequence } from "../../lambdas/core/stream/sequencer.js";
import {
  applyChunk,
  type ChunkInput,
  type ChunkResult,
  newPlayerState,
  type PlayerState,
} from "../../lambdas/core/tracking/player-features.js";

export const T0 = Date.parse("2026-05-16T15:00:00Z");

export interface Trajectory {
  readonly t: number[];
  readonly x: number[];
  readonly y: number[];
}

/**
 * Samples every `dtMs` for `durationMs`, moving along +x with speed `speed(tSeconds)` (m/s),
 * positions integrated exactly (trapezoid on a fine grid).
 */
export function straightRun(opts: {
  durationMs: number;
  dtMs?: number;
  speed: (tS: number) => number;
  x0?: number;
  y0?: number;
  startMs?: number;
}): Trajectory {
  const dt = opts.dtMs ?? 40;
  const out: Trajectory = { t: [], x: [], y: [] };
  let x = opts.x0 ?? 10;
  let prevT = 0;
  for (let ms = 0; ms < opts.durationMs; ms += dt) {
    if (ms > 0) {
      const steps = 20;
      for (let k = 0; k < steps; k++) {
        const a = (prevT + (k * dt) / steps) / 1000;
        const b = (prevT + ((k + 1) * dt) / steps) / 1000;
        x += ((opts.speed(a) + opts.speed(b)) / 2) * (b - a);
      }
    }
    prevT = ms;
    out.t.push((opts.startMs ?? T0) + ms);
    out.x.push(x);
    out.y.push(opts.y0 ?? 34);
  }
  return out;
}

export function concat(...parts: Trajectory[]): Trajectory {
  return { t: parts.flatMap((p) => p.t), x: parts.flatMap((p) => p.x), y: parts.flatMap((p) => p.y) };
}

/**
 * A long straight test track: straight runs at constant speed for a minute leave a football pitch,
 * so kinematics tests declare a 1 km x 68 m "pitch".
 */
export const TEST_TRACK = { lengthM: 1000, widthM: 68 };

/** An engine chunk with the seq its record would carry. */
export type SeqChunk = ChunkInput & { readonly seq: number };

/** Splits a trajectory into engine chunks of `size` samples (metres, no wire rounding). */
export function engineChunks(
  tr: Trajectory,
  size: number,
  opts: { final?: boolean; pitch?: { lengthM: number; widthM: number } } = {},
): SeqChunk[] {
  const out: SeqChunk[] = [];
  for (let i = 0, seq = 0; i < tr.t.length; i += size, seq++) {
    const t0 = tr.t[i]!;
    const last = i + size >= tr.t.length;
    out.push({
      seq,
      t0,
      t: tr.t.slice(i, i + size).map((t) => t - t0),
      x: tr.x.slice(i, i + size),
      y: tr.y.slice(i, i + size),
      final: last && opts.final !== false,
      pitch: opts.pitch ?? DEFAULT_PITCH,
    });
  }
  return out;
}

/** Splits a trajectory into wire chunks (`sideline.tracking.v1`, millimetres). */
export function wireChunks(
  tr: Trajectory,
  size: number,
  ids: { matchId?: string; playerId?: string; team?: string } = {},
): TrackingChunk[] {
  return engineChunks(tr, size).map((c) => ({
    schema: TRACKING_SCHEMA_V1,
    match_id: ids.matchId ?? "m1",
    player_id: ids.playerId ?? "p1",
    team: ids.team ?? "home",
    entity: "player",
    seq: c.seq,
    t0: c.t0,
    t: Array.from(c.t),
    x_mm: Array.from(c.x, (v) => Math.round(v * 1000)),
    y_mm: Array.from(c.y, (v) => Math.round(v * 1000)),
    ...(c.final ? { final: true } : {}),
  }));
}

/** A player's stream state as the runtime keeps it: the seq sequencer and the feature engine's state. */
export interface SequencedPlayer {
  seq: SequencerState<SeqChunk>;
  player: PlayerState;
}

export const sequencedPlayer = (windowMs: number): SequencedPlayer => ({
  seq: newSequencer(),
  player: newPlayerState(windowMs),
});

/** What the stream runtime does with one chunk: sequence it, then apply what can go, in order. */
export function ingest(
  s: SequencedPlayer,
  c: SeqChunk,
): Omit<ChunkResult, "accepted" | "completed"> & { duplicate: boolean; missingChunks: number } {
  const out = {
    closed: [] as ChunkResult["closed"][number][],
    rejected: [] as ChunkResult["rejected"][number][],
    fatigue: [] as ChunkResult["fatigue"][number][],
  };
  const missing = sequence(s.seq, c.seq, c, (chunk) => {
    const a = applyChunk(s.player, chunk);
    out.closed.push(...a.closed);
    out.rejected.push(...a.rejected);
    out.fatigue.push(...a.fatigue);
  });
  return { duplicate: missing === DUPLICATE, missingChunks: Math.max(0, missing), ...out };
}

let kinesisSeq = 49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_898n;

/** A genuine Kinesis event record carrying `data` (an object is JSON-encoded, a string sent as is). */
export function kinesisRecordFactory(
  data: unknown,
  opts: { partitionKey?: string; shardId?: string } = {},
): KinesisStreamRecord {
  const text = typeof data === "string" ? data : JSON.stringify(data);
  const chunk = data as Partial<TrackingChunk>;
  const seq = (kinesisSeq++).toString();
  const shard = opts.shardId ?? "shardId-000000000000";
  return {
    kinesis: {
      kinesisSchemaVersion: "1.0",
      partitionKey:
        opts.partitionKey ??
        (typeof data === "object" && chunk.match_id && chunk.player_id
          ? partitionKeyFor(chunk.match_id, chunk.player_id)
          : "m1/p1"),
      sequenceNumber: seq,
      data: Buffer.from(text, "utf8").toString("base64"),
      approximateArrivalTimestamp: 1_779_000_000,
    },
    eventSource: "aws:kinesis",
    eventVersion: "1.0",
    eventID: `${shard}:${seq}`,
    eventName: "aws:kinesis:record",
    invokeIdentityArn: "arn:aws:iam::123456789012:role/test",
    awsRegion: "eu-west-1",
    eventSourceARN: "arn:aws:kinesis:eu-west-1:123456789012:stream/sideline-tracking",
  };
}

/** A minimal Lambda context. */
export const lambdaContext = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: "tracking-features",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:tracking-features",
  memoryLimitInMB: "1024",
  awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
  logGroupName: "/aws/lambda/tracking-features",
  logStreamName: "test",
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

/** Deterministic Fisher-Yates shuffle (Park-Miller PRNG), for reorder tests. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let r = (seed % 2147483646) + 1;
  for (let i = out.length - 1; i > 0; i--) {
    r = (r * 16807) % 2147483647;
    const j = r % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Keeps insight pictures in memory, keyed as the handler stores them. */
export class MemoryVisualStore {
  readonly pictures = new Map<string, string>();
  urlFor(key: string): string {
    return `memory://${key}`;
  }
  async put(key: string, svg: string): Promise<void> {
    this.pictures.set(key, svg);
  }
}

/** An explanation with one metric and one window, valid against the contract (version 2). */
export const explanationFactory = (at: string) => ({
  version: 2 as const,
  rule: "test rule",
  evidence: { f: { unit: "m", value: 1, baseline: 2, threshold: 1.5, contribution: 1 } },
  trigger_windows: [{ window_start: at, window_end: at, metrics: { hi_distance_m: 1, tracked_s: 60 } }],
  baseline: { first_start: at, last_end: at, count: 1, metrics: { tracked_s: 60, hi_distance_m: 1 } },
});

/** A `Player Fatigue Suspected` detail for `player` at `observedAt`. */
export const fatigueDetailFactory = (insightId: string, player: string, observedAt: string) => ({
  schema_version: 2 as const,
  insight_id: insightId,
  match_id: "m1",
  player_id: player,
  team: "home",
  observed_at: observedAt,
  summary: `${player} ran less`,
  explanation: explanationFactory(observedAt),
  visual_url: `file:///tmp/${insightId}.svg`,
});

/** A `Scouting Candidate Matched` detail for `player`. */
export const scoutingDetailFactory = (insightId: string, player: string) => ({
  ...fatigueDetailFactory(insightId, player, "2026-05-16T16:45:00.000Z"),
  summary: `${player} scored 0.9`,
  need_id: "pressing-forward",
  need_version: 1,
  role: "pressing forward",
  score: 0.9,
  threshold: 0.85,
  minutes_observed: 90,
  confidence: 0.5,
});

/**
 * A valid row of any table, every column set from its type: timestamps to `at`, json to a small
 * object's text, bigint to the largest integer a JavaScript number holds exactly (2^53 - 1).
 */
export function tableRowFactory(table: AnyTable, at: Date): Row {
  const value: Record<ColumnType, Row[string]> = {
    string: "s",
    int: 7,
    bigint: Number.MAX_SAFE_INTEGER,
    double: 1.5,
    boolean: true,
    timestamp: at,
    json: '{"a":[1,2]}',
  };
  return Object.fromEntries(table.columns.map((c) => [c.name, value[c.type]]));
}
