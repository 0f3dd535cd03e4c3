/**
 * Each registered modality's extractor, by modality id: what the embedded runtime (and a test)
 * builds a handler from. The cloud builds each from its entry point (the registry's
 * `extractor.entry`), with the same factory and the AWS adapters.
 */
import type { ScoutingNeedsFile } from "../contracts/needs.js";
import type { VisualLocator } from "../core/insights/common.js";
import type { Extractor } from "../runtime/extractor.js";
import { poseExtractor } from "./pose-biomechanics/extractor.js";
import { trackingExtractor } from "./tracking-features/extractor.js";

/** What an extractor may be configured with; each takes what it needs. */
export interface ExtractorConfig {
  readonly windowMs: number;
  readonly visuals: VisualLocator;
  /** The club's scouting needs. @default - none */
  readonly needs?: ScoutingNeedsFile | undefined;
}

// biome-ignore lint/suspicious/noExplicitAny: each factory is typed by its own modality's record and state
export type ExtractorFactory = (config: ExtractorConfig) => Extractor<any, any>;

export const EXTRACTORS: Readonly<Record<string, ExtractorFactory>> = {
  tracking: trackingExtractor,
  pose: poseExtractor,
};
