/**
 * The squad file (config/squad.json): each player's heart-rate references, which heart-rate zones
 * and TRIMP need, and what is assumed for a player it does not list or a value it leaves out. The
 * file is the club's versioned config, bundled with the wearables extractor (a change is a deploy)
 * and read by the embedded runtime; the reference a window used is stored beside it
 * (wearable_windows.hr_max_ref_bpm, hr_rest_ref_bpm, hr_ref_source).
 */
import "./zod-locale.js";
import * as z from "zod/mini";
import { MAX_HR_BPM, MIN_HR_BPM } from "./records/wearable.js";

/** HRmax from age when it was not measured: 208 - 0.7 x age (Tanaka, Monahan & Seals 2001, J Am Coll Cardiol 37:153). */
export const TANAKA_INTERCEPT_BPM = 208;
export const TANAKA_SLOPE_BPM_PER_YEAR = 0.7;

const bpm = z.number().check(z.gte(MIN_HR_BPM), z.lte(MAX_HR_BPM));
const sex = z.enum(["male", "female"]);

export const squadPlayerSchema = z
  .object({
    player_id: z.string().check(z.minLength(1), z.maxLength(128)),
    /** Measured maximal heart rate (an incremental test, or the highest seen in a match), bpm. */
    hr_max_bpm: z.optional(bpm),
    /** Resting heart rate (morning, supine), bpm. */
    hr_rest_bpm: z.optional(bpm),
    /** Year of birth: HRmax by Tanaka's formula when hr_max_bpm is missing. */
    birth_year: z.optional(z.int().check(z.gte(1900), z.lte(2100))),
    /** Banister TRIMP's weighting (Banister 1991 gives one for men and one for women). */
    sex: z.optional(sex),
  })
  .check(
    z.refine(
      (p) => p.hr_max_bpm === undefined || p.hr_rest_bpm === undefined || p.hr_max_bpm > p.hr_rest_bpm,
      "hr_max_bpm must be above hr_rest_bpm",
    ),
  );

export const squadFileSchema = z.object({
  version: z.int().check(z.positive()),
  /** What is assumed for a value a player's entry leaves out (or a player the file does not list), and why. */
  assumed: z.object({
    hr_max_bpm: bpm,
    hr_rest_bpm: bpm,
    sex,
    why: z.string().check(z.minLength(1)),
  }),
  players: z.array(squadPlayerSchema),
});

export type SquadFile = z.infer<typeof squadFileSchema>;

/** The heart-rate references of one player, and whether they were measured or assumed. */
export interface HrReference {
  readonly hrMaxBpm: number;
  readonly hrRestBpm: number;
  readonly sex: "male" | "female";
  /** squad: every value came from the player's entry (or Tanaka's formula from his birth year); assumed: at least one is the file's assumption. */
  readonly source: "squad" | "assumed";
}

/** Parses a squad file, with an error that names the file, the player and the field. */
export function parseSquad(json: unknown, source: string): SquadFile {
  const r = squadFileSchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`invalid squad file ${source}: ${i?.path.join(".") || "file"}: ${i?.message}`);
  }
  const seen = new Set<string>();
  for (const p of r.data.players) {
    if (seen.has(p.player_id)) throw new Error(`invalid squad file ${source}: player ${p.player_id} is listed twice`);
    seen.add(p.player_id);
  }
  return r.data;
}

/** A player's references on `atMs` (his age for Tanaka's formula is counted in that year). */
export function hrReference(squad: SquadFile, playerId: string, atMs: number): HrReference {
  const p = squad.players.find((x) => x.player_id === playerId);
  const a = squad.assumed;
  const age = p?.birth_year !== undefined ? new Date(atMs).getUTCFullYear() - p.birth_year : undefined;
  const hrMax =
    p?.hr_max_bpm ?? (age !== undefined ? TANAKA_INTERCEPT_BPM - TANAKA_SLOPE_BPM_PER_YEAR * age : undefined);
  const measured = p !== undefined && hrMax !== undefined && p.hr_rest_bpm !== undefined && p.sex !== undefined;
  const hrMaxBpm = hrMax ?? a.hr_max_bpm;
  const hrRestBpm = p?.hr_rest_bpm ?? a.hr_rest_bpm;
  return {
    // A measured HRmax at or below an assumed HRrest cannot be used as is: fall back to both assumptions.
    hrMaxBpm: hrMaxBpm > hrRestBpm ? hrMaxBpm : a.hr_max_bpm,
    hrRestBpm: hrMaxBpm > hrRestBpm ? hrRestBpm : a.hr_rest_bpm,
    sex: p?.sex ?? a.sex,
    source: measured ? "squad" : "assumed",
  };
}
