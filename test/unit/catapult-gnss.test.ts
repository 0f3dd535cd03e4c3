import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { excelSerialToWallMs, readCatapultGnss } from "../../producers/readers/catapult-gnss.js";
import { READERS } from "../../producers/readers/index.js";
import { fileStem } from "../../producers/readers/lines.js";
import { pitchFrameFromCorners } from "../../producers/readers/pitch-corners.js";
import type { ReaderItem, TrackingSample } from "../../producers/readers/types.js";
import { cornersCsv, excelSerial, GNSS_HEADER, gnssLine, knownToLonLat, PITCH_30 } from "../helpers/gnss.js";

const dir = mkdtempSync(join(tmpdir(), "sideline-gnss-"));
const frame = pitchFrameFromCorners(
  [
    [0, 0],
    [105, 0],
    [105, 68],
    [0, 68],
  ].map(([x, y]) => knownToLonLat(PITCH_30, x!, y!)),
);
const write = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, name.endsWith(".gz") ? gzipSync(text) : text);
  return f;
};
async function read(path: string, timeZone = "Europe/Lisbon", playerId?: string): Promise<ReaderItem[]> {
  const out: ReaderItem[] = [];
  for await (const i of readCatapultGnss(path, { timeZone, playerId, frame })) out.push(i);
  return out;
}
const samples = (items: ReaderItem[]) =>
  items.filter((i): i is Extract<ReaderItem, { kind: "sample" }> => i.kind === "sample").map((i) => i.sample);
const bads = (items: ReaderItem[]) =>
  items.filter((i): i is Extract<ReaderItem, { kind: "bad" }> => i.kind === "bad").map((i) => [i.ref, i.reason]);

describe("excelSerialToWallMs", () => {
  it("reads Excel serial days from 1899-12-30 (worked values)", () => {
    expect(excelSerialToWallMs(25_569)).toBe(0); // 1970-01-01 00:00
    expect(excelSerialToWallMs(44_519.5)).toBe(Date.UTC(2021, 10, 19, 12)); // 2021-11-19 12:00
    // The first line of the U18 files: 2021-11-19 17:10:32.600 local time.
    expect(excelSerialToWallMs(44_519.71565509259)).toBe(Date.UTC(2021, 10, 19, 17, 10, 32, 600));
  });

  it("recovers every 10 Hz slot of an hour to the millisecond, despite the serial's float noise", () => {
    const start = Date.UTC(2021, 10, 19, 17);
    for (let k = 0; k < 36_000; k++) {
      const wall = start + k * 100;
      const serial = excelSerial(wall);
      if (excelSerialToWallMs(serial) !== wall)
        throw new Error(`slot ${k}: ${serial} -> ${excelSerialToWallMs(serial)}`);
    }
  });
});

describe("readCatapultGnss", () => {
  it("projects positions onto the pitch and reads local times in the --tz zone (Lisbon: WET in winter, WEST in summer)", async () => {
    const winter = Date.UTC(2021, 10, 19, 17, 10, 32, 600);
    const summer = Date.UTC(2022, 6, 1, 12);
    const f = write(
      "U18_ID7.csv.gz",
      [
        GNSS_HEADER,
        gnssLine(PITCH_30, winter, 52.5, 34),
        gnssLine(PITCH_30, winter + 100, 11, 34),
        gnssLine(PITCH_30, summer, 0, 0),
      ].join("\n"),
    );
    const s = samples(await read(f));
    expect(s.map((x) => x.t)).toEqual([winter, winter + 100, summer - 3_600_000]);
    expect(s.map((x) => [x.playerId, x.entity])).toEqual(Array(3).fill(["U18_ID7", "player"]));
    const near = (p: TrackingSample, x: number, y: number) => Math.hypot(p.x - x, p.y - y);
    expect(near(s[0]!, 52.5, 34)).toBeLessThan(0.01);
    expect(near(s[1]!, 11, 34)).toBeLessThan(0.01);
    expect(near(s[2]!, 0, 0)).toBeLessThan(0.01);
    // In UTC the same file is an hour later in summer.
    expect(samples(await read(f, "UTC"))[2]!.t).toBe(summer);
    expect(samples(await read(f, "UTC", "keeper"))[0]!.playerId).toBe("keeper");
  });

  it("quarantines each bad line with its reason, and keeps counting: in = samples + bad", async () => {
    const t0 = Date.UTC(2021, 10, 19, 17);
    const ll = knownToLonLat(PITCH_30, 50, 30);
    const lines = [
      GNSS_HEADER,
      gnssLine(PITCH_30, t0, 50, 30), // 2
      `abc,${ll.lon},${ll.lat}`, // 3
      `${excelSerial(t0 + 100)},-9.1x,${ll.lat}`, // 4
      `${excelSerial(t0 + 200)},${ll.lon},91.5`, // 5
      `${excelSerial(t0 + 300)},0,0`, // 6
      `${excelSerial(t0 + 400)},${ll.lon}`, // 7
      `12.5,${ll.lon},${ll.lat}`, // 8: 1900
      gnssLine(PITCH_30, t0 + 500, 50, 30.1), // 9
      gnssLine(PITCH_30, t0 + 500, 50, 30.2), // 10: same time
      gnssLine(PITCH_30, t0 - 2000, 50, 30.3), // 11: backwards
      gnssLine(PITCH_30, t0 + 600, 50, 30.4), // 12
    ];
    const items = await read(write("bad.csv", `${lines.join("\n")}\n`));
    const f = join(dir, "bad.csv");
    expect(bads(items)).toEqual([
      [`${f}:3`, "timestamp 'abc' is not an Excel serial day number"],
      [`${f}:4`, `non-numeric position (longitude '-9.1x', latitude '${ll.lat}')`],
      [`${f}:5`, `impossible position: latitude 91.5 must be within -90..90 and longitude ${ll.lon} within -180..180`],
      [`${f}:6`, "position 0, 0: the unit had no fix"],
      [`${f}:7`, "expected 3 columns, got 2"],
      [`${f}:8`, "timestamp 12.5 is outside 29226 (1980-01-06, the GPS epoch) to 2958465 (9999-12-31)"],
      [`${f}:10`, "timestamp repeats line 9's"],
      [`${f}:11`, "time runs backwards: 2500 ms before line 9's (a clock change or a merged file?)"],
    ]);
    expect(samples(items)).toHaveLength(3);
    expect(items).toHaveLength(lines.length - 1);
  });

  it("quarantines the hour the clocks skip, and the repeated hour when they go back (Europe/Lisbon)", async () => {
    // 2021-03-28: 01:00 -> 02:00 local; 2021-10-31: 02:00 -> 01:00 local.
    const skipped = Date.UTC(2021, 2, 28, 1, 30);
    const beforeBack = Date.UTC(2021, 9, 31, 1, 59, 59, 900);
    const lines = [
      GNSS_HEADER,
      gnssLine(PITCH_30, skipped, 10, 10),
      gnssLine(PITCH_30, beforeBack, 10, 10), // 01:59:59.9 WEST = 00:59:59.9Z
      gnssLine(PITCH_30, Date.UTC(2021, 9, 31, 1), 10, 10), // 01:00 again, read as the earlier (WEST) instant
    ];
    const items = await read(write("dst.csv", lines.join("\n")));
    expect(bads(items).map((b) => b[1])).toEqual([
      `timestamp ${excelSerial(skipped)} falls in the hour Europe/Lisbon skipped (the clocks went forward over it)`,
      "time runs backwards: 3599900 ms before line 3's (a clock change or a merged file?)",
    ]);
    expect(samples(items).map((s) => s.t)).toEqual([beforeBack - 3_600_000]);
  });

  it("fails on a file that is not a Catapult GNSS export, naming it", async () => {
    await expect(read(write("wrong.csv", "timestamp,player_id,x,y\n1,a,2,3\n"))).rejects.toThrow(
      /cannot read '.*wrong\.csv' at line 1: not a catapult-gnss file: the header lacks longitude, latitude/,
    );
    await expect(read(write("empty.csv", ""))).rejects.toThrow(/empty\.csv': empty file/);
  });

  it("names the player after the file", () => {
    expect(fileStem("/data/U18_ID1.csv.gz")).toBe("U18_ID1");
    expect(fileStem("U18_ID2.CSV")).toBe("U18_ID2");
  });

  it("reads the corners once and every file as its own player through READERS", async () => {
    const corners = write("corners.csv", cornersCsv(PITCH_30, [2, 3, 0, 1]));
    const t0 = Date.UTC(2021, 10, 19, 17);
    const a = write("A.csv", [GNSS_HEADER, gnssLine(PITCH_30, t0, 1, 2)].join("\n"));
    const b = write("B.csv", [GNSS_HEADER, gnssLine(PITCH_30, t0, 3, 4)].join("\n"));
    const r = READERS["catapult-gnss"]!;
    if (!("read" in r)) throw new Error("catapult-gnss has a file reader");
    const out: ReaderItem[] = [];
    for await (const i of r.read([a, b], { kickoffMs: Number.NaN, timeZone: "UTC", cornersFile: corners })) out.push(i);
    expect(samples(out).map((s) => [s.playerId, Math.round(s.x), Math.round(s.y)])).toEqual([
      ["A", 1, 2],
      ["B", 3, 4],
    ]);
    await expect(async () => {
      for await (const _ of r.read([a], { kickoffMs: Number.NaN, timeZone: "UTC" })) void _;
    }).rejects.toThrow("catapult-gnss needs the pitch's corners: pass --corners FILE");
  });
});
