/** `sideline demo`: a seeded synthetic match through the whole pipeline, with a load history. */
import { DuckDbLake } from "../../../lambdas/adapters/local/duckdb-lake.js";
import { PLAYER_LOADS } from "../../../lambdas/contracts/tables/index.js";
import { demoLoadHistory } from "../../demo/demo-history.js";
import { DemoMatch } from "../../demo/demo-match.js";
import { DEFAULT_NEEDS_PATH, loadNeeds } from "../../needs.js";
import { runPipeline } from "../../pipeline.js";
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

export const name = "demo";
export const synopsis = "demo";
export const summary = "generate a seeded 90-minute match and run it through the whole pipeline";

export const options = {
  ...PIPELINE_OPTIONS,
  minutes: { type: "string" },
  seed: { type: "string" },
  "auto-approve": { type: "boolean" },
} as const;

export const help = `usage: sideline demo [options]

Generates a seeded synthetic match (22 players and the ball at 25 Hz) with five weeks of training
load, and runs it through the whole pipeline: kinesalite, the tracking-features handler, the lake,
the insights, the workflows and the CRM.

demo options:
  --minutes N               match length in minutes, 1-150 (default 90)
  --seed N                  random seed (default 7)
  --auto-approve            approve every scout decision at once (otherwise they wait: see decide)

${PIPELINE_HELP}

${exitCodesHelp()}`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(name, argv, options);
  if (positionals.length > 0)
    throw new UsageError(`demo takes no files, got '${positionals[0]}': did you mean 'sideline run'?`);
  const opts = pipelineOptions(values);
  const minutes = intOption(values.minutes, "minutes", 90, 1, 150);
  const seed = intOption(values.seed, "seed", 7, 0, 2 ** 31 - 1);
  const aws = targetsAws(values);
  const match = new DemoMatch({ minutes, seed });
  const needs = loadNeeds(stringValue(values.needs) ?? DEFAULT_NEEDS_PATH);
  if (aws) return sendToAws(values, { chunks: match.chunks(opts.chunkMs) }, match.matchId, "demo");
  const perMinute = (match.players.length + 1) * 25 * 60;
  const progress = progressPrinter(
    values.quiet === true,
    (p) => `demo ${match.matchId}: minute ${Math.min(minutes, Math.floor(p.samplesRead / perMinute))}/${minutes} read`,
  );
  process.stderr.write(
    `sideline demo: ${match.players.length} players + ball, 25 Hz, ${minutes} min -> kinesalite -> tracking-features -> ${opts.lakePath}\n`,
  );
  // Five weeks of imported training load, so the acute:chronic ratio has a chronic base.
  const history = await DuckDbLake.open(opts.lakePath);
  try {
    await history.put(
      PLAYER_LOADS,
      demoLoadHistory(
        match.players.map((p) => p.playerId),
        match.kickoffMs,
        seed,
      ),
    );
  } finally {
    history.close();
  }
  const result = await runPipeline(
    { chunks: match.chunks(opts.chunkMs) },
    {
      ...opts,
      matchId: match.matchId,
      readerSource: "demo",
      needs,
      automation: automationOptions(values, values["auto-approve"] === true),
      onProgress: progress,
    },
  );
  return finish(result, opts.maxQuarantineShare);
}
