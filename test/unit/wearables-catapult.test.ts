/**
 * Sideline's PlayerLoad against Catapult's own, on Catapult's 10 s sample of an S6 at 100 Hz
 * (test/fixtures/wearables/README.md: SBGSports/catapultr, MIT).
 *
 * Catapult's RawPlayerLoad is per sample and is NOT divided by 100: its column sums to 295.4 over
 * the 10 s, while Sideline's PlayerLoad of the same accelerations (sum of |da| / 100) is 3.2455 AU.
 * The ratio RawPlayerLoad / (PlayerLoad x 100) is 0.910: Catapult's value follows the undivided size
 * of the acceleration change (per sample, r = 0.96) but a little below it, consistent with Catapult
 * filtering the accelerometer before differencing (an assumption: Catapult does not publish it). So
 * vendor_player_load sums about 91 x player_load: another scale, never to be compared or added.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { HrReference } from "../../lambdas/core/wearables/heart-rate.js";
import { playerLoad } from "../../lambdas/core/wearables/player-load.js";
import { applyWearableChunk, newWearableState } from "../../lambdas/core/wearables/wearable-windows.js";

const FIXTURE = fileURLToPath(new URL("../fixtures/wearables/catapultr_highfreq100hz.csv", import.meta.url));
/** The measured ratio is 0.910; the band leaves room for the last digits of a re-export, not for another scale. */
const RATIO_BAND = [0.88, 0.94] as const;
const REF: HrReference = { hrMaxBpm: 200, hrRestBpm: 60, sex: "male", source: "assumed" };

/** The export's columns by name: three metadata lines, a header, then one row per centisecond. */
function readExport(): { centisecTime: number; columns: Record<string, number[]> } {
  const lines = readFileSync(FIXTURE, "utf8").trimEnd().split("\n");
  const centisecTime = Number(/CentisecTime: (\d+)/.exec(lines[1]!)![1]);
  const header = lines[3]!.split(",");
  const columns: Record<string, number[]> = Object.fromEntries(header.map((h) => [h, []]));
  for (const line of lines.slice(4)) {
    const cells = line.split(",");
    for (const [i, h] of header.entries()) columns[h]!.push(Number(cells[i]));
  }
  return { centisecTime, columns };
}

describe("PlayerLoad on Catapult's sample", () => {
  const { centisecTime, columns } = readExport();
  const forward = columns["Acceleration.forward"]!;
  const side = columns["Acceleration.side"]!;
  const up = columns["Acceleration.up"]!;
  const raw = columns.RawPlayerLoad!;
  const t = forward.map((_, i) => i * 10);

  it("reads 1,000 rows whose RawPlayerLoad sums to 295.4", () => {
    expect(forward).toHaveLength(1000);
    expect(raw.reduce((a, b) => a + b, 0)).toBeCloseTo(295.37, 2);
  });

  it("gives a PlayerLoad whose ratio to Catapult's undivided RawPlayerLoad lies in the documented band", () => {
    const pl = playerLoad({ t, ax: forward, ay: side, az: up, rateHz: 100, verticalAxis: "z" });
    expect(pl.playerLoad).toBeCloseTo(3.2455, 4);
    expect(pl.coveredS).toBeCloseTo(9.99, 9);
    const ratio = raw.reduce((a, b) => a + b, 0) / (pl.playerLoad * 100);
    expect(ratio).toBeGreaterThan(RATIO_BAND[0]);
    expect(ratio).toBeLessThan(RATIO_BAND[1]);
    expect(pl.playerLoad2d).toBeLessThan(pl.playerLoad);
  });

  it("carries the vendor's sum beside its own in the streaming windows", () => {
    const t0 = centisecTime * 10; // 2019-04-16 06:14:52.40 UTC: 7.6 s before the minute, 2.4 s after
    const r = applyWearableChunk(
      newWearableState(),
      {
        t0,
        imu: { rate_hz: 100, vertical_axis: "z", t, ax: forward, ay: side, az: up, vendor_player_load: raw },
        final: true,
      },
      REF,
    );
    expect(r.closed.map((w) => [w.windowStart - 1_555_395_240_000, w.imuSamples])).toEqual([
      [0, 760],
      [60_000, 240],
    ]);
    for (const w of r.closed)
      expect(w).toMatchObject({ sampleRateHz: 100, jumps: 0, clippedSamples: 0, hrReadings: null });
    expect(r.session!.vendorPlayerLoad).toBeCloseTo(295.37, 2);
    expect(r.session!.playerLoad).toBeCloseTo(3.2455, 4);
    expect(r.session!.imuCoveredS).toBeCloseTo(9.99, 9);
    // The raw 100 Hz vest signal spikes to 7.9 g while the athlete walks (0.06-1.32 m/s). Impact counts
    // on unfiltered vest data run high; read them so. Expected counts from the independent numpy
    // reference of the documented rule, test/reference/imu_impacts_reference.py: 71 samples at or above
    // 5 g form 17 excursions (peaks 350-420 ms apart, about one per step), 11 light and 6 moderate, none
    // heavy (the previous refractory-from-the-peak rule also gives 17 here: each excursion lasts 20-50 ms).
    const sum = (k: "impactsLight" | "impactsModerate" | "impactsHeavy") => r.closed.reduce((n, w) => n + w[k]!, 0);
    expect([sum("impactsLight"), sum("impactsModerate"), sum("impactsHeavy")]).toEqual([11, 6, 0]);
  });
});
