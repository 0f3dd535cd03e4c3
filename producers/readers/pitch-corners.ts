/**
 * A pitch surveyed as four GNSS corners (`longitude,latitude`, degrees, WGS-84), and the projection
 * of longitude/latitude into Sideline's pitch frame (lambdas/contracts/pitch.ts).
 *
 * 1. Geodetic -> ECEF on the WGS-84 ellipsoid, height 0 (the files carry no height).
 * 2. ECEF -> a local East-North-Up tangent plane at the corners' centroid (a pitch spans ~100 m:
 *    the plane departs from the ellipsoid by d^2/2R ~ 1 mm there, and positions keep far below that).
 * 3. The corners are ordered counter-clockwise around their centroid, whatever order the file has;
 *    the longer pair of opposite sides is the pitch's length. The origin is the corner from which a
 *    long side runs most eastward (so x runs west to east on a north-up map, as the pitch is drawn
 *    with its length horizontal); x follows the mean direction of the two long sides and y is x
 *    turned 90 degrees counter-clockwise, into the pitch: a right-handed frame, y up.
 *
 * Corners that do not form a near-rectangle are refused: a swapped column, a typo or a corner from
 * another pitch would otherwise bend every position without a trace.
 */
import type { PitchDimensions } from "../../lambdas/contracts/pitch.js";
import { InputError, WHOLE_FILE } from "./input-error.js";
import { looksBinary, readLines } from "./lines.js";

/** WGS-84 semi-major axis, m (NIMA TR8350.2, 3rd edition, Table 3.1). */
export const WGS84_A = 6_378_137;
/** WGS-84 flattening (NIMA TR8350.2, 3rd edition, Table 3.1). */
export const WGS84_F = 1 / 298.257223563;
/** First eccentricity squared, e^2 = f(2 - f) (NIMA TR8350.2, eq. 7-2 ff.). */
const WGS84_E2 = WGS84_F * (2 - WGS84_F);
/** Geodetic latitude iterations from ECEF: each gains ~3 orders of magnitude near the surface; 6 reach the double's limit. */
const LATITUDE_ITERATIONS = 6;

/**
 * A corner angle may be this far from 90 degrees: a corner surveyed with a 10 Hz GNSS unit (1-2 m,
 * Catapult's stated S5 accuracy) 2 m off on a 40 m side turns the angle by ~3 degrees; 5 leaves
 * room, and a kite or a swapped corner (tens of degrees) is still refused (Sideline spec).
 */
export const MAX_CORNER_ANGLE_ERROR_DEG = 5;
/** Opposite sides may differ by this share of their mean: 2 m of survey error on a 45 m side is 4.4% (Sideline spec). */
export const MAX_OPPOSITE_SIDE_DIFFERENCE = 0.05;
/** Shortest plausible side, m: small-sided game areas start around 10 m (Hill-Haas et al. 2011, Sports Med 41:199). */
export const MIN_SIDE_M = 10;
/** Longest plausible side, m: IFAB Law 1's longest touchline, 120 m, plus 10 m of run-off. */
export const MAX_SIDE_M = 130;

export interface LonLat {
  /** Degrees east. */
  readonly lon: number;
  /** Degrees north. */
  readonly lat: number;
}

export interface Enu {
  readonly e: number;
  readonly n: number;
}

type Vec3 = readonly [number, number, number];

const RAD = Math.PI / 180;

/** Geodetic (degrees, metres above the ellipsoid) -> Earth-centred, Earth-fixed metres. */
export function geodeticToEcef(lat: number, lon: number, h = 0): Vec3 {
  const phi = lat * RAD;
  const lambda = lon * RAD;
  const s = Math.sin(phi);
  const n = WGS84_A / Math.sqrt(1 - WGS84_E2 * s * s); // prime vertical radius of curvature
  const c = (n + h) * Math.cos(phi);
  return [c * Math.cos(lambda), c * Math.sin(lambda), (n * (1 - WGS84_E2) + h) * s];
}

/** ECEF metres -> geodetic latitude and longitude (degrees) and height (m), by fixed-point iteration on latitude. */
export function ecefToGeodetic([x, y, z]: Vec3): { lat: number; lon: number; h: number } {
  const p = Math.sqrt(x * x + y * y);
  let phi = Math.atan2(z, p * (1 - WGS84_E2));
  let h = 0;
  for (let i = 0; i < LATITUDE_ITERATIONS; i++) {
    const s = Math.sin(phi);
    const n = WGS84_A / Math.sqrt(1 - WGS84_E2 * s * s);
    h = p / Math.cos(phi) - n;
    phi = Math.atan2(z, p * (1 - (WGS84_E2 * n) / (n + h)));
  }
  return { lat: phi / RAD, lon: Math.atan2(y, x) / RAD, h };
}

/** A local East-North-Up tangent plane at a reference point on the ellipsoid (height 0). */
export class TangentPlane {
  private readonly origin: Vec3;
  private readonly sinLat: number;
  private readonly cosLat: number;
  private readonly sinLon: number;
  private readonly cosLon: number;

  constructor(readonly ref: LonLat) {
    this.origin = geodeticToEcef(ref.lat, ref.lon);
    this.sinLat = Math.sin(ref.lat * RAD);
    this.cosLat = Math.cos(ref.lat * RAD);
    this.sinLon = Math.sin(ref.lon * RAD);
    this.cosLon = Math.cos(ref.lon * RAD);
  }

  /** East and north metres of a point on the ellipsoid (its up component, ~d^2/2R, is dropped). */
  toEnu(lon: number, lat: number): Enu {
    const [x, y, z] = geodeticToEcef(lat, lon);
    const dx = x - this.origin[0];
    const dy = y - this.origin[1];
    const dz = z - this.origin[2];
    return {
      e: -this.sinLon * dx + this.cosLon * dy,
      n: -this.sinLat * this.cosLon * dx - this.sinLat * this.sinLon * dy + this.cosLat * dz,
    };
  }

  /** The inverse: the point of the plane (up = 0) back to longitude and latitude. */
  toLonLat(e: number, n: number): LonLat {
    const dx = -this.sinLon * e - this.sinLat * this.cosLon * n;
    const dy = this.cosLon * e - this.sinLat * this.sinLon * n;
    const dz = this.cosLat * n;
    const g = ecefToGeodetic([this.origin[0] + dx, this.origin[1] + dy, this.origin[2] + dz]);
    return { lon: g.lon, lat: g.lat };
  }
}

/** The pitch the corners describe, and the projection into its frame. */
export interface PitchFrame {
  /** Length: mean of the two long sides; width: mean of the two short sides. */
  readonly dimensions: PitchDimensions;
  /** The four sides in metres, counter-clockwise from the origin corner: long, short, long, short. */
  readonly sidesM: readonly [number, number, number, number];
  /** The interior angles in degrees at the origin corner and on counter-clockwise. */
  readonly cornerAnglesDeg: readonly [number, number, number, number];
  /** The corners as given, counter-clockwise from the origin corner. */
  readonly corners: readonly LonLat[];
  /** Longitude/latitude (degrees) -> Sideline pitch metres. */
  toPitch(lon: number, lat: number): { x: number; y: number };
  /** Sideline pitch metres -> longitude/latitude: the inverse of toPitch. */
  toLonLat(x: number, y: number): LonLat;
}

/** Why corners were refused, and which one (0-based index into the given corners) when it is about one. */
export class CornersError extends Error {
  constructor(
    message: string,
    readonly corner?: number,
  ) {
    super(message);
    this.name = "CornersError";
  }
}

const fmt = (v: number, digits = 2) => v.toFixed(digits);

/**
 * The pitch frame of four corners in any order. Throws a CornersError (what is wrong, in numbers)
 * unless they form a near-rectangle of plausible size.
 */
export function pitchFrameFromCorners(corners: readonly LonLat[], label: (i: number) => string = String): PitchFrame {
  if (corners.length !== 4) throw new CornersError(`a pitch has 4 corners, got ${corners.length}`);
  const ref: LonLat = {
    lon: corners.reduce((a, c) => a + c.lon, 0) / 4,
    lat: corners.reduce((a, c) => a + c.lat, 0) / 4,
  };
  const plane = new TangentPlane(ref);
  const enu = corners.map((c) => plane.toEnu(c.lon, c.lat));
  // Around the centroid of the plane points, counter-clockwise.
  const ce = enu.reduce((a, p) => a + p.e, 0) / 4;
  const cn = enu.reduce((a, p) => a + p.n, 0) / 4;
  let order = [0, 1, 2, 3].sort(
    (a, b) => Math.atan2(enu[a]!.n - cn, enu[a]!.e - ce) - Math.atan2(enu[b]!.n - cn, enu[b]!.e - ce),
  );
  const at = (k: number) => enu[order[((k % 4) + 4) % 4]!]!;
  const side = (k: number) => Math.hypot(at(k + 1).e - at(k).e, at(k + 1).n - at(k).n);
  for (let k = 0; k < 4; k++) {
    const len = side(k);
    const which = `the side from corner ${label(order[k]!)} to corner ${label(order[(k + 1) % 4]!)}`;
    if (len < MIN_SIDE_M)
      throw new CornersError(
        `${which} is ${fmt(len)} m, shorter than ${MIN_SIDE_M} m: two corners are (nearly) the same point`,
        order[k],
      );
    if (len > MAX_SIDE_M)
      throw new CornersError(`${which} is ${fmt(len)} m, longer than any pitch (${MAX_SIDE_M} m)`, order[k]);
  }
  // The long sides are 0 and 2 from here on.
  if (side(0) + side(2) < side(1) + side(3)) order = [order[1]!, order[2]!, order[3]!, order[0]!];
  // The origin: of the two long sides (counter-clockwise, 0 -> 1 and 2 -> 3), the one running more eastward.
  const east = (k: number) => (at(k + 1).e - at(k).e) / side(k);
  const north = (k: number) => (at(k + 1).n - at(k).n) / side(k);
  if (east(2) > east(0) || (east(2) === east(0) && north(2) > north(0)))
    order = [order[2]!, order[3]!, order[0]!, order[1]!];
  const sides = [side(0), side(1), side(2), side(3)] as const;
  const angles = [0, 1, 2, 3].map((k) => {
    const p = at(k);
    const a = at(k - 1);
    const b = at(k + 1);
    const cross = (b.e - p.e) * (a.n - p.n) - (b.n - p.n) * (a.e - p.e);
    const dot = (b.e - p.e) * (a.e - p.e) + (b.n - p.n) * (a.n - p.n);
    return Math.atan2(cross, dot) / RAD; // counter-clockwise from the next corner to the previous one
  }) as unknown as readonly [number, number, number, number];
  const described = `sides ${sides.map((s) => fmt(s)).join(", ")} m, corner angles ${angles.map((a) => fmt(a)).join(", ")} degrees`;
  for (let k = 0; k < 4; k++)
    if (Math.abs(angles[k]! - 90) > MAX_CORNER_ANGLE_ERROR_DEG)
      throw new CornersError(
        `the corners are not a rectangle: the angle at corner ${label(order[k]!)} is ${fmt(angles[k]!)} degrees, more than ${MAX_CORNER_ANGLE_ERROR_DEG} from 90 (${described})`,
        order[k],
      );
  for (const [i, j] of [
    [0, 2],
    [1, 3],
  ] as const) {
    const diff = Math.abs(sides[i] - sides[j]) / ((sides[i] + sides[j]) / 2);
    if (diff > MAX_OPPOSITE_SIDE_DIFFERENCE)
      throw new CornersError(
        `the corners are not a rectangle: opposite sides differ by ${fmt(diff * 100, 1)}%, more than ${MAX_OPPOSITE_SIDE_DIFFERENCE * 100}% (${described})`,
      );
  }
  // x: the mean direction of the two long sides (0 -> 1, and 3 -> 2); y: x turned 90 degrees counter-clockwise.
  const o = at(0);
  const de = at(1).e - o.e + (at(2).e - at(3).e);
  const dn = at(1).n - o.n + (at(2).n - at(3).n);
  const norm = Math.hypot(de, dn);
  const ux = de / norm;
  const uy = dn / norm;
  return {
    dimensions: { lengthM: (sides[0] + sides[2]) / 2, widthM: (sides[1] + sides[3]) / 2 },
    sidesM: sides,
    cornerAnglesDeg: angles,
    corners: order.map((i) => corners[i]!),
    toPitch(lon, lat) {
      const p = plane.toEnu(lon, lat);
      const e = p.e - o.e;
      const n = p.n - o.n;
      return { x: e * ux + n * uy, y: -e * uy + n * ux };
    },
    toLonLat(x, y) {
      return plane.toLonLat(o.e + x * ux - y * uy, o.n + x * uy + y * ux);
    },
  };
}

/** One line of the pitch's shape, for the run's report. */
export function describePitch(f: PitchFrame): string {
  return (
    `${fmt(f.dimensions.lengthM)} x ${fmt(f.dimensions.widthM)} m ` +
    `(sides ${f.sidesM.map((s) => fmt(s)).join(", ")} m; corner angles ${f.cornerAnglesDeg.map((a) => fmt(a)).join(", ")} degrees)`
  );
}

const CORNERS_HEADER = "longitude,latitude";

/**
 * Reads a corners file: a `longitude,latitude` header (either order, any case, spaces allowed) and
 * four corners, one per line. Every error is an InputError naming the file and the line.
 */
export async function readPitchCorners(path: string): Promise<PitchFrame> {
  let idx: { lon: number; lat: number } | null = null;
  const corners: LonLat[] = [];
  const lines: number[] = [];
  let lineNo = 0;
  const fail = (reason: string, hint: string, at = lineNo - 1) => new InputError(path, at, reason, hint);
  for await (const line of readLines(path)) {
    lineNo++;
    if (line.trim() === "") continue;
    const cells = line.split(",").map((c) => c.trim());
    if (idx === null) {
      if (looksBinary(line))
        throw fail("binary data, not a corners file", `pass a CSV file with a '${CORNERS_HEADER}' header`);
      const names = cells.map((c) => c.toLowerCase());
      const lon = names.indexOf("longitude");
      const lat = names.indexOf("latitude");
      if (lon < 0 || lat < 0)
        throw fail(
          `not a corners file: line ${lineNo} should name the columns longitude and latitude (it reads ${JSON.stringify(line.slice(0, 80))})`,
          `the first line must be '${CORNERS_HEADER}', then one corner per line`,
        );
      idx = { lon, lat };
      continue;
    }
    if (corners.length === 4)
      throw fail(`line ${lineNo} is a fifth corner`, "a corners file holds exactly the pitch's four corners");
    const lonText = cells[idx.lon] ?? "";
    const latText = cells[idx.lat] ?? "";
    const lon = Number(lonText);
    const lat = Number(latText);
    if (lonText === "" || !Number.isFinite(lon) || Math.abs(lon) > 180)
      throw fail(
        `line ${lineNo}: longitude '${lonText}' is not a number from -180 to 180`,
        "write decimal degrees, east positive",
      );
    if (latText === "" || !Number.isFinite(lat) || Math.abs(lat) > 90)
      throw fail(
        `line ${lineNo}: latitude '${latText}' is not a number from -90 to 90`,
        "write decimal degrees, north positive",
      );
    corners.push({ lon, lat });
    lines.push(lineNo);
  }
  if (idx === null) throw fail("empty file", `a corners file starts with a '${CORNERS_HEADER}' header`, WHOLE_FILE);
  if (corners.length !== 4)
    throw fail(`it holds ${corners.length} corners, not 4`, "list the pitch's four corners, one per line", lineNo);
  try {
    return pitchFrameFromCorners(corners, (i) => `on line ${lines[i]}`);
  } catch (e) {
    if (!(e instanceof CornersError)) throw e;
    throw fail(e.message, "check the corners: the four corners of one rectangular pitch, in decimal degrees", lineNo);
  }
}
