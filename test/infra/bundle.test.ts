/**
 * The Lambda bundles, built once with the house options (lib/bundling.ts) as SidelineFunction builds
 * them: the infra tests synthesize without bundling (see app.ts), so this is where a bundle that does
 * not build, grows past its ceiling, or fails at import is caught.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LAMBDA_BUNDLE_MAX_BYTES } from "../../lib/bundling.js";
import { PROJECT_ROOT } from "../../lib/constructs/sideline-function.js";
import {
  bundle,
  coldImport,
  LAMBDA_ENTRIES,
  LAMBDA_IMPORT_ENV,
  LAMBDA_NATIVE_MODULES,
  LAMBDA_RUNTIME_ENV,
  type LambdaName,
} from "../bench/bundle.js";

/**
 * The bundles target Lambda's nodejs22.x; on an older Node.js here, the AWS SDK warns once at import
 * about this machine's Node.js, not about the bundle: that one warning is switched off by its own
 * variable, so any other output still fails the test.
 */
const THIS_NODE: Record<string, string> =
  Number(process.versions.node.split(".")[0]) < 22 ? { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" } : {};

describe("Lambda bundles", () => {
  let outdir: string;
  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), "sideline-bundle-"));
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it("lists every function under lambdas/functions", () => {
    const functions = readdirSync(join(PROJECT_ROOT, "lambdas/functions"), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => `lambdas/functions/${d.name}/index.ts`)
      .sort();
    expect(Object.values(LAMBDA_ENTRIES).sort()).toEqual(functions);
  });

  it.each(Object.keys(LAMBDA_ENTRIES) as LambdaName[])(
    "%s builds, stays within the size ceiling, and imports cold with its environment",
    async (name) => {
      // GIVEN the entry, bundled as SidelineFunction bundles it
      const file = join(outdir, `${name}.mjs`);
      await bundle(join(PROJECT_ROOT, LAMBDA_ENTRIES[name]), file, LAMBDA_NATIVE_MODULES[name]);
      expect(statSync(file).size).toBeLessThanOrEqual(LAMBDA_BUNDLE_MAX_BYTES);
      // no model goes into a Lambda: no TensorFlow.js, no weights (pose inference is the endpoint's)
      expect(readFileSync(file, "utf8")).not.toMatch(/@tensorflow|tfjs-core|vladmandic|movenet-lightning\.bin/);

      // WHEN a fresh process imports it with the environment its stack sets
      const imported = await coldImport(file, { ...LAMBDA_RUNTIME_ENV, ...THIS_NODE, ...LAMBDA_IMPORT_ENV[name] });

      // THEN the handler is exported and nothing was printed
      expect(imported.exports).toEqual(["handler"]);
      expect(imported.stderr).toBe("");
      // AND without that environment the import fails, naming what is missing
      await expect(coldImport(file, { ...LAMBDA_RUNTIME_ENV, ...THIS_NODE })).rejects.toThrow(
        /invalid Lambda environment: \w+ is not set/,
      );
    },
  );
});
