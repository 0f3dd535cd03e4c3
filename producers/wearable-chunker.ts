/**
 * Groups wearable samples into `sideline.wearable.v1` records, one stream of records per (player,
 * device), numbered by `seq` from 0. A record is emitted when it spans `chunkMs`, when the channel
 * a sample joins already holds MAX_SAMPLES_PER_WEARABLE_CHUNK samples, when the IMU's rate,
 * vertical axis or range changes (a record states one of each), or when the vendor's PlayerLoad
 * comes or goes (below); `finish` emits every device's last
 * record with `final: true`. A record is only closed when the next sample arrives, so that record
 * holds at least that sample. Memory is bounded by devices x one record.
 *
 * Readers quarantine samples whose time does not increase within a channel (readers/wearable-common.ts
 * TimeOrder). The chunker checks it again, with every value the record constrains, so it never emits
 * a record the contract rejects: such a sample is returned as `rejected` (with the reason) and left out.
 *
 * Vendor PlayerLoad: the record's `vendor_player_load` is one value per IMU sample or absent (it has
 * no place for a missing value), so a record holds either samples that all carry it or samples that
 * all lack it, and a sample that changes which (a Catapult row with an NA PlayerLoad, or the first
 * row after it) starts a new record, as a rate change does. Nothing is dropped, and the windows can
 * tell a window where every sample carried the vendor's value from one where some did not
 * (core/wearables/wearable-windows.ts). The cost is a short record per change, only on exports with
 * missing values. The gyroscope, which no feature reads yet, is still kept only when every sample of
 * the record has it.
 */
import {
  MAX_SAMPLES_PER_WEARABLE_CHUNK,
  WEARABLE_CHUNK_MS,
  WEARABLE_SCHEMA_V1,
  type WearableChunk,
} from "../lambdas/contracts/records/wearable.js";
import type { WearableHrSample, WearableImuSample, WearableSample } from "./readers/types.js";
import { bpmProblem, MAX_ID_CHARS, rateProblem } from "./readers/wearable-common.js";

/**
 * Accelerations travel to 0.01 mg and angular rates to 0.001 deg/s: below the least significant bit
 * of any wearable IMU (a 16-bit accelerometer at +-2 g resolves 0.06 mg; a gyroscope at +-125 deg/s,
 * 3.8 mdeg/s), so no information is lost, while a reader's unit conversion (m/s^2 / 9.80665) would
 * otherwise send 17 digits a value: records a third the size, and one held record fits the key's
 * DynamoDB item (lambdas/contracts/modalities.ts, reorderLimitRecords).
 */
export const ACC_RESOLUTION_G = 1e-5;
export const GYRO_RESOLUTION_DPS = 1e-3;
/** Rounds to a power-of-ten step, dividing by its inverse so that the double is the decimal's nearest and prints short. */
const roundTo = (v: number, step: number) => Math.round(v / step) / Math.round(1 / step);

/** Longest kinds and teams the record accepts (records/wearable.ts); ids: MAX_ID_CHARS. */
const MAX_KIND_CHARS = 64;
const MAX_TEAM_CHARS = 64;

interface OpenImu {
  readonly rateHz: number;
  readonly verticalAxis: "x" | "y" | "z";
  readonly rangeG: number | undefined;
  t: number[];
  ax: number[];
  ay: number[];
  az: number[];
  /** Null once a sample of the chunk came without a gyroscope reading. */
  g: { x: number[]; y: number[]; z: number[] } | null;
  /** Null when the chunk's samples came without the vendor's PlayerLoad: all of them or none (module doc). */
  readonly load: number[] | null;
}

interface Open {
  readonly playerId: string;
  readonly deviceId: string;
  readonly deviceKind: string;
  team: string | undefined;
  seq: number;
  /** The chunk's first sample time. */
  t0: number;
  imu: OpenImu | null;
  hr: { t: number[]; bpm: number[] } | null;
  /** Last accepted time per channel, across chunks. */
  lastImu: number;
  lastHr: number;
}

/** What adding a sample did: the record it completed, if any, and why it was left out, if it was. */
export interface WearableAdd {
  readonly chunk: WearableChunk | null;
  readonly rejected: string | null;
}

const NONE: WearableAdd = { chunk: null, rejected: null };

export class WearableChunker {
  private readonly open = new Map<string, Open>();

  constructor(
    readonly sessionId: string,
    readonly chunkMs: number = WEARABLE_CHUNK_MS,
  ) {
    if (!sessionId) throw new Error("session id is empty: pass the match or session id");
    if (!(chunkMs > 0)) throw new Error(`chunk length must be positive, got ${chunkMs} ms`);
  }

  /** Adds one sample; returns the record it completed, if any, or why the sample was left out. */
  add(s: WearableSample): WearableAdd {
    const problem = sampleProblem(s);
    if (problem) return { chunk: null, rejected: problem };
    const key = `${s.playerId}\u0000${s.deviceId}`;
    let o = this.open.get(key);
    if (!o) {
      o = {
        playerId: s.playerId,
        deviceId: s.deviceId,
        deviceKind: s.deviceKind,
        team: s.team,
        seq: 0,
        t0: s.t,
        imu: null,
        hr: null,
        lastImu: Number.NEGATIVE_INFINITY,
        lastHr: Number.NEGATIVE_INFINITY,
      };
      this.open.set(key, o);
    }
    const last = s.channel === "imu" ? o.lastImu : o.lastHr;
    if (!(s.t > last))
      return {
        chunk: null,
        rejected: `${s.channel} time ${new Date(s.t).toISOString()} does not follow the device's previous ${s.channel} sample`,
      };
    let done: WearableChunk | null = null;
    if (!isEmpty(o) && this.closes(o, s)) done = this.emit(o, false);
    if (isEmpty(o)) o.t0 = s.t;
    if (s.team !== undefined) o.team = s.team;
    if (s.channel === "imu") this.addImu(o, s);
    else this.addHr(o, s);
    return done ? { chunk: done, rejected: null } : NONE;
  }

  /** Emits every device's remaining samples as its final record. */
  finish(): WearableChunk[] {
    const out = [...this.open.values()].map((o) => this.emit(o, true));
    this.open.clear();
    return out;
  }

  /** True when `s` cannot join the open chunk. */
  private closes(o: Open, s: WearableSample): boolean {
    if (s.t - o.t0 >= this.chunkMs) return true;
    if (s.channel === "hr") return (o.hr?.t.length ?? 0) >= MAX_SAMPLES_PER_WEARABLE_CHUNK;
    const imu = o.imu;
    if (!imu) return false;
    return (
      imu.t.length >= MAX_SAMPLES_PER_WEARABLE_CHUNK ||
      imu.rateHz !== s.rateHz ||
      imu.verticalAxis !== s.verticalAxis ||
      imu.rangeG !== s.rangeG ||
      (imu.load !== null) !== (s.vendorPlayerLoad !== undefined)
    );
  }

  private addImu(o: Open, s: WearableImuSample): void {
    if (!o.imu) {
      o.imu = {
        rateHz: s.rateHz,
        verticalAxis: s.verticalAxis,
        rangeG: s.rangeG,
        t: [],
        ax: [],
        ay: [],
        az: [],
        g: { x: [], y: [], z: [] },
        load: s.vendorPlayerLoad !== undefined ? [] : null,
      };
    }
    const imu = o.imu;
    imu.t.push(s.t - o.t0);
    imu.ax.push(roundTo(s.ax, ACC_RESOLUTION_G));
    imu.ay.push(roundTo(s.ay, ACC_RESOLUTION_G));
    imu.az.push(roundTo(s.az, ACC_RESOLUTION_G));
    if (imu.g && s.gx !== undefined && s.gy !== undefined && s.gz !== undefined) {
      imu.g.x.push(roundTo(s.gx, GYRO_RESOLUTION_DPS));
      imu.g.y.push(roundTo(s.gy, GYRO_RESOLUTION_DPS));
      imu.g.z.push(roundTo(s.gz, GYRO_RESOLUTION_DPS));
    } else imu.g = null;
    // Present exactly when the record's load is (closes() saw to it).
    if (s.vendorPlayerLoad !== undefined) imu.load?.push(s.vendorPlayerLoad);
    o.lastImu = s.t;
  }

  private addHr(o: Open, s: WearableHrSample): void {
    if (!o.hr) o.hr = { t: [], bpm: [] };
    o.hr.t.push(s.t - o.t0);
    o.hr.bpm.push(s.bpm);
    o.lastHr = s.t;
  }

  private emit(o: Open, final: boolean): WearableChunk {
    const imu = o.imu;
    const c: WearableChunk = {
      schema: WEARABLE_SCHEMA_V1,
      session_id: this.sessionId,
      player_id: o.playerId,
      ...(o.team !== undefined ? { team: o.team } : {}),
      device_id: o.deviceId,
      device_kind: o.deviceKind,
      seq: o.seq++,
      t0: o.t0,
      ...(imu
        ? {
            imu: {
              rate_hz: imu.rateHz,
              vertical_axis: imu.verticalAxis,
              ...(imu.rangeG !== undefined ? { range_g: imu.rangeG } : {}),
              t: imu.t,
              ax: imu.ax,
              ay: imu.ay,
              az: imu.az,
              ...(imu.g ? { gx: imu.g.x, gy: imu.g.y, gz: imu.g.z } : {}),
              ...(imu.load ? { vendor_player_load: imu.load } : {}),
            },
          }
        : {}),
      ...(o.hr ? { hr: o.hr } : {}),
      ...(final ? { final: true } : {}),
    };
    o.imu = null;
    o.hr = null;
    return c;
  }
}

const isEmpty = (o: Open) => o.imu === null && o.hr === null;

/** Why a sample cannot travel in a `sideline.wearable.v1` record, or null. */
function sampleProblem(s: WearableSample): string | null {
  if (!Number.isFinite(s.t)) return "time is not a number";
  if (!s.playerId || s.playerId.length > MAX_ID_CHARS) return `player id must be 1-${MAX_ID_CHARS} characters`;
  if (!s.deviceId || s.deviceId.length > MAX_ID_CHARS) return `device id must be 1-${MAX_ID_CHARS} characters`;
  if (!s.deviceKind || s.deviceKind.length > MAX_KIND_CHARS)
    return `device kind must be 1-${MAX_KIND_CHARS} characters`;
  if (s.team !== undefined && s.team.length > MAX_TEAM_CHARS)
    return `team must be at most ${MAX_TEAM_CHARS} characters`;
  if (s.channel === "hr") return bpmProblem(s.bpm);
  const rate = rateProblem(s.rateHz);
  if (rate) return rate;
  if (s.rangeG !== undefined && !(s.rangeG > 0)) return `accelerometer range ${s.rangeG} g is not positive`;
  const values = [s.ax, s.ay, s.az, s.gx, s.gy, s.gz, s.vendorPlayerLoad];
  if (values.some((v) => v !== undefined && !Number.isFinite(v))) return "an IMU value is not a finite number";
  return null;
}
