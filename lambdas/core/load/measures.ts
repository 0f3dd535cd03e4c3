/**
 * The load measures a player's history is kept in: one history, one daily series and one
 * acute:chronic ratio per measure, never added together (metres are not arbitrary units, and an
 * Edwards TRIMP is not a Banister TRIMP). Each names where its sessions come from.
 */
import type { LoadMeasure } from "./load-spike-insight.js";

/** Total distance, m: matches and training from tracking (optical, radio or GNSS vests), and imported sessions. */
export const DISTANCE_LOAD: LoadMeasure = { id: "distance_m", label: "total distance", unitPerDay: "m/day" };
/** Sideline's PlayerLoad from an IMU at its native rate (Boyd, Ball & Aughey 2011), AU. */
export const PLAYER_LOAD: LoadMeasure = { id: "player_load_au", label: "PlayerLoad", unitPerDay: "AU/day" };
/**
 * A vendor's own PlayerLoad, imported from its software: the device filters its accelerations first,
 * so it is about 0.91 of Sideline's on the same samples (Catapult's sample): a history of its own.
 */
export const VENDOR_PLAYER_LOAD: LoadMeasure = {
  id: "vendor_player_load_au",
  label: "vendor PlayerLoad",
  unitPerDay: "AU/day",
};
/** Edwards TRIMP: minutes in heart-rate zones weighted 1-5 (Edwards 1993), AU. */
export const TRIMP_EDWARDS_LOAD: LoadMeasure = { id: "trimp_edwards_au", label: "Edwards TRIMP", unitPerDay: "AU/day" };
/** Banister TRIMP: heart-rate reserve weighted exponentially (Banister 1991), AU. */
export const TRIMP_BANISTER_LOAD: LoadMeasure = {
  id: "trimp_banister_au",
  label: "Banister TRIMP",
  unitPerDay: "AU/day",
};
/** Session RPE load: CR-10 rating x session minutes (Foster et al. 2001), AU. */
export const SRPE_LOAD: LoadMeasure = { id: "srpe_au", label: "session RPE load", unitPerDay: "AU/day" };

export const LOAD_MEASURES: readonly LoadMeasure[] = [
  DISTANCE_LOAD,
  PLAYER_LOAD,
  VENDOR_PLAYER_LOAD,
  TRIMP_EDWARDS_LOAD,
  TRIMP_BANISTER_LOAD,
  SRPE_LOAD,
];

export function loadMeasure(id: string): LoadMeasure {
  const m = LOAD_MEASURES.find((x) => x.id === id);
  if (!m) throw new Error(`unknown load measure '${id}': expected one of ${LOAD_MEASURES.map((x) => x.id).join(", ")}`);
  return m;
}
