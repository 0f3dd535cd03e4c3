/**
 * The wearable record on the stream: `sideline.wearable.v1`, one player's samples from one device
 * (a GNSS/IMU vest, an IMU pod, a heart-rate strap) over consecutive time.
 *
 * Granularity, as tracking's: one record is a chunk of one device's samples, the partition key is
 * `session_id/player_id/device_id` so one device's samples stay in order on one shard and its state
 * (the last sample, the open window) is owned by one consumer, and `seq` numbers the device's chunks
 * from 0 so duplicates and gaps are recognised.
 *
 * Channels travel at the device's native rate, never resampled: PlayerLoad depends on the sample
 * rate (Boyd et al. 2011 worked at 100 Hz; resampling 52 Hz data to 100 Hz moves it by about 10 %),
 * so the rate travels with the samples and is stored beside every value computed from them.
 * - `imu`: accelerations in g on the device's three axes (x, y, z as the device names them, with
 *   `vertical_axis` saying which one points up when worn), gyroscope in deg/s when present, and the
 *   vendor's own PlayerLoad per sample when the export carries it (Catapult's RawPlayerLoad).
 * - `hr`: heart rate in beats per minute at the times the strap reported them. A dropout is a gap in
 *   the times, never a 0.
 *
 * - `session_load`: a whole session's load measured elsewhere (a session RPE, a vest's distance
 *   from the club's own software), imported with `sideline loads`: it joins the player's history of
 *   that measure as a session of its own.
 *
 * GNSS positions are not in this record: a reader projects them to the pitch and they travel as
 * tracking samples (records/tracking.ts), so every physical metric comes from one path.
 */
import "../zod-locale.js";
import * as z from "zod/mini";
import type { RecordContract } from "./record.js";

export const WEARABLE_SCHEMA_V1 = "sideline.wearable.v1";

/** Most samples of one channel in one record: 60 s at 100 Hz, about 250 KB of JSON with gyroscope, under 1 MiB. */
export const MAX_SAMPLES_PER_WEARABLE_CHUNK = 6000;
/** Default span of a wearable chunk for producers: 30 s (a replay), well under the sample cap at 100 Hz. */
export const WEARABLE_CHUNK_MS = 30_000;
/** Highest IMU rate accepted: research IMUs log up to 1 kHz; vests 100 Hz (Catapult), pods 52-208 Hz (Movesense). */
export const MAX_IMU_RATE_HZ = 2000;
/** Heart rates outside this range are not physiological: a strap artefact (Tanaka 2001 HRmax ~ 208 - 0.7 age; resting > 25 bpm). */
export const MIN_HR_BPM = 25;
export const MAX_HR_BPM = 250;
/** Accelerometer full scale when the device does not say: vests and pods default to +-8 g (Catapult S5/S6, Movesense 8 g range). */
export const DEFAULT_ACC_RANGE_G = 8;

const isFiniteNumber = (v: unknown) => typeof v === "number" && Number.isFinite(v);
/**
 * An array of at most MAX_SAMPLES_PER_WEARABLE_CHUNK values passing `test`, checked in one pass
 * (zod's per-element checks cost more than the feature computation, as in records/tracking.ts).
 */
const arrayOf = (test: (v: unknown) => boolean, what: string) =>
  z.custom<number[]>(
    (v) => Array.isArray(v) && v.length <= MAX_SAMPLES_PER_WEARABLE_CHUNK && v.every(test),
    `expected an array of at most ${MAX_SAMPLES_PER_WEARABLE_CHUNK} ${what}`,
  );
const numbers = arrayOf(isFiniteNumber, "finite numbers");

export const imuChannelSchema = z.object({
  /** The device's sample rate, Hz: its nominal rate, or the rate the reader measured from its timestamps. */
  rate_hz: z.number().check(z.positive(), z.lte(MAX_IMU_RATE_HZ)),
  /** The device axis that points up when the device is worn (PlayerLoad 2D leaves it out). */
  vertical_axis: z.enum(["x", "y", "z"]),
  /** Accelerometer full scale, g: samples at it are flagged as clipped. @default DEFAULT_ACC_RANGE_G */
  range_g: z.optional(z.number().check(z.positive())),
  /** Offsets from the record's t0, ms, one per sample, increasing. */
  t: numbers,
  /** Acceleration, g, device axes. */
  ax: numbers,
  ay: numbers,
  az: numbers,
  /** Angular velocity, deg/s, device axes, when the device has a gyroscope. */
  gx: z.optional(numbers),
  gy: z.optional(numbers),
  gz: z.optional(numbers),
  /** The vendor's own PlayerLoad per sample (arbitrary units), when its export carries one. */
  vendor_player_load: z.optional(numbers),
});

export const hrChannelSchema = z.object({
  /** Offsets from the record's t0, ms, one per reading, increasing. */
  t: numbers,
  /** Beats per minute. */
  bpm: arrayOf(
    (v) => isFiniteNumber(v) && (v as number) >= MIN_HR_BPM && (v as number) <= MAX_HR_BPM,
    "beats per minute",
  ),
});

/** The load measures a session may be imported in (lambdas/core/load/measures.ts). */
export const IMPORTED_LOAD_MEASURES = [
  "distance_m",
  "player_load_au",
  "vendor_player_load_au",
  "trimp_edwards_au",
  "trimp_banister_au",
  "srpe_au",
] as const;

export const sessionLoadSchema = z.object({
  measure: z.enum(IMPORTED_LOAD_MEASURES),
  load: z.number().check(z.gte(0)),
  minutes: z.number().check(z.gte(0)),
  /** The CR-10 rating a session RPE load was computed from (Foster et al. 2001). */
  rpe: z.optional(z.number().check(z.gte(0), z.lte(10))),
});

export const wearableChunkSchema = z
  .object({
    schema: z.literal(WEARABLE_SCHEMA_V1),
    /** The training session or match the samples belong to. */
    session_id: z.string().check(z.minLength(1), z.maxLength(128)),
    player_id: z.string().check(z.minLength(1), z.maxLength(128)),
    team: z.optional(z.string().check(z.maxLength(64))),
    /** The device (serial number, or the file it came from). */
    device_id: z.string().check(z.minLength(1), z.maxLength(128)),
    /** What the device is, e.g. catapult-s6, movesense, garmin-hr. */
    device_kind: z.string().check(z.minLength(1), z.maxLength(64)),
    /** 0-based, contiguous per (session_id, player_id, device_id). */
    seq: z.int().check(z.nonnegative()),
    /** Epoch milliseconds the channels' offsets count from. */
    t0: z.number(),
    imu: z.optional(imuChannelSchema),
    hr: z.optional(hrChannelSchema),
    /** A whole session's load measured elsewhere; t0 is the session's start. */
    session_load: z.optional(sessionLoadSchema),
    /** True on the device's last chunk of the session: open windows are closed and the session's load is recorded. */
    final: z.optional(z.boolean()),
  })
  .check(
    z.superRefine((c, ctx) => {
      const imu = c.imu;
      if (imu) {
        const n = imu.t.length;
        for (const k of ["ax", "ay", "az", "gx", "gy", "gz", "vendor_player_load"] as const) {
          const v = imu[k];
          if (v !== undefined && v.length !== n)
            ctx.addIssue({ code: "custom", path: ["imu", k], message: `has ${v.length} values for ${n} times` });
        }
        if (!increasing(imu.t)) ctx.addIssue({ code: "custom", path: ["imu", "t"], message: "times must increase" });
      }
      if (c.hr) {
        if (c.hr.bpm.length !== c.hr.t.length)
          ctx.addIssue({
            code: "custom",
            path: ["hr", "bpm"],
            message: `has ${c.hr.bpm.length} values for ${c.hr.t.length} times`,
          });
        if (!increasing(c.hr.t)) ctx.addIssue({ code: "custom", path: ["hr", "t"], message: "times must increase" });
      }
      if (c.session_load && (imu || c.hr))
        ctx.addIssue({
          code: "custom",
          message: "a session_load travels alone: its chunk carries no imu or hr samples",
        });
      if (!imu && !c.hr && !c.session_load && !c.final)
        ctx.addIssue({
          code: "custom",
          message: "a wearable chunk needs imu or hr samples, a session_load, or final: true",
        });
    }),
  );

function increasing(t: readonly number[]): boolean {
  for (let i = 1; i < t.length; i++) if (!(t[i]! > t[i - 1]!)) return false;
  return true;
}

export type ImuChannel = z.infer<typeof imuChannelSchema>;
export type HrChannel = z.infer<typeof hrChannelSchema>;
export type SessionLoadEntry = z.infer<typeof sessionLoadSchema>;
export type WearableChunk = z.infer<typeof wearableChunkSchema>;

/** Samples a chunk holds: IMU samples plus heart-rate readings, and 1 for an imported session's load. */
export const wearableSamples = (c: Pick<WearableChunk, "imu" | "hr" | "session_load">): number =>
  (c.imu?.t.length ?? 0) + (c.hr?.t.length ?? 0) + (c.session_load ? 1 : 0);

export const WEARABLE_RECORD: RecordContract<WearableChunk> = {
  schema: WEARABLE_SCHEMA_V1,
  parse(json) {
    const r = wearableChunkSchema.safeParse(json);
    if (r.success) return { ok: true, record: r.data };
    const issue = r.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "record";
    return { ok: false, reason: `wrong schema: ${where}: ${issue?.message ?? "invalid"}` };
  },
  samples: wearableSamples,
  salvage(json) {
    const o = (typeof json === "object" && json !== null ? json : {}) as Record<string, unknown>;
    const len = (ch: unknown) => {
      const t = (typeof ch === "object" && ch !== null ? (ch as Record<string, unknown>).t : undefined) ?? [];
      return Array.isArray(t) ? t.length : 0;
    };
    return {
      samples: len(o.imu) + len(o.hr) + (o.session_load ? 1 : 0),
      matchId: typeof o.session_id === "string" ? o.session_id : null,
    };
  },
  identity: (c) => ({
    partitionKey: `${c.session_id}/${c.player_id}/${c.device_id}`,
    seq: c.seq,
    matchId: c.session_id,
  }),
  encode: (c) => Buffer.from(JSON.stringify(c), "utf8"),
};
