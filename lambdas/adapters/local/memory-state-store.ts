/**
 * Player state kept in process memory, for the embedded runtime and tests. States are stored as
 * JSON text, exactly as a remote store would hold them, so nothing survives by object reference.
 */
import type { PlayerState } from "../../core/tracking/player-features.js";
import type { PlayerStateStore } from "../../ports.js";

export class MemoryStateStore implements PlayerStateStore {
  private readonly items = new Map<string, string>();

  async getMany(keys: readonly string[]): Promise<Map<string, PlayerState>> {
    const out = new Map<string, PlayerState>();
    for (const k of keys) {
      const v = this.items.get(k);
      if (v !== undefined) out.set(k, JSON.parse(v) as PlayerState);
    }
    return out;
  }

  async putMany(states: ReadonlyMap<string, PlayerState>): Promise<void> {
    for (const [k, v] of states) this.items.set(k, JSON.stringify(v));
  }

  get size(): number {
    return this.items.size;
  }
}
