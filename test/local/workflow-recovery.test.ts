import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { DETAIL_TYPES, SCOUTING_SOURCE, TRACKING_INSIGHT_SOURCE } from "../../lambdas/contracts/events/index.js";
import { type AutomationOptions, LocalAutomation } from "../../local/automation.js";
import { LocalEventBus } from "../../local/emulators/bus.js";
import { ROOT } from "../helpers/cli.js";
import { fatigueDetailFactory, scoutingDetailFactory } from "../helpers/factories.js";
import type { Scenario } from "./automation-until-killed.js";
import { type HangAt, hangingLake } from "./hanging-lake.js";

// A `kill -9` of `sideline demo` during the automation phase, reproduced with the real automation in
// a child process: a lake write the workflow makes never returns (a task that hangs), and the process
// is killed with SIGKILL; then this process opens the lake, as a rerun of the demo does.

/** A CRM on 127.0.0.1 that answers 200 and, as the API destination contract asks, applies each Idempotency-Key once. */
class IdempotentCrm {
  private readonly requests: { key: string; operation: string }[] = [];
  private server!: Server;
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        const b = JSON.parse(body) as { operation: string };
        this.requests.push({ key: String(req.headers["idempotency-key"]), operation: b.operation });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", () => r()));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/crm`;
  }
  /** The Idempotency-Keys of the requests about an insight, in the order received. */
  keys(insightId: string): string[] {
    return this.requests.map((r) => r.key).filter((k) => k.endsWith(`:${insightId}`));
  }
  /** What the CRM did about an insight: each key once. */
  applied(insightId: string): string[] {
    return [...new Set(this.keys(insightId))];
  }
  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

type Event = Parameters<LocalEventBus["publish"]>[0][number];

const CHILD = join(ROOT, "test/local/automation-until-killed.ts");

/** Runs the scenarios in a child process until each one's write hangs, then kills it with SIGKILL. */
async function killedAt(scenarios: readonly Scenario[]): Promise<void> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, JSON.stringify(scenarios)], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d) => {
      if (String(d).includes("hung")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`the automation ended (${code}) before it hung: ${stderr}`)));
  });
  child.kill("SIGKILL");
  await exited;
}

const scenario = (lake: string, events: Event[], options: AutomationOptions, hangAt: HangAt): Scenario => ({
  lake,
  events: events.map((e) => ({ ...e, time: e.time.toISOString() })),
  options,
  hangAt,
});

/** The rerun: a new process opens the lake, the same insights are published again, and it drains. */
async function rerun(path: string, events: Event[], options: AutomationOptions) {
  const lake = await DuckDbLake.open(path);
  const bus = new LocalEventBus();
  const automation = new LocalAutomation(lake, bus, options);
  await bus.publish(events);
  await automation.drain();
  return { lake, automation };
}

const scoutingEvent = (id: string, player: string): Event => ({
  id,
  source: SCOUTING_SOURCE,
  detailType: DETAIL_TYPES.scoutingCandidateMatched,
  time: new Date("2026-05-16T16:45:00Z"),
  detail: scoutingDetailFactory(id, player),
});

const fatigueEvent = (id: string, player: string, at: string): Event => ({
  id,
  source: TRACKING_INSIGHT_SOURCE,
  detailType: DETAIL_TYPES.playerFatigueSuspected,
  time: new Date(at),
  detail: fatigueDetailFactory(id, player, at),
});

const statuses = (lake: DuckDbLake) =>
  lake.queryObjects<{ execution_name: string; status: string }>(
    "SELECT execution_name, status FROM workflow_runs ORDER BY execution_name",
  );

const count = async (lake: DuckDbLake, sql: string) =>
  Number((await lake.queryObjects<{ n: number | bigint }>(`SELECT count(*) AS n FROM ${sql}`))[0]!.n);

describe("workflow executions a killed process left RUNNING", () => {
  const dir = mkdtempSync(join(tmpdir(), "sideline-recovery-"));
  const lakes = {
    inTask: join(dir, "killed-in-task.duckdb"),
    parked: join(dir, "killed-parked.duckdb"),
    approved: join(dir, "killed-approved.duckdb"),
    medical: join(dir, "killed-medical.duckdb"),
  };
  const events = {
    inTask: [scoutingEvent("ins-1", "p5")],
    parked: [scoutingEvent("ins-2", "p3")],
    approved: [scoutingEvent("ins-3", "p4")],
    // two alerts for one player, the second inside the first's cool-down
    medical: [
      fatigueEvent("a1", "p1", "2026-05-16T16:00:00.000Z"),
      fatigueEvent("a2", "p1", "2026-05-16T16:40:00.000Z"),
    ],
  };
  const crm = new IdempotentCrm();
  let options: AutomationOptions;
  let approving: AutomationOptions;

  // GIVEN four demos killed with SIGKILL at four points of their workflows, one lake each
  beforeAll(async () => {
    const url = await crm.start();
    options = { crm: { url } };
    approving = { crm: { url }, autoApprove: true };
    await killedAt([
      // inside AwaitDecision's task, before it registered its wait
      scenario(lakes.inTask, events.inTask, options, { table: "pending_decisions" }),
      // after the execution parked, before its WAITING status was written
      scenario(lakes.parked, events.parked, options, { table: "workflow_runs", status: "WAITING" }),
      // `demo --auto-approve`, after the approval and the follow-up, before SUCCEEDED was written
      scenario(lakes.approved, events.approved, approving, { table: "workflow_runs", status: "SUCCEEDED" }),
      // after both alerts ran every task, before either's SUCCEEDED was written
      scenario(lakes.medical, events.medical, {}, { table: "workflow_runs", status: "SUCCEEDED", count: 2 }),
    ]);
  });
  afterAll(() => crm.stop());

  it("restarts a scouting execution killed inside a task: it waits once, can be decided, and nothing is sent twice", async () => {
    const killed = await DuckDbLake.open(lakes.inTask);
    expect(await statuses(killed)).toEqual([{ execution_name: "scouting-ins-1", status: "RUNNING" }]);
    killed.close();
    expect(crm.keys("ins-1")).toEqual(["player.upsert:ins-1"]);

    // WHEN the demo runs again on the lake, with the same insight
    const { lake, automation } = await rerun(lakes.inTask, events.inTask, options);
    try {
      // THEN the execution was restarted once (the redelivered insight did not start another) and waits
      expect(await statuses(lake)).toEqual([{ execution_name: "scouting-ins-1", status: "WAITING" }]);
      expect(automation.recovered).toEqual([
        { executionName: "scouting-ins-1", stateMachine: "scouting", action: "restarted" },
      ]);
      expect(automation.workflows.runs.map((r) => [r.executionName, r.status])).toEqual([
        ["scouting-ins-1", "WAITING"],
      ]);
      // The CRM was asked again with the same Idempotency-Key, so it has the player once; one note to the scouts
      expect(crm.keys("ins-1")).toEqual(["player.upsert:ins-1", "player.upsert:ins-1"]);
      expect(crm.applied("ins-1")).toEqual(["player.upsert:ins-1"]);
      expect(await count(lake, "notifications")).toBe(1);
      expect(await count(lake, "player_valuations")).toBe(1);
      const pending = await lake.queryObjects<{ task_token: string; status: string }>(
        "SELECT task_token, status FROM pending_decisions",
      );
      expect(pending.map((p) => p.status)).toEqual(["pending"]);

      // WHEN the scout approves
      const run = await automation.workflows.decide(pending[0]!.task_token, { decision: "approve", reason: "go" });
      await automation.drain();

      // THEN the candidate is decided and the CRM gets one follow-up
      expect(run.status).toBe("SUCCEEDED");
      expect(await lake.queryObjects("SELECT insight_id, decision FROM scouting_decisions")).toEqual([
        { insight_id: "ins-1", decision: "approve" },
      ]);
      expect(crm.keys("ins-1")).toEqual(["player.upsert:ins-1", "player.upsert:ins-1", "task.create:ins-1"]);
      expect(await statuses(lake)).toEqual([{ execution_name: "scouting-ins-1", status: "SUCCEEDED" }]);
    } finally {
      lake.close();
    }
  });

  it("marks an execution killed after it parked as WAITING, without running it again", async () => {
    const killed = await DuckDbLake.open(lakes.parked);
    expect(await statuses(killed)).toEqual([{ execution_name: "scouting-ins-2", status: "RUNNING" }]);
    const [before] = await killed.queryObjects<{ task_token: string }>("SELECT task_token FROM pending_decisions");
    killed.close();

    // WHEN the demo runs again
    const { lake, automation } = await rerun(lakes.parked, events.parked, options);
    try {
      // THEN it waits on the token it left: the scout is asked once, the CRM was asked once
      expect(await statuses(lake)).toEqual([{ execution_name: "scouting-ins-2", status: "WAITING" }]);
      expect(automation.recovered).toEqual([
        { executionName: "scouting-ins-2", stateMachine: "scouting", action: "waiting" },
      ]);
      expect(automation.workflows.runs).toEqual([]);
      expect(await lake.queryObjects("SELECT task_token, status FROM pending_decisions")).toEqual([
        { task_token: before!.task_token, status: "pending" },
      ]);
      expect(crm.keys("ins-2")).toEqual(["player.upsert:ins-2"]);

      // AND that token still answers it
      const run = await automation.workflows.decide(before!.task_token, { decision: "reject", reason: "too slow" });
      expect(run.status).toBe("SUCCEEDED");
      expect(await statuses(lake)).toEqual([{ execution_name: "scouting-ins-2", status: "SUCCEEDED" }]);
    } finally {
      lake.close();
    }
  });

  it("resumes an auto-approved execution killed after its approval: no second decision, the same follow-up key", async () => {
    expect(crm.keys("ins-3")).toEqual(["player.upsert:ins-3", "task.create:ins-3"]);

    // WHEN the demo runs again
    const { lake, automation } = await rerun(lakes.approved, events.approved, approving);
    try {
      // THEN it continues from the approval it had
      expect(await statuses(lake)).toEqual([{ execution_name: "scouting-ins-3", status: "SUCCEEDED" }]);
      expect(automation.recovered).toEqual([
        { executionName: "scouting-ins-3", stateMachine: "scouting", action: "resumed" },
      ]);
      expect(await lake.queryObjects("SELECT status FROM pending_decisions")).toEqual([{ status: "approve" }]);
      expect(await lake.queryObjects("SELECT decision, reason FROM scouting_decisions")).toEqual([
        { decision: "approve", reason: "approved automatically (--auto-approve)" },
      ]);
      // the follow-up is asked again with its key: the CRM creates one task
      expect(crm.keys("ins-3")).toEqual(["player.upsert:ins-3", "task.create:ins-3", "task.create:ins-3"]);
      expect(crm.applied("ins-3")).toEqual(["player.upsert:ins-3", "task.create:ins-3"]);
    } finally {
      lake.close();
    }
  });

  it("restarts medical alerts killed before their end was written: the cool-down holds and staff are notified once", async () => {
    // WHEN the demo runs again
    const { lake, automation } = await rerun(lakes.medical, events.medical, {});
    try {
      // THEN both are restarted, in the order they started, and end as they would have
      expect(await statuses(lake)).toEqual([
        { execution_name: "medical-alert-a1", status: "SUCCEEDED" },
        { execution_name: "medical-alert-a2", status: "SUCCEEDED" },
      ]);
      expect(automation.recovered.map((r) => [r.executionName, r.action])).toEqual([
        ["medical-alert-a1", "restarted"],
        ["medical-alert-a2", "restarted"],
      ]);
      // a1 claims its own cool-down again; a2 is still inside it; staff got one message
      expect(await lake.queryObjects("SELECT alert_id, status FROM medical_alerts ORDER BY alert_id")).toEqual([
        { alert_id: "a1", status: "notified" },
        { alert_id: "a2", status: "suppressed" },
      ]);
      expect(await lake.queryObjects("SELECT subject FROM notifications")).toEqual([
        { subject: "Sideline: medical alert: p1" },
      ]);
    } finally {
      lake.close();
    }
  });

  it("leaves alone an execution this process is still running", async () => {
    // GIVEN an execution in flight in this process (its last write has not returned)
    const lake = await DuckDbLake.open(":memory:");
    const { lake: hanging, hung } = hangingLake(lake, { table: "workflow_runs", status: "WAITING" });
    const bus = new LocalEventBus();
    new LocalAutomation(hanging, bus);
    await bus.publish([scoutingEvent("ins-4", "p2")]);
    await hung;
    try {
      // WHEN a second automation starts on the same lake in this process
      const second = new LocalAutomation(hanging, new LocalEventBus());
      await second.drain();

      // THEN it recovers nothing: the execution is not abandoned
      expect(second.recovered).toEqual([]);
      expect(await statuses(lake)).toEqual([{ execution_name: "scouting-ins-4", status: "RUNNING" }]);
    } finally {
      await bus.drain();
      lake.close();
    }
  });
});
