import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ecefToGeodetic,
  geodeticToEcef,
  pitchFrameFromCorners,
  readPitchCorners,
  WGS84_A,
  WGS84_F,
} from "../../producers/readers/pitch-corners.js";
import { cornersCsv, type KnownPitch, knownToLonLat, PITCH_30 } from "../helpers/gnss.js";

const dir = mkdtempSync(join(tmpdir(), "sideline-corners-"));
const file = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const cornersOf = (p: KnownPitch) =>
  [
    [0, 0],
    [p.lengthM, 0],
    [p.lengthM, p.widthM],
    [0, p.widthM],
  ].map(([x, y]) => knownToLonLat(p, x!, y!));

/** Millimetres of a projected point from where it should be. */
const offMm = (got: { x: number; y: number }, x: number, y: number) => Math.hypot(got.x - x, got.y - y) * 1000;

describe("WGS-84 ECEF", () => {
  it("puts the equator at the semi-major axis and the pole at the semi-minor axis (NIMA TR8350.2 Table 3.1/3.3)", () => {
    const [x, y, z] = geodeticToEcef(0, 0);
    expect([x, y, z]).toEqual([WGS84_A, 0, 0]);
    const pole = geodeticToEcef(90, 0);
    expect(pole[2]).toBeCloseTo(WGS84_A * (1 - WGS84_F), 6); // b = 6,356,752.314245 m
    expect(pole[2]).toBeCloseTo(6_356_752.314245, 5);
  });

  it("inverts geodetic -> ECEF to the micrometre, height included", () => {
    for (const [lat, lon, h] of [
      [41.72, -9.12, 0],
      [-33.9, 151.2, 120],
      [69.65, 18.96, 10],
    ] as const) {
      const g = ecefToGeodetic(geodeticToEcef(lat, lon, h));
      expect(Math.abs(g.lat - lat) * 111_000).toBeLessThan(1e-6);
      expect(Math.abs(g.lon - lon) * 111_000).toBeLessThan(1e-6);
      expect(Math.abs(g.h - h)).toBeLessThan(1e-6);
    }
  });
});

describe("pitchFrameFromCorners", () => {
  it("measures a 105 x 68 m pitch turned 30 degrees to the centimetre, with right angles", () => {
    const f = pitchFrameFromCorners(cornersOf(PITCH_30));
    expect(Math.abs(f.dimensions.lengthM - 105)).toBeLessThan(0.01);
    expect(Math.abs(f.dimensions.widthM - 68)).toBeLessThan(0.01);
    for (const a of f.cornerAnglesDeg) expect(Math.abs(a - 90)).toBeLessThan(0.01);
  });

  it("puts known points at their pitch coordinates (< 1 cm), whatever the corners' order", () => {
    const known = [
      [52.5, 34], // centre spot
      [11, 34], // penalty spot
      [105, 68],
      [0, 68],
      [-5, -3], // off the pitch
      [110, 71],
    ] as const;
    for (const order of [
      [0, 1, 2, 3],
      [2, 0, 3, 1],
      [3, 2, 1, 0],
    ]) {
      const corners = cornersOf(PITCH_30);
      const f = pitchFrameFromCorners(order.map((i) => corners[i]!));
      for (const [x, y] of known) {
        const ll = knownToLonLat(PITCH_30, x, y);
        expect(offMm(f.toPitch(ll.lon, ll.lat), x, y)).toBeLessThan(10);
      }
    }
  });

  it("round-trips pitch metres -> longitude/latitude -> pitch metres (< 1 cm; in fact < 1 um)", () => {
    const f = pitchFrameFromCorners(cornersOf(PITCH_30));
    for (let x = -15; x <= 120; x += 13.5)
      for (let y = -15; y <= 83; y += 9.8) {
        const ll = f.toLonLat(x, y);
        expect(offMm(f.toPitch(ll.lon, ll.lat), x, y)).toBeLessThan(0.001);
      }
  });

  it("takes the origin at the corner from which a long side runs most eastward", () => {
    // Turned 120 degrees, the generated x axis runs west-north-west: the east-running long side starts at (105, 68).
    const p: KnownPitch = { ...PITCH_30, rotationDeg: 120 };
    const f = pitchFrameFromCorners(cornersOf(p));
    const ll = knownToLonLat(p, 20, 10);
    expect(offMm(f.toPitch(ll.lon, ll.lat), 105 - 20, 68 - 10)).toBeLessThan(10);
    // A pitch drawn width-first (the long side north-south) is still measured along its long side.
    const tall: KnownPitch = { lengthM: 60, widthM: 100, rotationDeg: 0, origin: { lon: 18.96, lat: 69.65 } };
    const t = pitchFrameFromCorners(cornersOf(tall));
    expect(Math.abs(t.dimensions.lengthM - 100)).toBeLessThan(0.01);
    expect(Math.abs(t.dimensions.widthM - 60)).toBeLessThan(0.01);
  });

  it("fails when the corners are not a near-rectangle or not a pitch's size", () => {
    const c = cornersOf(PITCH_30);
    const kite = [...c];
    kite[2] = knownToLonLat(PITCH_30, 105, 80);
    expect(() => pitchFrameFromCorners(kite)).toThrow(/the corners are not a rectangle: the angle at corner \d is /);
    const trapezium = [...c];
    trapezium[2] = knownToLonLat(PITCH_30, 105, 64.5);
    trapezium[1] = knownToLonLat(PITCH_30, 105, 3.5);
    expect(() => pitchFrameFromCorners(trapezium)).toThrow(/not a rectangle/);
    const tiny = cornersOf({ ...PITCH_30, lengthM: 8, widthM: 5 });
    expect(() => pitchFrameFromCorners(tiny)).toThrow(/shorter than 10 m: two corners are \(nearly\) the same point/);
    const huge = cornersOf({ ...PITCH_30, lengthM: 300, widthM: 200 });
    expect(() => pitchFrameFromCorners(huge)).toThrow(/longer than any pitch \(130 m\)/);
    expect(() => pitchFrameFromCorners(c.slice(0, 3))).toThrow("a pitch has 4 corners, got 3");
  });
});

describe("readPitchCorners", () => {
  it("reads the corners file, columns in either order", async () => {
    const f = await readPitchCorners(file("corners.csv", cornersCsv(PITCH_30, [3, 1, 0, 2])));
    expect(Math.abs(f.dimensions.lengthM - 105)).toBeLessThan(0.01);
    const swapped = cornersCsv(PITCH_30)
      .split("\n")
      .map((l) => l.split(",").reverse().join(","))
      .join("\n");
    const g = await readPitchCorners(file("latlon.csv", swapped));
    expect(Math.abs(g.dimensions.widthM - 68)).toBeLessThan(0.01);
  });

  it.each([
    [
      "a wrong header",
      "lon,lat\n1,2\n",
      /at line 1: not a corners file: line 1 should name the columns longitude and latitude/,
    ],
    [
      "a bad number",
      "longitude,latitude\n-9.12,41.7\n-9.11,abc\n",
      /after line 2: line 3: latitude 'abc' is not a number from -90 to 90/,
    ],
    [
      "an impossible longitude",
      "longitude,latitude\n190,41.7\n",
      /line 2: longitude '190' is not a number from -180 to 180/,
    ],
    ["three corners", "longitude,latitude\n-9.12,41.7\n-9.11,41.7\n-9.11,41.71\n", /it holds 3 corners, not 4/],
    ["an empty file", "", /cannot read '.*empty.csv': empty file/],
  ])("fails with the file and line on %s", async (_what, text, message) => {
    const name = _what === "an empty file" ? "empty.csv" : `${_what.replace(/ /g, "-")}.csv`;
    await expect(readPitchCorners(file(name, text))).rejects.toThrow(message);
  });

  it("fails on a fifth corner and on corners that are not a rectangle, naming the lines", async () => {
    const five = `${cornersCsv(PITCH_30)}-9.1,41.7\n`;
    await expect(readPitchCorners(file("five.csv", five))).rejects.toThrow(/line 6 is a fifth corner/);
    const lines = cornersCsv(PITCH_30).split("\n");
    const ll = knownToLonLat(PITCH_30, 105, 80);
    lines[3] = `${ll.lon},${ll.lat}`; // the (105, 68) corner moved 12 m out: line 4
    await expect(readPitchCorners(file("kite.csv", lines.join("\n")))).rejects.toThrow(
      /the corners are not a rectangle: the angle at corner on line \d is [\d.]+ degrees, more than 5 from 90 \(sides /,
    );
  });
});
