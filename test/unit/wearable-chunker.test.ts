import {
  MAX_SAMPLES_PER_WEARABLE_CHUNK,
  WEARABLE_RECORD,
  type WearableChunk,
} from "../../lambdas/contracts/records/wearable.js";
import { emptyProduced, produce } from "../../producers/produce.js";
import type { ReaderItem, WearableHrSample, WearableImuSample } from "../../producers/readers/types.js";
import { WearableChunker } from "../../producers/wearable-chunker.js";

const T0 = Date.parse("2026-05-16T15:00:00Z");

const imu = (t: number, over: Partial<WearableImuSample> = {}): WearableImuSample => ({
  channel: "imu",
  t,
  playerId: "p7",
  deviceId: "vest-71",
  deviceKind: "catapult-s6",
  rateHz: 100,
  verticalAxis: "z",
  ax: 0.1,
  ay: -0.2,
  az: 1,
  gx: 1,
  gy: 2,
  gz: 3,
  vendorPlayerLoad: 0.2,
  ...over,
});
const hr = (t: number, bpm = 150, over: Partial<WearableHrSample> = {}): WearableHrSample => ({
  channel: "hr",
  t,
  playerId: "p7",
  deviceId: "vest-71",
  deviceKind: "catapult-s6",
  bpm,
  ...over,
});

/** Every record parses against the contract, as it will after a trip through JSON. */
function expectValid(records: readonly WearableChunk[]): void {
  for (const r of records) expect(WEARABLE_RECORD.parse(JSON.parse(JSON.stringify(r)))).toMatchObject({ ok: true });
}

function run(c: WearableChunker, samples: readonly (WearableImuSample | WearableHrSample)[]) {
  const records: WearableChunk[] = [];
  const rejected: string[] = [];
  for (const s of samples) {
    const r = c.add(s);
    if (r.chunk) records.push(r.chunk);
    if (r.rejected) rejected.push(r.rejected);
  }
  records.push(...c.finish());
  return { records, rejected };
}

describe("wearable chunker", () => {
  it("groups one device's IMU and heart-rate samples into records with offsets from t0", () => {
    // GIVEN 3 s of 100 Hz IMU with a heart-rate reading each second
    const samples = [];
    for (let i = 0; i < 300; i++) {
      samples.push(imu(T0 + i * 10));
      if (i % 100 === 0) samples.push(hr(T0 + i * 10, 140 + i / 100));
    }
    // WHEN chunked into 1 s records
    const { records, rejected } = run(new WearableChunker("match-1", 1000), samples);
    // THEN three records, numbered from 0, the last final, each with both channels
    expect(rejected).toEqual([]);
    expectValid(records);
    expect(records.map((r) => [r.seq, r.t0, r.imu?.t.length, r.hr?.bpm, r.final])).toEqual([
      [0, T0, 100, [140], undefined],
      [1, T0 + 1000, 100, [141], undefined],
      [2, T0 + 2000, 100, [142], true],
    ]);
    expect(records[0]).toMatchObject({
      schema: "sideline.wearable.v1",
      session_id: "match-1",
      player_id: "p7",
      device_id: "vest-71",
      device_kind: "catapult-s6",
      imu: { rate_hz: 100, vertical_axis: "z" },
      hr: { t: [0] },
    });
    expect(records[1]!.imu!.t.slice(0, 3)).toEqual([0, 10, 20]);
    expect(records[1]!.imu!.gx).toHaveLength(100);
    expect(records[1]!.imu!.vendor_player_load).toHaveLength(100);
  });

  it("keeps gyroscope only when every sample of the record has it", () => {
    const { records } = run(new WearableChunker("m", 30_000), [
      imu(T0),
      imu(T0 + 10, { gx: undefined, gy: undefined, gz: undefined }),
      imu(T0 + 20),
    ]);
    expectValid(records);
    expect(records).toHaveLength(1);
    expect(records[0]!.imu).not.toHaveProperty("gx");
    expect(records[0]!.imu!.ax).toHaveLength(3);
  });

  it("starts a new record when vendor PlayerLoad comes or goes, so no vendor value is dropped", () => {
    // GIVEN a Catapult export with an NA PlayerLoad on the third row
    const { records } = run(new WearableChunker("m", 30_000), [
      imu(T0, { vendorPlayerLoad: 0.1 }),
      imu(T0 + 10, { vendorPlayerLoad: 0.2 }),
      imu(T0 + 20, { vendorPlayerLoad: undefined }),
      imu(T0 + 30, { vendorPlayerLoad: 0.4 }),
    ]);
    // THEN three records: each carries the vendor's value for all of its samples or for none
    expectValid(records);
    expect(records.map((r) => [r.seq, r.t0 - T0, r.imu!.t, r.imu!.vendor_player_load, r.final])).toEqual([
      [0, 0, [0, 10], [0.1, 0.2], undefined],
      [1, 20, [0], undefined, undefined],
      [2, 30, [0], [0.4], true],
    ]);
  });

  it("splits a record when a channel reaches the sample cap, and ends with the last samples as final", () => {
    // GIVEN two records' worth and one sample of 1 kHz IMU, all inside one chunk span
    const n = 2 * MAX_SAMPLES_PER_WEARABLE_CHUNK + 1;
    const samples = Array.from({ length: n }, (_, i) => imu(T0 + i, { rateHz: 1000 }));
    // WHEN chunked
    const { records } = run(new WearableChunker("m", 3_600_000), samples);
    // THEN two full records, then the last sample alone as the final record
    expectValid(records);
    expect(records.map((r) => [r.seq, r.t0 - T0, r.imu?.t.length, r.final ?? false])).toEqual([
      [0, 0, MAX_SAMPLES_PER_WEARABLE_CHUNK, false],
      [1, MAX_SAMPLES_PER_WEARABLE_CHUNK, MAX_SAMPLES_PER_WEARABLE_CHUNK, false],
      [2, 2 * MAX_SAMPLES_PER_WEARABLE_CHUNK, 1, true],
    ]);
  });

  it("closes a record at the chunk span, and emits nothing for a device it never saw", () => {
    const c = new WearableChunker("m", 1000);
    expect(c.add(imu(T0)).chunk).toBeNull();
    expect(c.add(imu(T0 + 999)).chunk).toBeNull();
    const done = c.add(imu(T0 + 1000)).chunk;
    expect(done).toMatchObject({ seq: 0, t0: T0, imu: { t: [0, 999] } });
    const rest = c.finish();
    expect(rest).toEqual([expect.objectContaining({ seq: 1, t0: T0 + 1000, final: true })]);
    expectValid([done!, ...rest]);
    expect(c.finish()).toEqual([]);
  });

  it("numbers records per device, and keeps devices and players apart", () => {
    const { records } = run(new WearableChunker("m", 1000), [
      imu(T0),
      hr(T0, 120, { deviceId: "strap-1", deviceKind: "hr-strap" }),
      imu(T0, { playerId: "p8" }),
      imu(T0 + 1000),
    ]);
    expectValid(records);
    expect(records.map((r) => `${r.player_id}/${r.device_id}#${r.seq}${r.final ? " final" : ""}`).sort()).toEqual([
      "p7/strap-1#0 final",
      "p7/vest-71#0",
      "p7/vest-71#1 final",
      "p8/vest-71#0 final",
    ]);
  });

  it("starts a new record when the IMU's rate or vertical axis changes", () => {
    const { records } = run(new WearableChunker("m", 30_000), [
      imu(T0),
      imu(T0 + 10),
      imu(T0 + 20, { rateHz: 52 }),
      imu(T0 + 40, { rateHz: 52, verticalAxis: "y" }),
    ]);
    expectValid(records);
    expect(records.map((r) => [r.imu?.rate_hz, r.imu?.vertical_axis, r.imu?.t.length])).toEqual([
      [100, "z", 2],
      [52, "z", 1],
      [52, "y", 1],
    ]);
  });

  it("leaves out, with the reason, samples that would make an invalid record", () => {
    const { records, rejected } = run(new WearableChunker("m", 30_000), [
      imu(T0),
      imu(T0), // repeats the time
      imu(T0 - 5), // goes back
      imu(T0 + 10, { ax: Number.NaN }),
      imu(T0 + 20, { rateHz: 5000 }),
      hr(T0, 0),
      hr(T0 + 1000, 300),
      hr(T0 + 2000, 150),
      imu(T0 + 30, { deviceId: "" }),
    ]);
    expectValid(records);
    expect(records[0]!.imu!.t).toEqual([0]);
    expect(records[0]!.hr).toEqual({ t: [2000], bpm: [150] });
    expect(rejected).toEqual([
      "imu time 2026-05-16T15:00:00.000Z does not follow the device's previous imu sample",
      "imu time 2026-05-16T14:59:59.995Z does not follow the device's previous imu sample",
      "an IMU value is not a finite number",
      "sample rate 5000 Hz is above the 2000 Hz the record accepts",
      "0 bpm: strap contact lost",
      "300 bpm is outside 25-250 bpm: not physiological (a strap artefact)",
      "device id must be 1-128 characters",
    ]);
  });

  it("fails on an empty session id or a chunk span that is not positive", () => {
    expect(() => new WearableChunker("")).toThrow(/session id is empty/);
    expect(() => new WearableChunker("m", 0)).toThrow(/chunk length must be positive/);
  });
});

describe("produce loop with wearable samples", () => {
  const modality = { record: WEARABLE_RECORD } as Parameters<typeof produce>[1]["modality"];

  it("sends wearable items through the wearable chunker, counts each sample once, and quarantines rejected ones", async () => {
    const items: ReaderItem[] = [
      { kind: "wearable", sample: imu(T0) },
      { kind: "wearable", sample: imu(T0 + 10) },
      { kind: "wearable", sample: imu(T0 + 10) },
      { kind: "wearable", sample: hr(T0, 151) },
      { kind: "bad", ref: "f.csv:9", reason: "acceleration is missing", payload: "x", samples: 1 },
    ];
    const put: unknown[] = [];
    const rejected: string[] = [];
    const p = await produce(
      { items },
      {
        modality,
        matchId: "session-3",
        chunkMs: 1000,
        put: async (r) => void put.push(r),
        onRejected: async (b) => void rejected.push(`${b.ref}: ${b.reason}`),
      },
      emptyProduced(),
    );
    expect(put).toHaveLength(1);
    for (const r of put) expect(WEARABLE_RECORD.parse(r)).toMatchObject({ ok: true });
    expect(put[0]).toMatchObject({ session_id: "session-3", final: true, imu: { t: [0, 10] }, hr: { bpm: [151] } });
    expect(p).toMatchObject({ samplesRead: 3, samplesSent: 3, readerRejectedLines: 2, readerRejectedSamples: 2 });
    expect(rejected).toEqual([
      "p7/vest-71@2026-05-16T15:00:00.010Z: imu time 2026-05-16T15:00:00.010Z does not follow the device's previous imu sample",
      "f.csv:9: acceleration is missing",
    ]);
  });

  it("marks no record final when the input fails part way", async () => {
    async function* failing(): AsyncGenerator<ReaderItem> {
      yield { kind: "wearable", sample: imu(T0) };
      throw new Error("disk gone");
    }
    const put: WearableChunk[] = [];
    const p = await produce(
      { items: failing() },
      {
        modality,
        matchId: "m",
        chunkMs: 1000,
        put: async (r) => void put.push(r as WearableChunk),
        onRejected: async () => {},
      },
    );
    expect(p.incomplete?.reason).toBe("disk gone");
    expect(put).toEqual([]);
  });
});
