/**
 * GPX 1.1 (or 1.0) with Garmin's TrackPointExtension: heart rate from each `trkpt`'s `time` and
 * `extensions/TrackPointExtension/hr`, the extension in namespace TrackPointExtension v1 or v2,
 * matched by URI (files bind it to `gpxtpx:`, `ns3:` or others). Positions are not read here
 * (they are not projected to a pitch). See activity-hr.ts for time, gaps and bad points.
 */
import { type ActivityFormat, readActivityHeartRate } from "./activity-hr.js";
import { GARMIN_DEVICE_KIND } from "./tcx.js";
import type { ReaderItem } from "./types.js";
import type { WearableReadSettings } from "./wearable-common.js";

/** GPX namespaces (topografix.com: GPX 1.1 and 1.0 schemas). */
export const GPX_NAMESPACES = ["http://www.topografix.com/GPX/1/1", "http://www.topografix.com/GPX/1/0"] as const;
/** Garmin's TrackPointExtension namespaces (TrackPointExtensionv1.xsd, TrackPointExtensionv2.xsd). */
export const TRACKPOINT_EXTENSION_NAMESPACES = [
  "http://www.garmin.com/xmlschemas/TrackPointExtension/v1",
  "http://www.garmin.com/xmlschemas/TrackPointExtension/v2",
] as const;

const gpx = (local: string) => ({ uris: GPX_NAMESPACES, local });

export const GPX: ActivityFormat = {
  what: "a GPX file (GPX 1.1 with Garmin's TrackPointExtension)",
  root: gpx("gpx"),
  point: gpx("trkpt"),
  time: gpx("time"),
  // <extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>: the hr element in the extension's namespace.
  isHeartRate: (p) => {
    const last = p.at(-1);
    return (
      last !== undefined &&
      last.local === "hr" &&
      (TRACKPOINT_EXTENSION_NAMESPACES as readonly string[]).includes(last.uri) &&
      p.at(-2)?.local === "TrackPointExtension"
    );
  },
  deviceKind: GARMIN_DEVICE_KIND,
};

export const readGpx = (path: string, s: WearableReadSettings = {}): AsyncGenerator<ReaderItem> =>
  readActivityHeartRate(path, GPX, s);
