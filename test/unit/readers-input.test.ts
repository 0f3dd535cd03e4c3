import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { InputError } from "../../producers/readers/input-error.js";
import { readLines } from "../../producers/readers/lines.js";
import { readLongCsv } from "../../producers/readers/long-csv.js";
import { metricaTeam } from "../../producers/readers/metrica.js";
import { assertTimeZone, parseTime } from "../../producers/readers/timestamps.js";
import type { ReaderItem } from "../../producers/readers/types.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "sideline-readers-input-"));

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
async function failure(it: AsyncIterable<unknown>): Promise<InputError> {
  try {
    await collect(it);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error("expected an InputError");
}
const iso = (t: number) => new Date(t).toISOString();
const at = (s: string, zone?: string) => {
  const r = parseTime(s, zone);
  return r.ok ? iso(r.t) : r.reason;
};

describe("timestamps without an offset", () => {
  it("are UTC by default, with a T or a space before the time", () => {
    expect(at("2013-11-07T21:05:13.007")).toBe("2013-11-07T21:05:13.007Z");
    expect(at("2013-11-07 21:05:13.007")).toBe("2013-11-07T21:05:13.007Z");
    expect(at("2013-11-07 21:05")).toBe("2013-11-07T21:05:00.000Z");
  });

  it("are read in a named zone, winter and summer (Europe/Oslo is UTC+1, UTC+2 in summer)", () => {
    expect(at("2013-11-07 21:05:13.007", "Europe/Oslo")).toBe("2013-11-07T20:05:13.007Z");
    expect(at("2013-07-07 21:05:13.007", "Europe/Oslo")).toBe("2013-07-07T19:05:13.007Z");
    expect(at("2013-11-07T21:05:13", "America/New_York")).toBe("2013-11-08T02:05:13.000Z");
    expect(at("2013-11-07T21:05:13", "Asia/Kolkata")).toBe("2013-11-07T15:35:13.000Z");
  });

  it("handle the daylight-saving changes: a skipped time is refused, a repeated one is the earlier", () => {
    // Europe/Oslo, 2024-03-31: 02:00 -> 03:00; 2024-10-27: 03:00 -> 02:00.
    expect(at("2024-03-31 01:59:59.999", "Europe/Oslo")).toBe("2024-03-31T00:59:59.999Z");
    expect(at("2024-03-31 02:30", "Europe/Oslo")).toBe(
      "timestamp '2024-03-31 02:30' does not exist in Europe/Oslo (the clocks went forward over it)",
    );
    expect(at("2024-03-31 03:00", "Europe/Oslo")).toBe("2024-03-31T01:00:00.000Z");
    expect(at("2024-10-27 02:30", "Europe/Oslo")).toBe("2024-10-27T00:30:00.000Z");
    expect(at("2024-10-27 03:00", "Europe/Oslo")).toBe("2024-10-27T02:00:00.000Z");
  });

  it("leave times with an offset, and epoch seconds, as they are", () => {
    for (const zone of ["UTC", "Europe/Oslo"]) {
      expect(at("2013-11-07T22:05:13+01:00", zone)).toBe("2013-11-07T21:05:13.000Z");
      expect(at("2013-11-07 16:05:13-0500", zone)).toBe("2013-11-07T21:05:13.000Z");
      expect(at("2013-11-07T21:05:13Z", zone)).toBe("2013-11-07T21:05:13.000Z");
      expect(at("1383858313.007", zone)).toBe("2013-11-07T21:05:13.007Z");
    }
  });

  it("refuse impossible dates and unknown zones", () => {
    expect(at("2013-02-29T10:00:00")).toBe("timestamp '2013-02-29T10:00:00' is not a valid date and time");
    expect(at("2013-11-07T24:00:00")).toBe("timestamp '2013-11-07T24:00:00' is not a valid date and time");
    expect(() => assertTimeZone("Mars/Olympus")).toThrow(
      "unknown time zone 'Mars/Olympus': pass an IANA name such as Europe/Oslo, America/New_York or UTC",
    );
  });

  it("are read by the long CSV reader in its zone", async () => {
    const f = join(dir, "naive.csv");
    writeFileSync(f, "timestamp,player_id,x,y\n2013-07-07 21:05:13.5,7,10,20\n");
    const [item] = (await collect(readLongCsv(f, { timeZone: "Europe/Oslo" }))) as ReaderItem[];
    expect(item).toEqual({
      kind: "samples",
      samples: [
        {
          t: Date.UTC(2013, 6, 7, 19, 5, 13, 500),
          playerId: "7",
          team: undefined,
          entity: "player",
          x: 10,
          y: 20,
        },
      ],
    });
  });
});

describe("unreadable input: an InputError naming the file, how far it got and what to do", () => {
  const lines = ["timestamp,player_id,x,y", ...Array.from({ length: 20_000 }, (_, i) => `${i / 10},7,${i % 90},30`)];
  const gz = gzipSync(`${lines.join("\n")}\n`);

  it("a truncated gzip: the lines before the cut, then the place and the reason", async () => {
    const f = join(dir, "cut.csv.gz");
    writeFileSync(f, gz.subarray(0, Math.floor(gz.length / 2)));
    const read: string[] = [];
    const e = await failure(
      (async function* () {
        for await (const l of readLines(f)) read.push(l);
        yield 0;
      })(),
    );
    expect(read.length).toBeGreaterThan(100);
    expect(read.every((l, i) => l === lines[i])).toBe(true); // no line cut short is handed out
    expect(e).toMatchObject({
      file: f,
      linesRead: read.length,
      reason: "the gzip data ends early (unexpected end of file)",
    });
    expect(e.message).toBe(
      `cannot read '${f}' after line ${read.length.toLocaleString("en-US")}: the gzip data ends early (unexpected end of file): the file is truncated: copy or download it again, then rerun`,
    );
  });

  it.each([
    [
      "a .gz that is not gzip",
      "plain.csv.gz",
      () => "timestamp,player_id,x,y\n",
      "at line 1: not gzip data (incorrect header check): if it is plain text, rename it without .gz",
    ],
    ["gzip data named .csv", "zipped.csv", () => gz, ": it is gzip data: rename it to end in .gz"],
    [
      "binary data",
      "binary.csv",
      () => Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]),
      ": binary data, not a text file: pass a CSV text file (.csv or .csv.gz)",
    ],
    [
      "UTF-16 text",
      "utf16.csv",
      () => Buffer.from("\ufefftimestamp,player_id,x,y\n", "utf16le"),
      ": it is UTF-16 text: save it as UTF-8 CSV",
    ],
    [
      "an empty file",
      "empty.csv",
      () => "",
      ": empty file: a long-csv file starts with a header such as 'timestamp,player_id,x,y'",
    ],
    [
      "a file without the header",
      "noheader.csv",
      () => "t,id,x,y\n1,2,3,4\n",
      `at line 1: not a long-csv file: the header lacks timestamp, player_id (it reads "t,id,x,y"): the first line must name the columns, e.g. 'timestamp,player_id,x,y'`,
    ],
  ])("%s", async (_what, name, content, message) => {
    const f = join(dir, name);
    writeFileSync(f, content());
    expect((await failure(readLongCsv(f))).message).toBe(
      `cannot read '${f}'${message.startsWith(":") ? "" : " "}${message}`,
    );
  });

  it("a folder, or a missing file", async () => {
    const d = join(dir, "folder");
    mkdirSync(d);
    expect((await failure(readLongCsv(d))).message).toBe(
      `cannot read '${d}': it is a folder, not a file: pass the files inside it`,
    );
    const m = join(dir, "missing.csv");
    expect((await failure(readLongCsv(m))).message).toBe(`cannot read '${m}': no such file: check the path`);
  });
});

describe("Metrica files name their team", () => {
  it("home and away, from the first header line", async () => {
    expect(await metricaTeam(join(FIXTURES, "metrica_home.csv"))).toBe("home");
    expect(await metricaTeam(join(FIXTURES, "metrica_away.csv"))).toBe("away");
  });
});
