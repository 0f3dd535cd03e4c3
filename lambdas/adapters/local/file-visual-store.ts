/** Insight pictures as files under a folder (the embedded runtime keeps them beside the lake). */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { VisualStore } from "../../ports.js";

export class FileVisualStore implements VisualStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  urlFor(key: string): string {
    return pathToFileURL(join(this.root, key)).href;
  }

  async put(key: string, svg: string): Promise<void> {
    const path = join(this.root, key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, svg);
  }
}
