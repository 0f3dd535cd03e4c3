/**
 * The workflow-starter handler with the real Step Functions client against a stand-in
 * StartExecution on 127.0.0.1 that behaves as Step Functions does with names: a new name starts an
 * execution; the same name again is ExecutionAlreadyExists once the input differs or the execution
 * has closed (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html).
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SFNClient } from "@aws-sdk/client-sfn";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { DETAIL_TYPES, SCOUTING_SOURCE } from "../../lambdas/contracts/events/index.js";
import { executionName } from "../../lambdas/contracts/workflows.js";
import { workflowStarterEnvSchema } from "../../lambdas/functions/workflow-starter/env.js";
import { createWorkflowStarterHandler } from "../../lambdas/functions/workflow-starter/handler.js";
import { parseEnv } from "../../lambdas/runtime/env.js";
import { lambdaContext, scoutingDetailFactory } from "../helpers/factories.js";

const SCOUTING_ARN = "arn:aws:states:eu-west-1:111122223333:stateMachine:sideline-scouting-dev";
const MEDICAL_ARN = "arn:aws:states:eu-west-1:111122223333:stateMachine:sideline-medical-alert-dev";

interface StartCall {
  readonly target: string | undefined;
  readonly body: { stateMachineArn: string; name: string; input: string };
}

/** An EventBridge envelope as `<aws.events.event.json>` renders it: EventBridge's own event id. */
const envelope = (eventId: string, insightId: string) => ({
  version: "0",
  id: eventId,
  "detail-type": DETAIL_TYPES.scoutingCandidateMatched,
  source: SCOUTING_SOURCE,
  account: "111122223333",
  time: "2026-05-16T16:45:00Z",
  region: "eu-west-1",
  resources: [],
  detail: scoutingDetailFactory(insightId, "p5"),
});

describe("workflow-starter handler (the real Step Functions client, a stand-in StartExecution)", () => {
  const calls: StartCall[] = [];
  /** Executions by name: their input, and whether they are still open. */
  const executions = new Map<string, { input: string; open: boolean }>();
  let failNext: number | null = null;
  let server: Server;
  let client: SFNClient;

  beforeAll(async () => {
    const read = async (req: IncomingMessage) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    };
    server = createServer((req, res) => {
      void read(req).then((text) => {
        const body = JSON.parse(text) as StartCall["body"];
        calls.push({ target: req.headers["x-amz-target"] as string | undefined, body });
        const error = (status: number, type: string, message: string) => {
          res.writeHead(status, { "content-type": "application/x-amz-json-1.0", "x-amzn-errortype": type });
          res.end(JSON.stringify({ __type: type, message }));
        };
        if (failNext !== null) {
          const status = failNext;
          failNext = null;
          return error(status, "ServiceUnavailable", "try again");
        }
        const arn = `${body.stateMachineArn.replace(":stateMachine:", ":execution:")}:${body.name}`;
        const existing = executions.get(body.name);
        if (existing && (!existing.open || existing.input !== body.input))
          return error(400, "ExecutionAlreadyExists", `Execution Already Exists: '${arn}'`);
        if (!existing) executions.set(body.name, { input: body.input, open: true });
        res.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
        res.end(JSON.stringify({ executionArn: arn, startDate: 1_779_000_000 }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    client = new SFNClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: "eu-west-1",
      credentials: { accessKeyId: "LOCAL", secretAccessKey: "LOCAL" },
      requestHandler: new NodeHttpHandler(),
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(() => {
    calls.length = 0;
    executions.clear();
    failNext = null;
  });

  const handler = () =>
    createWorkflowStarterHandler({ client, stateMachines: { scouting: SCOUTING_ARN, "medical-alert": MEDICAL_ARN } });

  it("starts the rule's workflow named after the insight, as the local runtime names it, with the event as input", async () => {
    // GIVEN a scouting insight's event
    const event = envelope("eb-1", "ins-1");
    // WHEN the scouting rule invokes the starter
    const out = await handler()({ workflow: "scouting", event }, lambdaContext);
    // THEN one StartExecution on the scouting state machine, named scouting-<insight id>
    expect(calls).toEqual([
      {
        target: "AWSStepFunctions.StartExecution",
        body: { stateMachineArn: SCOUTING_ARN, name: "scouting-ins-1", input: JSON.stringify(event) },
      },
    ]);
    expect(executionName("scouting", "ins-1")).toBe("scouting-ins-1");
    expect(out).toEqual({
      executionName: "scouting-ins-1",
      outcome: "started",
      executionArn: "arn:aws:states:eu-west-1:111122223333:execution:sideline-scouting-dev:scouting-ins-1",
    });
  });

  it("treats a duplicate delivery as success: the execution the first delivery started is the one", async () => {
    // GIVEN the first delivery started the execution, which has since reached the scouts' decision
    const event = envelope("eb-1", "ins-1");
    await handler()({ workflow: "scouting", event }, lambdaContext);
    executions.get("scouting-ins-1")!.open = false;
    // WHEN EventBridge delivers the same event again, and the producer's retried publication arrives (a new event id)
    const again = await handler()({ workflow: "scouting", event }, lambdaContext);
    const republished = await handler()({ workflow: "scouting", event: envelope("eb-2", "ins-1") }, lambdaContext);
    // THEN both are ExecutionAlreadyExists from Step Functions, and success here: no error, no second execution
    expect(again).toEqual({ executionName: "scouting-ins-1", outcome: "duplicate" });
    expect(republished).toEqual({ executionName: "scouting-ins-1", outcome: "duplicate" });
    expect(calls.map((c) => c.body.name)).toEqual(["scouting-ins-1", "scouting-ins-1", "scouting-ins-1"]);
    expect([...executions.keys()]).toEqual(["scouting-ins-1"]);
  });

  it("fails on any other error, so that Lambda retries the invocation and then sends it to the DLQ", async () => {
    failNext = 503;
    await expect(
      handler()({ workflow: "scouting", event: envelope("eb-1", "ins-1") }, lambdaContext),
    ).rejects.toMatchObject({ name: "ServiceUnavailable" });
  });

  it("fails when the request names no known workflow or the event carries no insight id, naming what is wrong", async () => {
    await expect(handler()({ workflow: "payroll", event: envelope("eb-1", "ins-1") }, lambdaContext)).rejects.toThrow(
      "no state machine for workflow 'payroll' (event eb-1); known: scouting, medical-alert",
    );
    await expect(
      handler()({ workflow: "scouting", event: { ...envelope("eb-3", "x"), detail: {} } }, lambdaContext),
    ).rejects.toThrow("event eb-3 has no detail.insight_id: workflows start only for insights");
    await expect(handler()({ workflow: "scouting" }, lambdaContext)).rejects.toMatchObject({
      name: "Sideline.InvalidStartRequest",
    });
    expect(calls).toEqual([]);
  });

  it("validates STATE_MACHINES at init, naming the variable", () => {
    expect(parseEnv(workflowStarterEnvSchema, { STATE_MACHINES: JSON.stringify({ scouting: SCOUTING_ARN }) })).toEqual({
      STATE_MACHINES: { scouting: SCOUTING_ARN },
    });
    expect(() => parseEnv(workflowStarterEnvSchema, { STATE_MACHINES: "{}" })).toThrow(/STATE_MACHINES/);
  });
});

describe("execution names", () => {
  it("keep to the characters CloudWatch logging allows and StartExecution's 80", () => {
    expect(executionName("medical-alert", "a1b2c3d4-0000-1111-2222-333344445555")).toBe(
      "medical-alert-a1b2c3d4-0000-1111-2222-333344445555",
    );
    expect(executionName("scouting", "need:1/p 5")).toBe("scouting-need_1_p_5");
    expect(executionName("scouting", "x".repeat(100))).toHaveLength(80);
    expect(() => executionName("scouting", "")).toThrow("cannot name a scouting execution: the insight id is empty");
  });
});
