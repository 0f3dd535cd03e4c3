/**
 * A process for workflow-recovery.test.ts to `kill -9`, as a user kills `sideline demo`: for each
 * scenario it runs the real automation on a lake file and publishes the insights; it prints "hung"
 * once every scenario's chosen lake write hangs (and the CRM requests already on the bus have
 * ended). Then it waits to be killed. Argument: the scenarios, as JSON.
 */
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { type AutomationOptions, LocalAutomation } from "../../local/automation.js";
import { LocalEventBus } from "../../local/emulators/bus.js";
import { type HangAt, hangingLake } from "./hanging-lake.js";

type Event = Parameters<LocalEventBus["publish"]>[0][number];

export interface Scenario {
  readonly lake: string;
  /** Times as ISO strings. */
  readonly events: readonly (Omit<Event, "time"> & { time: string })[];
  readonly options: AutomationOptions;
  readonly hangAt: HangAt;
}

async function runUntilHung(s: Scenario): Promise<void> {
  const { lake, hung } = hangingLake(await DuckDbLake.open(s.lake), s.hangAt);
  const bus = new LocalEventBus();
  new LocalAutomation(lake, bus, s.options);
  await bus.publish(s.events.map((e) => ({ ...e, time: new Date(e.time) })));
  await hung;
  await bus.drain();
}

await Promise.all((JSON.parse(process.argv[2] ?? "[]") as Scenario[]).map(runUntilHung));
process.stdout.write("hung\n");
setInterval(() => undefined, 1 << 30); // alive until the kill, whatever the hung execution holds
