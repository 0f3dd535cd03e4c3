/**
 * The Lambda bundles, built exactly as the CDK construct builds them (esbuild, ESM, node22, minified,
 * source maps, the AWS SDK bundled so its version is pinned by package-lock.json).
 */
import { type BuildOptions, build } from "esbuild";

export const LAMBDA_ENTRIES = {
  "tracking-features": "lambdas/tracking-features/index.ts",
} as const;

/** esbuild options shared by the bench and the CDK construct. */
export const BUNDLING: BuildOptions = {
  bundle: true,
  platform: "node",
  target: "node22",
  format: "esm",
  minify: true,
  sourcemap: "external",
  mainFields: ["module", "main"],
  // CommonJS dependencies call require(); ESM bundles need it defined.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: "silent",
};

export async function bundle(entry: string, outfile: string): Promise<void> {
  await build({ ...BUNDLING, entryPoints: [entry], outfile });
}
