/**
 * Zero trust for player data, from the registry's classification, on the synthesized templates:
 * - keys per data class (lib/data-access.ts): health and biometric data under their own keys, whose
 *   key policies deny decryption to any principal not tagged for the class; every role that IAM lets
 *   decrypt a special-category key carries the tag, and no other role does;
 * - Lake Formation (lib/constructs/lake-access.ts): who reads which tables and columns.
 */

import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { Template } from "aws-cdk-lib/assertions";
import { MODALITIES, streamName } from "../../lambdas/contracts/modalities.js";
import { DATA_CLASSIFICATIONS, TABLES, tableByName } from "../../lambdas/contracts/tables/index.js";
import { queryClassification, readNamedQueries } from "../../lib/constructs/analytics-workgroup.js";
import { ACCESS_ROLES, CLASSIFICATION_TAG } from "../../lib/constructs/lake-access.js";
import { PROJECT_ROOT } from "../../lib/constructs/sideline-function.js";
import {
  DECRYPT_TAG_VALUE,
  decryptTagKey,
  KEY_CLASS_OF,
  type KeyClass,
  SPECIAL_CATEGORY_KEYS,
  tableKeyClass,
} from "../../lib/data-access.js";
import { ENRICH_QUERY_READS, enrichQuery } from "../../stepfunctions/definitions.js";
import { buildApp, type Resources } from "./app.js";
import { POSE_CONTEXT, POSE_REGISTRY } from "./pose-app.js";

const ANALYST = "arn:aws:iam::123456789012:role/club-analysts";
const MEDICAL = "arn:aws:iam::123456789012:role/club-medical";

interface Permission {
  Principal: { DataLakePrincipalIdentifier: unknown };
  Resource: Record<string, Record<string, unknown>>;
  Permissions: string[];
  PermissionsWithGrantOption: string[];
}

/**
 * One synthesis for every test here (each costs seconds): prod, every modality, pose on, and every
 * role that named principals create.
 */
let built: { lakehouse: Template; automation: Template; all: Template[]; byName: Record<string, Template> } | undefined;
function templates() {
  if (built) return built;
  const { stacks } = buildApp(
    {
      ...POSE_CONTEXT,
      stage: "prod",
      modalities: MODALITIES.map((m) => m.id).join(","),
      analystPrincipals: [ANALYST],
      medicalPrincipals: [MEDICAL],
      scoutDeciderPrincipals: ["arn:aws:iam::123456789012:role/scouting-app"],
    },
    false,
    POSE_REGISTRY,
  );
  const byName = Object.fromEntries(Object.entries(stacks).map(([n, s]) => [n, Template.fromStack(s)]));
  built = { lakehouse: byName.lakehouse!, automation: byName.automation!, all: Object.values(byName), byName };
  return built;
}

/** Every Lake Formation grant of the app, with the logical id of the role it names. */
function grants(all: readonly Template[]): { role: string; p: Permission }[] {
  return all.flatMap((t) =>
    Object.values(t.findResources("AWS::LakeFormation::PrincipalPermissions") as Resources).map((r) => {
      const p = r.Properties as unknown as Permission;
      const id = JSON.stringify(p.Principal.DataLakePrincipalIdentifier).match(/"Fn::GetAtt":\["([^"]+)","Arn"\]/);
      return { role: id?.[1] ?? JSON.stringify(p.Principal), p };
    }),
  );
}
const grantsOf = (all: readonly Template[], rolePrefix: string) =>
  grants(all)
    .filter((g) => g.role.startsWith(rolePrefix))
    .map((g) => g.p);

describe("Lake Formation: access by classification", () => {
  let t: ReturnType<typeof templates>;
  beforeAll(() => {
    t = templates();
  });

  it("gives new tables no IAMAllowedPrincipals grant, so IAM alone reads nothing", () => {
    t.lakehouse.hasResourceProperties("AWS::Glue::Database", {
      DatabaseInput: { CreateTableDefaultPermissions: [] },
    });
  });

  it("registers each warehouse with its own data-access role, and appends the deployer as an administrator", () => {
    const locations = Object.values(t.lakehouse.findResources("AWS::LakeFormation::Resource") as Resources);
    expect(locations).toHaveLength(3);
    const refs = locations.map((l) => JSON.stringify(l.Properties!.ResourceArn));
    for (const w of ["WarehouseBucket", "BiometricWarehouseBucket", "HealthWarehouseBucket"])
      expect(refs.some((r) => r.includes(`"${w}`))).toBe(true);
    expect(new Set(locations.map((l) => JSON.stringify(l.Properties!.RoleArn))).size).toBe(3);
    for (const l of locations)
      expect(l.Properties).toMatchObject({ UseServiceLinkedRole: false, HybridAccessEnabled: false });
    t.lakehouse.hasResourceProperties("AWS::LakeFormation::DataLakeSettings", { MutationType: "APPEND" });
  });

  it("tags every table with its classification, and quarantine's payload column with health", () => {
    t.lakehouse.hasResourceProperties("AWS::LakeFormation::Tag", {
      TagKey: CLASSIFICATION_TAG,
      TagValues: [...DATA_CLASSIFICATIONS],
    });
    const assoc = Object.values(t.lakehouse.findResources("AWS::LakeFormation::TagAssociation") as Resources).map(
      (r) =>
        r.Properties as {
          Resource: Record<string, { Name: string; ColumnNames?: string[] }>;
          LFTags: { TagValues: string[] }[];
        },
    );
    for (const table of TABLES) {
      const own = assoc.find((a) => a.Resource.Table?.Name === table.name);
      expect([table.name, own?.LFTags[0]?.TagValues]).toEqual([table.name, [table.classification]]);
    }
    expect(assoc).toContainEqual(
      expect.objectContaining({
        Resource: { TableWithColumns: expect.objectContaining({ Name: "quarantine", ColumnNames: ["payload"] }) },
        LFTags: [expect.objectContaining({ TagKey: CLASSIFICATION_TAG, TagValues: ["health"] })],
      }),
    );
  });

  it("lets the scouting workflow read only the columns of its query: not medical_alerts, not player_loads", () => {
    const scouting = grantsOf(t.all, "ScoutingRole");
    expect(scouting).toEqual([
      {
        Catalog: expect.anything(),
        Principal: expect.anything(),
        Resource: {
          TableWithColumns: expect.objectContaining({
            Name: "player_match_profiles",
            ColumnNames: [...ENRICH_QUERY_READS.player_match_profiles],
          }),
        },
        Permissions: ["SELECT"],
        PermissionsWithGrantOption: [],
      },
    ]);
    const json = JSON.stringify(scouting);
    for (const table of ["medical_alerts", "player_loads", "insights", "wearable_windows"])
      expect(json).not.toContain(table);
    // Nor may IAM read a warehouse directly, or Glue metadata of other tables.
    const roles = t.automation.findResources("AWS::IAM::Policy") as Resources;
    const scoutingPolicy = JSON.stringify(
      Object.values(roles).filter((r) => JSON.stringify(r.Properties!.Roles).includes("ScoutingRole")),
    );
    expect(scoutingPolicy).not.toMatch(/WarehouseArn/);
    expect(scoutingPolicy).toContain(":table/sideline_prod/player_match_profiles");
    expect(scoutingPolicy).not.toContain(":table/sideline_prod/*");
  });

  it("lets analysts read performance and media metadata, and medical staff health and biometric data, by tag", () => {
    const expressions = (prefix: string) =>
      grantsOf(t.all, prefix)
        .filter((p) => p.Resource.LFTagPolicy)
        .map(
          (p) =>
            p.Resource.LFTagPolicy as { ResourceType: string; Expression: { TagKey: string; TagValues: string[] }[] },
        );
    expect(expressions("Analyst")).toEqual([
      expect.objectContaining({
        ResourceType: "TABLE",
        Expression: [{ TagKey: CLASSIFICATION_TAG, TagValues: ["performance", "media-metadata"] }],
      }),
    ]);
    expect(expressions("MedicalStaff")).toEqual([
      expect.objectContaining({
        ResourceType: "TABLE",
        Expression: [{ TagKey: CLASSIFICATION_TAG, TagValues: ["health", "biometric"] }],
      }),
    ]);
    for (const p of grantsOf(t.all, "Analyst"))
      expect(p.Permissions.every((x) => ["SELECT", "DESCRIBE"].includes(x))).toBe(true);
  });

  it("makes no wildcard grant across classes: every grant names a table, a location, the database, or one role's classes", () => {
    const all = grants(t.all).map((g) => g.p);
    expect(all.length).toBeGreaterThan(TABLES.length);
    const roleClasses = Object.values(ACCESS_ROLES).map((r) => JSON.stringify([...r.classes]));
    for (const p of all) {
      const json = JSON.stringify(p);
      expect(json).not.toMatch(/TableWildcard|ColumnWildcard|"Catalog":\{\}/);
      expect(p.Permissions).not.toContain("ALL");
      expect(p.PermissionsWithGrantOption).toEqual([]);
      const [kind] = Object.keys(p.Resource);
      expect(["Table", "TableWithColumns", "DataLocation", "Database", "LFTagPolicy"]).toContain(kind);
      // Database-level: DESCRIBE, and CREATE_TABLE for the table function alone (reading rows needs a table grant).
      if (kind === "Database") expect([["DESCRIBE"], ["CREATE_TABLE", "DESCRIBE"]]).toContainEqual(p.Permissions);
      if (kind === "LFTagPolicy") {
        const values = (p.Resource.LFTagPolicy!.Expression as { TagValues: string[] }[])[0]!.TagValues;
        expect(roleClasses).toContain(JSON.stringify(values));
      }
    }
  });

  it("lets only the table function create tables, before the tables are created", () => {
    const creators = grants(t.all).filter((g) => g.p.Permissions.includes("CREATE_TABLE"));
    expect(creators.map((g) => g.role)).toEqual([expect.stringMatching(/^CatalogTableFunction/)]);
    const lake = t.lakehouse.toJSON().Resources as Record<
      string,
      { Type: string; DependsOn?: string[]; Properties: unknown }
    >;
    const [grantId] = Object.entries(lake).find(
      ([, r]) =>
        r.Type === "AWS::LakeFormation::PrincipalPermissions" &&
        JSON.stringify(r.Properties) === JSON.stringify(creators[0]!.p),
    )!;
    const tables = Object.values(lake).filter((r) => r.Type === "Custom::IcebergTable");
    expect(tables).toHaveLength(TABLES.length);
    for (const r of tables) expect(r.DependsOn).toContain(grantId);
  });

  it("grants each Firehose stream its own table only, before the stream is created", () => {
    const firehose = grants(t.all).filter((g) => /DeliveryRole/.test(g.role));
    expect(firehose).toHaveLength(TABLES.length);
    const lake = t.lakehouse.toJSON().Resources as Record<
      string,
      { Type: string; DependsOn?: string[]; Properties: { PrincipalPermissions?: unknown } }
    >;
    for (const g of firehose) {
      const table = (g.p.Resource.Table as { Name: string }).Name;
      expect(g.role.toLowerCase()).toContain(table.replace(/_/g, ""));
      const [grantId] = Object.entries(lake).find(
        ([, r]) =>
          r.Type === "AWS::LakeFormation::PrincipalPermissions" && JSON.stringify(r.Properties) === JSON.stringify(g.p),
      )!;
      const [, stream] = Object.entries(lake).find(
        ([id, r]) =>
          r.Type === "AWS::KinesisFirehose::DeliveryStream" && id.startsWith(`${table.replace(/_/g, "")}Delivery`),
      )!;
      expect(stream.DependsOn).toContain(grantId);
    }
  });

  it("runs each named query in the workgroup of the classes it reads", () => {
    const queries = t.lakehouse.findResources("AWS::Athena::NamedQuery") as Resources;
    for (const q of readNamedQueries(join(PROJECT_ROOT, "glue/queries"))) {
      const [, r] = Object.entries(queries).find(([, x]) => x.Properties!.Name === q.name)!;
      const medical = (ACCESS_ROLES.medical.classes as readonly string[]).includes(queryClassification(q.sql, TABLES));
      expect([q.name, JSON.stringify(r.Properties!.WorkGroup)]).toEqual([
        q.name,
        expect.stringContaining(medical ? "MedicalWorkgroup" : '"Workgroup'),
      ]);
    }
    expect(queryClassification("SELECT source, reason FROM quarantine", TABLES)).toBe("performance");
    expect(queryClassification("SELECT source, payload FROM quarantine", TABLES)).toBe("health");
  });
});

describe("the scouting workflow's query reads only what it is granted", () => {
  const typeOf = { string: "VARCHAR", int: "INTEGER", double: "DOUBLE", timestamp: "TIMESTAMP" } as Record<
    string,
    string
  >;
  const sql = JSON.parse(`"${enrichQuery()}"`).replace("?", "'p1'");
  async function runWith(columns: readonly string[]): Promise<unknown[]> {
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    const def = tableByName("player_match_profiles");
    const cols = columns.map((n) => `${n} ${typeOf[def.columns.find((x) => x.name === n)!.type]}`);
    await c.run(`CREATE TABLE player_match_profiles (${cols.join(", ")})`);
    const values: Record<string, string> = {
      player_id: "'p1'",
      match_end: "TIMESTAMP '2026-05-01 20:00:00'",
      minutes: "90",
    };
    await c.run(
      `INSERT INTO player_match_profiles (${columns.join(", ")}) VALUES (${columns.map((n) => values[n] ?? "1").join(", ")})`,
    );
    const rows = (await c.runAndReadAll(sql)).getRowObjects();
    c.closeSync();
    return rows;
  }

  it("runs on a table holding only ENRICH_QUERY_READS's columns", async () => {
    expect(await runWith(ENRICH_QUERY_READS.player_match_profiles)).toHaveLength(1);
  });

  it("fails when one granted column is missing: the list is what the query needs", async () => {
    await expect(runWith(ENRICH_QUERY_READS.player_match_profiles.filter((c) => c !== "rhie_bouts"))).rejects.toThrow(
      /rhie_bouts/,
    );
  });
});

interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const KEY_ID: Record<KeyClass, string> = { performance: "DataKey", biometric: "BiometricKey", health: "HealthKey" };
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
/** Actions that read data out of a key (ReEncrypt*, which grantEncrypt gives writers, is denied by the key policy instead). */
const DECRYPTS = new Set(["kms:Decrypt", "kms:Decrypt*", "kms:*"]);
/** A cross-stack reference to a key's ARN names the key's logical id in its export. */
const refersTo = (resource: unknown, k: KeyClass) =>
  new RegExp(`"Fn::ImportValue":"[^"]*${KEY_ID[k]}[0-9A-F]{8}Arn`).test(JSON.stringify(resource));

/** Roles (stack/logical id) that IAM lets decrypt the key of class k, and roles tagged for k. */
function decryptRoles(templates: Record<string, Template>, k: KeyClass) {
  const granted = new Set<string>();
  const tagged = new Set<string>();
  for (const [stack, t] of Object.entries(templates)) {
    const json = t.toJSON() as { Resources: Resources };
    for (const [id, r] of Object.entries(json.Resources)) {
      if (r.Type === "AWS::IAM::Policy") {
        const p = r.Properties as { PolicyDocument: { Statement: Statement[] }; Roles?: { Ref: string }[] };
        const decrypts = p.PolicyDocument.Statement.some(
          (s) => s.Effect === "Allow" && actions(s).some((a) => DECRYPTS.has(a)) && refersTo(s.Resource, k),
        );
        if (decrypts) for (const role of p.Roles ?? []) granted.add(`${stack}/${role.Ref}`);
      }
      if (r.Type === "AWS::IAM::Role") {
        const tags = ((r.Properties?.Tags ?? []) as { Key: string; Value: string }[]).filter(
          (tag) => tag.Key === decryptTagKey(k) && tag.Value === DECRYPT_TAG_VALUE,
        );
        if (tags.length > 0) tagged.add(`${stack}/${id}`);
      }
    }
  }
  return { granted: [...granted].sort(), tagged: [...tagged].sort() };
}

describe("keys per data class", () => {
  let app: { templates: Record<string, Template> };
  beforeAll(() => {
    app = { templates: templates().byName };
  });

  it("gives health and biometric data their own keys, whose policies deny decryption and grants to untagged principals", () => {
    const keys = app.templates.security!.findResources("AWS::KMS::Key") as Resources;
    for (const k of SPECIAL_CATEGORY_KEYS) {
      const [, key] = Object.entries(keys).find(([id]) => id.startsWith(KEY_ID[k]))!;
      const policy = (key.Properties as { KeyPolicy: { Statement: Statement[] } }).KeyPolicy.Statement;
      const untagged = {
        StringNotEquals: { [`aws:PrincipalTag/sideline:decrypt-${k}`]: "true" },
        BoolIfExists: { "aws:PrincipalIsAWSService": "false" },
      };
      expect(policy).toContainEqual(
        expect.objectContaining({
          Effect: "Deny",
          Principal: { AWS: "*" },
          Action: ["kms:Decrypt", "kms:ReEncryptFrom"],
          Resource: "*",
          Condition: untagged,
        }),
      );
      expect(policy).toContainEqual(
        expect.objectContaining({
          Effect: "Deny",
          Principal: { AWS: "*" },
          Action: "kms:CreateGrant",
          Condition: {
            StringNotEquals: untagged.StringNotEquals,
            BoolIfExists: { "aws:PrincipalIsAWSService": "false", "kms:GrantIsForAWSResource": "false" },
          },
        }),
      );
    }
    // The performance key is governed by IAM alone: no deny of its own.
    const [, data] = Object.entries(keys).find(([id]) => id.startsWith("DataKey"))!;
    expect(JSON.stringify(data.Properties)).not.toContain('"Effect":"Deny"');
  });

  it.each(SPECIAL_CATEGORY_KEYS)("tags exactly the roles that IAM lets decrypt the %s key", (k) => {
    const { granted, tagged } = decryptRoles(app.templates, k);
    expect(granted.length).toBeGreaterThan(0);
    expect(tagged).toEqual(granted);
  });

  it("leaves the scouting workflow and the ScoutDecider untagged: they read performance data only", () => {
    const roles = app.templates.automation!.findResources("AWS::IAM::Role") as Resources;
    for (const [id, r] of Object.entries(roles).filter(([id]) => /^(ScoutingRole|ScoutDecider)/.test(id)))
      expect([id, JSON.stringify(r.Properties?.Tags ?? [])]).toEqual([
        id,
        expect.not.stringContaining("sideline:decrypt"),
      ]);
  });

  it("encrypts each modality's stream under its class's key", () => {
    const streams = app.templates.ingest!.findResources("AWS::Kinesis::Stream") as Resources;
    for (const m of MODALITIES) {
      const [, s] = Object.entries(streams).find(([, r]) => r.Properties?.Name === streamName(m, "prod"))!;
      const keyRef = (s.Properties as { StreamEncryption: { KeyId: unknown } }).StreamEncryption.KeyId;
      expect([m.id, refersTo(keyRef, KEY_CLASS_OF[m.classification])]).toEqual([m.id, true]);
    }
  });

  it("puts each table in its class's warehouse and delivers it under its class's key", () => {
    const lake = app.templates.lakehouse!;
    const buckets = lake.findResources("AWS::S3::Bucket") as Resources;
    const bucketOf: Record<KeyClass, string> = {
      performance: Object.keys(buckets).find((id) => id.startsWith("WarehouseBucket"))!,
      biometric: Object.keys(buckets).find((id) => id.startsWith("BiometricWarehouseBucket"))!,
      health: Object.keys(buckets).find((id) => id.startsWith("HealthWarehouseBucket"))!,
    };
    for (const [k, id] of Object.entries(bucketOf))
      expect(JSON.stringify(buckets[id]!.Properties)).toContain(`${KEY_ID[k as KeyClass]}`);
    const firehoses = lake.findResources("AWS::KinesisFirehose::DeliveryStream") as Resources;
    for (const t of TABLES) {
      const k = tableKeyClass(t);
      const [, ds] = Object.entries(firehoses).find(([id]) => id.startsWith(`${t.name.replace(/_/g, "")}Delivery`))!;
      const p = ds.Properties as { DeliveryStreamEncryptionConfigurationInput: { KeyARN: unknown } };
      expect([t.name, refersTo(p.DeliveryStreamEncryptionConfigurationInput.KeyARN, k)]).toEqual([t.name, true]);
      // The table's location is a prefix of its class's warehouse.
      const tableJson = JSON.stringify(
        Object.values(lake.toJSON().Resources as Resources).filter((r) =>
          JSON.stringify(r.Properties ?? {}).includes(`"/${t.name}/"`),
        ),
      );
      expect([t.name, tableJson]).toEqual([t.name, expect.stringContaining(`{"Ref":"${bucketOf[k]}"}`)]);
    }
  });
});
