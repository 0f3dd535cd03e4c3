/**
 * The keys of the state table (one DynamoDB table, partition key `pk`, shared by the extractors and
 * the workflow tasks), and which function may touch which. Every key starts with its owner's
 * prefix; each role is granted the table only for the keys its patterns match (the
 * `dynamodb:LeadingKeys` condition, lib/constructs/feature-extractor.ts and the automation stack).
 * The adapters build their keys with the builders here and CDK grants the patterns here, so the two
 * cannot drift (test/unit/state-keys.test.ts runs the extractors and checks every key they use).
 *
 * Patterns are IAM StringLike patterns: `*` is any run of characters, `?` any one character.
 */
import type { Modality } from "./modalities.js";

/** A modality's stream state, one item per partition key: `<modality>/<partition key>` (runtime/stream-invocation.ts). */
export const STATE_KEY_SEPARATOR = "/";
export const stateKey = (modality: string, partitionKey: string) => `${modality}${STATE_KEY_SEPARATOR}${partitionKey}`;
/** Every stream state key of a modality (ids have no `/`, `*` or `?`: `pose/*` never matches another modality's). */
export const stateKeyPattern = (modality: string) => `${modality}${STATE_KEY_SEPARATOR}*`;

/**
 * A player's load history in one measure, one item per player and measure:
 * `load#<player_id>#<measure>` (adapters/aws/dynamodb-load-history.ts).
 */
export const LOAD_KEY_PREFIX = "load#";
export const loadKey = (playerId: string, measure: string) => `${LOAD_KEY_PREFIX}${playerId}#${measure}`;
/** The load history keys of one measure, every player's; or of every measure. */
export const loadKeyPattern = (measure: string | typeof ANY_LOAD_MEASURE) =>
  measure === ANY_LOAD_MEASURE ? `${LOAD_KEY_PREFIX}*` : `${LOAD_KEY_PREFIX}*#${measure}`;
/** A modality that records load histories of whatever measure its records name (imported session loads). */
export const ANY_LOAD_MEASURE = "any";

/**
 * The medical cool-down ledger, one item per player and kind of finding:
 * `medical#<player_id>#<detail-type>` (adapters/aws/dynamodb-alert-ledger.ts). The workflow tasks'
 * only; no extractor may touch it.
 */
export const MEDICAL_KEY_PREFIX = "medical#";
export const medicalKey = (playerId: string, kind: string) => `${MEDICAL_KEY_PREFIX}${playerId}#${kind}`;
export const MEDICAL_KEY_PATTERN = `${MEDICAL_KEY_PREFIX}*`;

/**
 * The state table keys a modality's extractor may read and write: its own stream states, and the
 * load histories of the measures it records (registry `loadMeasures`). Tracking and wearables share
 * load histories of the same measure on purpose: a player's distance comes from matches (tracking)
 * and from imported sessions (wearables), and the acute:chronic ratio needs both in one history.
 */
export function stateTableKeyPatterns(m: Pick<Modality, "id" | "loadMeasures">): string[] {
  const loads =
    m.loadMeasures === undefined ? [] : m.loadMeasures === ANY_LOAD_MEASURE ? [ANY_LOAD_MEASURE] : m.loadMeasures;
  return [stateKeyPattern(m.id), ...loads.map(loadKeyPattern)];
}
