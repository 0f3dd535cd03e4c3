/**
 * Metrica Sports wide CSV (one file per team): three header lines (team names, jersey numbers,
 * `Period,Frame,Time [s],Player11,,Player1,,...,Ball,`), then one row per frame with a normalised
 * (x, y) pair per player. The origin is top-left with y down on a 105 x 68 m pitch; Sideline flips
 * y (as kloppy does). `NaN` means the player is not on the pitch in that frame: not a sample, not
 * an error. Frames run on across the halves; the Period column separates them.
 */
import { DEFAULT_PITCH, fromMetricaNormalised, type PitchDimensions } from "../../lambdas/contracts/pitch.js";
import { InputError } from "./input-error.js";
import { looksBinary, readLines } from "./lines.js";
import type { ReaderItem } from "./types.js";

export interface MetricaOptions {
  /**
   * Epoch ms of the kick-off; `Time [s]` counts from it. Required: the files carry no date, and
   * windows dated 1970 would join the load history as sessions of that year.
   */
  readonly kickoffMs: number;
  /** Read the Ball columns (Sideline reads the ball from the home file only). @default true */
  readonly includeBall?: boolean;
  /** @default 105 x 68 m */
  readonly pitch?: PitchDimensions;
}

interface Column {
  readonly playerId: string;
  readonly entity: "player" | "ball";
  readonly xCol: number;
}

interface MetricaHeader {
  /** The team the file holds, lower case, as its first header line names it (Metrica's files say Home or Away). */
  readonly team: string;
  readonly columns: readonly Column[];
}

const HEADER_LINES = 3;

function parseHeader(path: string, header: readonly string[], includeBall: boolean): MetricaHeader {
  if (header.some(looksBinary))
    throw new InputError(path, 0, "binary data, not a Metrica text file", "pass Metrica's tracking CSV files");
  const team = (
    header[0]!
      .split(",")
      .map((c) => c.trim())
      .find(Boolean) ?? ""
  ).toLowerCase();
  const names = header[2]!.split(",");
  if (names[0]?.trim() !== "Period" || names[2]?.trim() !== "Time [s]" || !team) {
    throw new InputError(
      path,
      HEADER_LINES - 1,
      "not a Metrica tracking file: expected the team on line 1 and 'Period,Frame,Time [s],...' on line 3",
      "pass Metrica's RawTrackingData files (home, then away)",
    );
  }
  const columns: Column[] = [];
  names.forEach((name, i) => {
    const n = name.trim();
    const m = /^Player(\d+)$/.exec(n);
    if (m) columns.push({ playerId: `${team}_${m[1]}`, entity: "player", xCol: i });
    else if (n === "Ball" && includeBall) columns.push({ playerId: "ball", entity: "ball", xCol: i });
  });
  return { team, columns };
}

function tooShort(path: string, lines: number): InputError {
  return new InputError(
    path,
    lines,
    `not a Metrica tracking file: ${lines} of its ${HEADER_LINES} header lines`,
    "pass Metrica's RawTrackingData files (home, then away)",
  );
}

/** The team a Metrica file holds (lower case, e.g. `home`), from its header; reads nothing else. */
export async function metricaTeam(path: string): Promise<string> {
  const header: string[] = [];
  for await (const line of readLines(path)) {
    header.push(line);
    if (header.length === HEADER_LINES) return parseHeader(path, header, false).team;
  }
  throw tooShort(path, header.length);
}

export async function* readMetrica(path: string, options: MetricaOptions): AsyncGenerator<ReaderItem> {
  const kickoff = options.kickoffMs;
  if (!Number.isFinite(kickoff)) throw new Error(`metrica reader: kick-off must be epoch ms, got ${kickoff}`);
  const pitch = options.pitch ?? DEFAULT_PITCH;
  const header: string[] = [];
  let team = "";
  let columns: readonly Column[] = [];
  let lineNo = 0;
  for await (const line of readLines(path)) {
    lineNo++;
    if (header.length < HEADER_LINES) {
      header.push(line);
      if (header.length === HEADER_LINES)
        ({ team, columns } = parseHeader(path, header, options.includeBall !== false));
      continue;
    }
    if (line.trim() === "") continue;
    const cells = line.split(",");
    const bad = (reason: string): ReaderItem => ({
      kind: "bad",
      ref: `${path}:${lineNo}`,
      reason,
      payload: line,
      samples: columns.length,
    });
    const period = Number(cells[0]);
    const time = Number(cells[2]);
    if (!Number.isInteger(period) || period < 1 || !Number.isFinite(time)) {
      yield bad(`bad Period '${cells[0]}' or Time [s] '${cells[2]}'`);
      continue;
    }
    const t = kickoff + Math.round(time * 1000);
    for (const c of columns) {
      const xs = cells[c.xCol];
      const ys = cells[c.xCol + 1];
      if (xs === "NaN" || ys === "NaN" || xs === undefined || ys === undefined) continue;
      const nx = Number(xs);
      const ny = Number(ys);
      if (xs.trim() === "" || ys.trim() === "" || !Number.isFinite(nx) || !Number.isFinite(ny)) {
        yield {
          kind: "bad",
          ref: `${path}:${lineNo}:${c.playerId}`,
          reason: `non-numeric coordinate for ${c.playerId} (x='${xs}', y='${ys}')`,
          payload: line,
          samples: 1,
        };
        continue;
      }
      const p = fromMetricaNormalised(nx, ny, pitch);
      yield {
        kind: "sample",
        sample: {
          t,
          playerId: c.playerId,
          team: c.entity === "ball" ? undefined : team,
          entity: c.entity,
          x: p.x,
          y: p.y,
          period,
        },
      };
    }
  }
  if (header.length < HEADER_LINES) throw tooShort(path, header.length);
}
