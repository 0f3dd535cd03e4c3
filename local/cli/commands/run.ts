/** `sideline run <files...>`: provider files through the same pipeline as the demo. */
import { MODALITIES, modalityForFormat } from "../../../lambdas/contracts/modalities.js";
import {
  CORNERS_FORMATS,
  type ReadSettings,
  readerFor,
  SINGLE_PLAYER_FORMATS,
  START_FORMATS,
} from "../../../producers/readers/index.js";
import { assertReadable, fileStem } from "../../../producers/readers/lines.js";
import { metricaTeam } from "../../../producers/readers/metrica.js";
import { movesenseStartNote } from "../../../producers/readers/movesense.js";
import { describePitch, type PitchFrame, readPitchCorners } from "../../../producers/readers/pitch-corners.js";
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
import { printable } from "../terminal.js";

export const name = "run";
export const synopsis = "run <files...>";
export const summary =
  "run provider files (long-csv, Metrica's home and away files, Catapult GNSS, pose-jsonl) or folders of video frames through the same pipeline";

export const options = {
  ...PIPELINE_OPTIONS,
  format: { type: "string" },
  "match-id": { type: "string" },
  kickoff: { type: "string" },
  tz: { type: "string" },
  corners: { type: "string" },
  "player-id": { type: "string" },
  start: { type: "string" },
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
                            catapult-gnss: Catapult GNSS exports, one player per file,
                            'Timestamp, Longitude, Latitude' (Excel serial days in local time, WGS-84
                            degrees), projected onto the pitch given by --corners;
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
  --tz ZONE                 IANA time zone of times without a UTC offset: long-csv ISO timestamps,
                            catapult-gnss Excel serial times, --kickoff and --start (default
                            ${DEFAULT_TIME_ZONE}; e.g. Europe/Oslo, daylight saving included)
  --corners FILE            catapult-gnss only, required: the pitch's four corners, a 'longitude,latitude'
                            header then one corner per line in any order; they give the pitch's frame
                            (origin at a corner, x along the long side) and its length and width
  --player-id P             formats with one player per file (${[...SINGLE_PLAYER_FORMATS].filter((f) => FORMATS.includes(f)).join(", ")}): the file's player
                            (default: each file's name without .csv/.csv.gz, each file its own player);
                            with --player-id, pass one file
  --start ISO               formats whose clock is not epoch time (${[...START_FORMATS].join(", ")}): the
                            recording's start, e.g. 2021-11-19T17:10:00 (read in --tz without an offset)

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
  return { format, read: { kickoffMs, timeZone, ...singlePlayerSettings(values, format, files, timeZone) } };
}

/** --corners, --player-id and --start: each only for the formats that need it. */
function singlePlayerSettings(
  values: Record<string, string | boolean | undefined>,
  format: string,
  files: readonly string[],
  timeZone: string,
): Pick<ReadSettings, "cornersFile" | "playerId" | "startMs"> {
  const cornersFile = stringValue(values.corners);
  if (CORNERS_FORMATS.has(format) && cornersFile === undefined)
    throw new UsageError(
      `${format} needs --corners FILE: the pitch's four corners (longitude,latitude), which place its positions on the pitch`,
    );
  if (!CORNERS_FORMATS.has(format) && cornersFile !== undefined)
    throw new UsageError(
      `--corners is for formats with longitude/latitude positions (${[...CORNERS_FORMATS].join(", ")}): ${format} positions are not projected`,
    );
  const playerId = stringValue(values["player-id"]);
  if (SINGLE_PLAYER_FORMATS.has(format)) {
    if (playerId !== undefined && playerId.trim() === "") throw new UsageError("--player-id is empty");
    if (playerId !== undefined && files.length > 1)
      throw new UsageError(
        `--player-id names the player of one file, got ${files.length} files: leave it out and each file is its own player, named by its file`,
      );
    const seen = new Map<string, string>();
    for (const f of files) {
      const id = fileStem(f);
      const other = seen.get(id);
      if (other !== undefined)
        throw new UsageError(
          `'${other}' and '${f}' would both be player ${id}: each file is one player, so rename one`,
        );
      seen.set(id, f);
    }
  } else if (playerId !== undefined)
    throw new UsageError(`--player-id is for formats with one player per file: ${format} files name their players`);
  const start = stringValue(values.start);
  let startMs = Number.NaN;
  if (start !== undefined) {
    if (!START_FORMATS.has(format))
      throw new UsageError(
        `--start is for formats whose clock is not epoch time (${[...START_FORMATS].join(", ")}): ${format} carries its own times`,
      );
    const t = parseTime(start, timeZone);
    if (!t.ok) throw new UsageError(`--start must be an ISO 8601 time such as 2021-11-19T17:10:00: ${t.reason}`);
    startMs = t.t;
  }
  return { cornersFile, playerId: playerId?.trim(), startMs };
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
  // The pitch's frame and size come from its corners: checked (and reported) before any file is read.
  const frame: PitchFrame | undefined = read.cornersFile ? await readPitchCorners(read.cornersFile) : undefined;
  if (frame && values.quiet !== true)
    process.stderr.write(`${printable(`pitch from ${read.cornersFile}: ${describePitch(frame)}`)}\n`);
  const pitch = frame ? { pitch: frame.dimensions } : {};
  const firstMatch = format === FRAMES_FORMAT ? await checkFrameFolders(files) : await checkInputs(format, files, read);
  // A Movesense clock counts from power-on: without --start, say what the session's start was taken to be.
  if (format === "movesense" && !Number.isFinite(read.startMs ?? Number.NaN))
    for (const f of files) {
      const note = await movesenseStartNote(f, read);
      if (note) process.stderr.write(`sideline: ${printable(note)}\n`);
    }
  // Records carry their match (pose-jsonl): the first one names the run; samples take the file's name.
  const matchId = stringValue(values["match-id"]) ?? firstMatch ?? fileStem(files[0]!);
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
  const modality = modalityForFormat(format).id;
  if (aws)
    return sendToAws(
      values,
      { items: readerFor(format).read(files, read), modality },
      matchId,
      `reader:${format}`,
      frame?.dimensions,
    );
  // Read in a worker thread when the files are big enough for the second core to pay (local/pipeline.ts).
  const source = { read: { format, files, settings: read }, modality };
  const progress = progressPrinter(
    values.quiet === true,
    (p) => `${matchId}: ${p.samplesRead.toLocaleString("en-US")} samples read`,
  );
  const result = await runPipeline(source, {
    ...opts,
    ...pitch,
    matchId,
    readerSource: `reader:${format}`,
    needs,
    automation: automationOptions(values, false),
    onProgress: progress,
  });
  return finish(result, opts.maxQuarantineShare);
}
