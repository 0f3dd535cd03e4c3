#!/usr/bin/env node
// The `sideline` CLI. Runs the TypeScript sources through tsx, so `npx sideline` works right after
// `npm install`, with no build step. Local-runtime defaults are set before any module loads.
process.env.POWERTOOLS_METRICS_DISABLED ??= "true"; // EMF goes to CloudWatch in Lambda; locally the summary reports
process.env.POWERTOOLS_LOG_LEVEL ??= "ERROR"; // quarantine warnings are counted in the summary; --verbose shows them
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
if (process.argv.includes("--verbose")) process.env.POWERTOOLS_LOG_LEVEL = "WARN";

const { register } = await import("tsx/esm/api");
register();
const { main } = await import("../local/cli/index.ts");
process.exitCode = await main(process.argv.slice(2));
