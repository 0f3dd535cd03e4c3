/**
 * Streams a text file line by line (gzip when the name ends in .gz); never loads it whole. Every
 * failure is an InputError naming the file and the lines read before it; a line cut short by the
 * failure is never handed out.
 */
import { constants, createReadStream } from "node:fs";
import { access, open, stat } from "node:fs/promises";
import { basename } from "node:path";
import { createInterface } from "node:readline";
import { pipeline } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { createGunzip } from "node:zlib";
import { describeReadError, InputError, WHOLE_FILE } from "./input-error.js";
import type { ReaderItem } from "./types.js";

/** Bytes looked at to tell text from binary data. */
const SNIFF_BYTES = 4096;
const GZIP_MAGIC = [0x1f, 0x8b] as const;
/** Control characters text files have: tab, line feed, form feed, carriage return, escape (colour codes). */
const TEXT_CONTROLS = new Set([0x09, 0x0a, 0x0c, 0x0d, 0x1b]);

/** Throws an InputError unless `path` is a readable file (not a folder). */
export async function assertReadable(path: string): Promise<void> {
  try {
    if ((await stat(path)).isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    await access(path, constants.R_OK);
  } catch (e) {
    throw describeReadError(e, path, WHOLE_FILE);
  }
}

/** True when a line holds control characters that only binary data has. */
export function looksBinary(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c < 0x20 && !TEXT_CONTROLS.has(c)) return true;
  }
  return false;
}

/** Refuses, before reading, a plain file that is gzip data or binary (its "lines" could be the whole file). */
async function assertText(path: string): Promise<void> {
  if (path.endsWith(".gz") || !(await stat(path)).isFile()) return;
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
    const head = buf.subarray(0, bytesRead);
    if (head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1])
      throw new InputError(path, WHOLE_FILE, "it is gzip data", "rename it to end in .gz");
    if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))
      throw new InputError(path, WHOLE_FILE, "it is UTF-16 text", "save it as UTF-8 CSV");
    if (looksBinary(head.toString("latin1")))
      throw new InputError(path, WHOLE_FILE, "binary data, not a text file", "pass a CSV text file (.csv or .csv.gz)");
  } finally {
    await fh.close();
  }
}

export async function* readLines(path: string): AsyncGenerator<string> {
  await assertReadable(path);
  await assertText(path);
  const file = createReadStream(path);
  // pipeline() destroys both streams on an error in either, so readline sees every failure.
  const input = path.endsWith(".gz") ? pipeline(file, createGunzip(), () => undefined) : file;
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lines = 0;
  try {
    for await (const line of rl) {
      lines++;
      yield line;
    }
  } catch (e) {
    throw describeReadError(e, path, lines);
  } finally {
    rl.close();
    file.destroy();
  }
}

/**
 * Bytes read (and, for .gz, inflated) at a time by readLineBlocks: about 6,000 tracking lines per
 * block, so the per-block cost (a promise, a generator step) is spread thin.
 */
const BLOCK_BYTES = 256 * 1024;
/** What ends a line, as readline reads it with an infinite crlfDelay: `\n`, `\r\n` or a lone `\r`. */
const LINE_END = /\r\n|\n|\r/;

/** Splits text on LINE_END; plain `\n` (by far the commonest) without the regular expression. */
const splitLines = (text: string): string[] => (text.includes("\r") ? text.split(LINE_END) : text.split("\n"));

/**
 * The lines of a text file (gzip when the name ends in .gz) in blocks, in order: the same lines as
 * readLines, split the same way, for readers that parse many lines without an `await` each. A block
 * holds the whole lines of one read; a line split across reads is joined first, and `\r\n` split
 * across reads is one line end. The last line needs no line end. On a failure, an InputError counts
 * the lines of the blocks handed out before it; a line cut short by the failure is never handed out.
 */
export async function* readLineBlocks(path: string): AsyncGenerator<string[]> {
  await assertReadable(path);
  await assertText(path);
  const file = createReadStream(path, { highWaterMark: BLOCK_BYTES });
  // pipeline() destroys both streams on an error in either, so the loop sees every failure.
  const input = path.endsWith(".gz") ? pipeline(file, createGunzip({ chunkSize: BLOCK_BYTES }), () => undefined) : file;
  const decoder = new StringDecoder("utf8");
  let rest = "";
  let lines = 0;
  try {
    for await (const chunk of input) {
      let text = rest + decoder.write(chunk as Buffer);
      // A `\r` at the end may be the first half of `\r\n`: it stays with the unfinished line.
      const cr = text.endsWith("\r");
      if (cr) text = text.slice(0, -1);
      const block = splitLines(text);
      rest = block.pop()! + (cr ? "\r" : "");
      if (block.length === 0) continue;
      lines += block.length;
      yield block;
    }
    const block = splitLines(rest + decoder.end());
    if (block.at(-1) === "") block.pop();
    if (block.length > 0) {
      lines += block.length;
      yield block;
    }
  } catch (e) {
    throw describeReadError(e, path, lines);
  } finally {
    file.destroy();
  }
}

/**
 * Longest id a record accepts (records: match, session, player and device ids at most 128 characters):
 * readers cut file names to it.
 */
export const MAX_ID_CHARS = 128;
/** Extensions stripped from a file's name to make an id. */
const KNOWN_EXTENSIONS = /(\.(csv|jsonl|json|tcx|gpx|xml|txt))?(\.gz)?$/i;

/** A file's name without folder and extension, as a match, player or device id (e.g. `U18_ID1`, `running_example`). */
export function fileStem(path: string): string {
  const stem = basename(path).replace(KNOWN_EXTENSIONS, "");
  return (stem || basename(path)).slice(0, MAX_ID_CHARS);
}

/** A rejected line or row (`ref` is `file:line` or `file:packet N`): quarantined with its reason. */
export const badItem = (ref: string, reason: string, payload: string, samples = 1): ReaderItem => ({
  kind: "bad",
  ref,
  reason,
  payload,
  samples,
});

/**
 * A CSV header line's columns, lower-cased and trimmed, by name. Throws an InputError naming the file
 * when the line is binary data or lacks a required column; `format` names the format in the message,
 * `hint` says what the first line must be.
 */
export function csvHeader(
  path: string,
  linesBefore: number,
  line: string,
  format: string,
  required: readonly string[],
  hint: string,
): Record<string, number> {
  if (looksBinary(line)) throw new InputError(path, linesBefore, `binary data, not a ${format} text file`, hint);
  const names = line.split(",").map((c) => c.trim().toLowerCase());
  const missing = required.filter((r) => !names.includes(r));
  if (missing.length > 0)
    throw new InputError(
      path,
      linesBefore,
      `not a ${format} file: the header lacks ${missing.join(", ")} (it reads ${JSON.stringify(line.slice(0, 80))})`,
      hint,
    );
  return Object.fromEntries(names.map((n, i) => [n, i]));
}
