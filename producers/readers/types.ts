/** What readers produce: tracking samples in Sideline's pitch frame, whole stream records (any modality), or bad lines with the reason. */
export interface TrackingSample {
  /** Epoch milliseconds. */
  readonly t: number;
  readonly playerId: string;
  readonly team?: string | undefined;
  readonly entity: "player" | "ball";
  /** Metres in Sideline's pitch frame (see contracts/pitch.ts). */
  readonly x: number;
  readonly y: number;
  readonly period?: number | undefined;
}

/**
 * One wearable reading at the device's native rate (producers/wearable-chunker.ts groups them into
 * `sideline.wearable.v1` records per player and device): an IMU sample or a heart-rate reading.
 */
export type WearableSample = WearableImuSample | WearableHrSample;

interface WearableSampleBase {
  /** Epoch milliseconds. */
  readonly t: number;
  readonly playerId: string;
  readonly team?: string | undefined;
  /** The device (serial number, or the file it came from). */
  readonly deviceId: string;
  /** What the device is, e.g. catapult-s6, movesense, garmin-hr. */
  readonly deviceKind: string;
}

export interface WearableImuSample extends WearableSampleBase {
  readonly channel: "imu";
  /** The device's sample rate, Hz (nominal, or measured from its timestamps by the reader). */
  readonly rateHz: number;
  /** The device axis that points up when worn. */
  readonly verticalAxis: "x" | "y" | "z";
  /** Accelerometer full scale, g, when the file says. */
  readonly rangeG?: number | undefined;
  /** Acceleration, g, device axes. */
  readonly ax: number;
  readonly ay: number;
  readonly az: number;
  /** Angular velocity, deg/s, when the device has a gyroscope. */
  readonly gx?: number | undefined;
  readonly gy?: number | undefined;
  readonly gz?: number | undefined;
  /** The vendor's PlayerLoad for this sample, when the export carries one. */
  readonly vendorPlayerLoad?: number | undefined;
}

export interface WearableHrSample extends WearableSampleBase {
  readonly channel: "hr";
  readonly bpm: number;
}

export type ReaderItem =
  | { readonly kind: "sample"; readonly sample: TrackingSample }
  /** Tracking samples of consecutive lines, in file order: readers that parse a block of lines at once. */
  | { readonly kind: "samples"; readonly samples: readonly TrackingSample[] }
  | { readonly kind: "wearable"; readonly sample: WearableSample }
  /** A record of the format's modality, already validated against its contract (e.g. sideline.pose.v1). */
  | { readonly kind: "record"; readonly record: unknown }
  | {
      readonly kind: "bad";
      /** `file:line` */
      readonly ref: string;
      readonly reason: string;
      readonly payload: string;
      /** Samples the bad line would have held (a wide row holds many). */
      readonly samples: number;
    };
