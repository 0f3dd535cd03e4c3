/**
 * How Lambda code is bundled, in one place: the CDK construct (SidelineFunction) and the benchmark
 * (`npm run bench`) both build from these, so the bench measures the bundle that is deployed.
 * ESM for Node.js 22, minified, with source maps, the AWS SDK bundled (pinned by package-lock.json).
 */
export const LAMBDA_BUNDLE = {
  target: "node22",
  minify: true,
  mainFields: ["module", "main"],
  /** CommonJS dependencies call require(); ESM bundles need it defined. */
  banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
} as const;
