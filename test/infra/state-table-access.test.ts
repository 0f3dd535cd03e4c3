/**
 * The shared state table, least privilege: every role that may use it is held to the keys its
 * patterns match (dynamodb:LeadingKeys, lambdas/contracts/state-keys.ts), never the whole table, and
 * none may Scan or Query (a Scan names no partition key, so the condition would not hold it back).
 */
import { MODALITIES } from "../../lambdas/contracts/modalities.js";
import { MEDICAL_KEY_PATTERN, stateTableKeyPatterns } from "../../lambdas/contracts/state-keys.js";
import { devTemplates, type Resources, type Templates } from "./app.js";

interface Statement {
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
  Resource: unknown;
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** Every policy statement of a template that names a DynamoDB action, with the role it is attached to. */
function dynamoStatements(resources: Resources): { role: string; statement: Statement }[] {
  return Object.values(resources)
    .filter((r) => r.Type === "AWS::IAM::Policy")
    .flatMap((r) => {
      const p = r.Properties as { PolicyDocument: { Statement: Statement[] }; Roles: { Ref: string }[] };
      return p.Roles.flatMap(({ Ref: role }) =>
        p.PolicyDocument.Statement.filter((s) => actionsOf(s).some((a) => a.startsWith("dynamodb:"))).map(
          (statement) => ({ role, statement }),
        ),
      );
    });
}

/** The logical id of the role of the function whose POWERTOOLS_SERVICE_NAME is `service`. */
function roleOf(resources: Resources, service: string): string {
  const fn = Object.values(resources).find(
    (r) =>
      r.Type === "AWS::Lambda::Function" &&
      (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
        ?.POWERTOOLS_SERVICE_NAME === service,
  );
  expect(fn).toBeDefined();
  return (fn!.Properties!.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
}

const leadingKeys = (s: Statement) => s.Condition?.["ForAllValues:StringLike"]?.["dynamodb:LeadingKeys"];

describe("state table access (dev)", () => {
  let t: Templates;
  beforeAll(() => {
    t = devTemplates();
  });

  it("gives no role in any stack DynamoDB data actions without the LeadingKeys condition, nor Scan or Query", () => {
    const found = Object.values(t).flatMap((tpl) => dynamoStatements(tpl.toJSON().Resources as Resources));
    // the three extractors and the workflow tasks
    expect(found.length).toBeGreaterThanOrEqual(MODALITIES.length + 1);
    for (const { role, statement } of found) {
      expect({ role, leadingKeys: Array.isArray(leadingKeys(statement)) }).toEqual({ role, leadingKeys: true });
      expect(actionsOf(statement).filter((a) => /^dynamodb:(Scan|Query|\*)$/.test(a))).toEqual([]);
    }
  });

  it.each(MODALITIES.map((m) => [m.id, m] as const))(
    "holds the %s extractor to its own stream states and the load histories it keeps",
    (_, m) => {
      const resources = t.ingest.toJSON().Resources as Resources;
      const role = roleOf(resources, m.extractor.functionId);
      const mine = dynamoStatements(resources).filter((x) => x.role === role);
      expect(mine).toHaveLength(1);
      const s = mine[0]!.statement;
      expect(actionsOf(s).sort()).toEqual(["dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:UpdateItem"]);
      expect(leadingKeys(s)).toEqual(stateTableKeyPatterns(m));
      expect(s.Resource).toEqual({ "Fn::GetAtt": [expect.stringMatching(/^PlayerState/), "Arn"] });
    },
  );

  it("holds the workflow tasks to the medical cool-down ledger, one conditional update", () => {
    const resources = t.automation.toJSON().Resources as Resources;
    const role = roleOf(resources, "WorkflowTasks");
    const mine = dynamoStatements(resources).filter((x) => x.role === role);
    expect(mine.map((x) => [actionsOf(x.statement), leadingKeys(x.statement)])).toEqual([
      [["dynamodb:UpdateItem"], [MEDICAL_KEY_PATTERN]],
    ]);
  });
});
