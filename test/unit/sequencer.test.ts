/** The seq sequencer and the batching helper: the two generic pieces every stream and batch call share. */
import { batches, sendWithRetry } from "../../lambdas/adapters/batching.js";
import { DUPLICATE, newSequencer, REORDER_LIMIT_RECORDS, sequence } from "../../lambdas/core/stream/sequencer.js";

function feed(seqs: number[]) {
  const s = newSequencer<string>();
  const applied: number[] = [];
  let duplicates = 0;
  let missing = 0;
  for (const q of seqs) {
    const r = sequence(s, q, `record ${q}`, (rec) => applied.push(Number(rec.split(" ")[1])));
    if (r === DUPLICATE) duplicates++;
    else missing += r;
  }
  return { s, applied, duplicates, missing };
}

describe("seq sequencer", () => {
  it("applies records in seq order whatever order they arrive in", () => {
    expect(feed([0, 2, 3, 1, 5, 4]).applied).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("applies a record once: a repeat, applied or held, changes nothing", () => {
    const r = feed([0, 1, 1, 3, 3, 0, 2]);
    expect(r.applied).toEqual([0, 1, 2, 3]);
    expect(r.duplicates).toBe(3);
  });

  it("skips a gap for good, counting it missing, once more than the reorder limit is held", () => {
    const seqs = [0, ...Array.from({ length: REORDER_LIMIT_RECORDS + 1 }, (_, i) => i + 2)];
    const r = feed(seqs);
    expect(r.missing).toBe(1);
    expect(r.applied).toEqual(seqs);
    expect(r.s.held).toHaveLength(0);
    expect(r.s.lastSeq).toBe(REORDER_LIMIT_RECORDS + 2);
  });

  it("holds at most a modality's own limit: with 2, the gap is skipped at the third record held", () => {
    const s = newSequencer<string>();
    const applied: number[] = [];
    const offer = (q: number) => sequence(s, q, `r${q}`, (r) => applied.push(Number(r.slice(1))), 2);
    offer(0);
    expect([offer(2), offer(3)]).toEqual([0, 0]);
    expect(s.held.map((h) => h.seq)).toEqual([2, 3]);
    expect(offer(4)).toBe(1);
    expect(applied).toEqual([0, 2, 3, 4]);
    expect(s.held).toHaveLength(0);
  });

  it("leaves the state as it was before a record whose step throws", () => {
    const s = newSequencer<string>();
    sequence(s, 0, "a", () => undefined);
    expect(() =>
      sequence(s, 1, "b", () => {
        throw new Error("bad");
      }),
    ).toThrow("bad");
    expect(s.lastSeq).toBe(0);
  });
});

describe("batching helper", () => {
  it("splits into batches within the count and byte limits of one call", () => {
    expect(batches([1, 2, 3, 4, 5], { maxItems: 2 }).map((b) => b.length)).toEqual([2, 2, 1]);
    expect(batches(["aaaa", "bb", "cc", "dddd"], { maxItems: 10, maxBytes: 6 }, (s) => s.length)).toEqual([
      ["aaaa", "bb"],
      ["cc", "dddd"],
    ]);
    expect(() => batches(["x".repeat(7)], { maxItems: 1, maxBytes: 6 }, (s) => s.length)).toThrow(
      "an entry of 7 bytes is over the 6-byte limit of one call",
    );
  });

  it("sends again only what each attempt reports as failed, with backoff, then names what still fails", async () => {
    const sent: number[][] = [];
    const sleeps: number[] = [];
    const backoff = {
      attempts: 3,
      baseMs: 100,
      maxMs: 1000,
      random: () => 1,
      sleep: async (ms: number) => void sleeps.push(ms),
    };
    await expect(
      sendWithRetry(
        [1, 2, 3],
        async (b) => {
          sent.push([...b]);
          return { retry: b.filter((x) => x === 3), errors: ["Throttled"] };
        },
        backoff,
        "PutThings",
      ),
    ).rejects.toThrow("PutThings: 1 entries still failing after 3 attempts (Throttled)");
    expect(sent).toEqual([[1, 2, 3], [3], [3]]);
    // Exponential backoff with full jitter: random x min(max, base x 2^attempt)
    expect(sleeps).toEqual([200, 400]);
  });
});
