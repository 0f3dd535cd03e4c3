/**
 * The pose-biomechanics Lambda handler: the generic stream handler (runtime/handler.ts) running the
 * pose extractor. The cloud entry (index.ts) and the embedded runtime build it with their own adapters.
 */
import { createStreamHandler, type StreamHandler, type StreamHandlerOptions } from "../../runtime/handler.js";
import { poseExtractor } from "./extractor.js";

export interface PoseBiomechanicsOptions extends StreamHandlerOptions {
  readonly windowMs: number;
}

export function createPoseBiomechanicsHandler(o: PoseBiomechanicsOptions): StreamHandler {
  return createStreamHandler(poseExtractor({ windowMs: o.windowMs, visuals: o.visuals }), o);
}
