/**
 * The lake's Iceberg tables as custom resources: retained in prod (CloudFormation never asks to
 * delete them, and the function would keep them anyway), deleted from the catalog in dev only with
 * destroyDataOnDelete, and one function allowed the Glue table calls on this database's tables and
 * the metadata writes under each table's prefix, nothing wider.
 */
import { Template } from "aws-cdk-lib/assertions";
import { ICEBERG_TABLE_RESOURCE_TYPE } from "../../lambdas/contracts/tables/iceberg-resource.js";
import { TABLES } from "../../lambdas/contracts/tables/index.js";
import { buildApp, type Resources } from "./app.js";

interface Statement {
  Action: string | string[];
  Resource: unknown;
}

/** The table function and the statements of its role's policy. */
function tableFunction(lake: Template) {
  const all = lake.findResources("AWS::Lambda::Function") as Resources;
  const [id, fn] = Object.entries(all).find(([, f]) =>
    String(f.Properties?.Description).startsWith("Creates and evolves the Iceberg tables"),
  )!;
  const role = (fn.Properties!.Role as { "Fn::GetAtt": string[] })["Fn::GetAtt"][0]!;
  const policies = lake.findResources("AWS::IAM::Policy") as Resources;
  const statements = Object.values(policies)
    .filter((p) => (p.Properties!.Roles as { Ref: string }[]).some((r) => r.Ref === role))
    .flatMap((p) => (p.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
  return { id, fn, statements };
}

const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe("Iceberg tables (Custom::IcebergTable)", () => {
  it("retains every table in prod, and the function may not delete one", () => {
    const lake = Template.fromStack(buildApp({ stage: "prod" }).stacks.lakehouse);
    const tables = Object.values(lake.findResources(ICEBERG_TABLE_RESOURCE_TYPE) as Resources);
    expect(tables).toHaveLength(TABLES.length);
    for (const r of tables) {
      expect([r.DeletionPolicy, r.UpdateReplacePolicy, r.Properties!.RemovalPolicy]).toEqual([
        "Retain",
        "Retain",
        "retain",
      ]);
    }
    const { fn, statements, id } = tableFunction(lake);
    expect((fn.Properties!.Environment as { Variables: Record<string, string> }).Variables.DATABASE_NAME).toBe(
      "sideline_prod",
    );
    // every table's service token is this one function
    for (const r of tables) expect(r.Properties!.ServiceToken).toEqual({ "Fn::GetAtt": [id, "Arn"] });
    const glue = statements.filter((s) => actions(s).some((a) => a.startsWith("glue:")));
    expect(glue.flatMap(actions).sort()).toEqual(["glue:CreateTable", "glue:GetTable", "glue:UpdateTable"]);
    // on the catalog, the database and each lake table by name: no wildcard
    const glueResources = JSON.stringify(glue[0]!.Resource);
    expect(glueResources).not.toContain("*");
    for (const def of TABLES) expect(glueResources).toContain(`:table/sideline_prod/${def.name}"`);
    // the metadata writes: Get, Put and Delete of objects under each table's own prefix
    const s3 = statements.filter((s) => actions(s).some((a) => a.startsWith("s3:")));
    for (const s of s3) expect(actions(s).sort()).toEqual(["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]);
    const prefixes = s3.flatMap((s) => [...JSON.stringify(s.Resource).matchAll(/"\/(\w+)\/\*"/g)].map((m) => m[1]));
    expect(prefixes.sort()).toEqual(TABLES.map((d) => d.name).sort());
    expect(JSON.stringify(s3.map((s) => s.Resource))).not.toMatch(/Arn"\]\},"\/\*"/); // never the whole bucket
    const kms = statements.filter((s) => actions(s).some((a) => a.startsWith("kms:")));
    // Decrypt and GenerateDataKey for the metadata files; Encrypt as prod encrypts the catalog with the data key
    expect(new Set(kms.flatMap(actions))).toEqual(new Set(["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"]));
  });

  it("deletes the catalog entries in dev only with destroyDataOnDelete", () => {
    const lake = Template.fromStack(buildApp({ stage: "dev", destroyDataOnDelete: true }).stacks.lakehouse);
    for (const r of Object.values(lake.findResources(ICEBERG_TABLE_RESOURCE_TYPE) as Resources))
      expect([r.DeletionPolicy, r.Properties!.RemovalPolicy]).toEqual(["Delete", "destroy"]);
    const { statements } = tableFunction(lake);
    expect(statements.flatMap(actions)).toContain("glue:DeleteTable");
  });
});
