/**
 * Load history read from the local lake's player_loads table. The tracking handler writes each
 * match's row through its sink, and imported sessions land in the same table, so `record` has
 * nothing left to do: the table is the history.
 */
import type { LoadHistoryStore, SessionLoad } from "../../ports.js";
import type { DuckDbLake } from "./duckdb-lake.js";

export class DuckDbLoadHistory implements LoadHistoryStore {
  constructor(private readonly lake: DuckDbLake) {}

  async get(playerIds: readonly string[], measure: string, fromDay: number): Promise<Map<string, SessionLoad[]>> {
    const out = new Map<string, SessionLoad[]>();
    if (playerIds.length === 0) return out;
    const rows = await this.lake.queryObjects<{ player_id: string; session_id: string; day_ms: number; load: number }>(
      `SELECT player_id, session_id, epoch_ms(day) AS day_ms, load FROM player_loads
       WHERE player_id IN (${playerIds.map(() => "?").join(", ")}) AND load_measure = ?
         AND day >= make_timestamp(?::BIGINT * 1000)
       ORDER BY day`,
      [...playerIds, measure, fromDay],
    );
    for (const r of rows) {
      const list = out.get(r.player_id) ?? [];
      list.push({ sessionId: r.session_id, day: Number(r.day_ms), load: Number(r.load) });
      out.set(r.player_id, list);
    }
    return out;
  }

  async record(): Promise<void> {}
}
