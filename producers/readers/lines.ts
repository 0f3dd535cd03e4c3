/** Streams a text file line by line (gzip when the name ends in .gz); never loads it whole. */
import { createReadStream } from "node:fs";
import { access } from "node:fs/promises";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";

export async function assertReadable(path: string): Promise<void> {
  try {
    await access(path);
  } catch {
    throw new Error(`cannot read '${path}': no such file`);
  }
}

export async function* readLines(path: string): AsyncGenerator<string> {
  await assertReadable(path);
  const file = createReadStream(path);
  const input = path.endsWith(".gz") ? file.pipe(createGunzip()) : file;
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of rl) yield line;
  } finally {
    rl.close();
    file.destroy();
  }
}
