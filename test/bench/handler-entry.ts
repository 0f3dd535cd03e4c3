/** What the handler benchmark imports from a bundle built like the Lambda's (see bundle.ts). */
export { MemoryStateStore } from "../../lambdas/adapters/local/memory-state-store.js";
export { trackingExtractor } from "../../lambdas/functions/tracking-features/extractor.js";
export { StreamInvocation } from "../../lambdas/runtime/stream-invocation.js";
