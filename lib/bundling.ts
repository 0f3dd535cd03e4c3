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

/**
 * The most a function's bundle (index.mjs; its source map is loaded only with a stack trace) may
 * weigh: 1 MB. Lambda reads and compiles the whole bundle at every cold start, so its size is init
 * time; Lambda's own limit (50 MB zipped) is far above this house ceiling. The bundles are ~0.55
 * and ~0.75 MB today; test/infra/bundle.test.ts holds them to it.
 */
export const LAMBDA_BUNDLE_MAX_BYTES = 1_000_000;
