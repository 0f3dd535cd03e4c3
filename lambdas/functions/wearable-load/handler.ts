/**
 * The wearable-load Lambda handler: the generic stream handler (runtime/handler.ts) running the
 * wearables extractor. The cloud entry (index.ts) and the embedded runtime build it with their own adapters.
 */
import type { SquadFile } from "../../contracts/squad.js";
import { createStreamHandler, type StreamHandler, type StreamHandlerOptions } from "../../runtime/handler.js";
import { wearableExtractor } from "./extractor.js";

export interface WearableLoadOptions extends StreamHandlerOptions {
  readonly windowMs: number;
  readonly squad: SquadFile;
}

export function createWearableLoadHandler(o: WearableLoadOptions): StreamHandler {
  return createStreamHandler(wearableExtractor({ windowMs: o.windowMs, visuals: o.visuals, squad: o.squad }), o);
}
