/**
 * Session loads the club already has (GPS vests in training), for the acute:chronic ratio's
 * history: `player_id,date,load` with optional `minutes` and `session_id` columns, any order. The
 * load is total distance in metres, the measure Sideline's match loads use (LOAD_MEASURE).
 */
import { InputError } from "./input-error.js";
import { readLines } from "./lines.js";

export type LoadLine =
  | {
      readonly kind: "session";
      readonly playerId: string;
      readonly sessionId: string;
      /** Midnight UTC, ms. */
      readonly day: number;
      readonly load: number;
      readonly minutes: number;
    }
  | { readonly kind: "bad"; readonly ref: string; readonly reason: string; readonly payload: string };

const REQUIRED = ["player_id", "date", "load"] as const;
/** A session longer than this is a data error: the longest football days (double sessions) stay under 4 h. */
export const MAX_SESSION_MINUTES = 240;
/** Total distance above this in one session is a data error: elite match maxima are ~13-14 km (Bradley et al. 2009). */
export const MAX_SESSION_DISTANCE_M = 25_000;

export async function* readLoadsCsv(path: string): AsyncGenerator<LoadLine> {
  let idx: Record<string, number> | null = null;
  let lineNo = 0;
  for await (const line of readLines(path)) {
    lineNo++;
    if (line.trim() === "") continue;
    const cells = line.split(",").map((c) => c.trim());
    if (idx === null) {
      const names = cells.map((c) => c.toLowerCase());
      const missing = REQUIRED.filter((r) => !names.includes(r));
      if (missing.length > 0)
        throw new InputError(
          path,
          lineNo - 1,
          `not a loads file: the header lacks ${missing.join(", ")} (it reads ${JSON.stringify(line.slice(0, 80))})`,
          "the first line must name the columns, e.g. 'player_id,date,load,minutes,session_id'",
        );
      idx = Object.fromEntries(names.map((n, i) => [n, i]));
      continue;
    }
    const bad = (reason: string): LoadLine => ({ kind: "bad", ref: `${path}:${lineNo}`, reason, payload: line });
    const cell = (name: string) => (idx![name] === undefined ? "" : (cells[idx![name]!] ?? ""));
    const playerId = cell("player_id");
    const date = cell("date");
    const day = /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00Z`) : Number.NaN;
    const load = Number(cell("load"));
    const minutes = cell("minutes") === "" ? 0 : Number(cell("minutes"));
    if (playerId === "") yield bad("player_id is empty");
    else if (!Number.isFinite(day)) yield bad(`date '${date}' is not YYYY-MM-DD`);
    else if (cell("load") === "" || !Number.isFinite(load) || load < 0 || load > MAX_SESSION_DISTANCE_M)
      yield bad(`load '${cell("load")}' is not a distance from 0 to ${MAX_SESSION_DISTANCE_M} m`);
    else if (!Number.isFinite(minutes) || minutes < 0 || minutes > MAX_SESSION_MINUTES)
      yield bad(`minutes '${cell("minutes")}' is not from 0 to ${MAX_SESSION_MINUTES}`);
    else
      yield {
        kind: "session",
        playerId,
        sessionId: cell("session_id") || `import-${date}`,
        day,
        load,
        minutes,
      };
  }
}
