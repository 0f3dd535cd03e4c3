/**
 * The tracking-features Lambda handler: the generic stream handler (runtime/handler.ts) running
 * the tracking extractor. The cloud entry (index.ts) and the embedded runtime build it with their
 * own adapters.
 */
import type { ScoutingNeedsFile } from "../../contracts/needs.js";
import { createStreamHandler, type StreamHandler, type StreamHandlerOptions } from "../../runtime/handler.js";
import { trackingExtractor } from "./extractor.js";

export interface TrackingFeaturesOptions extends StreamHandlerOptions {
  readonly windowMs: number;
  /** The club's scouting needs. @default - no scouting matches */
  readonly needs?: ScoutingNeedsFile;
}

export function createTrackingFeaturesHandler(o: TrackingFeaturesOptions): StreamHandler {
  return createStreamHandler(trackingExtractor({ windowMs: o.windowMs, visuals: o.visuals, needs: o.needs }), o);
}
