import { DuckDbAlertLedger } from "../../lambdas/adapters/local/duckdb-alert-ledger.js";
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { DETAIL_TYPES } from "../../lambdas/contracts/events/index.js";
import { createWorkflowTasksHandler } from "../../lambdas/functions/workflow-tasks/handler.js";
import { fatigueDetailFactory, lambdaContext, scoutingDetailFactory } from "../helpers/factories.js";
import { expectNoHealthDetails } from "../helpers/health-details.js";

describe("workflow-tasks handler", () => {
  async function setup() {
    const lake = await DuckDbLake.open(":memory:");
    const handler = createWorkflowTasksHandler({
      sink: lake,
      ledger: new DuckDbAlertLedger(lake),
      cooldownMs: 12 * 3_600_000,
      now: () => new Date("2026-05-16T18:00:00Z"),
    });
    return { lake, invoke: (p: unknown) => handler(p, lambdaContext) };
  }

  it("fails a payload that breaks the contract with an error naming the task and the field", async () => {
    const { lake, invoke } = await setup();
    await expect(invoke({ task: "value", candidate: { player_id: "p1" }, rows: [] })).rejects.toMatchObject({
      name: "Sideline.InvalidTaskPayload",
      message: expect.stringMatching(/^invalid value task payload: candidate\.schema_version: /),
    });
    await expect(invoke({ task: "delete-everything" })).rejects.toThrow(/^invalid delete-everything task payload/);
    lake.close();
  });

  it("values a candidate the lake has no profile for yet at the median, with reliability 0, and records it", async () => {
    const { lake, invoke } = await setup();
    const header = { Data: ["player_id", "minutes"].map((v) => ({ VarCharValue: v })) };
    const out = (await invoke({ task: "value", candidate: scoutingDetailFactory("i1", "p1"), rows: [header] })) as {
      valuation: { value_index: number; reliability: number };
      crm_upsert: { idempotency_key: string };
    };
    expect(out.valuation).toMatchObject({ value_index: 50, reliability: 0 });
    expect(out.crm_upsert.idempotency_key).toBe("player.upsert:i1");
    expect(await lake.queryObjects("SELECT value_index, matches FROM player_valuations")).toEqual([
      { value_index: 50, matches: 0 },
    ]);
    lake.close();
  });

  it("refuses a medical alert for an event it does not handle, naming the event", async () => {
    const { lake, invoke } = await setup();
    await expect(
      invoke({ task: "medicalAlert", event: { id: "e-9", "detail-type": "Goal Scored", source: "x", detail: {} } }),
    ).rejects.toThrow("medical alert for unexpected detail-type 'Goal Scored' (event e-9)");
    lake.close();
  });

  it("publishes no health details to the medical topic: the player and the alert to open, nothing of the finding", async () => {
    // GIVEN one finding of each medical kind, with summaries and rules as the producers write them
    const { lake, invoke } = await setup();
    const at = "2026-05-16T16:00:00.000Z";
    const base = (id: string, summary: string, rule: string) => {
      const d = fatigueDetailFactory(id, "home_7", at);
      return { ...d, summary, explanation: { ...d.explanation, rule } };
    };
    const events = [
      {
        id: "f1",
        "detail-type": DETAIL_TYPES.playerFatigueSuspected,
        source: "sideline.tracking",
        detail: base(
          "f1",
          "High-intensity running 41 m/min in the last 5 min, 38% of his earlier rate.",
          "hi_distance_m_per_5min_last_5min below half his earlier rate",
        ),
      },
      {
        id: "l1",
        "detail-type": DETAIL_TYPES.playerLoadSpike,
        source: "sideline.load",
        detail: {
          ...base(
            "l1",
            "Acute:chronic workload ratio 1.65 after this match (flag above 1.5): acute 7000 m/day vs chronic 4100 m/day.",
            "EWMA acute:chronic ratio of distance (distance_m), > 1.5 with >= 28 days of history",
          ),
          acwr: 1.65,
          acute_load: 7000,
          chronic_load: 4100,
          load_measure: "distance_m",
          history_days: 36,
        },
      },
      {
        id: "b1",
        "detail-type": DETAIL_TYPES.playerBiomechanicsDeviation,
        source: "sideline.pose",
        detail: {
          ...base(
            "b1",
            "Peak knee valgus (FPPA), left 14.2 deg at 16:00-16:01 UTC, against his own 6.1 deg; heart rate 182 bpm.",
            "A window's peak knee valgus (FPPA), left outside the player's own baseline",
          ),
          camera_id: "cam-1",
          feature: "knee_fppa_peak_left_deg",
          unit: "deg",
          value: 14.2,
          baseline_mean: 6.1,
          baseline_sd: 1.2,
          threshold: 9.7,
          window_start: at,
          window_end: at,
        },
      },
    ];
    for (const event of events) {
      // WHEN the medical workflow's task records it (each kind has its own cool-down, so each is notified)
      const out = (await invoke({ task: "medicalAlert", event })) as {
        status: string;
        subject: string;
        message: string;
      };
      // THEN what the state machine publishes names the player and the alert, and none of the finding
      expect(out.status).toBe("notified");
      const finding = {
        detailType: event["detail-type"],
        summary: event.detail.summary,
        rule: event.detail.explanation.rule,
      };
      expectNoHealthDetails(out.subject, finding);
      expectNoHealthDetails(out.message, finding);
      expect(out.subject).toBe("Sideline: medical alert: home_7");
      expect(out.message).toContain("home_7");
      expect(out.message).toContain(`npx sideline explain ${event.id}`);
    }
    // The finding stays in the lake, for readers granted medical_alerts
    expect(await lake.queryObjects("SELECT alert_id, reason FROM medical_alerts ORDER BY alert_id")).toEqual(
      events
        .map((e) => ({ alert_id: e.id, reason: e.detail.summary }))
        .sort((a, b) => a.alert_id.localeCompare(b.alert_id)),
    );
    lake.close();
  });
});
