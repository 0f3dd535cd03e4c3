/**
 * Each registered modality's extractor, by modality id: what the embedded runtime (and a test)
 * builds a handler from. The cloud builds each from its entry point (the registry's
 * `extractor.entry`), with the same factory and the AWS adapters.
 */
import squadFile from "../../config/squad.json" with { type: "json" };
import type { ScoutingNeedsFile } from "../contracts/needs.js";
import { parseSquad, type SquadFile } from "../contracts/squad.js";
import type { VisualLocator } from "../core/insights/common.js";
import type { Extractor } from "../runtime/extractor.js";
import { poseExtractor } from "./pose-biomechanics/extractor.js";
import { trackingExtractor } from "./tracking-features/extractor.js";
import { wearableExtractor } from "./wearable-load/extractor.js";

/** What an extractor may be configured with; each takes what it needs. */
export interface ExtractorConfig {
  readonly windowMs: number;
  readonly visuals: VisualLocator;
  /** The club's scouting needs. @default - none */
  readonly needs?: ScoutingNeedsFile | undefined;
  /** The squad's heart-rate references. @default - config/squad.json */
  readonly squad?: SquadFile | undefined;
}

/** The squad file Sideline ships (config/squad.json), as the cloud bundles it. */
export const DEFAULT_SQUAD: SquadFile = parseSquad(squadFile, "config/squad.json");

// biome-ignore lint/suspicious/noExplicitAny: each factory is typed by its own modality's record and state
export type ExtractorFactory = (config: ExtractorConfig) => Extractor<any, any>;

export const EXTRACTORS: Readonly<Record<string, ExtractorFactory>> = {
  tracking: trackingExtractor,
  pose: poseExtractor,
  wearables: (c) => wearableExtractor({ ...c, squad: c.squad ?? DEFAULT_SQUAD }),
};
