/**
 * Scouting needs: club-defined, versioned config (config/scouting-needs.json). The matcher scores
 * players against them; the same rows go into the scouting_needs table of both lakes.
 */
import "./zod-locale.js";
import * as z from "zod/mini";
import { PROFILE_FEATURES } from "../core/tracking/match-profile.js";
import type { RowOf, SCOUTING_NEEDS } from "./tables/index.js";

const needFeatureSchema = z
  .object({
    /** A profile feature, as named in player_match_profiles. */
    name: z.enum(PROFILE_FEATURES),
    weight: z.number().check(z.positive()),
    /** A hard gate: below it the player is not a candidate, whatever the rest. */
    minimum: z.optional(z.number().check(z.gte(0))),
    /** Full marks at or above it. */
    target: z.number().check(z.positive()),
  })
  .check(
    z.refine((f) => f.minimum === undefined || f.minimum <= f.target, {
      message: "minimum must not be above target",
    }),
  );

export const scoutingNeedSchema = z.object({
  need_id: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "need_id must be lowercase letters, digits and -")),
  role: z.string().check(z.minLength(1)),
  description: z.string(),
  threshold: z.number().check(z.gt(0), z.lte(1)),
  min_minutes: z.number().check(z.gte(0)),
  features: z.array(needFeatureSchema).check(z.minLength(1)),
});

export const scoutingNeedsFileSchema = z.object({
  /** Bump it whenever a need changes: old versions stay in the table, so every match can be audited. */
  version: z.int().check(z.positive()),
  needs: z.array(scoutingNeedSchema).check(z.minLength(1)),
});

export type ScoutingNeed = z.infer<typeof scoutingNeedSchema>;
export type ScoutingNeedsFile = z.infer<typeof scoutingNeedsFileSchema>;

/** Parses a needs file, with an error that names the file, the need and the field. */
export function parseNeeds(json: unknown, source: string): ScoutingNeedsFile {
  const r = scoutingNeedsFileSchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`invalid scouting needs in ${source}: ${i?.path.join(".") || "file"}: ${i?.message}`);
  }
  const ids = r.data.needs.map((n) => n.need_id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new Error(`invalid scouting needs in ${source}: need_id '${dup}' appears twice`);
  return r.data;
}

/** The scouting_needs rows of one needs file. */
export function needRows(file: ScoutingNeedsFile): RowOf<typeof SCOUTING_NEEDS>[] {
  return file.needs.map((n) => ({
    need_id: n.need_id,
    version: file.version,
    role: n.role,
    description: n.description,
    threshold: n.threshold,
    min_minutes: n.min_minutes,
    features: JSON.stringify(n.features),
  }));
}
