/**
 * Heart rate from activity files (TCX, GPX): one reading per track point that carries one, at the
 * point's time. The elements are matched by namespace URI and local name (xml.ts), never by prefix.
 * Times are UTC (both formats write xsd:dateTime in UTC, with a `Z`). A point without a heart
 * rate is a GPS-only point, not heart-rate data: nothing is yielded for it. A point whose time
 * repeats the previous one (Garmin's smart recording writes such points) or goes back, or whose
 * heart rate is 0 or not physiological, is a bad item with the reason: two readings at one time
 * cannot both be in a record.
 */
import { InputError } from "./input-error.js";
import { parseTime } from "./timestamps.js";
import type { ReaderItem } from "./types.js";
import { badItem, bpmProblem, fileStem, playerIdFor, TimeOrder, type WearableReadSettings } from "./wearable-common.js";
import { readXml } from "./xml.js";

/** An element: any of these namespace URIs, and this local name. */
export interface XmlName {
  readonly uris: readonly string[];
  readonly local: string;
}

export interface ActivityFormat {
  /** In words, for errors: "a Garmin TCX file". */
  readonly what: string;
  readonly root: XmlName;
  readonly point: XmlName;
  /** The point's time: a child of the point. */
  readonly time: XmlName;
  /** True when the element path inside the point (from its child down) holds the heart rate as text. */
  readonly isHeartRate: (path: readonly { uri: string; local: string }[]) => boolean;
  readonly deviceKind: string;
}

export const matches = (n: XmlName, e: { uri: string; local: string }) => e.local === n.local && n.uris.includes(e.uri);

export async function* readActivityHeartRate(
  path: string,
  f: ActivityFormat,
  s: WearableReadSettings,
): AsyncGenerator<ReaderItem> {
  const deviceId = fileStem(path);
  const playerId = playerIdFor(s, deviceId);
  const order = new TimeOrder();
  let rootSeen = false;
  /** Elements open inside the current point; null when outside a point. */
  let inside: { uri: string; local: string }[] | null = null;
  let pointLine = 0;
  let time = "";
  let hr: string | null = null;
  for await (const e of readXml(path, f.what)) {
    if (!rootSeen) {
      if (e.kind !== "open") continue;
      if (!matches(f.root, e))
        throw new InputError(
          path,
          e.line - 1,
          `not ${f.what}: the root element is <${e.local}> in namespace '${e.uri}', expected <${f.root.local}> in ${f.root.uris.join(" or ")}`,
          `pass ${f.what}`,
        );
      rootSeen = true;
      continue;
    }
    if (inside === null) {
      if (e.kind === "open" && matches(f.point, e)) {
        inside = [];
        pointLine = e.line;
        time = "";
        hr = null;
      }
      continue;
    }
    if (e.kind === "open") {
      inside.push({ uri: e.uri, local: e.local });
      if (f.isHeartRate(inside)) hr = "";
    } else if (e.kind === "text") {
      if (inside.length === 1 && matches(f.time, inside[0]!)) time += e.text;
      else if (hr !== null && f.isHeartRate(inside)) hr += e.text;
    } else if (inside.length > 0) inside.pop();
    else {
      // The point closes.
      inside = null;
      // A GPS-only point holds no heart-rate sample: nothing to yield.
      if (hr === null) continue;
      const ref = `${path}:${pointLine}`;
      const payload = `<${f.point.local}> time=${time.trim()} hr=${hr.trim()}`;
      const t = parseTime(time, "UTC");
      if (!t.ok) {
        yield badItem(ref, time.trim() === "" ? `the ${f.point.local} has no ${f.time.local}` : t.reason, payload);
        continue;
      }
      const bpm = hr.trim() === "" ? Number.NaN : Number(hr);
      const problem = bpmProblem(bpm) ?? order.check("hr", t.t);
      if (problem) {
        yield badItem(ref, problem, payload);
        continue;
      }
      yield { kind: "wearable", sample: { channel: "hr", t: t.t, playerId, deviceId, deviceKind: f.deviceKind, bpm } };
    }
  }
}
