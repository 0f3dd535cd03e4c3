/**
 * The local event bus: the same rule patterns as the EventBridge rules, matched with EventBridge's
 * semantics, delivered in-process. Like EventBridge, publishing succeeds whatever the targets do and
 * does not wait for them: deliveries run in the background (`drain` waits for them), a target that
 * throws is retried, then its event goes to the dead letters, with the reason.
 */
import { randomUUID } from "node:crypto";
import { BUS_DEFAULTS } from "../../lambdas/contracts/defaults.js";
import type { BusEntry } from "../../lambdas/contracts/events/index.js";
import { matchesPattern, type Pattern } from "../../lambdas/core/events/event-pattern.js";
import type { EventPublisher } from "../../lambdas/ports.js";
import { InFlight } from "./in-flight.js";

/** The envelope EventBridge delivers to targets. */
export interface BusEvent {
  readonly version: "0";
  readonly id: string;
  readonly "detail-type": string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

export interface LocalRule {
  readonly name: string;
  readonly pattern: Pattern;
  readonly target: (event: BusEvent) => Promise<void>;
  /** Attempts per event before it goes to the dead letters. @default 1 + BUS_DEFAULTS.retryAttempts, as the deployed rules' targets */
  readonly attempts?: number;
}

export interface DeadLetter {
  readonly rule: string;
  readonly event: BusEvent;
  readonly error: string;
}

/** The local bus's name: what the workflows' putEvents states name as EventBusName. */
export const LOCAL_BUS_NAME = "sideline-insights";

export class LocalEventBus implements EventPublisher {
  private readonly rules: LocalRule[] = [];
  private readonly inFlight = new InFlight();
  readonly deadLetters: DeadLetter[] = [];
  /** Every event published, in order (what an archive would hold). */
  readonly published: BusEvent[] = [];

  constructor(readonly name = LOCAL_BUS_NAME) {}

  addRule(rule: LocalRule): void {
    if (this.rules.some((r) => r.name === rule.name))
      throw new Error(`rule '${rule.name}' already exists on ${this.name}`);
    this.rules.push(rule);
  }

  async publish(events: readonly BusEntry[]): Promise<void> {
    for (const e of events) {
      const envelope: BusEvent = {
        version: "0",
        id: e.id ?? randomUUID(),
        "detail-type": e.detailType,
        source: e.source,
        account: "000000000000",
        time: e.time.toISOString(),
        region: "local",
        resources: [],
        detail: e.detail,
      };
      this.published.push(envelope);
      for (const rule of this.rules) {
        if (!matchesPattern(rule.pattern, envelope)) continue;
        this.inFlight.track(this.deliver(rule, envelope));
      }
    }
  }

  get idle(): boolean {
    return this.inFlight.idle;
  }

  /** Waits until every delivery, including those the targets' own publishes started, has ended. */
  drain(): Promise<void> {
    return this.inFlight.drain();
  }

  private async deliver(rule: LocalRule, event: BusEvent): Promise<void> {
    const attempts = rule.attempts ?? 1 + BUS_DEFAULTS.retryAttempts;
    let error = "";
    for (let i = 0; i < attempts; i++) {
      try {
        await rule.target(event);
        return;
      } catch (e) {
        error = (e as Error).message;
      }
    }
    this.deadLetters.push({ rule: rule.name, event, error });
  }
}
