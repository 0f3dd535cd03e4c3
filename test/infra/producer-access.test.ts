/**
 * Producer identity: one role per producer kind of the registry (stadium edge, wearables gateway,
 * vision), trusted by the principals named for it, allowed to write its own modality's stream and
 * to generate data keys for it (never to decrypt), its ARN a stack output; no role for a kind with
 * no one named, and a clear error for a kind the registry does not know.
 */
import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import { MODALITIES, type Modality } from "../../lambdas/contracts/modalities.js";
import { buildConfig } from "../../lib/config.js";
import { PRODUCER_STREAM_ACTIONS } from "../../lib/constructs/producer-access.js";
import { buildApp, type Resources } from "./app.js";

interface Statement {
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
  Resource: unknown;
}
type Ref = { Ref: string } | { "Fn::GetAtt": [string, string] };

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const pascal = (id: string) => id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());

/** Example principals (synth does not resolve them): the edge's Roles Anywhere role, a gateway's instance role, two camera hosts. */
const PRINCIPALS = {
  "stadium-edge": ["arn:aws:iam::123456789012:role/stadium-edge-rolesanywhere"],
  "wearables-gateway": ["arn:aws:iam::123456789012:role/wearables-gateway"],
  vision: ["arn:aws:iam::123456789012:role/camera-a", "arn:aws:iam::123456789012:role/camera-b"],
};

describe("producer roles", () => {
  const { stacks } = buildApp({ stage: "dev", producerPrincipals: PRINCIPALS });
  const ingest = Template.fromStack(stacks.ingest);
  const resources = ingest.toJSON().Resources as Resources;
  const outputs = ingest.toJSON().Outputs as Record<string, { Value: Ref }>;

  /** The logical id of a modality's stream. */
  const streamOf = (m: Modality) => {
    const found = Object.entries(resources).filter(
      ([, r]) => r.Type === "AWS::Kinesis::Stream" && r.Properties?.Name === `sideline-${m.id}-dev`,
    );
    expect(found).toHaveLength(1);
    return found[0]![0];
  };
  /** The role of a producer kind, from its output. */
  const roleOf = (kind: string) => {
    const out = outputs[`${pascal(kind)}ProducerRoleArn`];
    expect(out).toBeDefined();
    return (out!.Value as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
  };
  /** Every statement of the policies attached to a role. */
  const statementsOf = (role: string) =>
    Object.values(resources)
      .filter((r) => r.Type === "AWS::IAM::Policy")
      .map((r) => r.Properties as { PolicyDocument: { Statement: Statement[] }; Roles: { Ref: string }[] })
      .filter((p) => p.Roles.some((x) => x.Ref === role))
      .flatMap((p) => p.PolicyDocument.Statement);

  it("declares a producer for every registered modality: one kind each today", () => {
    expect(MODALITIES.map((m) => [m.id, m.producer.id])).toEqual([
      ["tracking", "stadium-edge"],
      ["pose", "vision"],
      ["wearables", "wearables-gateway"],
    ]);
  });

  it.each(MODALITIES.map((m) => [m.producer.id, m] as const))(
    "lets the %s role write its own stream, and no other, trusted by its principals only",
    (kind, m) => {
      const role = roleOf(kind);
      const stream = streamOf(m);
      const kinesis = statementsOf(role).filter((s) => actionsOf(s).some((a) => a.startsWith("kinesis:")));
      expect(kinesis).toEqual([
        { Action: [...PRODUCER_STREAM_ACTIONS].sort(), Effect: "Allow", Resource: { "Fn::GetAtt": [stream, "Arn"] } },
      ]);
      const trusted = PRINCIPALS[kind as keyof typeof PRINCIPALS];
      expect(resources[role]!.Properties!.AssumeRolePolicyDocument).toEqual({
        Version: "2012-10-17",
        Statement: [
          {
            Action: "sts:AssumeRole",
            Effect: "Allow",
            Principal: { AWS: trusted.length === 1 ? trusted[0] : trusted },
          },
        ],
      });
    },
  );

  it.each(MODALITIES.map((m) => [m.producer.id, m] as const))(
    "lets the %s role generate data keys with its stream's key, in its stream's encryption context, and never decrypt",
    (kind, m) => {
      const stream = streamOf(m);
      const kms = statementsOf(roleOf(kind)).filter((s) => actionsOf(s).some((a) => a.startsWith("kms:")));
      // The stream's own key, whatever it is: the template's KeyId of the stream.
      const key = (resources[stream]!.Properties!.StreamEncryption as { KeyId: unknown }).KeyId;
      expect(kms).toEqual([
        {
          Action: "kms:GenerateDataKey",
          Effect: "Allow",
          Resource: key,
          Condition: { StringEquals: { "kms:EncryptionContext:aws:kinesis:arn": { "Fn::GetAtt": [stream, "Arn"] } } },
        },
      ]);
      // Only what is listed above: nothing else of any service.
      expect(statementsOf(roleOf(kind))).toHaveLength(2);
    },
  );

  it("gives no producer role kms:Decrypt or any read of a stream", () => {
    for (const m of MODALITIES)
      for (const s of statementsOf(roleOf(m.producer.id)))
        expect(actionsOf(s).filter((a) => /^kms:(Decrypt|ReEncrypt|\*)|^kinesis:(Get|Subscribe|\*)/.test(a))).toEqual(
          [],
        );
  });

  it("outputs each role's ARN under a fixed name, for the producer's setup", () => {
    for (const m of MODALITIES)
      expect(outputs[`${pascal(m.producer.id)}ProducerRoleArn`]!.Value).toEqual({
        "Fn::GetAtt": [roleOf(m.producer.id), "Arn"],
      });
  });
});

describe("producer roles without principals", () => {
  it("creates no role for a kind with no one named, and warns at synth", () => {
    const { stacks } = buildApp({ stage: "dev", producerPrincipals: { vision: PRINCIPALS.vision } });
    const ingest = Template.fromStack(stacks.ingest);
    const outputs = Object.keys(ingest.toJSON().Outputs as object);
    expect(outputs.filter((o) => o.endsWith("ProducerRoleArn"))).toEqual(["VisionProducerRoleArn"]);
    expect(Object.keys(ingest.findResources("AWS::IAM::Role")).filter((id) => id.startsWith("Producers"))).toEqual([
      expect.stringMatching(/^ProducersVision/),
    ]);
    const warnings = Annotations.fromStack(stacks.ingest);
    for (const kind of ["stadium-edge", "wearables-gateway"])
      warnings.hasWarning(
        "*",
        Match.stringLikeRegexp(`no '${kind}' producer role: context 'producerPrincipals' names no one`),
      );
  });

  it("warns, and creates no role, for principals of a producer whose modalities are not deployed", () => {
    const { stacks } = buildApp({ stage: "dev", modalities: "tracking", producerPrincipals: PRINCIPALS });
    const ingest = Template.fromStack(stacks.ingest);
    expect(Object.keys(ingest.toJSON().Outputs as object).filter((o) => o.endsWith("ProducerRoleArn"))).toEqual([
      "StadiumEdgeProducerRoleArn",
    ]);
    Annotations.fromStack(stacks.ingest).hasWarning(
      "*",
      Match.stringLikeRegexp("no 'vision' producer role: .* none of its modalities is deployed"),
    );
  });
});

describe("producerPrincipals in the configuration", () => {
  const ctx = (values: Record<string, unknown>) => (k: string) => values[k];

  it("takes an object (cdk.json) or a JSON string (-c), lists or comma-separated ARNs, none by default", () => {
    expect(buildConfig(ctx({}), {}).producerPrincipals).toEqual({});
    expect(buildConfig(ctx({ producerPrincipals: PRINCIPALS }), {}).producerPrincipals).toEqual(PRINCIPALS);
    expect(
      buildConfig(
        ctx({ producerPrincipals: JSON.stringify({ vision: PRINCIPALS.vision.join(","), "stadium-edge": [] }) }),
        {},
      ).producerPrincipals,
    ).toEqual({ vision: PRINCIPALS.vision });
  });

  it.each([
    [
      { "stadium-egde": PRINCIPALS["stadium-edge"] },
      "context 'producerPrincipals' has unknown producer 'stadium-egde': the registered modalities' producers are stadium-edge, vision, wearables-gateway",
    ],
    [
      { vision: ["arn:aws:iam::123456789012:root"] },
      "context 'producerPrincipals.vision' has 'arn:aws:iam::123456789012:root': it must be an IAM role or user ARN",
    ],
    [["arn:aws:iam::123456789012:role/edge"], "context 'producerPrincipals' must be an object from producer kind"],
    ["{vision:", "context 'producerPrincipals' must be a JSON object from producer kind to IAM role or user ARNs"],
  ])("fails on %j, saying what to change", (value, message) => {
    expect(() => buildConfig(ctx({ producerPrincipals: value }), {})).toThrow(message);
  });
});
