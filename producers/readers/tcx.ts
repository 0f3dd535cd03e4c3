/**
 * Garmin Training Center XML (TCX v2): heart rate from each `Trackpoint`'s `Time` and
 * `HeartRateBpm/Value`, all in the TrainingCenterDatabase v2 namespace, matched by its URI (a file
 * may bind it to any prefix; Garmin Connect writes its extensions under `ns3:`). Speed, position
 * and cadence are not read here. See activity-hr.ts for time, gaps and bad points.
 */
import { type ActivityFormat, readActivityHeartRate } from "./activity-hr.js";
import type { ReaderItem } from "./types.js";
import type { WearableReadSettings } from "./wearable-common.js";

/** The TCX v2 namespace (Garmin, TrainingCenterDatabasev2.xsd). */
export const TCX_NAMESPACE = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2";
export const GARMIN_DEVICE_KIND = "garmin";

const tcd = (local: string) => ({ uris: [TCX_NAMESPACE], local });

export const TCX: ActivityFormat = {
  what: "a Garmin TCX file (TrainingCenterDatabase v2)",
  root: tcd("TrainingCenterDatabase"),
  point: tcd("Trackpoint"),
  time: tcd("Time"),
  isHeartRate: (p) =>
    p.length === 2 &&
    p[0]!.local === "HeartRateBpm" &&
    p[1]!.local === "Value" &&
    p.every((e) => e.uri === TCX_NAMESPACE),
  deviceKind: GARMIN_DEVICE_KIND,
};

export const readTcx = (path: string, s: WearableReadSettings = {}): AsyncGenerator<ReaderItem> =>
  readActivityHeartRate(path, TCX, s);
