/**
 * EventPublisher on EventBridge PutEvents. PutEvents is not all-or-nothing: the response lists
 * which entries failed (FailedEntryCount, Entries[i].ErrorCode). Failed entries are retried with
 * backoff; if any still fail, publish throws so that the batch is retried (events carry
 * deterministic ids, so consumers deduplicate).
 */
import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import type { InsightEvent } from "../../contracts/events.js";
import type { EventPublisher } from "../../ports.js";
import { type BackoffOptions, backoffDelayMs, realSleep } from "../batching.js";

/** PutEvents takes at most 10 entries per request (EventBridge quotas). */
export const PUT_EVENTS_MAX_ENTRIES = 10;
/** ...and at most 256 KiB per request, entries summed (EventBridge quotas). */
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;

const DEFAULT_BACKOFF: BackoffOptions = { attempts: 5, baseMs: 100, maxMs: 5000 };

/** Size of an entry as EventBridge counts it: Source, DetailType, Detail, Resources, and 14 bytes for Time. */
export function entrySize(e: PutEventsRequestEntry): number {
  let size = 14;
  for (const s of [e.Source, e.DetailType, e.Detail, ...(e.Resources ?? [])]) {
    if (s) size += Buffer.byteLength(s, "utf8");
  }
  return size;
}

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: Pick<EventBridgeClient, "send">,
    private readonly eventBusName: string,
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
  ) {
    if (!eventBusName) throw new Error("event bus name is empty: set EVENT_BUS_NAME");
  }

  async publish(events: readonly InsightEvent[]): Promise<void> {
    const entries = events.map((e) => ({
      id: e.id,
      entry: {
        EventBusName: this.eventBusName,
        Source: e.source,
        DetailType: e.detailType,
        Time: e.time,
        Detail: JSON.stringify(e.detail),
      } satisfies PutEventsRequestEntry,
    }));
    for (const { id, entry } of entries) {
      if (entrySize(entry) > PUT_EVENTS_MAX_BYTES) {
        throw new Error(
          `event ${id} is ${entrySize(entry)} bytes; EventBridge accepts at most ${PUT_EVENTS_MAX_BYTES}`,
        );
      }
    }
    let batch: typeof entries = [];
    let bytes = 0;
    for (const item of entries) {
      const size = entrySize(item.entry);
      if (batch.length === PUT_EVENTS_MAX_ENTRIES || bytes + size > PUT_EVENTS_MAX_BYTES) {
        await this.putWithRetry(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(item);
      bytes += size;
    }
    if (batch.length > 0) await this.putWithRetry(batch);
  }

  private async putWithRetry(batch: readonly { id: string; entry: PutEventsRequestEntry }[]): Promise<void> {
    let pending = batch;
    let lastErrors: string[] = [];
    for (let attempt = 0; attempt < this.backoff.attempts; attempt++) {
      if (attempt > 0) await (this.backoff.sleep ?? realSleep)(backoffDelayMs(attempt, this.backoff));
      const out = await this.client.send(new PutEventsCommand({ Entries: pending.map((p) => p.entry) }));
      if (!out.FailedEntryCount) return;
      const results = out.Entries ?? [];
      const failed = pending.filter((_, i) => results[i]?.ErrorCode);
      lastErrors = pending.flatMap((p, i) =>
        results[i]?.ErrorCode ? [`${p.id}: ${results[i]?.ErrorCode} ${results[i]?.ErrorMessage ?? ""}`.trim()] : [],
      );
      pending = failed;
    }
    throw new Error(
      `PutEvents failed for ${pending.length} event(s) after ${this.backoff.attempts} attempts: ${lastErrors.join("; ")}`,
    );
  }
}
