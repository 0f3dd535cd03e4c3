import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { readLineBlocks, readLines } from "../../producers/readers/lines.js";
import { readLongCsv } from "../../producers/readers/long-csv.js";
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
