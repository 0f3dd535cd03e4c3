import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { constants, gunzipSync, gzipSync } from "node:zlib";
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { ROOT, runCli } from "../helpers/cli.js";
import { sidelineInProcess as sideline } from "../helpers/cli-in-process.js";

// What `sideline run` makes of bad, odd or partial input: each case names the file, says what to
// do, and ends with a documented exit code. Most run in this process (see cli-in-process.ts).
const dir = mkdtempSync(join(tmpdir(), "sideline-input-"));
const FIXTURES = join(ROOT, "test/fixtures");
const T0 = Date.UTC(2026, 4, 16, 15, 0, 0) / 1000;
/** A player jogging up and down the pitch at 3 m/s, 10 Hz: `n` long-csv lines. */
const jog = (n: number, player = "7", t0 = T0) =>
  Array.from({ length: n }, (_, i) => {
    const d = (i * 0.3) % 160;
    return `${(t0 + i / 10).toFixed(1)},${player},${(10 + (d < 80 ? d : 160 - d)).toFixed(2)},30`;
  });
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const lake = (name: string) => join(dir, `${name}.duckdb`);
/** True when `s` holds a control character other than a line feed. */
const hasControl = (s: string) =>
  [...s].some((ch) => {
    const c = ch.charCodeAt(0);
    return (c < 0x20 && c !== 0x0a) || c === 0x7f;
  });

async function windowStarts(lakePath: string): Promise<Record<string, string[]>> {
  const db = await DuckDbLake.open(lakePath, { readOnly: true });
  try {
    const rows = await db.queryObjects<{ player_id: string; s: string }>(
      "SELECT player_id, strftime(window_start, '%Y-%m-%dT%H:%M:%SZ') AS s FROM player_windows ORDER BY 1, 2",
    );
    const out: Record<string, string[]> = {};
    for (const r of rows) out[r.player_id] = [...(out[r.player_id] ?? []), r.s];
    return out;
  } finally {
    db.close();
  }
}

describe("sideline run: exit codes when nothing, or too little, went in", () => {
  it("exits 5 on a header-only file, saying nothing went into the lake", async () => {
    const r = await sideline(
      "run",
      file("header.csv", "timestamp,player_id,x,y\n"),
      "--format",
      "long-csv",
      "--lake",
      lake("header"),
      "--quiet",
    );
    expect(r.code).toBe(5);
    expect(r.stderr).toBe(
      "sideline: NO SAMPLES: the input holds no data lines (a header alone?): nothing went into the lake\n",
    );
    expect(r.stdout).toContain("NO SAMPLES: the input holds no data lines");
  });

  it("exits 5 when every sample is quarantined", async () => {
    const garbage = ["timestamp,player_id,x,y", ...Array.from({ length: 40 }, () => "yesterday,7,1,2")].join("\n");
    const r = await sideline(
      "run",
      file("garbage.csv", garbage),
      "--format",
      "long-csv",
      "--lake",
      lake("garbage"),
      "--quiet",
    );
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^sideline: NO SAMPLES ACCEPTED: all 40 samples were quarantined/);
  });

  it("exits 6 and warns on stderr and in the summary above --max-quarantine-share (default 0.1); 1 never warns", async () => {
    const lines = ["timestamp,player_id,x,y", ...jog(5), ...Array.from({ length: 95 }, () => "yesterday,7,1,2")];
    const f = file("mostly-bad.csv", `${lines.join("\n")}\n`);
    const r = await sideline("run", f, "--format", "long-csv", "--lake", lake("mostly-bad"), "--quiet");
    expect(r.code).toBe(6);
    const warning =
      "WARNING: 95.0% of the samples were quarantined (95 of 100), more than --max-quarantine-share 0.1: check the quarantine reasons, the format, the pitch size and --tz";
    expect(r.stderr).toBe(`sideline: ${warning}\n`);
    expect(r.stdout).toContain(`\n${warning}\n`);
    expect(r.stdout).toContain("(balanced, 95.0% quarantined)");
    const allowed = await sideline(
      "run",
      f,
      "--format",
      "long-csv",
      "--lake",
      lake("mostly-bad"),
      "--quiet",
      "--max-quarantine-share",
      "1",
    );
    expect({ code: allowed.code, stderr: allowed.stderr }).toEqual({ code: 0, stderr: "" });
  });
});

describe("sideline run: unreadable input fails in one printable line that names it, before a lake exists", () => {
  it.each([
    [
      "a folder",
      () => {
        const d = join(dir, "a-folder");
        mkdirSync(d, { recursive: true });
        return d;
      },
      (f: string) => `sideline: error: cannot read '${f}': it is a folder, not a file: pass the files inside it`,
    ],
    [
      "a .gz that is not gzip",
      () => file("plain.csv.gz", "timestamp,player_id,x,y\n1,7,1,2\n"),
      (f: string) =>
        `sideline: error: cannot read '${f}' at line 1: not gzip data (incorrect header check): if it is plain text, rename it without .gz`,
    ],
    [
      "binary data",
      () => file("binary.csv", Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256))),
      (f: string) =>
        `sideline: error: cannot read '${f}': binary data, not a text file: pass a CSV text file (.csv or .csv.gz)`,
    ],
  ])("%s", async (_what, make, message) => {
    const f = make();
    const lakePath = lake(`never-${_what.replace(/\W/g, "-")}`);
    const r = await sideline("run", f, "--format", "long-csv", "--lake", lakePath);
    expect(r).toEqual({ code: 1, stdout: "", stderr: `${message(f)}\n` });
    expect(existsSync(lakePath)).toBe(false);
  });

  it("escapes control characters from a file before they reach the terminal", async () => {
    // GIVEN a text file whose player id and one bad line carry terminal escape sequences
    const lines = ["timestamp,player_id,x,y", ...jog(600, "\u001b[2J"), `${T0 + 61},\u001b[2J,\u001b]0;x,30`];
    const r = await sideline(
      "run",
      file("escapes.csv", lines.join("\n")),
      "--format",
      "long-csv",
      "--lake",
      lake("escapes"),
      "--quiet",
    );
    // THEN the summary shows them escaped, and no control character is written
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("\\x1b[2J");
    expect(r.stdout).toContain("non-finite coordinate (x='\\x1b]0;x'");
    expect(hasControl(r.stdout)).toBe(false);
    expect(hasControl(r.stderr)).toBe(false);
  });
});

describe("sideline run: a file that fails part way", () => {
  it("reports the run INCOMPLETE with the file and the line reached, and exits 4", async () => {
    // GIVEN a gzip file cut in the middle
    const whole = gzipSync(`${["timestamp,player_id,x,y", ...jog(3000)].join("\n")}\n`);
    const cut = whole.subarray(0, Math.floor(whole.length * 0.6));
    const f = file("cut.csv.gz", cut);
    const linesBeforeCut = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }).toString().split("\n").length - 1;
    // WHEN it runs
    const r = await sideline("run", f, "--format", "long-csv", "--lake", lake("cut"), "--quiet");
    // THEN the summary and stderr say where it stopped and why, and the exit code is 4
    expect(r.code).toBe(4);
    const where = `the input stopped at '${f}' after line ${linesBeforeCut.toLocaleString("en-US")}: the gzip data ends early (unexpected end of file)`;
    expect(r.stderr).toMatch(new RegExp(`^sideline: INCOMPLETE: ${where.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    expect(r.stdout).toContain(`INCOMPLETE: ${where}`);
    expect(r.stdout).toMatch(/Accounting: INCOMPLETE: [\d,]+ samples read = /);
    expect(linesBeforeCut).toBeGreaterThan(100);
  });
});

describe("sideline run --format metrica", () => {
  const home = join(FIXTURES, "metrica_home.csv");
  const away = join(FIXTURES, "metrica_away.csv");

  it.each([
    [
      [home, away],
      2,
      "sideline: error: metrica needs --kickoff <ISO time>, e.g. --kickoff 2019-08-17T15:00:00Z: its files count seconds from the kick-off and carry no date",
    ],
    [
      [home, "--kickoff", "2019-08-17T15:00:00Z"],
      2,
      "sideline: error: metrica needs two files, the home team's and then the away team's (Metrica ships one per team), got 1",
    ],
    [
      [away, home, "--kickoff", "2019-08-17T15:00:00Z"],
      1,
      `sideline: error: the metrica files are in the wrong order: '${away}' holds the away team and '${home}' the home team: pass the home file first`,
    ],
    [
      [home, home, "--kickoff", "2019-08-17T15:00:00Z"],
      1,
      `sideline: error: '${home}' and '${home}' both hold the home team: pass the home team's file, then the away team's`,
    ],
  ])("refuses %j before opening the lake", async (args, code, message) => {
    const lakePath = lake(`metrica-${code}-${args.length}`);
    const r = await sideline("run", ...args, "--format", "metrica", "--lake", lakePath);
    expect(r.code).toBe(code);
    expect(r.stderr.split("\n")[0]).toBe(message);
    expect(existsSync(lakePath)).toBe(false);
  });
});

describe("sideline run: ISO timestamps without an offset", () => {
  // Player w: winter, a space before the time; player s: summer, with a T. Europe/Oslo is UTC+1 in
  // winter and UTC+2 in summer.
  const naive = (t: number) => new Date(t).toISOString().slice(0, 23);
  const winter = Date.UTC(2013, 10, 7, 21, 5, 0);
  const summer = Date.UTC(2013, 6, 7, 21, 5, 0);
  const lines = ["timestamp,player_id,x,y"];
  for (let i = 0; i < 1500; i++)
    lines.push(`${naive(winter + i * 100).replace("T", " ")},w,${(10 + i * 0.05).toFixed(2)},30`);
  for (let i = 0; i < 1500; i++) lines.push(`${naive(summer + i * 100)},s,${(10 + i * 0.05).toFixed(2)},30`);
  const utcStarts = (t0: number) => [0, 1, 2].map((m) => `${new Date(t0 + m * 60_000).toISOString().slice(0, 19)}Z`);

  it("reads them as UTC whatever the machine's zone, and in --tz when given, daylight saving included", async () => {
    const f = file("naive.csv", `${lines.join("\n")}\n`);
    const runs = await Promise.all([
      runCli(dir, { TZ: "UTC" }, "run", f, "--format", "long-csv", "--lake", lake("tz-utc")),
      runCli(dir, { TZ: "America/New_York" }, "run", f, "--format", "long-csv", "--lake", lake("tz-ny"), "--quiet"),
      runCli(
        dir,
        { TZ: "America/New_York" },
        "run",
        f,
        "--format",
        "long-csv",
        "--tz",
        "Europe/Oslo",
        "--lake",
        lake("tz-oslo"),
        "--quiet",
      ),
    ]);
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
    const utc = await windowStarts(lake("tz-utc"));
    expect(utc).toEqual({ s: utcStarts(summer), w: utcStarts(winter) });
    // The last progress line (always printed) counts the rows the run wrote: the lake's 6.
    expect(runs[0]!.stderr.trimEnd().split("\n").at(-1)).toBe(
      "naive: 3,000 samples read · 6 windows written · 0 insights",
    );
    expect(await windowStarts(lake("tz-ny"))).toEqual(utc);
    expect(await windowStarts(lake("tz-oslo"))).toEqual({
      s: utcStarts(summer - 2 * 3_600_000),
      w: utcStarts(winter - 3_600_000),
    });
  }, 60_000);
});

describe("sideline option values", () => {
  it.each([
    [["demo", "--batch-size", "-5"], "--batch-size must be an integer from 1 to 10000, got '-5'"],
    [["demo", "--minutes", "-1.5"], "--minutes must be an integer from 1 to 150, got '-1.5'"],
    [["demo", "--max-quarantine-share", "-0.1"], "--max-quarantine-share must be a number from 0 to 1, got '-0.1'"],
    [
      ["run", "x.csv", "--format", "long-csv", "--tz", "Mars/Olympus"],
      "--tz must be an IANA time zone such as Europe/Oslo, America/New_York or UTC, got 'Mars/Olympus'",
    ],
    [["demo", "--lake"], "--lake needs a value"],
  ])("sideline %j: a negative or wrong value reaches the option's check (exit 2)", async (args, message) => {
    const r = await sideline(...args);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe(`sideline: error: ${message}`);
  });
});
