import type { KinesisStreamRecord } from "aws-lambda";
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { MemoryStateStore } from "../../lambdas/adapters/local/memory-state-store.js";
import { type BusEntry, DETAIL_TYPES } from "../../lambdas/contracts/events/index.js";
import { playerBiomechanicsDeviationSchema } from "../../lambdas/contracts/events/insights.js";
import { KP, POSE_RECORD, type PoseChunk } from "../../lambdas/contracts/records/pose.js";
import { kneeFppa } from "../../lambdas/core/pose/angles.js";
import { DEVIATION_SD_MULTIPLIER, KNEE_FPPA_MDC_DEG } from "../../lambdas/core/pose/deviation.js";
import { maskKeypoints } from "../../lambdas/core/pose/signal.js";
import { createPoseBiomechanicsHandler } from "../../lambdas/functions/pose-biomechanics/handler.js";
import type { EventPublisher } from "../../lambdas/ports.js";
import { addCounts, emptyCounts } from "../../lambdas/runtime/stream-invocation.js";
import { DEVIATION_FROM_MINUTE, demoPoseChunks } from "../../local/demo/demo-pose.js";
import { kinesisRecordFactory, lambdaContext, MemoryVisualStore } from "../helpers/factories.js";

class CapturingPublisher implements EventPublisher {
  readonly events: BusEntry[] = [];
  async publish(events: readonly BusEntry[]): Promise<void> {
    this.events.push(...events);
  }
}

const START = Date.parse("2026-05-16T15:20:00Z");
const record = (c: PoseChunk | Record<string, unknown>) =>
  kinesisRecordFactory(c, { partitionKey: POSE_RECORD.identity(c as PoseChunk).partitionKey });

async function setup() {
  const lake = await DuckDbLake.open(":memory:");
  const publisher = new CapturingPublisher();
  const visuals = new MemoryVisualStore();
  const totals = emptyCounts();
  const handler = createPoseBiomechanicsHandler({
    sink: lake,
    publisher,
    stateStore: new MemoryStateStore(),
    visuals,
    windowMs: 60_000,
    now: () => new Date("2026-05-16T18:00:00Z"),
    onInvocation: (c) => addCounts(totals, c),
  });
  const invoke = async (records: KinesisStreamRecord[], batch = 100) => {
    for (let i = 0; i < records.length; i += batch) {
      const res = await handler({ Records: records.slice(i, i + batch) }, lambdaContext);
      expect(res).toEqual({ batchItemFailures: [] });
    }
  };
  return { lake, publisher, visuals, totals, invoke };
}

const WINDOW_SQL = "SELECT * EXCLUDE (filtered_share) FROM biomech_windows ORDER BY subject_id, window_start";

describe("pose-biomechanics handler", () => {
  // Two minutes of two players at 25 fps, one second per record: 240 records, 6,000 frames.
  const clip = [...demoPoseChunks({ matchId: "m1", startMs: START, minutes: 2, players: ["home_7", "home_9"] })];

  it("lands every frame in pose_frames and every minute in biomech_windows, as a running gait", async () => {
    const { lake, invoke, totals } = await setup();
    await invoke(clip.map(record));
    expect(totals).toMatchObject({
      records: 240,
      recordsApplied: 240,
      samplesAccepted: 6000,
      samplesQuarantined: 0,
      rows: { pose_frames: 6000, biomech_windows: 4 },
    });
    const w = await lake.queryObjects<{ frames: number; fps: number; filtered: boolean; cadence_spm: number }>(
      "SELECT frames, fps, filtered, cadence_spm FROM biomech_windows",
    );
    // 1,500 frames a minute at 25 fps, filtered (fps above twice the 6 Hz cut-off), at the generator's 168 steps/min.
    for (const r of w) {
      expect(r).toMatchObject({ frames: 1500, fps: 25, filtered: true });
      expect(r.cadence_spm).toBeCloseTo(168, -1);
    }
    // The keypoint columns are the record's, unchanged: the first frame's left knee.
    const first = clip[0]!.frames[0]!.keypoints[KP.left_knee]!;
    const row = await lake.queryObjects<{ x: number; y: number; s: number }>(
      "SELECT left_knee_x AS x, left_knee_y AS y, left_knee_score AS s FROM pose_frames ORDER BY t, subject_id LIMIT 1",
    );
    expect(row[0]).toEqual({ x: first[0], y: first[1], s: first[2] });
    lake.close();
  });

  it("gives identical windows whatever the batch size, and a redelivered batch changes nothing", async () => {
    const a = await setup();
    await a.invoke(clip.map(record), 100);
    const b = await setup();
    await b.invoke(clip.map(record), 7);
    const rowsA = (await a.lake.query(WINDOW_SQL)).rows;
    expect((await b.lake.query(WINDOW_SQL)).rows).toEqual(rowsA);
    await a.invoke(clip.slice(100, 180).map(record));
    expect((await a.lake.query(WINDOW_SQL)).rows).toEqual(rowsA);
    expect(Number((await a.lake.query("SELECT count(*) FROM pose_frames")).rows[0]![0])).toBe(6000);
    a.lake.close();
    b.lake.close();
  });

  it("quarantines bad records and frames out of time order with a reason, and accounts for every frame", async () => {
    const { lake, invoke, totals } = await setup();
    const mine = clip.filter((c) => c.player_id === "home_7").slice(0, 6);
    const repeat = { ...mine[3]!, frames: [mine[2]!.frames[0]!, ...mine[3]!.frames.slice(1)], t0: mine[3]!.t0 };
    const short = {
      ...mine[4]!,
      frames: mine[4]!.frames.map((f, i) => (i === 2 ? { ...f, keypoints: f.keypoints.slice(1) } : f)),
    };
    const badScore = {
      ...mine[5]!,
      frames: mine[5]!.frames.map((f, i) => (i === 0 ? { ...f, keypoints: f.keypoints.map(() => [1, 2, 1.5]) } : f)),
    };
    // mine[3]'s first frame carries mine[2]'s first frame's time: earlier than the frames already applied.
    repeat.frames[0] = { ...repeat.frames[0]!, t: mine[2]!.t0 - mine[3]!.t0 };
    await invoke([
      ...mine.slice(0, 3).map(record),
      record(repeat),
      record(short),
      record(badScore),
      kinesisRecordFactory("{not json", { partitionKey: "m1/home_7/touchline-cam-1" }),
    ]);
    const q = await lake.queryObjects<{ reason: string; sample_count: number }>(
      "SELECT reason, sample_count FROM quarantine ORDER BY reason",
    );
    expect(q).toEqual([
      { reason: "1 sample(s) from index 0: frame time not after the subject's previous frame", sample_count: 1 },
      { reason: expect.stringMatching(/^not JSON: /), sample_count: 0 },
      { reason: expect.stringMatching(/^wrong schema: frames\.0\.keypoints\.0\.2: /), sample_count: 25 },
      { reason: expect.stringMatching(/^wrong schema: frames\.2\.keypoints: /), sample_count: 25 },
    ]);
    // Count in = accounted + quarantined: 6 records of 25 frames.
    expect(totals.samplesAccepted + totals.samplesQuarantined).toBe(6 * 25);
    expect(totals.samplesQuarantined).toBe(1 + 25 + 25);
    expect(Number((await lake.query("SELECT count(*) FROM pose_frames")).rows[0]![0])).toBe(totals.samplesAccepted);
    lake.close();
  });

  it("raises one deviation for the player whose left knee caves in, explained with his skeleton; none for a track", async () => {
    const { invoke, publisher, visuals, lake } = await setup();
    // Twelve minutes: ten of baseline, then two windows of the caving knee (the rule's persistence).
    const twelve = [...demoPoseChunks({ matchId: "m1", startMs: START, players: ["home_7"] })];
    // The same caving knee on an anonymous track: its biomechanics are kept, but nobody is alerted about it.
    const anonymous = twelve
      .filter((c) => c.player_id === "home_7")
      .map(({ player_id: _p, team: _t, ...rest }) => ({ ...rest, track_id: "17" }) as PoseChunk);
    await invoke([...twelve, ...anonymous].map(record));
    const deviations = publisher.events.filter((e) => e.detailType === DETAIL_TYPES.playerBiomechanicsDeviation);
    expect(deviations).toHaveLength(1);
    const d = playerBiomechanicsDeviationSchema.parse(deviations[0]!.detail);
    expect(d).toMatchObject({ player_id: "home_7", camera_id: "touchline-cam-1", feature: "knee_fppa_peak_left_deg" });
    // It fires on the second caving window (persistence 2), past the baseline by more than the MDC.
    expect(d.window_start).toBe(new Date(START + (DEVIATION_FROM_MINUTE + 1) * 60_000).toISOString());
    expect(d.value - d.baseline_mean).toBeGreaterThan(KNEE_FPPA_MDC_DEG);
    expect(d.threshold).toBeCloseTo(
      d.baseline_mean + Math.max(DEVIATION_SD_MULTIPLIER * d.baseline_sd, KNEE_FPPA_MDC_DEG),
      6,
    );
    // The window's value is the largest left FPPA of its (filtered) frames; the picture's skeleton is
    // the raw frame where it was largest, and its left knee is drawn red.
    const svg = visuals.pictures.get(d.visual_url.replace("memory://", ""))!;
    expect(svg).toMatch(/<circle[^>]+fill="#ef5350"><title>left_knee/);
    expect(svg).not.toMatch(/<circle[^>]+fill="#ef5350"><title>right_knee/);
    const rows = await lake.queryObjects<{ v: number }>(
      `SELECT knee_fppa_peak_left_deg AS v FROM biomech_windows WHERE subject_id = 'home_7' AND window_start = ?`,
      [d.window_start],
    );
    expect(rows[0]!.v).toBeCloseTo(d.value, 9);
    const frameMax = Math.max(
      ...twelve
        .filter((c) => c.player_id === "home_7")
        .flatMap((c) => c.frames.map((f) => ({ t: c.t0 + f.t, k: f.keypoints })))
        .filter((f) => f.t >= Date.parse(d.window_start) && f.t < Date.parse(d.window_end))
        .map((f) => kneeFppa(maskKeypoints(f.k), "left") ?? 0),
    );
    // Filtering smooths the 2.5 px keypoint noise: the filtered peak sits a little under the raw one.
    expect(d.value).toBeLessThanOrEqual(frameMax);
    expect(d.value).toBeGreaterThan(frameMax - 5);
    const subjects = await lake.queryObjects(
      "SELECT subject_id, any_value(player_id) AS player_id, count(*) AS windows FROM biomech_windows GROUP BY 1 ORDER BY 1",
    );
    expect(subjects).toEqual([
      { subject_id: "home_7", player_id: "home_7", windows: 12n },
      { subject_id: "track:17", player_id: null, windows: 12n },
    ]);
    lake.close();
  }, 60_000);
});
