/**
 * EventPublisher on EventBridge PutEvents. PutEvents is not all-or-nothing: the response lists
 * which entries failed (FailedEntryCount, Entries[i].ErrorCode). Failed entries are retried with
 * backoff (../batching.ts); if any still fail, publish throws so that the batch is retried (events
 * carry deterministic ids, so consumers deduplicate).
 */
import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import type { BusEntry } from "../../contracts/events/index.js";
import type { EventPublisher } from "../../ports.js";
import { type BackoffOptions, sendInBatches } from "../batching.js";

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

  async publish(events: readonly BusEntry[]): Promise<void> {
    const entries = events.map((e) => {
      const entry: PutEventsRequestEntry = {
        EventBusName: this.eventBusName,
        Source: e.source,
        DetailType: e.detailType,
        Time: e.time,
        Detail: JSON.stringify(e.detail),
      };
      if (entrySize(entry) > PUT_EVENTS_MAX_BYTES)
        throw new Error(
          `event ${e.id} is ${entrySize(entry)} bytes; EventBridge accepts at most ${PUT_EVENTS_MAX_BYTES}`,
        );
      return { id: e.id, entry };
    });
    await sendInBatches(
      entries,
      { maxItems: PUT_EVENTS_MAX_ENTRIES, maxBytes: PUT_EVENTS_MAX_BYTES },
      (x) => entrySize(x.entry),
      async (batch) => {
        const out = await this.client.send(new PutEventsCommand({ Entries: batch.map((p) => p.entry) }));
        if (!out.FailedEntryCount) return { retry: [] };
        const results = out.Entries ?? [];
        return {
          retry: batch.filter((_, i) => results[i]?.ErrorCode),
          errors: batch.flatMap((p, i) =>
            results[i]?.ErrorCode ? [`${p.id}: ${results[i]?.ErrorCode} ${results[i]?.ErrorMessage ?? ""}`.trim()] : [],
          ),
        };
      },
      this.backoff,
      "PutEvents",
    );
  }
}
