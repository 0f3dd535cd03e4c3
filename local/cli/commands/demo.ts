/** `sideline demo`: a seeded synthetic match through the whole pipeline, with a load history and a week of wearables. */
import { POSE, WEARABLES } from "../../../lambdas/contracts/modalities.js";
import type { WearableChunk } from "../../../lambdas/contracts/records/wearable.js";
import { DemoMatch, demoMatchSource } from "../../demo/demo-match.js";
import {
  DEMO_POSE_CAMERA,
  DEMO_POSE_FPS,
  DEMO_POSE_MINUTES,
  DEMO_POSE_PLAYERS,
  demoPoseChunks,
} from "../../demo/demo-pose.js";
import { DEMO_IMU_HZ, DEMO_TRAINING_DAYS, demoHistoryRecords, demoTrainingWeek } from "../../demo/demo-wearables.js";
import { DEFAULT_NEEDS_PATH, loadNeeds } from "../../needs.js";
import { runPipeline } from "../../pipeline.js";
import { checkFrameFolders, runFramesPipeline } from "../../pose/frames-source.js";
import { exitCodesHelp } from "../exit-codes.js";
import { intOption, parseCommandArgs, stringValue, UsageError } from "../options.js";
import {
  automationOptions,
  finish,
  PIPELINE_HELP,
  PIPELINE_OPTIONS,
  pipelineOptions,
  progressPrinter,
  sendToAws,
  targetsAws,
} from "../pipeline.js";

/** The clip starts in the match's 20th minute, when the players are warm. */
const POSE_CLIP_FROM_MINUTE = 20;

export const name = "demo";
export const synopsis = "demo";
export const summary = "generate a training week and a seeded 90-minute match, and run them through the whole pipeline";

export const options = {
  ...PIPELINE_OPTIONS,
  minutes: { type: "string" },
  seed: { type: "string" },
  "auto-approve": { type: "boolean" },
  "pose-minutes": { type: "string" },
  "pose-stream": { type: "string" },
  "pose-frames": { type: "string" },
  "wearables-stream": { type: "string" },
  "training-days": { type: "string" },
} as const;

export const help = `usage: sideline demo [options]

First the home squad's training load: five weeks of imported session loads (distance for both
teams; PlayerLoad, TRIMP and session RPE for the home team), then its last training week as the
devices record it: heart-rate straps at 1 Hz for every player, session RPE, and the returning
player's IMU vest at ${DEMO_IMU_HZ} Hz, through the wearables stream and the wearable-load handler into
wearable_windows, player_loads and player_daily_load (a load spike per measure reaches the medical
workflow). Then a seeded synthetic match (22 players and the ball at 25 Hz) runs through the whole
pipeline: the stream (in process; --transport kinesalite for the Kinesis API over HTTP), the
tracking-features handler, the lake, the insights, the workflows and the CRM. Then a touchline
camera's pose clip of two of its players (COCO-17 keypoints at 25 fps, one knee caving in late)
goes through the pose-biomechanics handler into pose_frames and biomech_windows, and the deviation
it shows reaches the medical workflow.
With --pose-frames, a folder of sampled video frames then goes through the local pose server and
the pose invoker's code into the same tables, as part of the demo's match.

demo options:
  --minutes N               match length in minutes, 1-150 (default 90)
  --seed N                  random seed (default 7)
  --auto-approve            approve every scout decision at once (otherwise they wait: see decide)
  --pose-minutes N          length of the touchline camera's pose clip, 0-90 (default ${DEMO_POSE_MINUTES}; 0: none)
  --pose-stream NAME        with --target aws: the deployed pose stream the clip is sent to
  --training-days N         sessions of the last training week the devices record, 0-${DEMO_TRAINING_DAYS.length} (default
                            ${DEMO_TRAINING_DAYS.length}; 0: the imported history only, about 1 s instead of about 12)
  --wearables-stream NAME   with --target aws: the deployed wearables stream the history and the
                            training week are sent to
  --pose-frames DIR         after the clip, estimate a folder of video frames (<name>.jpg beside its
                            <name>.json sidecar, the frames format of 'sideline run') into the demo's
                            match (default: none)

${PIPELINE_HELP}

${exitCodesHelp()}`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(name, argv, options);
  if (positionals.length > 0)
    throw new UsageError(`demo takes no files, got '${positionals[0]}': did you mean 'sideline run'?`);
  const opts = pipelineOptions(values);
  const minutes = intOption(values.minutes, "minutes", 90, 1, 150);
  const seed = intOption(values.seed, "seed", 7, 0, 2 ** 31 - 1);
  const poseMinutes = intOption(values["pose-minutes"], "pose-minutes", DEMO_POSE_MINUTES, 0, 90);
  const aws = targetsAws(values);
  const poseFrames = stringValue(values["pose-frames"]);
  if (poseFrames !== undefined && aws)
    throw new UsageError(
      "--pose-frames runs the local pose server: with --target aws, upload the frames to the raw bucket and the deployed pose invoker estimates them",
    );
  // A wrong folder fails before the match is generated and run.
  if (poseFrames !== undefined) await checkFrameFolders([poseFrames]);
  const match = new DemoMatch({ minutes, seed });
  const needs = loadNeeds(stringValue(values.needs) ?? DEFAULT_NEEDS_PATH);
  const homePlayers = match.players.filter((p) => p.team === "home").map((p) => p.playerId);
  const trainingDays = intOption(
    values["training-days"],
    "training-days",
    DEMO_TRAINING_DAYS.length,
    0,
    DEMO_TRAINING_DAYS.length,
  );
  const week = demoTrainingWeek(homePlayers, match.kickoffMs, seed, trainingDays);
  function* wearableRecords(): Generator<WearableChunk> {
    yield* demoHistoryRecords(
      match.players.map((p) => p.playerId),
      match.kickoffMs,
      seed,
    );
    yield* week.records();
  }
  if (aws) {
    const wearablesStream = stringValue(values["wearables-stream"]);
    if (wearablesStream) {
      const code = await sendToAws(
        { ...values, stream: wearablesStream },
        { modality: WEARABLES.id, records: wearableRecords() },
        "demo-training",
        "demo",
      );
      if (code !== 0) return code;
    } else
      process.stderr.write(
        "sideline demo: the load history and training week were not sent: give --wearables-stream (the deployed wearables stream)\n",
      );
    const code = await sendToAws(values, { chunks: match.chunks(opts.chunkMs) }, match.matchId, "demo");
    const poseStream = stringValue(values["pose-stream"]);
    if (poseMinutes === 0 || code !== 0) return code;
    if (!poseStream) {
      process.stderr.write(
        "sideline demo: the pose clip was not sent: give --pose-stream (the deployed pose stream)\n",
      );
      return code;
    }
    const clip = demoPoseClip(match, poseMinutes, seed);
    return sendToAws(
      { ...values, stream: poseStream },
      { modality: POSE.id, records: clip.records },
      match.matchId,
      "demo",
    );
  }
  const perMinute = (match.players.length + 1) * 25 * 60;
  const progress = progressPrinter(
    values.quiet === true,
    (p) => `demo ${match.matchId}: minute ${Math.min(minutes, Math.floor(p.samplesRead / perMinute))}/${minutes} read`,
  );
  // Five weeks of training load and the last week's devices, so every measure's ratio has a chronic base.
  process.stderr.write(
    `sideline demo: load history and a training week (${homePlayers.length} heart-rate straps, session RPE, one ${DEMO_IMU_HZ} Hz IMU vest; ${week.samples.toLocaleString("en-US")} samples) -> ${opts.transport} stream -> wearable-load -> ${opts.lakePath}\n`,
  );
  const wearables = await runPipeline(
    { modality: WEARABLES.id, records: wearableRecords() },
    {
      ...opts,
      matchId: "demo-training",
      readerSource: "demo",
      automation: automationOptions(values, values["auto-approve"] === true),
      onProgress: progressPrinter(
        values.quiet === true,
        (p) => `demo training: ${p.samplesRead.toLocaleString("en-US")} samples read`,
      ),
    },
  );
  const wearablesCode = await finish(wearables, opts.maxQuarantineShare);
  process.stderr.write(
    `sideline demo: ${match.players.length} players + ball, 25 Hz, ${minutes} min -> ${opts.transport} stream -> tracking-features -> ${opts.lakePath}\n`,
  );
  // The match is generated in a worker thread, the second core, while this one runs the pipeline.
  const result = await runPipeline(demoMatchSource({ minutes, seed }, opts.chunkMs), {
    ...opts,
    matchId: match.matchId,
    readerSource: "demo",
    needs,
    automation: automationOptions(values, values["auto-approve"] === true),
    onProgress: progress,
  });
  // The run's code is the first problem found: the training's, the match's, the clip's, the frames'.
  const codes = [wearablesCode, await finish(result, opts.maxQuarantineShare)];
  if (poseMinutes > 0) codes.push(await runPoseClip(match, poseMinutes, seed, values, opts));
  if (poseFrames !== undefined) codes.push(await runPoseFrames(poseFrames, match, values, opts));
  return codes.find((c) => c !== 0) ?? 0;
}

/** A folder of frames through the local pose server into the demo's match; returns its run's code. */
async function runPoseFrames(
  poseFrames: string,
  match: DemoMatch,
  values: Readonly<Record<string, string | boolean | undefined>>,
  opts: ReturnType<typeof pipelineOptions>,
): Promise<number> {
  process.stderr.write(
    `sideline demo: frames of ${poseFrames} -> local pose server (MoveNet) -> pose invoker -> ${opts.transport} stream -> pose-biomechanics -> ${opts.lakePath}\n`,
  );
  // The folder's frames join the demo's match, whatever match their sidecars name.
  const framesResult = await runFramesPipeline({
    ...opts,
    folders: [poseFrames],
    relabel: true,
    matchId: match.matchId,
    readerSource: "reader:frames",
    automation: automationOptions(values, values["auto-approve"] === true),
    onProgress: progressPrinter(
      values.quiet === true,
      (p) => `demo pose frames: ${p.samplesRead.toLocaleString("en-US")} subject frames estimated`,
    ),
  });
  return finish(framesResult, opts.maxQuarantineShare);
}

/** The synthetic pose clip through the pipeline; returns its run's code. */
async function runPoseClip(
  match: DemoMatch,
  poseMinutes: number,
  seed: number,
  values: Readonly<Record<string, string | boolean | undefined>>,
  opts: ReturnType<typeof pipelineOptions>,
): Promise<number> {
  const clip = demoPoseClip(match, poseMinutes, seed);
  process.stderr.write(
    `sideline demo: pose clip, ${clip.players.join(" and ")} on ${clip.camera}, ${DEMO_POSE_FPS} fps, ${poseMinutes} min -> ${opts.transport} stream -> pose-biomechanics -> ${opts.lakePath}\n`,
  );
  const poseResult = await runPipeline(
    { modality: POSE.id, records: clip.records },
    {
      ...opts,
      matchId: match.matchId,
      readerSource: "demo",
      automation: automationOptions(values, values["auto-approve"] === true),
      onProgress: progressPrinter(
        values.quiet === true,
        (p) => `demo pose clip: ${p.samplesRead.toLocaleString("en-US")} frames read`,
      ),
    },
  );
  return finish(poseResult, opts.maxQuarantineShare);
}

/** The pose clip: the two demo players filmed from the touchline from the 20th minute. */
function demoPoseClip(match: DemoMatch, minutes: number, seed: number) {
  const players = DEMO_POSE_PLAYERS;
  return {
    players,
    camera: DEMO_POSE_CAMERA,
    records: demoPoseChunks({
      matchId: match.matchId,
      startMs: match.kickoffMs + Math.max(0, Math.min(POSE_CLIP_FROM_MINUTE, match.minutes - minutes)) * 60_000,
      minutes,
      players,
      seed,
    }),
  };
}
