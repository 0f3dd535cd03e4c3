/** What the handler benchmark imports from a bundle built like the Lambda's (see bundle.ts). */
export { MemoryStateStore } from "../../lambdas/adapters/memory-state-store.js";
export { TrackingInvocation } from "../../lambdas/tracking-features/process.js";
