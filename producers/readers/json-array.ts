/**
 * Streams the elements of one array in a JSON file, `{"<key>": [element, element, ...], ...}`, as
 * their JSON text, one at a time, so a long recording is never one string in memory. Only the
 * structure around the elements is scanned here (strings, nesting); each element is parsed by the
 * caller, so a corrupt element is one bad item, not a failed file. Every failure of the structure
 * is an InputError naming the file and the elements read.
 */
import { createReadStream } from "node:fs";
import { describeReadError, InputError, WHOLE_FILE } from "./input-error.js";
import { assertReadable } from "./lines.js";

/** Bytes read at a time. */
const CHUNK_BYTES = 1 << 16;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const BOM = 0xfeff;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

export interface JsonElement {
  /** 1-based position in the array. */
  readonly n: number;
  readonly text: string;
}

/**
 * Yields the elements of the array under `key` in the file's root object. Throws an InputError when
 * the root is not an object, the key holds no array, or the file ends inside the structure.
 */
export async function* jsonArrayElements(path: string, key: string, what: string): AsyncGenerator<JsonElement> {
  await assertReadable(path);
  let depth = 0;
  let inString = false;
  let escaped = false;
  let started = false;
  /** The text of the last string at depth 1 (a key of the root object, or a string value). */
  let rootString = "";
  let collectingRootString = false;
  /** Inside the target array (its elements are at depth 2). */
  let inTarget = false;
  let found = false;
  let parts: string[] = [];
  let collecting = false;
  let n = 0;
  const fail = (reason: string) =>
    new InputError(path, WHOLE_FILE, reason, `pass ${what} as written: {"${key}": [...]}`);
  const stream = createReadStream(path, { encoding: "utf8", highWaterMark: CHUNK_BYTES });
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      let start = collecting ? 0 : -1;
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk.charCodeAt(i);
        if (inString) {
          if (escaped) escaped = false;
          else if (c === BACKSLASH) escaped = true;
          else if (c === QUOTE) {
            inString = false;
            collectingRootString = false;
          } else if (collectingRootString) rootString += chunk[i];
          continue;
        }
        if (!started) {
          if (isSpace(c) || c === BOM) continue;
          if (c !== OPEN_BRACE) throw fail("not a JSON object (the file does not start with '{')");
          started = true;
          depth = 1;
          continue;
        }
        if (inTarget && depth === 2 && !collecting && !isSpace(c) && c !== COMMA && c !== CLOSE_BRACKET) {
          collecting = true;
          start = i;
        }
        if (collecting && depth === 2 && (c === COMMA || c === CLOSE_BRACKET)) {
          parts.push(chunk.slice(start, i));
          const text = parts.join("");
          parts = [];
          collecting = false;
          start = -1;
          n++;
          yield { n, text };
        }
        if (c === QUOTE) {
          inString = true;
          if (depth === 1) {
            collectingRootString = true;
            rootString = "";
          }
        } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
          if (depth === 1 && c === OPEN_BRACKET && rootString === key && !found) {
            inTarget = true;
            found = true;
          }
          depth++;
        } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
          depth--;
          if (depth === 1) inTarget = false;
          if (depth === 0) {
            if (!found) throw fail(`the root object has no "${key}" array`);
            return;
          }
          if (depth < 0) throw fail("unbalanced brackets");
        }
      }
      if (collecting) parts.push(chunk.slice(start));
    }
  } catch (e) {
    // Positions in JSON are elements, not lines: a read error names the file as a whole.
    throw describeReadError(e, path, WHOLE_FILE);
  } finally {
    stream.destroy();
  }
  if (!started) throw fail("the file is empty");
  if (!found) throw fail(`the root object has no "${key}" array`);
  throw new InputError(
    path,
    WHOLE_FILE,
    `the JSON ends early, after ${n} elements of "${key}" (truncated?)`,
    "copy or download the file again, then rerun",
  );
}
