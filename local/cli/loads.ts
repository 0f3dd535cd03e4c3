/** `sideline loads <file.csv>`: a club's session loads into player_loads, bad lines into quarantine. */
import type { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { quarantineRow } from "../../lambdas/contracts/quarantine.js";
import { PLAYER_LOADS, QUARANTINE, type RowOf } from "../../lambdas/contracts/tables/index.js";
import { DISTANCE_LOAD } from "../../lambdas/core/tracking/match-completed.js";
import { readLoadsCsv } from "../../producers/readers/loads-csv.js";

export interface LoadsImport {
  /** Data lines read: sessions + quarantined. */
  readonly lines: number;
  readonly sessions: number;
  readonly players: number;
  readonly quarantined: number;
}

export async function importLoads(lake: DuckDbLake, file: string): Promise<LoadsImport> {
  const rows: RowOf<typeof PLAYER_LOADS>[] = [];
  const bad: RowOf<typeof QUARANTINE>[] = [];
  const players = new Set<string>();
  for await (const l of readLoadsCsv(file)) {
    if (l.kind === "bad") {
      // A session line holds no samples: it counts 0 in sample accounting.
      bad.push(
        quarantineRow(
          { source: "reader:loads", ref: l.ref, matchId: null, reason: l.reason, samples: 0, payload: l.payload },
          new Date(),
        ),
      );
      continue;
    }
    players.add(l.playerId);
    rows.push({
      player_id: l.playerId,
      session_id: l.sessionId,
      day: new Date(l.day),
      load: l.load,
      load_measure: DISTANCE_LOAD.id,
      minutes: l.minutes,
      origin: "import",
    });
  }
  await lake.put(PLAYER_LOADS, rows);
  await lake.put(QUARANTINE, bad);
  return { lines: rows.length + bad.length, sessions: rows.length, players: players.size, quarantined: bad.length };
}
