import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { readLineBlocks, readLines } from "../../producers/readers/lines.js";
import { parseTimestamp, readLongCsv } from "../../producers/readers/long-csv.js";
import type { ReaderItem } from "../../producers/readers/types.js";

const dir = mkdtempSync(join(tmpdir(), "sideline-line-blocks-"));
/** More than one 256 KiB read, so that lines, `\r\n` and UTF-8 characters fall across reads. */
const MANY = 40_000;

async function blocks(path: string): Promise<string[][]> {
  const out: string[][] = [];
  for await (const b of readLineBlocks(path)) out.push(b);
  return out;
}
async function lines(path: string): Promise<string[]> {
  const out: string[] = [];
  for await (const l of readLines(path)) out.push(l);
  return out;
}
function file(name: string, text: string | Buffer): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

describe("readLineBlocks", () => {
  it("splits on \\n, \\r\\n and a lone \\r, keeps blank lines, and needs no final line end", async () => {
    // GIVEN
    const f = file("ends.csv", "a\r\nb\n\nc\rd\r\n\r\ne");
    // WHEN
    const got = (await blocks(f)).flat();
    // THEN
    expect(got).toEqual(["a", "b", "", "c", "d", "", "e"]);
    expect(got).toEqual(await lines(f));
  });

  it("joins lines, \\r\\n and UTF-8 characters split across reads, plain and gzip, as readLines reads them", async () => {
    // GIVEN: every line ending and a two-byte character, repeated past several reads
    const text = Array.from({ length: MANY }, (_, i) => `${i},Ødegaard,${i % 7}${["\n", "\r\n", "\r"][i % 3]}`).join(
      "",
    );
    for (const f of [file("long.csv", text), file("long.csv.gz", gzipSync(text))]) {
      // WHEN
      const got = await blocks(f);
      // THEN
      expect(got.length).toBeGreaterThan(1);
      expect(got.flat()).toEqual(await lines(f));
      expect(got.flat()).toHaveLength(MANY);
      expect(got.flat()[MANY - 1]).toBe(`${MANY - 1},Ødegaard,${(MANY - 1) % 7}`);
    }
  });

  it("hands out no line of a truncated gzip past the cut, and names the lines read", async () => {
    // GIVEN
    const gz = gzipSync(Array.from({ length: MANY }, (_, i) => `${i},7,1,2\n`).join(""));
    const f = file("cut.csv.gz", gz.subarray(0, Math.floor(gz.length / 2)));
    const got: string[] = [];
    // WHEN
    const failure = await (async () => {
      try {
        for await (const b of readLineBlocks(f)) got.push(...b);
      } catch (e) {
        return e as Error;
      }
      throw new Error("expected a failure");
    })();
    // THEN: every line handed out is whole, and the message counts them
    expect(got.length).toBeGreaterThan(0);
    expect(got.every((l, i) => l === `${i},7,1,2`)).toBe(true);
    expect(failure.message).toContain(`after line ${got.length.toLocaleString("en-US")}`);
  });
});

describe("long CSV reader in blocks", () => {
  it("quarantines each bad line with its file:line and reason across reads, in file order with the samples", async () => {
    // GIVEN: a good line, then every few hundred lines a bad one, past several reads, with CRLF ends
    const body = Array.from({ length: MANY }, (_, i) =>
      i % 997 === 5 ? `${1383858313 + i / 25},7,NaN,20` : `${(1383858313 + i / 25).toFixed(2)},7,${i % 100},20`,
    );
    const f = file("bad-lines.csv", `timestamp,player_id,x,y\r\n${body.join("\r\n")}\r\n`);
    // WHEN
    const items: ReaderItem[] = [];
    for await (const i of readLongCsv(f)) items.push(i);
    // THEN
    const order = items.flatMap((i) =>
      i.kind === "samples" ? i.samples.map(() => "s") : i.kind === "bad" ? [`${i.ref} ${i.reason}`] : [],
    );
    const expected = body.map((_l, i) =>
      i % 997 === 5 ? `${f}:${i + 2} non-finite coordinate (x='NaN', y='20')` : "s",
    );
    expect(order).toEqual(expected);
    expect(items.find((i) => i.kind === "bad")).toMatchObject({ payload: body[5], samples: 1 });
  });
});

describe("long CSV numbers", () => {
  it("reads every coordinate and epoch time exactly as Number() and parseTime do, and rejects what they reject", async () => {
    // GIVEN: plain decimals of every length, signs, exponents, blanks and spaces
    const cells = ["0", "-0", "5", "-3.25", "007.50", "105.0000", "0.1", "0.30000000000000004", "123456789012345"];
    cells.push("1234567890123456", "12345678901234567.5", "+5", " 5", "5 ", "1e3", ".5", "5.", "-", "", " ", "0x10");
    const times = ["1383858313", "1383858313.007", "1383858313.0071234567", " 1383858313.5", "-5.5", "1383858313."];
    const lines = cells.flatMap((x, i) => times.map((t) => `${t},7,${x},${cells[(i + 3) % cells.length]}`));
    const f = file("numbers.csv", `timestamp,player_id,x,y\n${lines.join("\n")}\n`);
    // WHEN
    const got: string[] = [];
    for await (const i of readLongCsv(f))
      if (i.kind === "samples") got.push(...i.samples.map((s) => `${s.t} ${Object.is(s.x, -0) ? "-0" : s.x} ${s.y}`));
      else if (i.kind === "bad") got.push(i.reason);
    // THEN
    const expected = lines.map((l) => {
      const [t, , xs, ys] = l.split(",") as [string, string, string, string];
      const time = parseTimestamp(t);
      if (Number.isNaN(time)) return `timestamp '${t.trim()}' is neither ISO 8601 nor epoch seconds`;
      const [x, y] = [Number(xs), Number(ys)];
      if (!Number.isFinite(x) || !Number.isFinite(y) || xs.trim() === "" || ys.trim() === "")
        return `non-finite coordinate (x='${xs}', y='${ys}')`;
      return `${time} ${Object.is(x, -0) ? "-0" : x} ${y}`;
    });
    expect(got).toEqual(expected);
  });
});
