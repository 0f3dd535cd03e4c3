/**
 * Stream state kept in process memory, for the embedded runtime and tests. States are stored as
 * JSON text, exactly as a remote store would hold them, so nothing survives by object reference.
 */
import type { StateStore, StoredState } from "../../ports.js";

export class MemoryStateStore implements StateStore {
  private readonly items = new Map<string, string>();

  async getMany(keys: readonly string[]): Promise<Map<string, StoredState>> {
    const out = new Map<string, StoredState>();
    for (const k of keys) {
      const v = this.items.get(k);
      if (v !== undefined) out.set(k, JSON.parse(v) as StoredState);
    }
    return out;
  }

  async putMany(states: ReadonlyMap<string, StoredState>): Promise<void> {
    for (const [k, v] of states) this.items.set(k, JSON.stringify(v));
  }

  get size(): number {
    return this.items.size;
  }
}
