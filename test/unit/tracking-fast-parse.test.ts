import {
  fastParseTrackingChunk,
  MAX_SAMPLES_PER_CHUNK,
  TRACKING_RECORD,
  trackingChunkSchema,
} from "../../lambdas/contracts/records/tracking.js";
import { DemoMatch } from "../../local/demo/demo-match.js";

/** A record as the wire carries it: what JSON.parse gives the handler. */
const wire = (v: unknown) => JSON.parse(JSON.stringify(v)) as Record<string, unknown>;

const base = wire([...new DemoMatch({ minutes: 1, seed: 2 }).chunks(1000)][0]);

/** Every field set to values zod accepts and values it refuses, and keys added or removed. */
function variants(): unknown[] {
  const values: Record<string, unknown[]> = {
    schema: ["sideline.tracking.v2", "", null, 1],
    match_id: ["", "m".repeat(128), "m".repeat(129), 7, null],
    player_id: ["", "p".repeat(128), "p".repeat(129), ["p"]],
    team: ["home", "", "t".repeat(64), "t".repeat(65), null, 3],
    entity: ["player", "ball", "referee", null, ""],
    seq: [0, 1, -1, 1.5, 2 ** 53, 2 ** 53 - 1, "1", null, Number.POSITIVE_INFINITY],
    period: [1, 2, 0, -1, 1.5, null, "1"],
    t0: [0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "0", null],
    final: [true, false, null, "true", 1],
    pitch: [
      { length_m: 105, width_m: 68 },
      { length_m: 105, width_m: 68, extra: 1 },
      { length_m: 0, width_m: 68 },
      { length_m: 105 },
      { length_m: "105", width_m: 68 },
      { length_m: Number.POSITIVE_INFINITY, width_m: 68 },
      [105, 68],
      null,
    ],
  };
  const out: unknown[] = [];
  for (const [key, vs] of Object.entries(values)) {
    for (const v of vs) out.push({ ...base, [key]: v });
    const { [key]: _, ...without } = base;
    out.push(without);
  }
  const t = base.t as number[];
  const x = base.x_mm as number[];
  out.push(
    { ...base, extra_field: "dropped" },
    { ...base, t: [...t.slice(0, -1), Number.NaN] },
    { ...base, t: [...t.slice(0, -1), "40"] },
    { ...base, t: t.slice(1) },
    { ...base, x_mm: [...x.slice(0, -1), 1.5] },
    { ...base, x_mm: [...x.slice(0, -1), null] },
    { ...base, y_mm: x.slice(1) },
    { ...base, x_mm: x.map((v) => v * 1e12) }, // integers past 2^53: Number.isInteger accepts them, as zod's check does
    { ...base, t: [], x_mm: [], y_mm: [] },
    {
      ...base,
      t: Array.from({ length: MAX_SAMPLES_PER_CHUNK + 1 }, (_, i) => i),
      x_mm: new Array(MAX_SAMPLES_PER_CHUNK + 1).fill(0),
      y_mm: new Array(MAX_SAMPLES_PER_CHUNK + 1).fill(0),
    },
    { ...base, t: "0,40" },
    null,
    [],
    "record",
  );
  return out;
}

describe("tracking record: the fast path beside zod", () => {
  it("gives zod's record, key for key and in zod's order, for every demo chunk", () => {
    const chunks = [...new DemoMatch({ minutes: 2, seed: 4 }).chunks(1000)].map(wire);
    for (const c of chunks) {
      const fast = fastParseTrackingChunk(c);
      expect(fast).toBeDefined();
      expect(JSON.stringify(fast)).toBe(JSON.stringify(trackingChunkSchema.parse(c)));
    }
  });

  it("accepts only what zod accepts, with zod's output, and leaves every other record to zod", () => {
    let fastAccepted = 0;
    let zodOnly = 0;
    const all = variants();
    for (const v of all) {
      const z = trackingChunkSchema.safeParse(v);
      const fast = fastParseTrackingChunk(v);
      if (fast !== undefined) {
        fastAccepted++;
        expect({ v, accepted: z.success }).toEqual({ v, accepted: true });
        expect(JSON.stringify(fast)).toBe(JSON.stringify(z.data));
      } else if (z.success) zodOnly++;
    }
    // Most valid variants take the fast path; the corpus is mostly rejections.
    expect(fastAccepted).toBeGreaterThan(20);
    expect(zodOnly).toBe(0);
    expect(all.length - fastAccepted).toBeGreaterThan(40);
  });

  it("words every rejection as zod does: the field and the reason", () => {
    expect(TRACKING_RECORD.parse({ ...base, seq: -1 })).toEqual({
      ok: false,
      reason: "wrong schema: seq: Too small: expected number to be >=0",
    });
    const r = TRACKING_RECORD.parse({ ...base, x_mm: [1.5] });
    expect(r.ok).toBe(false);
    expect((r as { reason: string }).reason).toMatch(/^wrong schema: x_mm: expected an array of at most 1000 integers/);
  });
});
