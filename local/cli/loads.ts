/**
 * `sideline loads <file.csv>`: a club's session loads (distance, PlayerLoad, TRIMP, session RPE)
 * into the players' histories. Every load travels as a `sideline.wearable.v1` record through the
 * wearables stream and extractor (producers/readers/loads-csv.ts), so player_loads, the daily rows,
 * their ratios and any Player Load Spike come from the same code as a device's session; bad lines
 * go to quarantine with their reason.
 */
import { WEARABLES } from "../../lambdas/contracts/modalities.js";
import type { WearableChunk } from "../../lambdas/contracts/records/wearable.js";
import { readLoadsCsv } from "../../producers/readers/loads-csv.js";
import type { ReaderItem } from "../../producers/readers/types.js";
import type { AutomationOptions } from "../automation.js";
import { type PipelineResult, runPipeline } from "../pipeline.js";

/** The run id of an import: records carry their own sessions. */
export const LOADS_RUN_ID = "loads-import";
export const LOADS_READER_SOURCE = "reader:loads";

export interface LoadsImport {
  /** Loads read: imported + quarantined (a line with a load and an rpe holds two). */
  readonly loads: number;
  readonly imported: number;
  readonly players: number;
  readonly quarantined: number;
  /** player_daily_load rows written. */
  readonly dailyRows: number;
  readonly result: PipelineResult;
}

/** The file's loads as reader items, counting the players they are about. */
export function loadsSource(file: string, players: Set<string>) {
  async function* items(): AsyncGenerator<ReaderItem> {
    for await (const i of readLoadsCsv(file)) {
      if (i.kind === "record") players.add((i.record as WearableChunk).player_id);
      yield i;
    }
  }
  return { items: items(), modality: WEARABLES.id };
}

export async function importLoads(
  lakePath: string,
  file: string,
  automation: AutomationOptions | false = false,
): Promise<LoadsImport> {
  const players = new Set<string>();
  const result = await runPipeline(loadsSource(file, players), {
    matchId: LOADS_RUN_ID,
    lakePath,
    readerSource: LOADS_READER_SOURCE,
    automation,
  });
  const quarantined =
    result.readerQuarantinedSamples + result.handler.samplesQuarantined + result.esmQuarantinedSamples;
  return {
    loads: result.samplesIn,
    imported: result.handler.samplesAccepted,
    players: players.size,
    quarantined,
    dailyRows: result.handler.rows.player_daily_load ?? 0,
    result,
  };
}
