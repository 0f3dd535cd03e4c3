/**
 * Long CSV: one sample per line, `timestamp,player_id,x,y` with optional `team` and `z` columns in
 * any order (the header names them). The timestamp is ISO 8601 or seconds since the epoch, with
 * fractions. x and y are metres, already in Sideline's pitch frame (origin at a corner).
 */
import { readLines } from "./lines.js";
import type { ReaderItem } from "./types.js";

const REQUIRED = ["timestamp", "player_id", "x", "y"] as const;
const NUMERIC_EPOCH = /^-?\d+(\.\d+)?$/;

/** Parses an ISO 8601 timestamp or epoch seconds into epoch milliseconds (integer). */
export function parseTimestamp(s: string): number {
  const v = s.trim();
  if (NUMERIC_EPOCH.test(v)) return Math.round(Number(v) * 1000);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v)) return Number.NaN;
  return Date.parse(v);
}

export async function* readLongCsv(path: string): AsyncGenerator<ReaderItem> {
  let idx: Record<string, number> | null = null;
  let lineNo = 0;
  for await (const line of readLines(path)) {
    lineNo++;
    if (line.trim() === "") continue;
    const cells = line.split(",");
    if (idx === null) {
      const names = cells.map((c) => c.trim().toLowerCase());
      const missing = REQUIRED.filter((r) => !names.includes(r));
      if (missing.length > 0) {
        throw new Error(
          `${path}:1: not a long-csv file: header lacks ${missing.join(", ")} (got '${line.slice(0, 80)}')`,
        );
      }
      idx = Object.fromEntries(names.map((n, i) => [n, i]));
      continue;
    }
    const bad = (reason: string): ReaderItem => ({
      kind: "bad",
      ref: `${path}:${lineNo}`,
      reason,
      payload: line,
      samples: 1,
    });
    if (cells.length < Object.keys(idx).length) {
      yield bad(`expected ${Object.keys(idx).length} columns, got ${cells.length}`);
      continue;
    }
    const t = parseTimestamp(cells[idx.timestamp!]!);
    if (!Number.isFinite(t)) {
      yield bad(`timestamp '${cells[idx.timestamp!]}' is neither ISO 8601 nor epoch seconds`);
      continue;
    }
    const playerId = cells[idx.player_id!]!.trim();
    if (playerId === "") {
      yield bad("player_id is empty");
      continue;
    }
    const x = Number(cells[idx.x!]);
    const y = Number(cells[idx.y!]);
    if (!Number.isFinite(x) || !Number.isFinite(y) || cells[idx.x!]!.trim() === "" || cells[idx.y!]!.trim() === "") {
      yield bad(`non-finite coordinate (x='${cells[idx.x!]}', y='${cells[idx.y!]}')`);
      continue;
    }
    const team = idx.team !== undefined ? cells[idx.team]?.trim() || undefined : undefined;
    yield {
      kind: "sample",
      sample: { t, playerId, team, entity: playerId === "ball" ? "ball" : "player", x, y },
    };
  }
  if (idx === null) throw new Error(`${path}: empty file, expected a header 'timestamp,player_id,x,y'`);
}
