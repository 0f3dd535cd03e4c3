/**
 * Builds the Sideline app as `cdk synth` does, with cdk.json's context, for assertion tests, less
 * two things that cost every synthesis seconds and assert nothing here:
 * - bundling: no stack bundles its Lambda code (templates do not depend on the bundle); the bundles
 *   are built and imported once, in bundle.test.ts;
 * - CDK's built-in CloudFormation validation (a WASM rule engine, ~6 s to load per test file): it
 *   only warns unless `@aws-cdk/core:validateAgainstDefaultRules` is set, and `npm run validate`
 *   synthesizes with it and runs cfn-lint on every template.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { App, Validations } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { BUNDLING_STACKS } from "aws-cdk-lib/cx-api";
import { AwsSolutionsChecks, HIPAASecurityChecks, ServerlessChecks } from "cdk-nag";
import { buildConfig, type SidelineConfig } from "../../lib/config.js";
import { buildSideline, REGISTRY, type Registry, type SidelineStacks } from "../../lib/sideline.js";

const CDK_JSON = JSON.parse(readFileSync(fileURLToPath(new URL("../../cdk.json", import.meta.url)), "utf8")) as {
  context: Record<string, unknown>;
};

export interface BuiltApp {
  readonly app: App;
  readonly config: SidelineConfig;
  readonly stacks: SidelineStacks;
  readonly outdir: string;
}

export function buildApp(
  context: Record<string, unknown> = {},
  nag = false,
  registry: Registry = REGISTRY,
  environment: NodeJS.ProcessEnv = {},
): BuiltApp {
  const outdir = mkdtempSync(join(tmpdir(), "sideline-cdk-"));
  const app = new App({
    outdir,
    context: { ...CDK_JSON.context, [BUNDLING_STACKS]: [], ...context },
    builtinCloudFormationValidation: false,
  });
  const config = buildConfig((k) => app.node.tryGetContext(k), environment, registry.modalities);
  const stacks = buildSideline(app, config, registry);
  if (nag)
    Validations.of(app).addPlugins(
      new AwsSolutionsChecks(app),
      new ServerlessChecks(app),
      new HIPAASecurityChecks(app),
    );
  return { app, config, stacks, outdir };
}

/** A template's resources, as `findResources` and `toJSON().Resources` return them. */
export type Resources = Record<
  string,
  { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string }
>;

/** Every stack's template, by the stack's name in SidelineStacks (pose is opt-in: see pose-app.ts; network too). */
export type Templates = Record<Exclude<keyof SidelineStacks, "pose" | "network">, Template>;

/** A scouts' role the dev app lets assume the ScoutDecider role (an example ARN: synth does not resolve it). */
export const EXAMPLE_SCOUT_DECIDER = "arn:aws:iam::123456789012:role/scouting-app";

/**
 * The dev app the stack tests assert on (alarms e-mail ops@example.com; the ScoutDecider role trusts
 * EXAMPLE_SCOUT_DECIDER), as one template per stack.
 */
export function devTemplates(): Templates {
  const s = buildApp({
    stage: "dev",
    alarmEmail: "ops@example.com",
    scoutDeciderPrincipals: [EXAMPLE_SCOUT_DECIDER],
  }).stacks;
  return {
    security: Template.fromStack(s.security),
    lakehouse: Template.fromStack(s.lakehouse),
    insights: Template.fromStack(s.insights),
    ingest: Template.fromStack(s.ingest),
    automation: Template.fromStack(s.automation),
    observability: Template.fromStack(s.observability),
  };
}

/**
 * Synthesizes the app with cdk-nag's AwsSolutions, Serverless and HIPAA Security packs and returns
 * the validation report: synth throws when a finding is not acknowledged and writes the report to
 * the output directory; "" when every finding is acknowledged. `extend` adds to the stacks before
 * synthesis (a test's deliberate finding). `environment` gives CDK_DEFAULT_ACCOUNT/REGION, as `cdk deploy`
 * does: account, region and partition are then literals in the finding ids.
 */
export function nagReport(
  context: Record<string, unknown>,
  registry: Registry = REGISTRY,
  extend: (stacks: SidelineStacks) => void = () => {},
  environment: NodeJS.ProcessEnv = {},
): string {
  const { app, stacks, outdir } = buildApp(context, true, registry, environment);
  extend(stacks);
  try {
    app.synth();
  } catch {
    return readFileSync(join(outdir, "validation-report.json"), "utf8");
  }
  return "";
}
