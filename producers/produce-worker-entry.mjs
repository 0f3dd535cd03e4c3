// The produce worker's entry (./produce-worker.ts starts it): Sideline runs its TypeScript through
// tsx, whose loader a worker thread does not inherit, so the worker registers it before loading
// its body.
import { register } from "tsx/esm/api";

register();
await import("./produce-worker-thread.ts");
