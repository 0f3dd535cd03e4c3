/**
 * The Lambda bundles, built exactly as the CDK construct builds them (esbuild, ESM, node22, minified,
 * source maps, the AWS SDK bundled so its version is pinned by package-lock.json).
 */
import { type BuildOptions, build } from "esbuild";
import { LAMBDA_BUNDLE } from "../../lib/bundling.js";

export const LAMBDA_ENTRIES = {
  "tracking-features": "lambdas/functions/tracking-features/index.ts",
  "workflow-tasks": "lambdas/functions/workflow-tasks/index.ts",
} as const;

/** The esbuild options SidelineFunction uses (lib/bundling.ts), for a bundle built outside CDK. */
export const BUNDLING: BuildOptions = {
  bundle: true,
  platform: "node",
  target: LAMBDA_BUNDLE.target,
  format: "esm",
  minify: LAMBDA_BUNDLE.minify,
  sourcemap: "external",
  mainFields: [...LAMBDA_BUNDLE.mainFields],
  banner: { js: LAMBDA_BUNDLE.banner },
  logLevel: "silent",
};

export async function bundle(entry: string, outfile: string): Promise<void> {
  await build({ ...BUNDLING, entryPoints: [entry], outfile });
}
