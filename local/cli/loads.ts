/** `sideline loads <file.csv>`: a club's session loads into player_loads, bad lines into quarantine. */
import type { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { PLAYER_LOADS, QUARANTINE, type Row } from "../../lambdas/contracts/tables.js";
import { LOAD_MEASURE } from "../../lambdas/core/insights/tracking-insights.js";
import { QUARANTINE_PAYLOAD_CHARS } from "../../lambdas/functions/tracking-features/extractor.js";
import { readLoadsCsv } from "../../producers/readers/loads-csv.js";

export interface LoadsImport {
  /** Data lines read: sessions + quarantined. */
  readonly lines: number;
  readonly sessions: number;
  readonly players: number;
  readonly quarantined: number;
}

export async function importLoads(lake: DuckDbLake, file: string): Promise<LoadsImport> {
  const rows: Row[] = [];
  const bad: Row[] = [];
  const players = new Set<string>();
  for await (const l of readLoadsCsv(file)) {
    if (l.kind === "bad") {
      bad.push({
        source: "reader:loads",
        record_ref: l.ref,
        match_id: null,
        reason: l.reason,
        sample_count: 0,
        payload: l.payload.slice(0, QUARANTINE_PAYLOAD_CHARS),
        quarantined_at: new Date(),
      });
      continue;
    }
    players.add(l.playerId);
    rows.push({
      player_id: l.playerId,
      session_id: l.sessionId,
      day: new Date(l.day),
      load: l.load,
      load_measure: LOAD_MEASURE,
      minutes: l.minutes,
      origin: "import",
    });
  }
  await lake.put(PLAYER_LOADS.name, rows);
  await lake.put(QUARANTINE.name, bad);
  return { lines: rows.length + bad.length, sessions: rows.length, players: players.size, quarantined: bad.length };
}
