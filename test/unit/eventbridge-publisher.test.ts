import type { PutEventsCommand, PutEventsCommandOutput } from "@aws-sdk/client-eventbridge";
import { EventBridgePublisher, entrySize } from "../../lambdas/adapters/aws/eventbridge-publisher.js";
import type { BusEntry } from "../../lambdas/contracts/events/index.js";

// PutEvents partial failures cannot be caused against a local emulator (there is none for
// EventBridge), so this fault is injected with a scripted client: the one place a fake is used.
class ScriptedClient {
  readonly calls: { Entries: { Detail?: string; EventBusName?: string }[] }[] = [];
  constructor(private readonly failFirst: (callIndex: number, entryIndex: number) => string | undefined) {}
  async send(cmd: PutEventsCommand): Promise<PutEventsCommandOutput> {
    const entries = cmd.input.Entries ?? [];
    const call = this.calls.length;
    this.calls.push({ Entries: entries });
    const results = entries.map((_, i) => {
      const code = this.failFirst(call, i);
      return code ? { ErrorCode: code, ErrorMessage: "scripted" } : { EventId: `e-${call}-${i}` };
    });
    return {
      FailedEntryCount: results.filter((r) => "ErrorCode" in r).length,
      Entries: results,
      $metadata: {},
    };
  }
}

const event = (i: number): BusEntry => ({
  id: `id-${i}`,
  source: "sideline.tracking",
  detailType: "Player Fatigue Suspected",
  time: new Date(0),
  detail: { n: i },
});
const noWait = { attempts: 3, baseMs: 1, maxMs: 1, sleep: async () => undefined };

describe("EventBridge publisher", () => {
  it("sends at most 10 entries per PutEvents request", async () => {
    const client = new ScriptedClient(() => undefined);
    await new EventBridgePublisher(client, "bus", noWait).publish(Array.from({ length: 23 }, (_, i) => event(i)));
    expect(client.calls.map((c) => c.Entries.length)).toEqual([10, 10, 3]);
    expect(client.calls[0]!.Entries[0]!.EventBusName).toBe("bus");
  });

  it("retries only the entries a response reports as failed", async () => {
    const client = new ScriptedClient((call, i) =>
      call === 0 && (i === 1 || i === 3) ? "ThrottlingException" : undefined,
    );
    await new EventBridgePublisher(client, "bus", noWait).publish([0, 1, 2, 3].map(event));
    expect(client.calls.map((c) => c.Entries.map((e) => JSON.parse(e.Detail!).n))).toEqual([
      [0, 1, 2, 3],
      [1, 3],
    ]);
  });

  it("throws, naming the events and error codes, when entries still fail after the last attempt", async () => {
    const client = new ScriptedClient((_call, i) => (i === 0 ? "InternalFailure" : undefined));
    await expect(new EventBridgePublisher(client, "bus", noWait).publish([event(7), event(8)])).rejects.toThrow(
      "PutEvents: 1 entries still failing after 3 attempts (id-7: InternalFailure scripted)",
    );
    expect(client.calls).toHaveLength(3);
  });

  it("measures entry size as EventBridge does and refuses oversized events", async () => {
    expect(entrySize({ Source: "ab", DetailType: "cd", Detail: "{}" })).toBe(14 + 6);
    const big: BusEntry = { ...event(1), detail: { blob: "x".repeat(300_000) } };
    await expect(
      new EventBridgePublisher(new ScriptedClient(() => undefined), "bus", noWait).publish([big]),
    ).rejects.toThrow(/EventBridge accepts at most 262144/);
  });

  it("fails on an empty bus name", () => {
    expect(() => new EventBridgePublisher(new ScriptedClient(() => undefined), "")).toThrow(/EVENT_BUS_NAME/);
  });
});
