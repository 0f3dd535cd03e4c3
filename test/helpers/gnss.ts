/**
 * GNSS fixtures built from a known pitch: a rectangle of known size, turned by a known angle and
 * placed at a known point, converted to longitude/latitude with the ellipsoid's radii of curvature
 * (a first-order formula, independent of producers/readers/pitch-corners.ts; over a 125 m pitch it
 * departs from the exact tangent plane by ~2 mm).
 */
import { EXCEL_SERIAL_UNIX_EPOCH } from "../../producers/readers/catapult-gnss.js";

/** WGS-84 (NIMA TR8350.2, Table 3.1), written out again here on purpose. */
const A = 6_378_137;
const E2 = (1 / 298.257223563) * (2 - 1 / 298.257223563);
const RAD = Math.PI / 180;

export interface KnownPitch {
  readonly lengthM: number;
  readonly widthM: number;
  /** Counter-clockwise angle of the pitch's x axis from east, degrees. */
  readonly rotationDeg: number;
  /** Where the pitch's (0, 0) corner lies. */
  readonly origin: { readonly lon: number; readonly lat: number };
}

/** 105 x 68 m, turned 30 degrees, near Portugal's north coast (where the U18 data was recorded). */
export const PITCH_30: KnownPitch = { lengthM: 105, widthM: 68, rotationDeg: 30, origin: { lon: -9.12, lat: 41.7 } };

/** Pitch metres of the known pitch -> longitude and latitude (degrees). */
export function knownToLonLat(p: KnownPitch, x: number, y: number): { lon: number; lat: number } {
  const c = Math.cos(p.rotationDeg * RAD);
  const s = Math.sin(p.rotationDeg * RAD);
  const east = x * c - y * s;
  const north = x * s + y * c;
  const phi = p.origin.lat * RAD;
  const w = 1 - E2 * Math.sin(phi) ** 2;
  const meridian = (A * (1 - E2)) / w ** 1.5; // M, the meridian radius of curvature
  const primeVertical = A / Math.sqrt(w); // N
  return {
    lat: p.origin.lat + north / meridian / RAD,
    lon: p.origin.lon + east / (primeVertical * Math.cos(phi)) / RAD,
  };
}

/** The corners file of a known pitch, corners in the order given (indices into (0,0), (L,0), (L,W), (0,W)). */
export function cornersCsv(p: KnownPitch, order: readonly number[] = [0, 1, 2, 3]): string {
  const pts = [
    [0, 0],
    [p.lengthM, 0],
    [p.lengthM, p.widthM],
    [0, p.widthM],
  ] as const;
  const lines = order.map((i) => {
    const ll = knownToLonLat(p, pts[i]![0], pts[i]![1]);
    return `${ll.lon},${ll.lat}`;
  });
  return `longitude,latitude\n${lines.join("\n")}\n`;
}

/** An Excel serial day number for a wall-clock time (ms since the epoch, read as UTC), as the export writes it. */
export const excelSerial = (wallMs: number): number => wallMs / 86_400_000 + EXCEL_SERIAL_UNIX_EPOCH;

/** One line of a Catapult GNSS export at pitch metres (x, y), wall-clock time `wallMs`. */
export function gnssLine(p: KnownPitch, wallMs: number, x: number, y: number): string {
  const ll = knownToLonLat(p, x, y);
  return `${excelSerial(wallMs)},${ll.lon},${ll.lat}`;
}

export const GNSS_HEADER = "Timestamp, Longitude, Latitude";
