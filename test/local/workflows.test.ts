import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import {
  DETAIL_TYPES,
  LOAD_SOURCE,
  SCOUTING_SOURCE,
  TRACKING_INSIGHT_SOURCE,
} from "../../lambdas/contracts/events/index.js";
import { PLAYER_MATCH_PROFILES } from "../../lambdas/contracts/tables/index.js";
import { LocalAutomation } from "../../local/automation.js";
import { LocalEventBus } from "../../local/emulators/bus.js";
import { athenaLiteral } from "../../local/emulators/service-integrations.js";
import { fatigueDetailFactory, scoutingDetailFactory } from "../helpers/factories.js";
import { expectNoHealthDetails } from "../helpers/health-details.js";

/** A CRM on 127.0.0.1 that answers each request with the next scripted status (then 200). */
class FakeCrm {
  readonly requests: { headers: IncomingMessage["headers"]; body: { idempotency_key: string; operation: string } }[] =
    [];
  private server!: Server;
  constructor(private readonly script: number[] = []) {}
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        this.requests.push({ headers: req.headers, body: JSON.parse(body) });
        res.writeHead(this.script.shift() ?? 200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", () => r()));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks/sideline`;
  }
  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

const noWait = { attempts: 3, baseMs: 1, maxMs: 1, sleep: async () => undefined };

/** Five players' profiles; p5 is first on every feature, over one 90-minute match. */
async function seedProfiles(lake: DuckDbLake): Promise<void> {
  await lake.put(
    PLAYER_MATCH_PROFILES,
    [1, 2, 3, 4, 5].map((i) => ({
      match_id: "m1",
      player_id: `p${i}`,
      team: "home",
      match_start: new Date("2026-05-16T15:00:00Z"),
      match_end: new Date("2026-05-16T16:45:00Z"),
      minutes: 90,
      distance_m: 9000 + i * 100,
      hi_distance_m: 1500 + i * 100,
      hsr_distance_m: 500 + i * 100,
      sprint_count: 10 + i,
      accel_count: 20,
      top_speed_mps: 8 + i * 0.1,
      avg_metabolic_power_wkg: 9 + i * 0.2,
      rhie_bouts: i,
      hsr_m_per90: 500 + i * 100,
      sprints_per90: 10 + i,
      rhie_per90: i,
    })),
  );
}

const scoutingEvent = (id: string, player: string) => ({
  id,
  source: SCOUTING_SOURCE,
  detailType: DETAIL_TYPES.scoutingCandidateMatched,
  time: new Date("2026-05-16T16:45:00Z"),
  detail: scoutingDetailFactory(id, player),
});

describe("scouting workflow on the local runtime (the deployed definition, aws-local-stepfunctions)", () => {
  it("values, upserts into the CRM through a 503, waits for the scout, then creates the follow-up once", async () => {
    // GIVEN a lake with profiles and a CRM whose first answer is 503
    const lake = await DuckDbLake.open(":memory:");
    await seedProfiles(lake);
    const crm = new FakeCrm([503]);
    const url = await crm.start();
    const bus = new LocalEventBus();
    const automation = new LocalAutomation(lake, bus, { crm: { url, token: "s3cret", backoff: noWait } });
    try {
      // WHEN the matcher's event arrives
      await bus.publish([scoutingEvent("ins-1", "p5")]);
      await automation.drain();

      // THEN the execution waits for a decision, after valuation, CRM upsert and the scouts' note
      expect(automation.workflows.runs.map((r) => r.status)).toEqual(["WAITING"]);
      const [v] = await lake.queryObjects<{ value_index: number; reliability: number; matches: number }>(
        "SELECT value_index, reliability, matches FROM player_valuations WHERE insight_id = 'ins-1'",
      );
      // first on every rank (percent_rank 1), 90 min: r = 90 / 360 = 0.25, index = 0.25 x 100 + 0.75 x 50
      expect(v).toEqual({ value_index: 62.5, reliability: 0.25, matches: 1 });
      expect(crm.requests).toHaveLength(2); // the 503, then the retry
      for (const r of crm.requests) {
        expect(r.headers.authorization).toBe("Bearer s3cret");
        expect(r.headers["idempotency-key"]).toBe("player.upsert:ins-1");
        expect(r.body.operation).toBe("player.upsert");
      }
      expect(automation.crm.stats).toMatchObject({ sent: 1, retries: 1, deadLettered: 0 });
      const notes = await lake.queryObjects<{ topic: string; message: string }>(
        "SELECT topic, message FROM notifications",
      );
      expect(notes).toHaveLength(1);
      expect(notes[0]!.topic).toBe("scouting");
      expect(notes[0]!.message).toContain("Valuation index 62.5");
      const [pending] = await lake.queryObjects<{ task_token: string; status: string }>(
        "SELECT task_token, status FROM pending_decisions",
      );
      expect(pending!.status).toBe("pending");

      // WHEN the same event is delivered again
      await bus.publish([scoutingEvent("ins-1", "p5")]);
      await automation.drain();
      // THEN no second execution starts (execution names are deterministic)
      expect(automation.workflows.runs).toHaveLength(1);

      // WHEN the scout approves
      const run = await automation.workflows.decide(pending!.task_token, { decision: "approve", reason: "watch live" });
      await automation.drain();
      // THEN the execution succeeds, the decision is recorded and the CRM gets one follow-up task
      expect(run.status).toBe("SUCCEEDED");
      const decisions = await lake.queryObjects("SELECT decision, reason FROM scouting_decisions");
      expect(decisions).toEqual([{ decision: "approve", reason: "watch live" }]);
      const tasks = crm.requests.filter((r) => r.body.operation === "task.create");
      expect(tasks.map((t) => t.headers["idempotency-key"])).toEqual(["task.create:ins-1"]);
      const runs = await lake.queryObjects<{ status: string }>("SELECT status FROM workflow_runs");
      expect(runs).toEqual([{ status: "SUCCEEDED" }]);
      await expect(
        automation.workflows.decide(pending!.task_token, { decision: "reject", reason: null }),
      ).rejects.toThrow(/already given: approve/);
    } finally {
      await crm.stop();
      lake.close();
    }
  });

  it("records a rejection with its reason, and a wait past its timeout as a timeout", async () => {
    const lake = await DuckDbLake.open(":memory:");
    await seedProfiles(lake);
    let now = Date.parse("2026-05-16T17:00:00Z");
    const bus = new LocalEventBus();
    const automation = new LocalAutomation(lake, bus, { now: () => new Date(now) });
    try {
      await bus.publish([scoutingEvent("ins-r", "p2"), scoutingEvent("ins-t", "p3")]);
      await automation.drain();
      const tokens = await lake.queryObjects<{ insight_id: string; task_token: string }>(
        "SELECT insight_id, task_token FROM pending_decisions ORDER BY insight_id",
      );
      const token = (id: string) => tokens.find((t) => t.insight_id === id)!.task_token;
      await automation.workflows.decide(token("ins-r"), { decision: "reject", reason: "too slow over 10 m" });
      // A heartbeat after 2 days keeps the wait open past the 3-day heartbeat limit (never past 14 days)
      now += 2 * 86_400_000;
      const until = await automation.workflows.heartbeat(token("ins-t"));
      expect(until.getTime()).toBe(now + 3 * 86_400_000);
      now += 15 * 86_400_000; // past the 14-day TimeoutSeconds (and the 3-day heartbeat)
      await automation.workflows.decide(token("ins-t"), { decision: "approve", reason: "late" });
      await automation.drain();
      const decisions = await lake.queryObjects(
        "SELECT insight_id, decision, reason FROM scouting_decisions ORDER BY insight_id",
      );
      expect(decisions).toEqual([
        { insight_id: "ins-r", decision: "reject", reason: "too slow over 10 m" },
        { insight_id: "ins-t", decision: "timeout", reason: "States.Timeout" },
      ]);
      // Without SIDELINE_CRM_URL the requests are kept in the outbox; no follow-up for either
      const outbox = await lake.queryObjects("SELECT operation FROM crm_outbox ORDER BY idempotency_key");
      expect(outbox).toEqual([{ operation: "player.upsert" }, { operation: "player.upsert" }]);
    } finally {
      lake.close();
    }
  });

  it("refuses a player id that would break out of the Athena literal", async () => {
    const lake = await DuckDbLake.open(":memory:");
    const bus = new LocalEventBus();
    const automation = new LocalAutomation(lake, bus);
    try {
      await bus.publish([scoutingEvent("ins-q", "p'1")]);
      await automation.drain();
      expect(automation.workflows.runs[0]).toMatchObject({ status: "FAILED" });
      expect(automation.workflows.runs[0]!.error).toMatch(/player_id contains a quote/);
      expect(athenaLiteral("'o''neil'")).toBe("o'neil");
      expect(() => athenaLiteral("1; DROP TABLE x")).toThrow(/not a SQL literal/);
    } finally {
      lake.close();
    }
  });
});

describe("medical alert workflow on the local runtime", () => {
  it("notifies staff once per player and finding within the cool-down, and records every alert", async () => {
    const lake = await DuckDbLake.open(":memory:");
    const bus = new LocalEventBus();
    const automation = new LocalAutomation(lake, bus, { medicalCooldownHours: 12 });
    const fatigue = (id: string, player: string, at: string) => ({
      id,
      source: TRACKING_INSIGHT_SOURCE,
      detailType: DETAIL_TYPES.playerFatigueSuspected,
      time: new Date(at),
      detail: fatigueDetailFactory(id, player, at),
    });
    const loadSpike = (id: string, player: string, at: string) => ({
      ...fatigue(id, player, at),
      source: LOAD_SOURCE,
      detailType: DETAIL_TYPES.playerLoadSpike,
      detail: {
        ...fatigueDetailFactory(id, player, at),
        acwr: 1.7,
        acute_load: 7000,
        chronic_load: 4100,
        load_measure: "distance_m",
        history_days: 36,
      },
    });
    try {
      const published = [
        fatigue("a1", "p1", "2026-05-16T16:00:00.000Z"),
        fatigue("a2", "p1", "2026-05-16T16:40:00.000Z"),
        fatigue("a3", "p2", "2026-05-16T16:10:00.000Z"),
        // a load spike routes to the same workflow ($or in the rule): another finding about p1, so it is sent;
        // a second one inside the cool-down is not
        loadSpike("a4", "p1", "2026-05-16T16:45:00.000Z"),
        loadSpike("a5", "p1", "2026-05-16T17:00:00.000Z"),
      ];
      await bus.publish(published);
      await automation.drain();
      const alerts = await lake.queryObjects("SELECT alert_id, status FROM medical_alerts ORDER BY alert_id");
      expect(alerts).toEqual([
        { alert_id: "a1", status: "notified" },
        { alert_id: "a2", status: "suppressed" },
        { alert_id: "a3", status: "notified" },
        { alert_id: "a4", status: "notified" },
        { alert_id: "a5", status: "suppressed" },
      ]);
      // Staff get the player and the alert to open, as the cloud's SNS publish carries them: nothing of the finding
      const notes = await lake.queryObjects<{ subject: string; message: string }>(
        "SELECT subject, message FROM notifications WHERE topic = 'medical' ORDER BY subject, message",
      );
      const opened = notes.map((n) => /npx sideline explain (\S+)/.exec(n.message)?.[1]);
      expect(opened).toEqual(["a1", "a4", "a3"]);
      expect(notes.map((n) => n.subject)).toEqual([
        "Sideline: medical alert: p1",
        "Sideline: medical alert: p1",
        "Sideline: medical alert: p2",
      ]);
      for (const [i, n] of notes.entries()) {
        const e = published.find((p) => p.id === opened[i])!;
        expectNoHealthDetails(`${n.subject}\n${n.message}`, {
          detailType: e.detailType,
          summary: e.detail.summary,
          rule: e.detail.explanation.rule,
        });
      }
      expect(automation.workflows.runs.every((r) => r.status === "SUCCEEDED")).toBe(true);
    } finally {
      lake.close();
    }
  });
});
