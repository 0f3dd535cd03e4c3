/**
 * Streams a text file line by line (gzip when the name ends in .gz); never loads it whole. Every
 * failure is an InputError naming the file and the lines read before it; a line cut short by the
 * failure is never handed out.
 */
import { constants, createReadStream } from "node:fs";
import { access, open, stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { pipeline } from "node:stream";
import { createGunzip } from "node:zlib";
import { describeReadError, InputError, WHOLE_FILE } from "./input-error.js";

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
