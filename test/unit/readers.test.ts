import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { trackingChunkSchema } from "../../lambdas/contracts/records/tracking.js";
import { Chunker } from "../../producers/chunker.js";
import { parseTimestamp, readLongCsv } from "../../producers/readers/long-csv.js";
import { readMetrica } from "../../producers/readers/metrica.js";
import type { ReaderItem, TrackingSample } from "../../producers/readers/types.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "sideline-readers-"));

async function collect(it: AsyncIterable<ReaderItem>): Promise<ReaderItem[]> {
  const out: ReaderItem[] = [];
  for await (const x of it) out.push(x);
  return out;
}
const samples = (items: ReaderItem[]) =>
  items.flatMap((i) => (i.kind === "sample" ? [i.sample] : i.kind === "samples" ? i.samples : []));
const bad = (items: ReaderItem[]) => items.flatMap((i) => (i.kind === "bad" ? [i] : []));

describe("long CSV reader", () => {
  it("parses ISO 8601 and epoch-second timestamps to epoch milliseconds", () => {
    expect(parseTimestamp("1383858313.007")).toBe(1383858313007);
    expect(parseTimestamp("2013-11-07T21:05:13.007Z")).toBe(Date.UTC(2013, 10, 7, 21, 5, 13, 7));
    expect(parseTimestamp("2013-11-07T22:05:13+01:00")).toBe(Date.UTC(2013, 10, 7, 21, 5, 13));
    expect(parseTimestamp("yesterday")).toBeNaN();
  });

  it("reads columns in any order, with optional team and z, from plain or gzip files", async () => {
    const text = "player_id,x,timestamp,y,team,z\n7,10.5,1383858313.5,20.25,home,0\n";
    writeFileSync(join(dir, "a.csv"), text);
    writeFileSync(join(dir, "a.csv.gz"), gzipSync(text));
    for (const f of ["a.csv", "a.csv.gz"]) {
      expect(samples(await collect(readLongCsv(join(dir, f))))).toEqual([
        { t: 1383858313500, playerId: "7", team: "home", entity: "player", x: 10.5, y: 20.25 },
      ]);
    }
  });

  it("reports each corrupted line with its file:line and reason, and keeps the good ones", async () => {
    const f = join(dir, "corrupt.csv");
    writeFileSync(
      f,
      [
        "timestamp,player_id,x,y",
        "1383858313.0,1,10,20",
        "1383858313.04,1,NaN,20",
        "not-a-time,1,10,20",
        "1383858313.08,,10,20",
        "1383858313.12,1,10",
        "1383858313.16,1,10.2,20",
      ].join("\n"),
    );
    const items = await collect(readLongCsv(f));
    expect(samples(items)).toHaveLength(2);
    expect(bad(items).map((b) => [b.ref, b.reason])).toEqual([
      [`${f}:3`, "non-finite coordinate (x='NaN', y='20')"],
      [`${f}:4`, "timestamp 'not-a-time' is neither ISO 8601 nor epoch seconds"],
      [`${f}:5`, "player_id is empty"],
      [`${f}:6`, "expected 4 columns, got 3"],
    ]);
  });

  it("gives every player id and team exactly as the trimmed cell, however many and however written", async () => {
    // The reader keeps one string per id it has seen (a table of 256 slots, filled to half): ids past
    // its capacity, ids that share a length and their first, middle and last characters, ids with
    // spaces or characters beyond ASCII around them, and empty teams must all come out as trim() gives them.
    const ids = [
      ...Array.from({ length: 300 }, (_, i) => `p${i}`),
      "home_10",
      "home_1O",
      "hxme_10",
      " home_10 ",
      "\u00a0away_3\u00a0",
      "Ørjan",
      "a",
      "é",
    ];
    const teams = ["home", "", " away ", "home"];
    const lines = ["timestamp,player_id,x,y,team"];
    const expected: [string, string | undefined][] = [];
    for (let round = 0; round < 3; round++)
      ids.forEach((id, i) => {
        const team = teams[(i + round) % teams.length]!;
        lines.push(`${1383858313 + round + i / 1000},${id},1,2,${team}`);
        expected.push([id.trim(), team.trim() || undefined]);
      });
    const f = join(dir, "ids.csv");
    writeFileSync(f, `${lines.join("\n")}\n`);
    const got = samples(await collect(readLongCsv(f)));
    expect(got.map((s) => [s.playerId, s.team])).toEqual(expected);
  });

  it("fails on a file without the required header, and on a missing file", async () => {
    const f = join(dir, "noheader.csv");
    writeFileSync(f, "time,id,x,y\n1,2,3,4\n");
    await expect(collect(readLongCsv(f))).rejects.toThrow(/header lacks timestamp, player_id/);
    await expect(collect(readLongCsv(join(dir, "missing.csv")))).rejects.toThrow(/cannot read .*missing.csv/);
  });
});

describe("Metrica wide CSV reader", () => {
  it("converts normalised top-left coordinates into Sideline metres with y flipped (as kloppy)", async () => {
    const items = await collect(readMetrica(join(FIXTURES, "metrica_home.csv"), { kickoffMs: 0 }));
    const first = samples(items).filter((s) => s.t === 40);
    // Row 1: Player11 (home goalkeeper) at (0.00082, 0.48238) -> x = 0.00082 * 105, y = (1 - 0.48238) * 68.
    const gk = first.find((s) => s.playerId === "home_11")!;
    expect(gk.x).toBeCloseTo(0.0861, 4);
    expect(gk.y).toBeCloseTo(35.198, 3);
    expect(gk).toMatchObject({ team: "home", entity: "player", period: 1 });
    // The ball at (0.45472, 0.38709): x 47.75 m, y 41.68 m.
    const ball = first.find((s) => s.playerId === "ball")!;
    expect(ball.x).toBeCloseTo(47.7456, 4);
    expect(ball.y).toBeCloseTo(41.678, 3);
    expect(ball.entity).toBe("ball");
  });

  it("places the away goalkeeper at the other end, skips NaN (off pitch) and keeps the period", async () => {
    const items = await collect(readMetrica(join(FIXTURES, "metrica_away.csv"), { kickoffMs: 0, includeBall: false }));
    const all = samples(items);
    const gk = all.find((s) => s.playerId === "away_25" && s.t === 40)!;
    expect(gk.x).toBeGreaterThan(90); // 0.90509 * 105
    expect(all.some((s) => s.playerId === "ball")).toBe(false);
    // Players 26-28 are NaN in the first frames: substitutes, not samples and not errors.
    expect(all.filter((s) => s.playerId === "away_26" && s.t === 40)).toEqual([]);
    expect(bad(items)).toEqual([]);
    expect(new Set(all.map((s) => s.period))).toEqual(new Set([1, 2]));
    expect(all.find((s) => s.period === 2)!.t).toBe(5_800_160);
  });

  it("applies the kick-off time", async () => {
    const items = await collect(readMetrica(join(FIXTURES, "metrica_home.csv"), { kickoffMs: 1_000_000 }));
    expect(samples(items)[0]!.t).toBe(1_000_040);
  });

  it("fails on a file that is not Metrica tracking", async () => {
    const f = join(dir, "notmetrica.csv");
    writeFileSync(f, "a,b\nc,d\ne,f\n1,2\n");
    await expect(collect(readMetrica(f, { kickoffMs: 0 }))).rejects.toThrow(/not a Metrica tracking file/);
  });
});

describe("chunker", () => {
  const s = (t: number, playerId = "p1", period = 1): TrackingSample => ({
    t,
    playerId,
    team: "home",
    entity: "player",
    x: 10.0004,
    y: 20.0006,
    period,
  });

  it("cuts per-player chunks by span and period, numbers them, and marks the last final", () => {
    const c = new Chunker("m1", 1000);
    const out = [
      ...[0, 400, 800, 1200, 1600, 2000].map((t) => c.add(s(t))),
      c.add(s(100, "p2")),
      c.add(s(2040, "p1", 2)),
    ].filter((x) => x !== null);
    out.push(...c.finish());
    expect(out.map((x) => [x.player_id, x.seq, x.t0, x.t, x.period, x.final ?? false])).toEqual([
      ["p1", 0, 0, [0, 400, 800], 1, false],
      ["p1", 1, 1200, [0, 400, 800], 1, false],
      ["p1", 2, 2040, [0], 2, true],
      ["p2", 0, 100, [0], 1, true],
    ]);
    expect(out[0]!.x_mm).toEqual([10000, 10000, 10000]);
    expect(out[0]!.y_mm).toEqual([20001, 20001, 20001]);
    for (const x of out) expect(trackingChunkSchema.safeParse(x).success).toBe(true);
  });

  it("fails on an empty match id or a non-positive span", () => {
    expect(() => new Chunker("", 1000)).toThrow(/match id is empty/);
    expect(() => new Chunker("m", 0)).toThrow(/chunk length must be positive/);
  });
});
