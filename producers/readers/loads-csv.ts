/**
 * Session loads the club already has, for the players' load histories (`sideline loads`): a CSV
 * with a header naming `player_id`, `date` (YYYY-MM-DD) and either
 * - `load`, in `measure` units (a column; distance_m when absent): total distance from the club's
 *   GPS software, PlayerLoad, TRIMP; or
 * - `rpe` and `minutes`: a session RPE (CR-10 rating, Foster et al. 2001), whose load is
 *   rpe x minutes in AU;
 * and optionally `minutes` and `session_id`, in any order. A line with both gives both loads.
 *
 * Each load becomes a `sideline.wearable.v1` record carrying a `session_load`, so an import goes
 * through the wearables stream and extractor like any device, locally and to a deployed stream
 * (`--target aws`): the cloud history, daily rows and load spikes come from the same code.
 */
import {
  IMPORTED_LOAD_MEASURES,
  WEARABLE_SCHEMA_V1,
  type WearableChunk,
} from "../../lambdas/contracts/records/wearable.js";
import { InputError } from "./input-error.js";
import { badItem, readLines } from "./lines.js";
import type { ReaderItem } from "./types.js";

type Measure = (typeof IMPORTED_LOAD_MEASURES)[number];

/** A session longer than this is a data error: the longest football days (double sessions) stay under 4 h. */
export const MAX_SESSION_MINUTES = 240;
/** Total distance above this in one session is a data error: elite match maxima are ~13-14 km (Bradley et al. 2009). */
export const MAX_SESSION_DISTANCE_M = 25_000;
/** The CR-10 scale's top (Borg 1982, as modified by Foster et al. 2001). */
export const MAX_RPE = 10;
/**
 * The most a session can hold per measure: distance as above; Edwards TRIMP and session RPE by
 * their definitions (weight 5 or rating 10 for MAX_SESSION_MINUTES); Banister TRIMP at HRr = 1 for
 * women, 0.86 e^1.67 = 4.57 AU/min, the larger coefficient; PlayerLoad at 10 AU/min, about three
 * times the highest match rates reported for elite players (Barrett et al. 2016: ~8-10 AU/min in
 * the most intense periods).
 */
export const MAX_SESSION_LOAD: Readonly<Record<Measure, number>> = {
  distance_m: MAX_SESSION_DISTANCE_M,
  player_load_au: 10 * MAX_SESSION_MINUTES,
  vendor_player_load_au: 10 * MAX_SESSION_MINUTES,
  trimp_edwards_au: 5 * MAX_SESSION_MINUTES,
  trimp_banister_au: Math.ceil(0.86 * Math.exp(1.67) * MAX_SESSION_MINUTES),
  srpe_au: MAX_RPE * MAX_SESSION_MINUTES,
};

const REQUIRED = ["player_id", "date"] as const;
const UNITS: Readonly<Record<Measure, string>> = {
  distance_m: "m",
  player_load_au: "AU",
  vendor_player_load_au: "AU",
  trimp_edwards_au: "AU",
  trimp_banister_au: "AU",
  srpe_au: "AU",
};

/** A short tag of a record's import and content (FNV-1a, 32 bits). */
function tag(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36);
}

/**
 * An imported session load as a stream record. Its key (device_id) is the import's and the content's:
 * a producer's retry of the same import is a duplicate and skipped, while every import is a record of
 * its own, so a correction (300, then 420) and its reversal (then 300 again) each replace the row,
 * even where the extractor's state outlives an import (DynamoDB, a week).
 */
export function loadRecord(
  playerId: string,
  sessionId: string,
  day: number,
  load: { measure: Measure; load: number; minutes: number; rpe?: number },
  importId: string,
): WearableChunk {
  return {
    schema: WEARABLE_SCHEMA_V1,
    session_id: sessionId,
    player_id: playerId,
    // One key per measure and content: the extractor's sequencer keeps each, and a correction replaces the row.
    device_id: `import-${load.measure}-${tag(`${importId}/${load.load}/${load.minutes}/${load.rpe ?? ""}`)}`,
    device_kind: "import",
    seq: 0,
    t0: day,
    session_load: load,
    final: true,
  };
}

/**
 * Reads a loads file. `importId` names this import (by default its start time): the records of one
 * import are recognised as such on a retry. A second line for the same player, session and measure is
 * quarantined: one session has one load per measure, and the row would be overwritten unseen.
 */
export async function* readLoadsCsv(path: string, importId = Date.now().toString(36)): AsyncGenerator<ReaderItem> {
  let idx: Record<string, number> | null = null;
  let lineNo = 0;
  const seen = new Map<string, number>();
  for await (const line of readLines(path)) {
    lineNo++;
    if (line.trim() === "") continue;
    const cells = line.split(",").map((c) => c.trim());
    if (idx === null) {
      const names = cells.map((c) => c.toLowerCase());
      const missing = REQUIRED.filter((r) => !names.includes(r));
      if (missing.length > 0 || !(names.includes("load") || names.includes("rpe")))
        throw new InputError(
          path,
          lineNo - 1,
          `not a loads file: the header lacks ${[...missing, ...(names.includes("load") || names.includes("rpe") ? [] : ["load or rpe"])].join(", ")} (it reads ${JSON.stringify(line.slice(0, 80))})`,
          "the first line must name the columns, e.g. 'player_id,date,load,minutes,session_id' or 'player_id,date,rpe,minutes'",
        );
      idx = Object.fromEntries(names.map((n, i) => [n, i]));
      continue;
    }
    const bad = (reason: string): ReaderItem => badItem(`${path}:${lineNo}`, reason, line);
    const cell = (name: string) => (idx![name] === undefined ? "" : (cells[idx![name]!] ?? ""));
    const playerId = cell("player_id");
    const date = cell("date");
    const day = /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00Z`) : Number.NaN;
    const minutes = cell("minutes") === "" ? 0 : Number(cell("minutes"));
    const measure = (cell("measure") || "distance_m") as Measure;
    if (playerId === "") yield bad("player_id is empty");
    else if (!Number.isFinite(day)) yield bad(`date '${date}' is not YYYY-MM-DD`);
    else if (!Number.isFinite(minutes) || minutes < 0 || minutes > MAX_SESSION_MINUTES)
      yield bad(`minutes '${cell("minutes")}' is not from 0 to ${MAX_SESSION_MINUTES}`);
    else if (cell("load") === "" && cell("rpe") === "") yield bad("neither load nor rpe is given");
    else {
      const sessionId = cell("session_id") || `import-${date}`;
      // The loads this line holds, checked against the lines before it.
      const once = (m: Measure): string | null => {
        const k = `${playerId}\u0000${sessionId}\u0000${m}`;
        const at = seen.get(k);
        if (at !== undefined)
          return `repeats line ${at}: player ${playerId}'s session ${sessionId} already has a ${m} load (two sessions of one day need a session_id each)`;
        seen.set(k, lineNo);
        return null;
      };
      if (cell("load") !== "") {
        const load = Number(cell("load"));
        if (!IMPORTED_LOAD_MEASURES.includes(measure))
          yield bad(`measure '${cell("measure")}' is not one of ${IMPORTED_LOAD_MEASURES.join(", ")}`);
        else if (!Number.isFinite(load) || load < 0 || load > MAX_SESSION_LOAD[measure])
          yield bad(
            measure === "distance_m"
              ? `load '${cell("load")}' is not a distance from 0 to ${MAX_SESSION_DISTANCE_M} m`
              : `load '${cell("load")}' is not a ${measure} from 0 to ${MAX_SESSION_LOAD[measure]} ${UNITS[measure]}`,
          );
        else {
          const repeated = once(measure);
          if (repeated) yield bad(repeated);
          else
            yield {
              kind: "record",
              record: loadRecord(playerId, sessionId, day, { measure, load, minutes }, importId),
            };
        }
      }
      if (cell("rpe") !== "") {
        const rpe = Number(cell("rpe"));
        if (!Number.isFinite(rpe) || rpe < 0 || rpe > MAX_RPE)
          yield bad(`rpe '${cell("rpe")}' is not a CR-10 rating from 0 to ${MAX_RPE}`);
        else if (!(minutes > 0)) yield bad("rpe needs the session's minutes: session RPE load = rpe x minutes");
        else {
          const repeated = once("srpe_au");
          if (repeated) yield bad(repeated);
          else
            yield {
              kind: "record",
              record: loadRecord(
                playerId,
                sessionId,
                day,
                { measure: "srpe_au", load: rpe * minutes, minutes, rpe },
                importId,
              ),
            };
        }
      }
    }
  }
}
