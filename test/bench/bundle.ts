/**
 * The Lambda bundles, built exactly as the CDK construct builds them (esbuild, ESM, node22, minified,
 * linked source maps, the AWS SDK bundled so its version is pinned by package-lock.json), and a cold
 * import of one. Shared by the bench (`npm run bench`: sizes, init times) and the bundle test
 * (test/infra/bundle.test.ts: each bundle builds, stays small, imports), so both see the deployed bundle.
 */
import { execFile } from "node:child_process";
import { type BuildOptions, build } from "esbuild";
import { POSE, TRACKING, WEARABLES } from "../../lambdas/contracts/modalities.js";
import { WORKFLOW_TASK_TABLES } from "../../lambdas/contracts/tables/index.js";
import { LAMBDA_BUNDLE } from "../../lib/bundling.js";
import { POSE_INVOKER_DEFAULTS } from "../../lib/constructs/pose-invoker.js";

export const LAMBDA_ENTRIES = {
  "tracking-features": TRACKING.extractor.entry,
  "pose-biomechanics": POSE.extractor.entry,
  "wearable-load": WEARABLES.extractor.entry,
  "workflow-tasks": "lambdas/functions/workflow-tasks/index.ts",
  "workflow-starter": "lambdas/functions/workflow-starter/index.ts",
  "pose-invoker": "lambdas/functions/pose-invoker/index.ts",
  "iceberg-table": "lambdas/functions/iceberg-table/index.ts",
} as const;
export type LambdaName = keyof typeof LAMBDA_ENTRIES;

/** The esbuild options SidelineFunction uses (lib/bundling.ts), for a bundle built outside CDK. */
export const BUNDLING: BuildOptions = {
  bundle: true,
  platform: "node",
  target: LAMBDA_BUNDLE.target,
  format: "esm",
  minify: LAMBDA_BUNDLE.minify,
  // NodejsFunction's sourceMap: true is esbuild's --sourcemap: a .map file, linked from the bundle.
  sourcemap: true,
  mainFields: [...LAMBDA_BUNDLE.mainFields],
  banner: { js: LAMBDA_BUNDLE.banner },
  logLevel: "silent",
};

/** Native modules each function installs beside its bundle instead of bundling (SidelineFunction's nativeModules). */
export const LAMBDA_NATIVE_MODULES: Readonly<Partial<Record<LambdaName, readonly string[]>>> = {
  "pose-invoker": POSE_INVOKER_DEFAULTS.nativeModules,
};

export async function bundle(entry: string, outfile: string, external: readonly string[] = []): Promise<void> {
  await build({ ...BUNDLING, entryPoints: [entry], outfile, external: [...external] });
}

/**
 * What every function's environment holds: Lambda's own AWS_REGION, and SidelineFunction's source
 * maps and Powertools settings; tracing off, as there is no X-Ray daemon here.
 */
export const LAMBDA_RUNTIME_ENV: Readonly<Record<string, string>> = {
  AWS_REGION: "eu-west-1",
  NODE_OPTIONS: "--enable-source-maps",
  POWERTOOLS_METRICS_NAMESPACE: "Sideline",
  POWERTOOLS_LOG_LEVEL: "INFO",
  POWERTOOLS_TRACE_ENABLED: "false",
};

/** DELIVERY_STREAMS as the stacks render it: table name -> delivery stream name. */
const streams = (tables: readonly string[]) =>
  JSON.stringify(Object.fromEntries(tables.map((t) => [t, `sideline-${t}`])));

/**
 * What each function reads at import, as its stack sets it (see each entry's doc comment), with
 * stand-in values: a missing variable fails the import.
 */
export const LAMBDA_IMPORT_ENV: Readonly<Record<LambdaName, Readonly<Record<string, string>>>> = {
  "tracking-features": {
    DELIVERY_STREAMS: streams(TRACKING.tables.map((t) => t.name)),
    EVENT_BUS_NAME: "bus",
    STATE_TABLE_NAME: "state",
    VISUALS_BUCKET: "visuals",
    WINDOW_SECONDS: "60",
  },
  "pose-biomechanics": {
    DELIVERY_STREAMS: streams(POSE.tables.map((t) => t.name)),
    EVENT_BUS_NAME: "bus",
    STATE_TABLE_NAME: "state",
    VISUALS_BUCKET: "visuals",
    WINDOW_SECONDS: "60",
  },
  "wearable-load": {
    DELIVERY_STREAMS: streams(WEARABLES.tables.map((t) => t.name)),
    EVENT_BUS_NAME: "bus",
    STATE_TABLE_NAME: "state",
    VISUALS_BUCKET: "visuals",
    WINDOW_SECONDS: "60",
  },
  "workflow-tasks": {
    DELIVERY_STREAMS: streams(WORKFLOW_TASK_TABLES),
    STATE_TABLE_NAME: "state",
    MEDICAL_COOLDOWN_HOURS: "12",
  },
  "workflow-starter": {
    STATE_MACHINES: JSON.stringify({
      scouting: "arn:aws:states:eu-west-1:111122223333:stateMachine:sideline-scouting-dev",
      "medical-alert": "arn:aws:states:eu-west-1:111122223333:stateMachine:sideline-medical-alert-dev",
    }),
  },
  "pose-invoker": {
    POSE_STREAM_NAME: "sideline-pose-dev",
    ENDPOINT_NAME: "sideline-pose-dev",
    MODEL_ID: "movenet-singlepose-lightning",
    MODEL_VERSION: "4",
  },
  "iceberg-table": { DATABASE_NAME: "sideline_dev" },
};

export interface ColdImport {
  /** Milliseconds from the import's start to its end, in the child process. */
  readonly ms: number;
  /** The names the bundle exports. */
  readonly exports: readonly string[];
  readonly stderr: string;
}

/**
 * Imports a bundle in a fresh Node.js process whose environment is `env` and PATH only (nothing
 * inherited, NODE_OPTIONS included), as a cold start does. Rejects with the child's stderr if the
 * import throws.
 */
export function coldImport(file: string, env: Readonly<Record<string, string>>): Promise<ColdImport> {
  const script =
    `const t = performance.now(); const m = await import(${JSON.stringify(file)});` +
    "console.log(JSON.stringify({ ms: performance.now() - t, exports: Object.keys(m) }));";
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", script],
      { env: { PATH: process.env.PATH ?? "", ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`importing ${file} failed: ${stderr || error.message}`));
        else resolve({ ...(JSON.parse(stdout) as Omit<ColdImport, "stderr">), stderr });
      },
    );
  });
}
