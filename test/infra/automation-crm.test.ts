/**
 * Automation: the workflows, the rules and their targets' retry policies and DLQ, the scouts'
 * decision e-mail, the task-token role, and the CRM through an API destination (CrmDestination).
 */
import { Match, Template } from "aws-cdk-lib/assertions";
import { AUTOMATION_RULES } from "../../lambdas/contracts/events/index.js";
import { TARGET_MAX_EVENT_AGE, TARGET_RETRY_ATTEMPTS } from "../../lib/stacks/automation-stack.js";
import { definitionText, WORKFLOWS } from "../../stepfunctions/definitions.js";
import { type BuiltApp, buildApp, devTemplates, type Resources, type Templates } from "./app.js";

interface InputTransformer {
  InputPathsMap: Record<string, string>;
  InputTemplate: string;
}

/**
 * What EventBridge sends for a text template of JSON string lines: each <key> replaced by the value
 * at its path in the event, then each line read as the string it is.
 */
function renderInputTransformer(t: InputTransformer, event: Record<string, unknown>): string[] {
  const at = (path: string) =>
    path
      .replace(/^\$\./, "")
      .split(".")
      .reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], event);
  const filled = t.InputTemplate.replace(/<([\w-]+)>/g, (_, key: string) => String(at(t.InputPathsMap[key]!)));
  return filled.split("\n").map((line) => JSON.parse(line) as string);
}

interface Statement {
  Effect: string;
  Principal: Record<string, unknown>;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}
const THIS_ACCOUNT = { StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } } };
const ACCOUNT_ROOT = {
  "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":iam::", { Ref: "AWS::AccountId" }, ":root"]],
};

/** A command line's words as a POSIX shell splits them, for lines quoted with ' only. */
const shellWords = (line: string) => [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);

describe("Sideline stacks (dev): automation", () => {
  let t: Templates;
  beforeAll(() => {
    t = devTemplates();
  });

  it("deploys the workflows from stepfunctions/ as standard, traced state machines logging without execution data", () => {
    for (const [name, w] of Object.entries(WORKFLOWS)) {
      t.automation.hasResourceProperties("AWS::StepFunctions::StateMachine", {
        StateMachineName: `sideline-${name}-dev`,
        StateMachineType: "STANDARD",
        DefinitionString: definitionText(name as keyof typeof WORKFLOWS),
        DefinitionSubstitutions: Object.fromEntries(w.placeholders.map((p) => [p, Match.anyValue()])),
        LoggingConfiguration: Match.objectLike({ Level: "ALL", IncludeExecutionData: false }),
        TracingConfiguration: { Enabled: true },
      });
    }
    // The scouting workflow waits one Firehose buffer (60 s in dev) and a minute before it queries the lake
    t.automation.hasResourceProperties("AWS::StepFunctions::StateMachine", {
      StateMachineName: "sideline-scouting-dev",
      DefinitionSubstitutions: Match.objectLike({ LakeSettleSeconds: "120", AthenaWorkGroup: "sideline-dev" }),
    });
  });

  it("deploys the shared rule patterns verbatim, each target with a retry policy and a DLQ", () => {
    const rules = Object.values(t.automation.findResources("AWS::Events::Rule") as Resources);
    const patterns = rules.map((r) => r.Properties?.EventPattern);
    for (const p of Object.values(AUTOMATION_RULES)) expect(patterns).toContainEqual(p);
    for (const r of rules) {
      for (const target of (r.Properties?.Targets ?? []) as Record<string, unknown>[]) {
        expect(target.RetryPolicy).toEqual({
          MaximumRetryAttempts: TARGET_RETRY_ATTEMPTS,
          MaximumEventAgeInSeconds: TARGET_MAX_EVENT_AGE.toSeconds(),
        });
        expect(target.DeadLetterConfig).toEqual({
          Arn: { "Fn::GetAtt": [expect.stringMatching(/^TargetsDlq/), "Arn"] },
        });
      }
    }
    // Without a CRM endpoint, CRM requests wait in an encrypted outbox queue
    t.automation.resourceCountIs("AWS::Events::ApiDestination", 0);
    t.automation.resourceCountIs("AWS::SQS::Queue", 2);
  });

  it("e-mails scouts each decision request with its task token and the command that answers it", () => {
    // GIVEN the decisions rule's one target, the scouting topic
    const [rule] = Object.values(
      t.automation.findResources("AWS::Events::Rule", {
        Properties: { EventPattern: AUTOMATION_RULES.decisions },
      }) as Resources,
    );
    const [target] = rule!.Properties!.Targets as { Arn: unknown; InputTransformer: InputTransformer }[];
    expect(target!.Arn).toEqual({ Ref: expect.stringMatching(/^ScoutingTopic/) });

    // THEN the e-mail is no constant text but an input transformer over the event's fields, one JSON
    // string per line
    expect(target).not.toHaveProperty("Input");
    const transformer = target!.InputTransformer;
    expect(transformer.InputPathsMap).toEqual({
      "detail-player_id": "$.detail.player_id",
      "detail-match_id": "$.detail.match_id",
      "detail-summary": "$.detail.summary",
      "detail-visual_url": "$.detail.visual_url",
      "detail-task_token": "$.detail.task_token",
      region: "$.region",
    });
    const decide = (verdict: string) =>
      `npx sideline decide '<detail-task_token>' ${verdict} --target aws --region <region>`;
    expect(transformer.InputTemplate.split("\n").map((line) => JSON.parse(line))).toEqual([
      "Scout decision needed: player <detail-player_id>, match <detail-match_id>",
      "<detail-summary>",
      "Picture: <detail-visual_url>",
      "Answer with the ScoutDecider role's credentials:",
      `  approve: ${decide("approve --reason 'why'")}`,
      `  reject:  ${decide("reject --reason 'why'")}`,
      `  still reviewing: ${decide("hold")}`,
      "Without an answer or a hold every 3 days (14 days at most), the workflow records a timeout.",
      "Task token: <detail-task_token>",
    ]);
    // No double quote inside a line: the EventBridge docs show a text template's \" kept in its output.
    expect(transformer.InputTemplate).not.toContain('\\"');

    // WHEN EventBridge fills it in for a request
    const lines = renderInputTransformer(transformer, {
      region: "eu-west-1",
      detail: {
        task_token: "AQCEAAAAKgAAAAMAAAAA+tok/en==",
        player_id: "away_5",
        match_id: "m-2024-05-01",
        summary: "Runs in behind the back line: 14 sprints.",
        visual_url: "https://visuals.example.com/away_5.png",
      },
    });

    // THEN the scout reads the player, the match and the picture, and pastes a command that
    // answers with this very token
    expect(lines.slice(0, 3)).toEqual([
      "Scout decision needed: player away_5, match m-2024-05-01",
      "Runs in behind the back line: 14 sprints.",
      "Picture: https://visuals.example.com/away_5.png",
    ]);
    const approve = lines.find((l) => l.trim().startsWith("approve:"))!.replace(/^\s*approve:\s*/, "");
    expect(shellWords(approve)).toEqual([
      "npx",
      "sideline",
      "decide",
      "AQCEAAAAKgAAAAMAAAAA+tok/en==",
      "approve",
      "--reason",
      "why",
      "--target",
      "aws",
      "--region",
      "eu-west-1",
    ]);
    expect(lines.at(-1)).toBe("Task token: AQCEAAAAKgAAAAMAAAAA+tok/en==");
  });

  it("scopes task-token responses to the scouting state machine, never '*'", () => {
    const policies = Object.values(t.automation.findResources("AWS::IAM::Policy") as Resources);
    const statements = policies.flatMap(
      (p) =>
        (p.Properties as { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } }).PolicyDocument
          .Statement,
    );
    const token = statements.filter((s) => ([] as unknown[]).concat(s.Action).includes("states:SendTaskSuccess"));
    expect(token).toHaveLength(1);
    expect(token[0]!.Resource).toEqual({ Ref: expect.stringMatching(/^Scouting[0-9A-F]{8}$/) });
  });
});

describe("Sideline stacks (prod and options)", () => {
  describe("with a CRM endpoint", () => {
    let crm: BuiltApp;
    beforeAll(() => {
      crm = buildApp({ stage: "dev", crmEndpoint: "https://crm.example.com/hooks/sideline" });
    });

    it("reaches the CRM through an API destination: Secrets Manager auth under the CMK, a rate limit, the Idempotency-Key", () => {
      const a = Template.fromStack(crm.stacks.automation);
      a.hasResourceProperties("AWS::Events::ApiDestination", {
        InvocationEndpoint: "https://crm.example.com/hooks/sideline",
        HttpMethod: "POST",
        InvocationRateLimitPerSecond: 10,
      });
      a.hasResourceProperties("AWS::Events::Connection", {
        AuthorizationType: "API_KEY",
        KmsKeyIdentifier: Match.anyValue(),
      });
      a.hasResourceProperties("AWS::SecretsManager::Secret", { KmsKeyId: Match.anyValue() });
      a.hasResourceProperties("AWS::Events::Rule", {
        EventPattern: AUTOMATION_RULES.crm,
        Targets: [
          Match.objectLike({
            HttpParameters: { HeaderParameters: { "Idempotency-Key": "$.detail.idempotency_key" } },
            InputPath: "$.detail",
            DeadLetterConfig: Match.anyValue(),
            RetryPolicy: Match.anyValue(),
          }),
        ],
      });
      expect(() => buildApp({ stage: "dev", crmEndpoint: "http://crm.example.com" })).toThrow(
        /must be an https:\/\/ URL/,
      );
      expect(() => buildApp({ stage: "dev", crmAuth: "oauth" })).toThrow(/needs 'crmOAuthTokenUrl'/);
    });

    it("encrypts the connection with a key tagged for EventBridge connections, whose policy lets EventBridge use it", () => {
      // GIVEN the key the connection's KmsKeyIdentifier names, found through the export it imports
      const [connection] = Object.values(
        Template.fromStack(crm.stacks.automation).findResources("AWS::Events::Connection") as Resources,
      );
      const imported = (connection!.Properties!.KmsKeyIdentifier as { "Fn::ImportValue": string })["Fn::ImportValue"];
      const owner = Object.values(crm.stacks).find((st) =>
        Object.values(
          (Template.fromStack(st).toJSON().Outputs ?? {}) as Record<string, { Export?: { Name: string } }>,
        ).some((o) => o.Export?.Name === imported),
      )!;
      const outputs = Template.fromStack(owner).toJSON().Outputs as Record<
        string,
        { Value: { "Fn::GetAtt": [string, string] }; Export: { Name: string } }
      >;
      const [keyId, attribute] = Object.values(outputs).find((o) => o.Export.Name === imported)!.Value["Fn::GetAtt"];
      expect(attribute).toBe("Arn");
      const key = (Template.fromStack(owner).toJSON().Resources as Resources)[keyId]!;
      expect(key.Type).toBe("AWS::KMS::Key");

      // THEN it carries the tag without which EventBridge refuses a customer managed key for a connection
      expect(key.Properties?.Tags).toContainEqual({ Key: "EventBridgeApiDestinations", Value: "true" });

      // AND its policy grants EventBridge DescribeKey, GenerateDataKey and Decrypt, in this account
      // (encryption-connections.html), and lets IAM policies apply, as EventBridge's service-linked
      // role reaches the connection's secret through its IAM policy
      const statements = (key.Properties!.KeyPolicy as { Statement: Statement[] }).Statement;
      const allows = (principal: Record<string, unknown>, action: string, condition?: unknown) =>
        statements.some(
          (st) =>
            st.Effect === "Allow" &&
            JSON.stringify(st.Principal) === JSON.stringify(principal) &&
            st.Resource === "*" &&
            ([] as string[]).concat(st.Action).some((a) => new RegExp(`^${a.replaceAll("*", ".*")}$`).test(action)) &&
            JSON.stringify(st.Condition) === JSON.stringify(condition),
        );
      for (const action of ["kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt"])
        expect(`${action}: ${allows({ Service: "events.amazonaws.com" }, action, THIS_ACCOUNT)}`).toBe(
          `${action}: true`,
        );
      expect(allows({ AWS: ACCOUNT_ROOT }, "kms:Decrypt")).toBe(true);
    });
  });
});
