/**
 * Movesense IMU JSON, as the Movesense apps log a `Meas/IMU6` subscription:
 * `{"data":[{"imu":{"Timestamp":ms,"ArrayAcc":[{x,y,z},...],"ArrayGyro":[{x,y,z},...]}}, ...]}`.
 * Accelerations are m/s² (converted to g with standard gravity), angular velocity deg/s. Each
 * packet holds several samples (4 at 52 Hz, a packet every ~77 ms).
 *
 * Time: `Timestamp` is the sensor's own millisecond clock (since it powered on, not epoch time) and
 * is the time of the packet's first sample (Movesense API, meas/imu.yaml: "Local timestamp of first
 * measurement"). A packet's samples are spread from it at the rate measured from the timestamps of
 * the first RATE_PACKETS packets (samples over time, jitter averaged, gaps left out): the files in
 * ../shared measure 52.1 Hz for the nominal 52 Hz. The epoch time of the first packet is
 * `--start`; without it, the file's modification time is taken as the time of its last packet
 * (movesenseStartNote says so, for the command line to print).
 *
 * The file is streamed an element at a time (json-array.ts), never read whole. A packet that is
 * not an IMU packet, or whose Timestamp does not increase, is a bad item (`file:packet N`) holding
 * its samples.
 */
import { stat } from "node:fs/promises";
import { InputError, WHOLE_FILE } from "./input-error.js";
import { jsonArrayElements } from "./json-array.js";
import type { ReaderItem } from "./types.js";
import {
  badItem,
  fileStem,
  measureRateHz,
  playerIdFor,
  rateProblem,
  STANDARD_GRAVITY_MPS2,
  type WearableReadSettings,
} from "./wearable-common.js";

/**
 * The axis that points up when the sensor is worn: y. In both recordings in ../shared (sensor on the
 * chest or trunk, upright) y averages +9.5 and +9.9 m/s² (gravity) while x and z stay near 0.
 */
export const MOVESENSE_VERTICAL_AXIS = "y";
export const MOVESENSE_DEVICE_KIND = "movesense";
/** Packets the rate is measured over: 256 packets is ~20 s at 52 Hz, enough to average 1 ms jitter to 0.1 Hz. */
export const MOVESENSE_RATE_PACKETS = 256;
/**
 * Sample times are kept to 1/1024 ms (about a microsecond; the spread gives fractions of a
 * millisecond): a binary fraction, so epoch times and their differences stay exact in a double.
 */
const TIME_STEPS_PER_MS = 1024;

const WHAT = "a Movesense IMU JSON file";

interface Vec {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

interface Packet {
  readonly n: number;
  readonly timestamp: number;
  readonly acc: readonly Vec[];
  readonly gyro: readonly Vec[] | null;
  readonly text: string;
}

const isVec = (v: unknown): v is Vec =>
  typeof v === "object" &&
  v !== null &&
  ["x", "y", "z"].every((k) => Number.isFinite((v as Record<string, unknown>)[k]));

/** The packet, or why it is not one. */
function parsePacket(n: number, text: string): Packet | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return `not JSON: ${(e as Error).message}`;
  }
  const imu = (json as { imu?: unknown } | null)?.imu as Record<string, unknown> | undefined;
  if (typeof imu !== "object" || imu === null) return "the packet has no imu object";
  const ts = imu.Timestamp;
  if (typeof ts !== "number" || !Number.isFinite(ts)) return "the packet's Timestamp is not a number";
  const acc = imu.ArrayAcc;
  if (!Array.isArray(acc) || acc.length === 0 || !acc.every(isVec))
    return "ArrayAcc is not a list of {x, y, z} numbers";
  const gyro = imu.ArrayGyro;
  if (gyro !== undefined && (!Array.isArray(gyro) || gyro.length !== acc.length || !gyro.every(isVec)))
    return `ArrayGyro is not a list of ${acc.length} {x, y, z} numbers, as ArrayAcc`;
  return { n, timestamp: ts, acc, gyro: (gyro as Vec[] | undefined) ?? null, text };
}

/** Samples a bad packet seems to hold. */
function packetSamples(text: string): number {
  try {
    const acc = (JSON.parse(text) as { imu?: { ArrayAcc?: unknown } })?.imu?.ArrayAcc;
    return Array.isArray(acc) ? acc.length : 0;
  } catch {
    return 0;
  }
}

type Parsed = { readonly packet: Packet } | { readonly bad: ReaderItem };

/** The file's packets in order; a packet that is not one, or whose Timestamp does not increase, as a bad item. */
async function* packets(path: string): AsyncGenerator<Parsed> {
  let last = Number.NEGATIVE_INFINITY;
  for await (const { n, text } of jsonArrayElements(path, "data", WHAT)) {
    const p = parsePacket(n, text);
    const bad = (reason: string): Parsed => ({
      bad: badItem(`${path}:packet ${n}`, reason, text, packetSamples(text)),
    });
    if (typeof p === "string") yield bad(p);
    else if (p.timestamp <= last)
      yield bad(
        p.timestamp === last
          ? `Timestamp ${p.timestamp} repeats the previous packet's`
          : `Timestamp ${p.timestamp} goes back ${last - p.timestamp} ms before the previous packet's`,
      );
    else {
      last = p.timestamp;
      yield { packet: p };
    }
  }
}

/** Where a recording's device clock sits in epoch time. */
export interface MovesenseClock {
  /** Epoch ms of the first packet. */
  readonly startMs: number;
  /** True when taken from the file's modification time (no --start). */
  readonly assumed: boolean;
  /** From the first packet's Timestamp to the last's, ms. */
  readonly durationMs: number;
}

/** The epoch time of the file's first packet: `--start`, else its modification time minus the recording's duration. */
export async function movesenseClock(path: string, s: WearableReadSettings): Promise<MovesenseClock> {
  let first = Number.NaN;
  let last = Number.NaN;
  for await (const p of packets(path)) {
    if (!("packet" in p)) continue;
    if (Number.isNaN(first)) first = p.packet.timestamp;
    last = p.packet.timestamp;
  }
  const durationMs = Number.isNaN(first) ? 0 : last - first;
  if (s.startMs !== undefined && Number.isFinite(s.startMs)) return { startMs: s.startMs, assumed: false, durationMs };
  const mtime = (await stat(path)).mtimeMs;
  return { startMs: Math.round(mtime - durationMs), assumed: true, durationMs };
}

/**
 * A line for the command line to print when a Movesense file's start is assumed (no --start): the
 * file's modification time minus its duration. Null when --start was given.
 */
export async function movesenseStartNote(path: string, s: WearableReadSettings): Promise<string | null> {
  if (s.startMs !== undefined && Number.isFinite(s.startMs)) return null;
  const c = await movesenseClock(path, s);
  return (
    `${path}: Movesense times are the sensor's own clock; the recording (${(c.durationMs / 1000).toFixed(1)} s) ` +
    `is taken to start at ${new Date(c.startMs).toISOString()}, its file's modification time minus its length. ` +
    "Pass --start with the real start time if the file was copied or edited since."
  );
}

export async function* readMovesense(path: string, s: WearableReadSettings = {}): AsyncGenerator<ReaderItem> {
  const startMs =
    s.startMs !== undefined && Number.isFinite(s.startMs) ? s.startMs : (await movesenseClock(path, s)).startMs;
  const deviceId = fileStem(path);
  const playerId = playerIdFor(s, deviceId);
  const head: Packet[] = [];
  let rateHz = Number.NaN;
  let firstTimestamp = Number.NaN;
  let lastSample = Number.NEGATIVE_INFINITY;
  let elements = 0;

  const samples = function* (p: Packet): Generator<ReaderItem> {
    const period = 1000 / rateHz;
    const t0 = startMs + (p.timestamp - firstTimestamp);
    const at = (k: number) => Math.round((t0 + k * period) * TIME_STEPS_PER_MS) / TIME_STEPS_PER_MS;
    if (at(0) <= lastSample) {
      yield badItem(
        `${path}:packet ${p.n}`,
        `Timestamp ${p.timestamp} overlaps the previous packet's samples (spread at ${rateHz} Hz)`,
        p.text,
        p.acc.length,
      );
      return;
    }
    for (let k = 0; k < p.acc.length; k++) {
      const a = p.acc[k]!;
      const g = p.gyro?.[k];
      yield {
        kind: "wearable",
        sample: {
          channel: "imu",
          t: at(k),
          playerId,
          deviceId,
          deviceKind: MOVESENSE_DEVICE_KIND,
          rateHz,
          verticalAxis: MOVESENSE_VERTICAL_AXIS,
          ax: a.x / STANDARD_GRAVITY_MPS2,
          ay: a.y / STANDARD_GRAVITY_MPS2,
          az: a.z / STANDARD_GRAVITY_MPS2,
          ...(g ? { gx: g.x, gy: g.y, gz: g.z } : {}),
        },
      };
    }
    lastSample = at(p.acc.length - 1);
  };
  /** Measures the rate from the packets held back, then lets them go. */
  const release = function* (): Generator<ReaderItem> {
    const measured = measureRateHz(
      head.map((p) => p.timestamp),
      (i) => head[i]!.acc.length,
    );
    if (measured === null) {
      // A single packet: its samples cannot be spread without a rate.
      for (const p of head)
        yield badItem(`${path}:packet ${p.n}`, "one packet: the sample rate cannot be measured", p.text, p.acc.length);
      head.length = 0;
      return;
    }
    const problem = rateProblem(measured);
    if (problem)
      throw new InputError(
        path,
        WHOLE_FILE,
        `measured from its Timestamps, the ${problem}`,
        "check the file's Timestamps",
      );
    rateHz = measured;
    for (const p of head) yield* samples(p);
    head.length = 0;
  };

  for await (const p of packets(path)) {
    elements++;
    if ("bad" in p) {
      yield p.bad;
      continue;
    }
    if (Number.isNaN(firstTimestamp)) firstTimestamp = p.packet.timestamp;
    if (Number.isNaN(rateHz)) {
      head.push(p.packet);
      if (head.length === MOVESENSE_RATE_PACKETS) yield* release();
    } else yield* samples(p.packet);
  }
  if (head.length > 0) yield* release();
  if (elements === 0)
    throw new InputError(path, WHOLE_FILE, 'its "data" array is empty', `pass ${WHAT} with at least two packets`);
}
