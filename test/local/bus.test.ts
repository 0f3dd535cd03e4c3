/** The local event bus: EventBridge's delivery semantics, with the deployed rules' retry policy. */
import { BUS_DEFAULTS } from "../../lambdas/contracts/defaults.js";
import { LocalEventBus } from "../../local/emulators/bus.js";

const event = (n: number) => ({
  id: `e${n}`,
  source: "sideline.test",
  detailType: "Test Happened",
  time: new Date(0),
  detail: { n },
});

describe("local event bus", () => {
  it("delivers to matching rules only, with the EventBridge envelope", async () => {
    const bus = new LocalEventBus();
    const got: unknown[] = [];
    bus.addRule({ name: "tests", pattern: { source: ["sideline.test"] }, target: async (e) => void got.push(e) });
    bus.addRule({ name: "other", pattern: { source: ["sideline.other"] }, target: async () => void got.push("wrong") });
    await bus.publish([event(1)]);
    await bus.drain();
    expect(got).toEqual([
      expect.objectContaining({
        version: "0",
        id: "e1",
        source: "sideline.test",
        "detail-type": "Test Happened",
        detail: { n: 1 },
      }),
    ]);
  });

  it("tries a failing target as often as the deployed rules do (1 + their retries), then dead-letters the event", async () => {
    const bus = new LocalEventBus();
    let attempts = 0;
    bus.addRule({
      name: "flaky",
      pattern: { source: ["sideline.test"] },
      target: async () => {
        attempts++;
        throw new Error("target down");
      },
    });
    await bus.publish([event(2)]);
    await bus.drain();
    expect(attempts).toBe(1 + BUS_DEFAULTS.retryAttempts);
    expect(bus.deadLetters).toEqual([expect.objectContaining({ rule: "flaky", error: "target down" })]);
  });
});
