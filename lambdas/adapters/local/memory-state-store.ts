/**
 * Stream state kept in process memory, for the embedded runtime and tests. States are stored as
 * JSON text, exactly as a remote store would hold them, so nothing survives by object reference,
 * except what a warm Lambda container keeps too: the decoded cold part of a state it wrote, reused
 * while its revision and text are unchanged (../cold-cache.ts).
 */
import type { ColdState, StateStore, StoredState } from "../../ports.js";
import { ColdPartCache } from "../cold-cache.js";

interface Item {
  readonly hot: string;
  readonly cold?: { readonly rev: number; readonly text: string };
}

export class MemoryStateStore implements StateStore {
  private readonly items = new Map<string, Item>();
  private readonly cold = new ColdPartCache<string>({
    encode: (data) => JSON.stringify(data),
    decode: (text) => JSON.parse(text) as ColdState["data"],
    same: (a, b) => a === b,
  });

  async getMany(keys: readonly string[]): Promise<Map<string, StoredState>> {
    const out = new Map<string, StoredState>();
    for (const k of keys) {
      const v = this.items.get(k);
      if (v === undefined) continue;
      const hot = JSON.parse(v.hot) as StoredState;
      out.set(k, v.cold ? { ...hot, cold: this.cold.read(k, v.cold.rev, v.cold.text) } : hot);
    }
    return out;
  }

  async putMany(states: ReadonlyMap<string, StoredState>): Promise<void> {
    for (const [k, v] of states) {
      const { cold, ...hot } = v;
      this.items.set(k, {
        hot: JSON.stringify(hot),
        ...(cold ? { cold: { rev: cold.rev, text: this.cold.write(k, cold) } } : {}),
      });
    }
    this.cold.commit(states.keys());
  }

  get size(): number {
    return this.items.size;
  }

  /** Cold parts decoded and reused since the store was made (see ../cold-cache.ts). */
  get coldParts(): { decoded: number; reused: number } {
    return { decoded: this.cold.decoded, reused: this.cold.reused };
  }
}
