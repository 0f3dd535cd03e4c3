/** Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015). */
export interface BackoffOptions {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
  /** Injected for tests. @default - Math.random */
  readonly random?: () => number;
  /** Injected for tests. @default - setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function backoffDelayMs(attempt: number, o: BackoffOptions): number {
  const cap = Math.min(o.maxMs, o.baseMs * 2 ** attempt);
  return Math.floor((o.random ?? Math.random)() * cap);
}
