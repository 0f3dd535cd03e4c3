/**
 * One batching and backoff helper for every batch call with partial failures: Firehose
 * PutRecordBatch, EventBridge PutEvents, DynamoDB BatchWriteItem and BatchGetItem (state and load
 * history) and Kinesis PutRecords (the producer). Each of those services can accept a batch yet
 * report some of its entries as failed or unprocessed; only those are sent again, with exponential
 * backoff and full jitter, and the call fails, naming what still fails, once the attempts run out.
 */

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

/** A service's limits on one batch call. */
export interface BatchLimits {
  readonly maxItems: number;
  /** Bytes per call, entries summed (with sizeOf). @default - no byte limit */
  readonly maxBytes?: number;
}

/** Splits items into consecutive batches within the limits; an item over maxBytes on its own is an error. */
export function batches<T>(items: readonly T[], limits: BatchLimits, sizeOf: (item: T) => number = () => 0): T[][] {
  const out: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  const maxBytes = limits.maxBytes ?? Number.POSITIVE_INFINITY;
  for (const item of items) {
    const size = sizeOf(item);
    if (size > maxBytes) throw new Error(`an entry of ${size} bytes is over the ${maxBytes}-byte limit of one call`);
    if (batch.length === limits.maxItems || bytes + size > maxBytes) {
      out.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += size;
  }
  if (batch.length > 0) out.push(batch);
  return out;
}

/** What one attempt left to do: the entries to send again, and why they failed. */
export interface AttemptResult<T> {
  readonly retry: readonly T[];
  /** The services' error codes or messages for them. @default - none given */
  readonly errors?: readonly string[];
}

/**
 * Sends one batch and then whatever each attempt reports as failed, with backoff between attempts.
 * Throws `<what>: N entries still failing after A attempts (errors)` when attempts run out. A call
 * that throws (network, throttling of the whole call) is not retried here: the SDK retries those.
 */
export async function sendWithRetry<T>(
  batch: readonly T[],
  send: (entries: readonly T[]) => Promise<AttemptResult<T>>,
  backoff: BackoffOptions,
  what: string,
): Promise<void> {
  let pending = batch;
  let errors: readonly string[] = [];
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= backoff.attempts) {
      const why = errors.length > 0 ? ` (${[...new Set(errors)].join(", ")})` : "";
      throw new Error(`${what}: ${pending.length} entries still failing after ${attempt} attempts${why}`);
    }
    if (attempt > 0) await (backoff.sleep ?? realSleep)(backoffDelayMs(attempt, backoff));
    const r = await send(pending);
    pending = r.retry;
    errors = r.errors ?? [];
  }
}

/** batches() then sendWithRetry() for each batch, in order. */
export async function sendInBatches<T>(
  items: readonly T[],
  limits: BatchLimits,
  sizeOf: ((item: T) => number) | undefined,
  send: (entries: readonly T[]) => Promise<AttemptResult<T>>,
  backoff: BackoffOptions,
  what: string,
): Promise<void> {
  for (const b of batches(items, limits, sizeOf)) await sendWithRetry(b, send, backoff, what);
}
