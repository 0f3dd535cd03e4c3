/**
 * The demo's whole chain as `npm start` runs it: generator -> stream -> event source mapping ->
 * tracking-features handler -> DuckDB lake -> local bus -> workflows, for the 90-minute match; then
 * the demo's pose clip on the same lake. Through the in-process stream as `npm start` runs it
 * (bench.replay.*), then through kinesalite over HTTP (bench.replay.kinesalite.*). Peak RSS is sampled while the match replays (the process's
 * resident set, so it includes what the bench loaded before).
 */
import { join } from "node:path";
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { POSE } from "../../lambdas/contracts/modalities.js";
import { PLAYER_LOADS } from "../../lambdas/contracts/tables/index.js";
import { demoLoadHistory } from "../../local/demo/demo-history.js";
import { DemoMatch, demoMatchSource } from "../../local/demo/demo-match.js";
import { DEMO_POSE_PLAYERS, demoPoseChunks } from "../../local/demo/demo-pose.js";
import { loadNeeds } from "../../local/needs.js";
import { runPipeline } from "../../local/pipeline.js";
import type { StreamTransportKind } from "../../local/runtime.js";

/** How often the resident set is sampled during the replay. */
const RSS_SAMPLE_MS = 20;

export async function replayFigures(out: (name: string, value: number | string) => void, tmp: string): Promise<void> {
  // As `npm start` runs it: the in-process stream; then the same match through kinesalite over HTTP.
  await matchFigures(out, join(tmp, "replay.duckdb"), "in-process", "");
  await matchFigures(out, join(tmp, "replay-kinesalite.duckdb"), "kinesalite", "kinesalite.");
}

async function matchFigures(
  out: (name: string, value: number | string) => void,
  lakePath: string,
  transport: StreamTransportKind,
  label: string,
): Promise<void> {
  const match = new DemoMatch({ minutes: 90, seed: 7 });
  // The demo's whole chain: its load history, the club's needs, and the workflows (decisions approved).
  const lake = await DuckDbLake.open(lakePath);
  await lake.put(
    PLAYER_LOADS,
    demoLoadHistory(
      match.players.map((p) => p.playerId),
      match.kickoffMs,
      7,
    ),
  );
  lake.close();
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, RSS_SAMPLE_MS);
  let result: Awaited<ReturnType<typeof runPipeline>>;
  const cpuBefore = process.cpuUsage();
  try {
    result = await runPipeline(
      // As `sideline demo` runs it: the match generated in a worker thread.
      demoMatchSource({ minutes: 90, seed: 7 }, 30_000),
      {
        matchId: match.matchId,
        lakePath,
        readerSource: "demo",
        needs: loadNeeds(),
        automation: { autoApprove: true },
        transport,
      },
    );
  } finally {
    clearInterval(sampler);
  }
  const cpu = process.cpuUsage(cpuBefore);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  out(`bench.replay.${label}workflows`, result.workflows.length);
  out(`bench.replay.${label}samples`, result.samplesIn);
  out(`bench.replay.${label}full_match_s`, result.durationMs / 1000);
  // CPU seconds of every thread of the process (main, DuckDB's, workers): steadier than wall time on a shared machine.
  out(`bench.replay.${label}full_match_cpu_s`, (cpu.user + cpu.system) / 1e6);
  out(`bench.replay.${label}samples_per_s`, result.samplesIn / (result.durationMs / 1000));
  out(`bench.replay.${label}peak_rss_mb`, peakRss / 2 ** 20);
  // The demo's pose clip (2 players, 12 minutes at 25 fps) through the pose-biomechanics handler, on the same lake.
  const pose = await runPipeline(
    {
      modality: POSE.id,
      records: demoPoseChunks({ matchId: match.matchId, startMs: match.kickoffMs, players: DEMO_POSE_PLAYERS }),
    },
    { matchId: match.matchId, lakePath, readerSource: "demo", automation: { autoApprove: true }, transport },
  );
  out(`bench.replay.${label}pose_frames`, pose.samplesIn);
  out(`bench.replay.${label}pose_clip_s`, pose.durationMs / 1000);
  out(`bench.replay.${label}pose_frames_per_s`, pose.samplesIn / (pose.durationMs / 1000));
}
