import { AUTOMATION_DEFAULTS, FEATURE_DEFAULTS, STREAM_MAPPING_DEFAULTS } from "../../lambdas/contracts/defaults.js";
import { MODALITIES } from "../../lambdas/contracts/modalities.js";
import { buildConfig, DEFAULTS } from "../../lib/config.js";

const ctx = (values: Record<string, unknown>) => (k: string) => values[k];

describe("configuration from context", () => {
  it("uses the documented defaults per stage", () => {
    const dev = buildConfig(ctx({}), {});
    // Every registered modality by default: tracking, pose (its stream and extractor; the GPU endpoint is off) and wearables.
    expect(dev.modalities).toEqual(["tracking", "pose", "wearables"]);
    expect(dev).toMatchObject({
      stage: "dev",
      modalities: MODALITIES.map((m) => m.id),
      shardMode: "on-demand",
      firehoseBufferSeconds: DEFAULTS.firehoseBufferSeconds.dev,
      windowSeconds: 60,
      logRetentionDays: 14,
      destroyDataOnDelete: false,
      glueCatalogEncryption: false,
    });
    expect(buildConfig(ctx({ stage: "prod" }), {})).toMatchObject({
      firehoseBufferSeconds: 900,
      logRetentionDays: 365,
      glueCatalogEncryption: true,
    });
    expect(buildConfig(ctx({ stage: "prod", glueCatalogEncryption: "false" }), {}).glueCatalogEncryption).toBe(false);
    expect(buildConfig(ctx({ glueCatalogEncryption: true }), {}).glueCatalogEncryption).toBe(true);
  });

  it("takes the defaults the embedded runtime shares from one place (lambdas/contracts/defaults.ts)", () => {
    expect(buildConfig(ctx({}), {})).toMatchObject({
      modalities: MODALITIES.map((m) => m.id),
      batchSize: STREAM_MAPPING_DEFAULTS.batchSize,
      batchingWindowSeconds: STREAM_MAPPING_DEFAULTS.batchingWindowSeconds,
      parallelizationFactor: STREAM_MAPPING_DEFAULTS.parallelizationFactor,
      retryAttempts: STREAM_MAPPING_DEFAULTS.retryAttempts,
      maxRecordAgeHours: STREAM_MAPPING_DEFAULTS.maxRecordAgeHours,
      medicalCooldownHours: AUTOMATION_DEFAULTS.medicalCooldownHours,
      windowSeconds: FEATURE_DEFAULTS.windowSeconds,
    });
  });

  it("takes the account and region from the environment when given", () => {
    expect(buildConfig(ctx({}), { CDK_DEFAULT_ACCOUNT: "123456789012", CDK_DEFAULT_REGION: "eu-west-1" }).env).toEqual({
      account: "123456789012",
      region: "eu-west-1",
    });
  });

  it.each([
    [{ stage: "qa" }, "context 'stage' must be dev or prod, got 'qa'"],
    [{ stage: "prod", destroyDataOnDelete: true }, "context 'destroyDataOnDelete' cannot be true in prod"],
    [{ shardMode: "burst" }, "context 'shardMode' must be on-demand or provisioned"],
    [{ shardCount: 0 }, "context 'shardCount' must be an integer from 1 to 500, got '0'"],
    [{ modalities: "tracking,audio" }, "context 'modalities' has unknown 'audio': registered modalities are tracking"],
    [{ modalities: "" }, "context 'modalities' names no modality"],
    [{ retryAttempts: -1 }, "context 'retryAttempts' must be an integer from 0 to 10000"],
    [{ parallelizationFactor: 11 }, "context 'parallelizationFactor' must be an integer from 1 to 10"],
    [{ alarmEmail: "not-an-email" }, "context 'alarmEmail' is not an e-mail address"],
    [{ glueCatalogEncryption: "yes" }, "context 'glueCatalogEncryption' must be true or false, got 'yes'"],
    [
      { glueCatalogEncryption: true, destroyDataOnDelete: true },
      "context 'glueCatalogEncryption' cannot be true with 'destroyDataOnDelete'",
    ],
    [
      { scoutDeciderPrincipals: ["arn:aws:iam::123456789012:root"] },
      "context 'scoutDeciderPrincipals' has 'arn:aws:iam::123456789012:root': it must be an IAM role or user ARN",
    ],
    [
      { scoutDeciderPrincipals: "arn:aws:iam::123456789012:role/scouts,123456789012" },
      "context 'scoutDeciderPrincipals' has '123456789012': it must be an IAM role or user ARN",
    ],
    [
      { scoutDeciderPrincipals: "arn:aws:sts::123456789012:assumed-role/scouts/anna" },
      "context 'scoutDeciderPrincipals' has 'arn:aws:sts::123456789012:assumed-role/scouts/anna': it must be an IAM role or user ARN",
    ],
    [{ scoutDeciderPrincipals: 7 }, "context 'scoutDeciderPrincipals' must be a list of IAM role or user ARNs"],
  ])("fails on %j, saying what to change", (values, message) => {
    expect(() => buildConfig(ctx(values), {})).toThrow(message);
  });

  it("takes the ScoutDecider's principals as a list (cdk.json) or comma-separated (-c), none by default", () => {
    expect(buildConfig(ctx({}), {}).scoutDeciderPrincipals).toEqual([]);
    const roles = [
      "arn:aws:iam::123456789012:role/scouting-app",
      "arn:aws:iam::210987654321:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Scouts_0a1b2c3d",
      "arn:aws:iam::123456789012:user/head-scout",
    ];
    expect(buildConfig(ctx({ scoutDeciderPrincipals: roles }), {}).scoutDeciderPrincipals).toEqual(roles);
    expect(buildConfig(ctx({ scoutDeciderPrincipals: ` ${roles.join(" , ")},` }), {}).scoutDeciderPrincipals).toEqual(
      roles,
    );
    expect(buildConfig(ctx({ scoutDeciderPrincipals: "" }), {}).scoutDeciderPrincipals).toEqual([]);
  });
});
