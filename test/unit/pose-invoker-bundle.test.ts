/**
 * The pose invoker's Lambda bundle, built with the house options (test/bench/bundle.ts) and sharp
 * kept external (a native module the function installs for Lambda's platform): it stays within the
 * size ceiling, carries no model (no TensorFlow.js, no weights: it only talks to the endpoint), and
 * imports cold with its environment.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { LAMBDA_BUNDLE_MAX_BYTES } from "../../lib/bundling.js";
import { BUNDLING, coldImport, LAMBDA_RUNTIME_ENV } from "../bench/bundle.js";
import { ROOT } from "../helpers/cli.js";

const ENTRY = "lambdas/functions/pose-invoker/index.ts";
const ENV = {
  POSE_STREAM_NAME: "sideline-pose",
  ENDPOINT_NAME: "sideline-pose",
  MODEL_ID: "movenet-singlepose-lightning",
  MODEL_VERSION: "4",
};
const THIS_NODE: Record<string, string> =
  Number(process.versions.node.split(".")[0]) < 22 ? { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" } : {};

describe("pose invoker bundle", () => {
  let outdir: string;
  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), "sideline-pose-bundle-"));
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it("builds without the model, within the size ceiling, and imports cold with its environment", async () => {
    // GIVEN the entry bundled as a Lambda, sharp external
    const file = join(outdir, "pose-invoker.mjs");
    await build({ ...BUNDLING, entryPoints: [join(ROOT, ENTRY)], outfile: file, external: ["sharp"] });
    // THEN it is small and holds neither TensorFlow.js nor the weights' package
    expect(statSync(file).size).toBeLessThanOrEqual(LAMBDA_BUNDLE_MAX_BYTES);
    const code = readFileSync(file, "utf8");
    expect(code).not.toMatch(/@tensorflow|tfjs|vladmandic|movenet-lightning\.bin/);
    // AND a fresh process imports it with the environment, sharp not loaded until a frame comes
    const imported = await coldImport(file, { ...LAMBDA_RUNTIME_ENV, ...THIS_NODE, ...ENV });
    expect(imported.exports).toEqual(["handler"]);
    expect(imported.stderr).toBe("");
    // AND without it the import fails, naming what is missing
    await expect(coldImport(file, { ...LAMBDA_RUNTIME_ENV, ...THIS_NODE })).rejects.toThrow(
      /invalid Lambda environment: POSE_STREAM_NAME is not set; ENDPOINT_NAME is not set/,
    );
  });
});
