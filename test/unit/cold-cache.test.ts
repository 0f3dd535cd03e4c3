import { ColdPartCache } from "../../lambdas/adapters/cold-cache.js";
import { MemoryStateStore } from "../../lambdas/adapters/local/memory-state-store.js";
import { DEFAULT_PITCH } from "../../lambdas/contracts/pitch.js";
import { WIRE_METRES_PER_UNIT } from "../../lambdas/contracts/records/tracking.js";
import { applyChunk, newPlayerState, PLAYER_STATE_COLD_FIELDS } from "../../lambdas/core/tracking/player-features.js";
import type { StoredState } from "../../lambdas/ports.js";
import { DemoMatch } from "../../local/demo/demo-match.js";

const textCodec = () => {
  const counts = { encode: 0 };
  return {
    counts,
    codec: {
      encode: (d: object) => {
        counts.encode++;
        return JSON.stringify(d);
      },
      decode: (t: string) => JSON.parse(t) as Record<string, unknown>,
      same: (a: string, b: string) => a === b,
    },
  };
};

describe("cold part cache", () => {
  it("answers a read at the revision it wrote with its object, once, until it is written again", () => {
    const { codec } = textCodec();
    const cache = new ColdPartCache(codec);
    const data = { n: 1 };
    const text = cache.write("k", { rev: 1, data });
    cache.commit(["k"]);
    expect(cache.read("k", 1, text).data).toBe(data);
    // Checked out: a second read before any write decodes a fresh copy.
    const second = cache.read("k", 1, text).data;
    expect(second).not.toBe(data);
    expect(second).toEqual(data);
    expect(cache).toMatchObject({ decoded: 1, reused: 1 });
  });

  it("never hands out an object an invocation changed but did not write (a failed batch)", () => {
    const { codec } = textCodec();
    const cache = new ColdPartCache(codec);
    const text = cache.write("k", { rev: 1, data: { n: 1 } });
    cache.commit(["k"]);
    const got = cache.read("k", 1, text).data as { n: number };
    got.n = 99; // applied, revision bumped in the state, but the batch failed: nothing written
    expect(cache.read("k", 1, text).data).toEqual({ n: 1 });
  });

  it("reuses the stored encoding of an unchanged part, and encodes a changed one", () => {
    const { codec, counts } = textCodec();
    const cache = new ColdPartCache(codec);
    const stored = JSON.stringify({ n: 1 });
    const { data } = cache.read("k", 4, stored);
    expect(cache.write("k", { rev: 4, data })).toBe(stored);
    expect(counts.encode).toBe(0);
    expect(cache.write("k", { rev: 5, data: { n: 2 } })).toBe(JSON.stringify({ n: 2 }));
    expect(counts.encode).toBe(1);
  });

  it("forgets a write that failed: the stored part is decoded on the next read", () => {
    const { codec } = textCodec();
    const cache = new ColdPartCache(codec);
    const stored = JSON.stringify({ n: 1 });
    cache.read("k", 1, stored);
    cache.write("k", { rev: 2, data: { n: 2 } });
    cache.abandon();
    cache.commit(["k"]); // nothing pending any more
    expect(cache.read("k", 1, stored).data).toEqual({ n: 1 });
    expect(cache.decoded).toBe(2);
  });

  it("decodes a part whose revision matches but whose stored encoding differs (another writer)", () => {
    const { codec } = textCodec();
    const cache = new ColdPartCache(codec);
    cache.write("k", { rev: 1, data: { n: 1 } });
    cache.commit(["k"]);
    expect(cache.read("k", 1, JSON.stringify({ n: 7 })).data).toEqual({ n: 7 });
  });

  it("round-trips through the memory store exactly as JSON would", async () => {
    const store = new MemoryStateStore();
    const s: StoredState = { modality: "m", version: 1, state: { a: [1, 2] }, cold: { rev: 2, data: { b: { c: 3 } } } };
    await store.putMany(new Map([["k", s]]));
    expect((await store.getMany(["k"])).get("k")).toEqual(JSON.parse(JSON.stringify(s)));
  });
});

describe("player state: the cold fields' revision", () => {
  it("is bumped by every chunk that changes a cold field, over a whole match", () => {
    // The store trusts the revision: a change to a cold field without a bump would be lost on the
    // next write. Every chunk of every player of a 3-minute match is checked.
    const match = new DemoMatch({ minutes: 3, seed: 5 });
    const states = new Map<string, ReturnType<typeof newPlayerState>>();
    const coldText = (s: ReturnType<typeof newPlayerState>) =>
      JSON.stringify(PLAYER_STATE_COLD_FIELDS.map((f) => s[f]));
    let changes = 0;
    for (const c of match.chunks(1000)) {
      if (c.entity === "ball") continue;
      let s = states.get(c.player_id);
      if (!s) {
        s = newPlayerState(60_000);
        states.set(c.player_id, s);
      }
      const before = coldText(s);
      const rev = s.coldRev;
      applyChunk(s, {
        t0: c.t0,
        t: c.t,
        x: c.x_mm,
        y: c.y_mm,
        metresPerUnit: WIRE_METRES_PER_UNIT,
        period: c.period,
        final: c.final,
        pitch: DEFAULT_PITCH,
      });
      if (coldText(s) !== before) {
        changes++;
        expect(s.coldRev).toBeGreaterThan(rev);
      }
    }
    expect(changes).toBeGreaterThan(22 * 2); // at least every window close of every player
  });
});
