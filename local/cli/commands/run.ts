/** `sideline run <files...>`: provider files through the same pipeline as the demo. */
import { basename } from "node:path";
import { MODALITIES, modalityForFormat } from "../../../lambdas/contracts/modalities.js";
import { type ReadSettings, readerFor } from "../../../producers/readers/index.js";
import { assertReadable } from "../../../producers/readers/lines.js";
import { metricaTeam } from "../../../producers/readers/metrica.js";
import { DEFAULT_TIME_ZONE, parseTime } from "../../../producers/readers/timestamps.js";
import { DEFAULT_NEEDS_PATH, loadNeeds } from "../../needs.js";
import { runPipeline } from "../../pipeline.js";
import { checkFrameFolders, FRAMES_FORMAT, runFramesPipeline } from "../../pose/frames-source.js";
import { exitCodesHelp } from "../exit-codes.js";
import { parseCommandArgs, stringValue, timeZoneOption, UsageError } from "../options.js";
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

export const name = "run";
export const synopsis = "run <files...>";
export const summary =
  "run provider files (long-csv, Metrica's home and away files, pose-jsonl) or folders of video frames through the same pipeline";

export const options = {
  ...PIPELINE_OPTIONS,
  format: { type: "string" },
  "match-id": { type: "string" },
  kickoff: { type: "string" },
  tz: { type: "string" },
} as const;

/** Every format the registry's modalities read. */
const FORMATS = MODALITIES.flatMap((m) => m.readers);

export const help = `usage: sideline run <files...> --format ${FORMATS.join("|")} [options]

Reads tracking files (plain or .gz), pose records or folders of video frames and runs them through
the same pipeline as the demo. Every file is checked before the lake is opened; a file that fails
part way (truncated, corrupt) stops the run, which is then reported INCOMPLETE (exit 4) with the
file and line: fix it and run again.

run options:
  --format F                long-csv: timestamp,player_id,x,y[,team][,z] (any order, one header line);
                            metrica: Metrica's two files, the home file then the away file;
                            pose-jsonl: one sideline.pose.v1 record per line (an edge camera's keypoints);
                            frames: folders of video frames as the frame sampler uploads them, each
                            <name>.jpg beside its <name>.json sidecar (sideline.frame.v1): the local pose
                            server and the pose invoker's code estimate the keypoints; a frame the
                            invoker rejects is quarantined (required)
  --match-id ID             match identifier (default: pose-jsonl's first record's match, the first valid
                            frame sidecar's match, else the first file's name); frames of another match
                            are quarantined
  --kickoff ISO             metrica only, required: the kick-off time its 'Time [s]' counts from,
                            e.g. 2019-08-17T15:00:00Z (the files carry no date)
  --tz ZONE                 IANA time zone of times without a UTC offset: long-csv ISO timestamps
                            and --kickoff (default ${DEFAULT_TIME_ZONE}; e.g. Europe/Oslo, daylight saving included)

${PIPELINE_HELP}

${exitCodesHelp()}`;

/** The command line's meaning, checked before anything is read. */
function settings(values: Record<string, string | boolean | undefined>, files: readonly string[]) {
  if (files.length === 0) throw new UsageError("run needs at least one file: sideline run <files...> --format F");
  const format = stringValue(values.format);
  const choices = `${FORMATS.slice(0, -1).join(", ")} or ${FORMATS.at(-1)}`;
  if (!format) throw new UsageError(`run needs --format (${choices})`);
  if (!FORMATS.includes(format)) throw new UsageError(`unknown format '${format}': expected ${choices}`);
  const timeZone = timeZoneOption(stringValue(values.tz), "tz", DEFAULT_TIME_ZONE);
  const kickoff = stringValue(values.kickoff);
  let kickoffMs = Number.NaN;
  if (format === "metrica") {
    if (files.length !== 2)
      throw new UsageError(
        `metrica needs two files, the home team's and then the away team's (Metrica ships one per team), got ${files.length}`,
      );
    if (kickoff === undefined)
      throw new UsageError(
        "metrica needs --kickoff <ISO time>, e.g. --kickoff 2019-08-17T15:00:00Z: its files count seconds from the kick-off and carry no date",
      );
    const t = parseTime(kickoff, timeZone);
    if (!t.ok) throw new UsageError(`--kickoff must be an ISO 8601 time such as 2019-08-17T15:00:00Z: ${t.reason}`);
    kickoffMs = t.t;
  } else if (kickoff !== undefined) {
    throw new UsageError(
      format === "long-csv"
        ? "--kickoff is for metrica files only: long-csv timestamps carry their own date"
        : `--kickoff is for metrica files only: ${format} carries its own times`,
    );
  }
  return { format, read: { kickoffMs, timeZone } };
}

/**
 * Opens every file and reads it up to its first data line, so that a missing, unreadable or
 * wrong file fails before the lake is opened; checks that Metrica's files come home then away.
 */
async function checkInputs(format: string, files: readonly string[], s: ReadSettings): Promise<string | undefined> {
  for (const f of files) await assertReadable(f);
  let firstMatch: string | undefined;
  for (const f of files)
    for await (const item of readerFor(format).read([f], s)) {
      if (item.kind === "record" && firstMatch === undefined)
        firstMatch = modalityForFormat(format).record.identity(item.record as never).matchId;
      break;
    }
  if (format !== "metrica") return firstMatch;
  const [first, second] = [await metricaTeam(files[0]!), await metricaTeam(files[1]!)];
  if (first === second)
    throw new Error(
      `'${files[0]}' and '${files[1]}' both hold the ${first} team: pass the home team's file, then the away team's`,
    );
  if (first === "away" && second === "home")
    throw new Error(
      `the metrica files are in the wrong order: '${files[0]}' holds the away team and '${files[1]}' the home team: pass the home file first`,
    );
  return firstMatch;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals: files } = parseCommandArgs(name, argv, options);
  const { format, read } = settings(values, files);
  const opts = pipelineOptions(values);
  const aws = targetsAws(values);
  if (format === FRAMES_FORMAT && aws)
    throw new UsageError(
      "--format frames runs the local pose server, not the cloud's: with --target aws, upload the frames and sidecars to the raw bucket (frames/<match>/<camera>/) and the deployed pose invoker estimates them",
    );
  const needs = loadNeeds(stringValue(values.needs) ?? DEFAULT_NEEDS_PATH);
  const firstMatch = format === FRAMES_FORMAT ? await checkFrameFolders(files) : await checkInputs(format, files, read);
  // Records carry their match (pose-jsonl): the first one names the run; samples take the file's name.
  const matchId =
    stringValue(values["match-id"]) ??
    firstMatch ??
    basename(files[0]!).replace(/\.(csv|txt|jsonl|json)(\.gz)?$|\.gz$/i, "");
  if (format === FRAMES_FORMAT) {
    const result = await runFramesPipeline({
      ...opts,
      folders: files,
      matchId,
      readerSource: `reader:${format}`,
      needs,
      automation: automationOptions(values, false),
      onProgress: progressPrinter(
        values.quiet === true,
        (p) => `${matchId}: ${p.samplesRead.toLocaleString("en-US")} subject frames estimated`,
      ),
    });
    return finish(result, opts.maxQuarantineShare);
  }
  // Reader items go to the stream of the modality the format feeds (the registry's readers).
  const source = { items: readerFor(format).read(files, read), modality: modalityForFormat(format).id };
  if (aws) return sendToAws(values, source, matchId, `reader:${format}`);
  const progress = progressPrinter(
    values.quiet === true,
    (p) => `${matchId}: ${p.samplesRead.toLocaleString("en-US")} samples read`,
  );
  const result = await runPipeline(source, {
    ...opts,
    matchId,
    readerSource: `reader:${format}`,
    needs,
    automation: automationOptions(values, false),
    onProgress: progress,
  });
  return finish(result, opts.maxQuarantineShare);
}
