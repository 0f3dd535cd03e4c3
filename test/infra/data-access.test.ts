/**
 * Keys per data class (lib/data-access.ts): health and biometric data under their own keys, whose
 * key policies deny decryption to any principal not tagged for the class; every role that IAM lets
 * decrypt a special-category key carries the tag, and no other role does.
 */
import { Template } from "aws-cdk-lib/assertions";
import { MODALITIES, streamName } from "../../lambdas/contracts/modalities.js";
import { TABLES } from "../../lambdas/contracts/tables/index.js";
import {
  DECRYPT_TAG_VALUE,
  decryptTagKey,
  KEY_CLASS_OF,
  type KeyClass,
  SPECIAL_CATEGORY_KEYS,
  tableKeyClass,
} from "../../lib/data-access.js";
import type { SidelineStacks } from "../../lib/sideline.js";
import { buildApp, type Resources } from "./app.js";
import { POSE_CONTEXT, POSE_REGISTRY } from "./pose-app.js";

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

/** Every stack of the app with every modality and pose on: all templates. */
function allTemplates(): { stacks: SidelineStacks; templates: Record<string, Template> } {
  const { stacks } = buildApp(
    {
      ...POSE_CONTEXT,
      modalities: MODALITIES.map((m) => m.id).join(","),
      scoutDeciderPrincipals: ["arn:aws:iam::123456789012:role/scouting-app"],
    },
    false,
    POSE_REGISTRY,
  );
  return {
    stacks,
    templates: Object.fromEntries(Object.entries(stacks).map(([n, s]) => [n, Template.fromStack(s)])),
  };
}

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
  let app: ReturnType<typeof allTemplates>;
  beforeAll(() => {
    app = allTemplates();
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
      const [, s] = Object.entries(streams).find(([, r]) => r.Properties?.Name === streamName(m, "dev"))!;
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
