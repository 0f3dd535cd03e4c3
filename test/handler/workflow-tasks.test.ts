import { DuckDbAlertLedger } from "../../lambdas/adapters/local/duckdb-alert-ledger.js";
import { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { createWorkflowTasksHandler } from "../../lambdas/functions/workflow-tasks/handler.js";
import { lambdaContext, scoutingDetailFactory } from "../helpers/factories.js";

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
});
