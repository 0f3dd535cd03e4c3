/**
 * What a state store keeps of the cold parts of states (ColdState in ../ports.ts) between calls in
 * one container, so that a part that did not change is neither decoded nor encoded again:
 * - reading: a stored part whose revision and encoding equal what this container last wrote (or
 *   read) for the key is answered with the object it kept, not decoded. The object is then checked
 *   out: until the next successful write of the key it is not handed out again, so a state an
 *   invocation changed and never wrote (a failed batch) is never mistaken for the stored one;
 * - writing: a part given back at the revision it was read at is unchanged (its extractor bumps the
 *   revision on every change), so its stored encoding is written again as it is;
 * - what was written becomes the kept object only once the write has succeeded (`commit`).
 * The encoding is whatever the store writes (deflated bytes, or text); `same` compares two.
 */
import type { ColdState } from "../ports.js";

/**
 * Keys whose cold parts one container keeps: a container sees the keys of its shard, a few dozen
 * per live match; the oldest are dropped beyond this (a dropped key is decoded on its next read).
 */
export const COLD_CACHE_MAX_KEYS = 4096;

interface Kept<E> {
  readonly rev: number;
  readonly encoded: E;
  /** The decoded part, while it is not checked out. */
  data: ColdState["data"] | null;
}

export interface ColdCodec<E> {
  encode(data: ColdState["data"]): E;
  decode(encoded: E): ColdState["data"];
  same(a: E, b: E): boolean;
}

export class ColdPartCache<E> {
  private readonly kept = new Map<string, Kept<E>>();
  private readonly pending = new Map<string, Kept<E>>();
  /** Parts decoded, and parts answered from memory: what the cache saves (tests and the bench read them). */
  decoded = 0;
  reused = 0;

  constructor(private readonly codec: ColdCodec<E>) {}

  /** The cold part stored for `key` at `rev`, as `encoded`. */
  read(key: string, rev: number, encoded: E): ColdState {
    const k = this.kept.get(key);
    if (k && k.data !== null && k.rev === rev && this.codec.same(k.encoded, encoded)) {
      const data = k.data;
      k.data = null; // checked out
      this.reused++;
      return { rev, data };
    }
    this.decoded++;
    const data = this.codec.decode(encoded);
    this.keep(key, { rev, encoded, data: null }); // checked out: the caller has the only copy
    return { rev, data };
  }

  /** The encoding to store for `key`: the one it was read (or last written) with, if its revision is unchanged. */
  write(key: string, cold: ColdState): E {
    const k = this.kept.get(key);
    const encoded = k && k.rev === cold.rev ? k.encoded : this.codec.encode(cold.data);
    this.pending.set(key, { rev: cold.rev, encoded, data: cold.data });
    return encoded;
  }

  /** The write of these keys succeeded: what was written is what is stored. */
  commit(keys: Iterable<string>): void {
    for (const key of keys) {
      const p = this.pending.get(key);
      if (!p) continue;
      this.pending.delete(key);
      this.keep(key, p);
    }
  }

  private keep(key: string, k: Kept<E>): void {
    this.kept.delete(key); // to the end: the map's order is last use
    this.kept.set(key, k);
    if (this.kept.size > COLD_CACHE_MAX_KEYS) this.kept.delete(this.kept.keys().next().value!);
  }

  /** A write failed: nothing pending is known to be stored. */
  abandon(): void {
    this.pending.clear();
  }
}
