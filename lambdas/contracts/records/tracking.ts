/**
 * The tracking record on the stream: `sideline.tracking.v1`.
 *
 * Granularity: one record is a chunk of consecutive samples of ONE entity (player or ball),
 * columnar, with times as millisecond offsets from `t0`. Why a per-player chunk rather than a
 * frame of all players:
 * - the partition key is `match_id/player_id`, so one player's samples stay ordered on one shard
 *   and his feature state is owned by exactly one consumer; shards scale with players, not frames;
 * - a 1 s chunk at 25 Hz is about 0.7 KB: far below the 1 MiB record limit, and 23 entities
 *   make 23 records/s per match, far below the 1,000 records/s and 1 MiB/s a shard takes
 *   (Kinesis Data Streams quotas), so one shard carries many live matches;
 * - columnar arrays of integers are what JSON.stringify and JSON.parse handle fastest, so
 *   coordinates travel as integer millimetres (as TRACAB sends integer centimetres): 1 mm is far
 *   below any tracking system's error, and the handler stays near the JSON ceiling (`npm run bench`);
 * - `seq` numbers a player's chunks from 0, so producer retries and redelivered batches are
 *   recognised as duplicates and never double-counted.
 */
import "../zod-locale.js";
import * as z from "zod/mini";
import { DEFAULT_PITCH, type PitchDimensions } from "../pitch.js";
import type { RecordContract } from "./record.js";

export const TRACKING_SCHEMA_V1 = "sideline.tracking.v1";

/** Largest number of samples in one chunk: 40 s at 25 Hz, about 30 KB of JSON, well under 1 MiB. */
export const MAX_SAMPLES_PER_CHUNK = 1000;

/** Default chunk span for producers: 1 s keeps end-to-end latency low for live matches. */
export const DEFAULT_CHUNK_MS = 1000;

/** Longest match_id and player_id (a database key's length; Kinesis partition keys take 256 characters), and team. */
const MAX_ID_LENGTH = 128;
const MAX_TEAM_LENGTH = 64;

const finite = z.number(); // zod 4 numbers are finite

/**
 * An array of at most MAX_SAMPLES_PER_CHUNK numbers passing `test`, checked in one pass: zod's
 * per-element checks cost more than the whole feature computation (see `npm run bench`).
 */
const numberArray = (test: (v: unknown) => boolean, what: string) =>
  z.custom<number[]>(
    (v) => Array.isArray(v) && v.length <= MAX_SAMPLES_PER_CHUNK && v.every(test),
    `expected an array of at most ${MAX_SAMPLES_PER_CHUNK} ${what}`,
  );
const isFiniteNumber = (v: unknown) => typeof v === "number" && Number.isFinite(v);

export const trackingChunkSchema = z
  .object({
    schema: z.literal(TRACKING_SCHEMA_V1),
    match_id: z.string().check(z.minLength(1), z.maxLength(MAX_ID_LENGTH)),
    player_id: z.string().check(z.minLength(1), z.maxLength(MAX_ID_LENGTH)),
    team: z.optional(z.string().check(z.maxLength(MAX_TEAM_LENGTH))),
    entity: z._default(z.enum(["player", "ball"]), "player"),
    /** 0-based, contiguous per (match_id, player_id); duplicates have seq <= the last one seen. */
    seq: z.int().check(z.nonnegative()),
    /** Match period (1, 2, extra time...). Kinematics never bridge a change of period. */
    period: z.optional(z.int().check(z.positive())),
    /** Epoch milliseconds of the first sample. */
    t0: finite,
    /** Offsets from t0 in ms, one per sample. */
    t: numberArray(isFiniteNumber, "finite numbers"),
    /** Sideline pitch frame (contracts/pitch.ts), integer millimetres. */
    x_mm: numberArray(Number.isInteger, "integers"),
    y_mm: numberArray(Number.isInteger, "integers"),
    pitch: z.optional(z.object({ length_m: z.number().check(z.positive()), width_m: z.number().check(z.positive()) })),
    /** True on the last chunk of this entity in the match: open windows are closed. */
    final: z.optional(z.boolean()),
  })
  .check(
    z.superRefine((c, ctx) => {
      if (c.x_mm.length !== c.t.length || c.y_mm.length !== c.t.length) {
        ctx.addIssue({
          code: "custom",
          message: `t, x_mm and y_mm must have the same length (got ${c.t.length}, ${c.x_mm.length}, ${c.y_mm.length})`,
        });
      }
    }),
  );

export type TrackingChunk = z.infer<typeof trackingChunkSchema>;

export function chunkPitch(chunk: TrackingChunk): PitchDimensions {
  return chunk.pitch ? { lengthM: chunk.pitch.length_m, widthM: chunk.pitch.width_m } : DEFAULT_PITCH;
}

/** The Kinesis partition key: keeps one player's chunks ordered on one shard. */
export function partitionKeyFor(matchId: string, playerId: string): string {
  return `${matchId}/${playerId}`;
}

/** Metres per coordinate unit on the wire. */
export const WIRE_METRES_PER_UNIT = 0.001;

/** Metres -> the integer millimetres the record carries. */
export const toWireUnits = (metres: number): number => Math.round(metres / WIRE_METRES_PER_UNIT);

export function encodeChunk(chunk: TrackingChunk): Buffer {
  return Buffer.from(JSON.stringify(chunk), "utf8");
}

const isId = (v: unknown): v is string => typeof v === "string" && v.length >= 1 && v.length <= MAX_ID_LENGTH;
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);

function finiteArray(v: unknown): v is number[] {
  if (!Array.isArray(v) || v.length > MAX_SAMPLES_PER_CHUNK) return false;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== "number" || !Number.isFinite(x)) return false;
  }
  return true;
}

function integerArray(v: unknown, length: number): v is number[] {
  if (!Array.isArray(v) || v.length !== length) return false;
  for (let i = 0; i < length; i++) if (!Number.isInteger(v[i])) return false;
  return true;
}

/**
 * The schema's check and output, by hand, for records it plainly accepts: one pass over the
 * arrays and no allocation but the output object, where zod costs about a fifth of the handler
 * (`npm run bench`). It answers `undefined` for anything it is not sure of, and zod then decides
 * and words the reason: so it accepts a subset of what zod accepts, and gives the same record (the
 * same keys, in the same order, unknown keys dropped, `entity` defaulted). test/unit/tracking-fast-parse.test.ts
 * holds the two together.
 */
export function fastParseTrackingChunk(json: unknown): TrackingChunk | undefined {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  const o = json as Record<string, unknown>;
  if (o.schema !== TRACKING_SCHEMA_V1 || !isId(o.match_id) || !isId(o.player_id)) return undefined;
  const { team, entity, seq, period, t0, t, x_mm, y_mm, pitch, final } = o;
  if (team !== undefined && !(typeof team === "string" && team.length <= MAX_TEAM_LENGTH)) return undefined;
  if (entity !== undefined && entity !== "player" && entity !== "ball") return undefined;
  if (!isCount(seq) || seq < 0) return undefined;
  if (period !== undefined && !(isCount(period) && period > 0)) return undefined;
  if (typeof t0 !== "number" || !Number.isFinite(t0)) return undefined;
  if (!finiteArray(t) || !integerArray(x_mm, t.length) || !integerArray(y_mm, t.length)) return undefined;
  let dims: { length_m: number; width_m: number } | undefined;
  if (pitch !== undefined) {
    if (typeof pitch !== "object" || pitch === null || Array.isArray(pitch)) return undefined;
    const { length_m, width_m } = pitch as Record<string, unknown>;
    if (!(typeof length_m === "number" && length_m > 0 && Number.isFinite(length_m))) return undefined;
    if (!(typeof width_m === "number" && width_m > 0 && Number.isFinite(width_m))) return undefined;
    dims = { length_m, width_m };
  }
  if (final !== undefined && typeof final !== "boolean") return undefined;
  const c: { -readonly [K in keyof TrackingChunk]: TrackingChunk[K] } = {
    schema: TRACKING_SCHEMA_V1,
    match_id: o.match_id,
    player_id: o.player_id,
  } as TrackingChunk;
  if (team !== undefined) c.team = team;
  c.entity = entity ?? "player";
  c.seq = seq;
  if (period !== undefined) c.period = period;
  c.t0 = t0;
  c.t = t;
  c.x_mm = x_mm;
  c.y_mm = y_mm;
  if (dims !== undefined) c.pitch = dims;
  if (final !== undefined) c.final = final;
  return c;
}

/** The tracking record contract the stream runtime reads (see record.ts). */
export const TRACKING_RECORD: RecordContract<TrackingChunk> = {
  schema: TRACKING_SCHEMA_V1,
  parse(json) {
    const fast = fastParseTrackingChunk(json);
    if (fast !== undefined) return { ok: true, record: fast };
    const r = trackingChunkSchema.safeParse(json);
    if (r.success) return { ok: true, record: r.data };
    const issue = r.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "record";
    return { ok: false, reason: `wrong schema: ${where}: ${issue?.message ?? "invalid"}` };
  },
  samples: (c) => c.t.length,
  salvage(json) {
    const o = (typeof json === "object" && json !== null ? json : {}) as Record<string, unknown>;
    return {
      samples: Array.isArray(o.t) ? o.t.length : 0,
      matchId: typeof o.match_id === "string" ? o.match_id : null,
    };
  },
  identity: (c) => ({ partitionKey: partitionKeyFor(c.match_id, c.player_id), seq: c.seq, matchId: c.match_id }),
  encode: encodeChunk,
};
