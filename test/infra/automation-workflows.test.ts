/**
 * The workflows in the cloud: started exactly once per insight by the workflow starter (the rules'
 * target, with retries and DLQs), encrypted with the data key, allowed the Athena data catalog
 * their query names, and retained in prod with the CRM secret.
 */
import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import { TARGET_MAX_EVENT_AGE, TARGET_RETRY_ATTEMPTS } from "../../lib/stacks/automation-stack.js";
import { type BuiltApp, buildApp, devTemplates, type Resources, type Templates } from "./app.js";

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
  Principal?: unknown;
}

/** The statements of every IAM policy attached to the role whose logical id starts with `rolePrefix`. */
function roleStatements(t: Template, rolePrefix: string): Statement[] {
  const policies = Object.values(t.findResources("AWS::IAM::Policy") as Resources);
  return policies
    .filter((p) => ((p.Properties?.Roles ?? []) as { Ref: string }[]).some((r) => r.Ref.startsWith(rolePrefix)))
    .flatMap((p) => (p.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement);
}

const actions = (s: Statement) => ([] as string[]).concat(s.Action);
const arn = (service: string, resource: string) => ({
  "Fn::Join": [
    "",
    [
      "arn:",
      { Ref: "AWS::Partition" },
      `:${service}:`,
      { Ref: "AWS::Region" },
      ":",
      { Ref: "AWS::AccountId" },
      `:${resource}`,
    ],
  ],
});
const logicalId = (t: Template, type: string, prefix: string) => {
  const ids = Object.keys(t.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0]!;
};

describe("Sideline stacks (dev): the workflows in the cloud", () => {
  let t: Templates;
  beforeAll(() => {
    t = devTemplates();
  });

  it("lets the scouting workflow get the Athena data catalog its query runs in, and that catalog only", () => {
    const scouting = roleStatements(t.automation, "ScoutingRole");
    const catalog = scouting.filter((s) => actions(s).some((a) => a.toLowerCase() === "athena:getdatacatalog"));
    expect(catalog).toEqual([
      { Effect: "Allow", Action: "athena:GetDataCatalog", Resource: arn("athena", "datacatalog/AwsDataCatalog") },
    ]);
  });

  it("starts both workflows through the starter: the rules' retry policy and DLQ, the function's retries and DLQ", () => {
    const starter = logicalId(t.automation, "AWS::Lambda::Function", "WorkflowStarter");
    const rules = t.automation.findResources("AWS::Events::Rule") as Resources;
    for (const [prefix, workflow] of [
      ["ScoutingRule", "scouting"],
      ["MedicalRule", "medical-alert"],
    ] as const) {
      const [id] = Object.keys(rules).filter((k) => k.startsWith(prefix));
      expect(rules[id!]!.Properties!.Targets).toEqual([
        {
          Id: "Target0",
          Arn: { "Fn::GetAtt": [starter, "Arn"] },
          RetryPolicy: {
            MaximumRetryAttempts: TARGET_RETRY_ATTEMPTS,
            MaximumEventAgeInSeconds: TARGET_MAX_EVENT_AGE.toSeconds(),
          },
          DeadLetterConfig: { Arn: { "Fn::GetAtt": [expect.stringMatching(/^TargetsDlq/), "Arn"] } },
          // The whole event, unescaped, as a JSON value (EventBridge's predefined aws.events.event.json)
          InputTransformer: { InputTemplate: `{"workflow":"${workflow}","event":<aws.events.event.json>}` },
        },
      ]);
    }
    // EventBridge invokes it asynchronously: Lambda retries a failed start twice, then the DLQ
    t.automation.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: { Ref: starter },
      MaximumRetryAttempts: 2,
    });
    const fn = (t.automation.findResources("AWS::Lambda::Function") as Resources)[starter]!.Properties!;
    expect(fn.DeadLetterConfig).toEqual({ TargetArn: { "Fn::GetAtt": [expect.stringMatching(/^TargetsDlq/), "Arn"] } });
    expect((fn.Environment as { Variables: Record<string, unknown> }).Variables.STATE_MACHINES).toEqual({
      "Fn::Join": [
        "",
        [
          '{"scouting":"',
          { Ref: expect.stringMatching(/^Scouting[0-9A-F]{8}$/) },
          '","medical-alert":"',
          { Ref: expect.stringMatching(/^MedicalAlert[0-9A-F]{8}$/) },
          '"}',
        ],
      ],
    });
  });

  it("lets the starter start these two state machines only, and use each one's key only for its executions", () => {
    const statements = roleStatements(t.automation, "WorkflowStarterRole");
    const states = statements.filter((s) => actions(s).some((a) => a.startsWith("states:")));
    expect(states).toEqual([
      {
        Effect: "Allow",
        Action: "states:StartExecution",
        Resource: expect.arrayContaining([
          { Ref: expect.stringMatching(/^Scouting[0-9A-F]{8}$/) },
          { Ref: expect.stringMatching(/^MedicalAlert[0-9A-F]{8}$/) },
        ]),
      },
    ]);
    expect((states[0]!.Resource as unknown[]).length).toBe(2);
    const kms = statements.filter((s) => actions(s).includes("kms:GenerateDataKey"));
    for (const [key, machine] of [
      ["DataKey", /^Scouting[0-9A-F]{8}$/],
      ["HealthKey", /^MedicalAlert[0-9A-F]{8}$/],
    ] as const)
      expect(kms).toContainEqual({
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: { "Fn::ImportValue": expect.stringContaining(key) },
        Condition: {
          StringEquals: { "kms:EncryptionContext:aws:states:stateMachineArn": { Ref: expect.stringMatching(machine) } },
        },
      });
    // No rule starts a state machine directly any more (EventBridge would name the execution at random)
    for (const r of Object.values(t.automation.findResources("AWS::Events::Rule") as Resources))
      for (const target of (r.Properties?.Targets ?? []) as { Arn: unknown }[])
        expect(JSON.stringify(target.Arn)).not.toMatch(/"Ref":"(Scouting|MedicalAlert)[0-9A-F]{8}"/);
  });

  it("encrypts the scouting workflow with the data key and the medical one with the health key, and lets CloudWatch log delivery decrypt their log events", () => {
    const machines = t.automation.findResources("AWS::StepFunctions::StateMachine") as Resources;
    expect(Object.keys(machines)).toHaveLength(2);
    for (const [id, m] of Object.entries(machines))
      expect(m.Properties!.EncryptionConfiguration).toEqual({
        Type: "CUSTOMER_MANAGED_KMS_KEY",
        KmsKeyId: {
          "Fn::ImportValue": expect.stringMatching(id.startsWith("Scouting") ? /DataKey.*Arn/ : /HealthKey.*Arn/),
        },
        KmsDataKeyReusePeriodSeconds: 300,
      });
    const keys = t.security.findResources("AWS::KMS::Key") as Resources;
    for (const k of ["DataKey", "HealthKey"]) {
      const key = Object.entries(keys).find(([id]) => id.startsWith(k))![1];
      const policy = (key.Properties as { KeyPolicy: { Statement: Statement[] } }).KeyPolicy.Statement;
      expect(policy).toContainEqual({
        Effect: "Allow",
        Principal: { Service: "delivery.logs.amazonaws.com" },
        Action: "kms:Decrypt*",
        Resource: "*",
      });
    }
    // The scouts answer (SendTaskSuccess) on the scouting workflow's key material only
    const decider = roleStatements(t.automation, "ScoutDecider");
    expect(decider).toContainEqual({
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: expect.anything(),
      Condition: {
        StringEquals: {
          "kms:EncryptionContext:aws:states:stateMachineArn": { Ref: expect.stringMatching(/^Scouting[0-9A-F]{8}$/) },
        },
      },
    });
  });
});

describe("the ScoutDecider role: who may answer scout decisions", () => {
  const SCOUTS = ["arn:aws:iam::123456789012:role/scouting-app", "arn:aws:iam::210987654321:user/head-scout"];
  const deciderRoles = (t: Template) =>
    Object.entries(t.findResources("AWS::IAM::Role") as Resources).filter(([id]) => id.startsWith("ScoutDecider"));

  it("trusts exactly the principals named in scoutDeciderPrincipals, and not the account", () => {
    // GIVEN two named principals WHEN the app is synthesized
    const a = Template.fromStack(buildApp({ stage: "dev", scoutDeciderPrincipals: SCOUTS }).stacks.automation);
    // THEN the role's trust policy lets those two assume it, and nothing else
    const roles = deciderRoles(a);
    expect(roles).toHaveLength(1);
    const trust = roles[0]![1].Properties!.AssumeRolePolicyDocument;
    expect(trust).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Principal: { AWS: SCOUTS } }],
    });
    expect(JSON.stringify(trust)).not.toMatch(/:root|AWS::AccountId/);
  });

  it("is not created when scoutDeciderPrincipals names no one, and synth warns which key to set", () => {
    const { stacks } = buildApp({ stage: "dev" });
    const a = Template.fromStack(stacks.automation);
    expect(deciderRoles(a)).toEqual([]);
    // the decision e-mail does not send scouts to a role that is not there
    const templates = JSON.stringify(a.findResources("AWS::Events::Rule"));
    expect(templates).toContain("No ScoutDecider role is deployed (context scoutDeciderPrincipals)");
    expect(templates).not.toContain("the ScoutDecider role's credentials");
    Annotations.fromStack(stacks.automation).hasWarning("*", Match.stringLikeRegexp("scoutDeciderPrincipals"));
  });

  it("fails synth on a principal that is not an IAM role or user ARN, naming the key", () => {
    expect(() => buildApp({ stage: "dev", scoutDeciderPrincipals: "arn:aws:iam::123456789012:root" })).toThrow(
      "context 'scoutDeciderPrincipals' has 'arn:aws:iam::123456789012:root': it must be an IAM role or user ARN",
    );
  });
});

describe("Sideline stacks (prod): workflows and the CRM secret", () => {
  let prod: BuiltApp;
  beforeAll(() => {
    prod = buildApp({ stage: "prod", crmEndpoint: "https://crm.example.com/hooks/sideline" });
  });

  it("fails if a state machine (pending decisions) or the CRM secret would be deleted with the stack", () => {
    const a = Template.fromStack(prod.stacks.automation);
    const kept = (type: string) =>
      Object.entries(a.findResources(type) as Resources).map(([id, r]) => `${id}: ${r.DeletionPolicy}`);
    const machines = kept("AWS::StepFunctions::StateMachine");
    expect(machines).toHaveLength(2);
    for (const m of machines) expect(m).toMatch(/: Retain$/);
    const secrets = kept("AWS::SecretsManager::Secret");
    expect(secrets).toHaveLength(1);
    expect(secrets[0]).toMatch(/^CrmCredentials.*: Retain$/);
  });
});
