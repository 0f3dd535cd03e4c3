/**
 * The local pose models, loaded once from node_modules (nothing is downloaded): MoveNet single-pose
 * Lightning v4 (TensorFlow Hub, Apache-2.0) and the CenterNet person detector, both as converted to
 * TensorFlow.js graph models by @vladmandic/human (MIT), run by TensorFlow.js on its WebAssembly
 * backend (SIMD; one thread in Node.js).
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { type GraphModel, loadGraphModel } from "@tensorflow/tfjs-converter";
import * as tf from "@tensorflow/tfjs-core";

const require = createRequire(import.meta.url);

/** Where @vladmandic/human keeps its model files (its package main is dist/human.node.js). */
export const HUMAN_MODELS_DIR = join(dirname(require.resolve("@vladmandic/human")), "..", "models");

let backend: Promise<void> | null = null;

/** TensorFlow.js on the WebAssembly backend, its .wasm files read from node_modules; once per process. */
export function tfReady(): Promise<void> {
  backend ??= (async () => {
    setWasmPaths(`${dirname(require.resolve("@tensorflow/tfjs-backend-wasm"))}/`);
    if (!(await tf.setBackend("wasm"))) throw new Error("TensorFlow.js could not start its WebAssembly backend");
    await tf.ready();
  })();
  return backend;
}

/** A TensorFlow.js graph model from its model.json and weights file (one shard) in HUMAN_MODELS_DIR. */
export async function loadBundledModel(name: "movenet-lightning" | "centernet"): Promise<GraphModel> {
  await tfReady();
  const file = join(HUMAN_MODELS_DIR, `${name}.json`);
  let json: {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    format?: string;
    generatedBy?: string;
    convertedBy?: string;
    signature?: object;
  };
  let weights: Buffer[];
  try {
    json = JSON.parse(await readFile(file, "utf8"));
    weights = await Promise.all(
      json.weightsManifest.flatMap((g) => g.paths).map((p) => readFile(join(HUMAN_MODELS_DIR, p))),
    );
  } catch (e) {
    throw new Error(
      `cannot read the ${name} model from ${HUMAN_MODELS_DIR} (${(e as Error).message.split("\n")[0]}): run npm install; the weights ship in @vladmandic/human`,
    );
  }
  const data = Buffer.concat(weights);
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    signature: json.signature,
  };
  return loadGraphModel(tf.io.fromMemory(artifacts));
}
