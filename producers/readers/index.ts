/**
 * The reader of each format the registry lists (lambdas/contracts/modalities.ts, `readers`):
 * `sideline run --format F` finds the modality F feeds in the registry, and its reader here.
 */

import { readCatapultGnss } from "./catapult-gnss.js";
import { readCatapultOpenField } from "./catapult-openfield.js";
import { readGpx } from "./gpx.js";
import { readHrCsv } from "./hr-csv.js";
import { readImuCsv } from "./imu-csv.js";
import { readLongCsv } from "./long-csv.js";
import { readMetrica } from "./metrica.js";
import { readMovesense } from "./movesense.js";
import { readPitchCorners } from "./pitch-corners.js";
import { readPoseJsonl } from "./pose-jsonl.js";
import { readTcx } from "./tcx.js";
import type { ReaderItem } from "./types.js";

/** What a reader may need from the command line. */
export interface ReadSettings {
  /** Epoch ms that relative times count from (Metrica's kick-off); NaN when not given. */
  readonly kickoffMs: number;
  /** IANA zone of times without a UTC offset. */
  readonly timeZone: string;
  /** The player a single-player file is about (--player-id); undefined: from the file's name. */
  readonly playerId?: string | undefined;
  /** catapult-gnss: the pitch's four corners, `longitude,latitude` (--corners). */
  readonly cornersFile?: string | undefined;
  /** Epoch ms of the recording's start, for files whose clock is not epoch time (movesense; --start); NaN: not given. */
  readonly startMs?: number | undefined;
}

export interface Reader {
  /** Reads the files, in order, as one source of samples and rejected lines. */
  read(files: readonly string[], s: ReadSettings): AsyncIterable<ReaderItem>;
}

const reader = (each: (file: string, index: number, s: ReadSettings) => AsyncIterable<ReaderItem>): Reader => ({
  read: (files, s) => ({
    async *[Symbol.asyncIterator]() {
      for (const [i, f] of files.entries()) yield* each(f, i, s);
    },
  }),
});

/**
 * A format that no file reader here can read: its records are made on this machine by parts that
 * producers/ may not import (test/unit/layering.test.ts). `sideline run` builds its source in `builtBy`.
 */
export interface LocalSource {
  readonly builtBy: string;
  readonly why: string;
}

export const READERS: Readonly<Record<string, Reader | LocalSource>> = {
  "long-csv": reader((f, _i, s) => readLongCsv(f, { timeZone: s.timeZone })),
  // The ball is read from the first (home) file only: both files carry it.
  metrica: reader((f, i, s) => readMetrica(f, { kickoffMs: s.kickoffMs, includeBall: i === 0 })),
  // Whole sideline.pose.v1 records, one per line (keypoints computed at the edge).
  "pose-jsonl": reader((f) => readPoseJsonl(f)),
  // Wearables: samples at the device's native rate, grouped into sideline.wearable.v1 records by
  // producers/wearable-chunker.ts (one stream per player and device).
  "catapult-openfield": reader((f, _i, s) => readCatapultOpenField(f, s)),
  movesense: reader((f, _i, s) => readMovesense(f, s)),
  "imu-csv": reader((f, _i, s) => readImuCsv(f, s)),
  "hr-csv": reader((f, _i, s) => readHrCsv(f, s)),
  tcx: reader((f, _i, s) => readTcx(f, s)),
  gpx: reader((f, _i, s) => readGpx(f, s)),
  // One player per file, projected into the pitch's frame from its surveyed corners (read once per run).
  "catapult-gnss": {
    read: (files, s) => ({
      async *[Symbol.asyncIterator]() {
        if (!s.cornersFile) throw new Error("catapult-gnss needs the pitch's corners: pass --corners FILE");
        const frame = await readPitchCorners(s.cornersFile);
        for (const f of files) yield* readCatapultGnss(f, { timeZone: s.timeZone, playerId: s.playerId, frame });
      },
    }),
  },
  // Sampled JPEGs and their sideline.frame.v1 sidecars: the pose invoker's code against the local pose server.
  frames: {
    builtBy: "local/pose/frames-source.ts",
    why: "its keypoints are estimated by the local pose server, which lives in local/",
  },
};

/** Formats whose file holds one player, named by --player-id or by the file's name. */
export const SINGLE_PLAYER_FORMATS: ReadonlySet<string> = new Set([
  "catapult-gnss",
  "catapult-openfield",
  "movesense",
  "imu-csv",
  "hr-csv",
  "tcx",
  "gpx",
]);
/** Formats whose positions are longitude/latitude, projected with the pitch's corners (--corners). */
export const CORNERS_FORMATS: ReadonlySet<string> = new Set(["catapult-gnss"]);
/** Formats whose clock is not epoch time, so the recording's start comes from --start. */
export const START_FORMATS: ReadonlySet<string> = new Set(["movesense", "imu-csv"]);

export function readerFor(format: string): Reader {
  const r = READERS[format];
  if (!r) throw new Error(`format '${format}' is registered but has no reader: add it to READERS`);
  if (!("read" in r)) throw new Error(`format '${format}' has no file reader: ${r.why} (${r.builtBy})`);
  return r;
}
