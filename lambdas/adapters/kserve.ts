/**
 * The pose model's request contract, the same on the SageMaker Triton endpoint and on the local
 * inference server: the KServe v2 inference protocol (the Open Inference Protocol), in its JSON
 * form and in Triton's binary tensor form. Pure: bytes in, bytes out; the transports are the
 * adapters' (aws/sagemaker-pose.ts, local/http-pose-estimator.ts).
 *
 * The forms, as their specifications give them:
 * - JSON (KServe "Open Inference Protocol (V2)", REST): `{"inputs": [{"name", "shape", "datatype",
 *   "data"}], "outputs": [{"name"}]}`; `data` is the tensor flattened in row-major order. The
 *   response is `{"model_name", "model_version", "outputs": [{"name", "shape", "datatype", "data"}]}`;
 *   an error is `{"error": "<message>"}`.
 * - Binary (Triton's binary tensor data extension, which KServe adopted:
 *   https://docs.nvidia.com/deeplearning/triton-inference-server/user-guide/docs/protocol/extension_binary_data.html
 *   and https://kserve.github.io/website/docs/concepts/architecture/data-plane/v2-protocol/binary-tensor-data-extension):
 *   the JSON header, then each binary tensor's raw bytes in the order the header lists them,
 *   "little-endian byte order, row major, without stride or padding between elements". A binary
 *   input carries `"parameters": {"binary_data_size": <bytes>}` and no `data`; an output is asked
 *   for in binary with `"parameters": {"binary_data": true}` (or every output, with the request's
 *   `"parameters": {"binary_data_output": true}`), and comes back with its `binary_data_size`. Over
 *   plain HTTP the header's length travels in the `Inference-Header-Content-Length` header.
 * - SageMaker: InvokeEndpoint forwards no custom header, so SageMaker's Triton container takes the
 *   header's length in the content type, `application/vnd.sagemaker-triton.binary+json;json-header-size=<N>`,
 *   and answers with the same content type (its own N) when the response has binary outputs, else
 *   `application/json` (triton-inference-server/server, src/sagemaker_server.cc, `binary_mime_type_`
 *   and `SetResponseHeader`; AWS, "Model deployment with Triton Inference Server",
 *   https://docs.aws.amazon.com/sagemaker/latest/dg/deploy-models-frameworks-triton.html).
 *
 * The model, MoveNet single-pose Lightning v4 as TensorFlow Hub publishes it: model `movenet`, input
 * `input` INT32 [N, 192, 192, 3] (RGB, 0..255), output `output_0` FP32 [N, 1, 17, 3] (y, x, score per
 * COCO-17 keypoint, normalised to the crop). The published graph takes one crop at a time (N = 1);
 * a server that holds it runs the N crops of a request one by one.
 */

import { COCO17 } from "../contracts/records/pose.js";
import { averageFlipped, type CropKeypoints, fromMovenetOutput, mirrorPixels } from "../core/pose/keypoints.js";
import type { PoseEstimator } from "../ports.js";

/** A request or response that does not follow the protocol: the server answers 400 with its message. */
export class InferenceProtocolError extends Error {}

export const DATATYPES = ["INT32", "FP32", "UINT8"] as const;
export type Datatype = (typeof DATATYPES)[number];

const BYTES_PER_ELEMENT: Readonly<Record<Datatype, number>> = { INT32: 4, FP32: 4, UINT8: 1 };

export type TensorData = Int32Array | Float32Array | Uint8Array;

export interface InferTensor {
  readonly name: string;
  readonly datatype: Datatype;
  readonly shape: readonly number[];
  /** Row-major; Int32Array for INT32, Float32Array for FP32, Uint8Array for UINT8. */
  readonly data: TensorData;
}

export interface RequestedOutput {
  readonly name: string;
  /** Ask for this output as binary data. @default false */
  readonly binary?: boolean;
}

export interface InferRequest {
  readonly id?: string;
  readonly inputs: readonly InferTensor[];
  /** @default - every output, as JSON (or binary when binaryDataOutput) */
  readonly outputs?: readonly RequestedOutput[];
  /** The request's `parameters.binary_data_output`: every output as binary. @default false */
  readonly binaryDataOutput?: boolean;
}

export interface InferResponse {
  readonly model_name: string;
  readonly model_version?: string;
  readonly id?: string;
  readonly outputs: readonly InferTensor[];
}

/** An encoded request or response: the body, and the JSON header's length when the body is binary. */
export interface EncodedBody {
  readonly body: Buffer;
  /** Bytes of JSON before the binary tensors; null for the plain JSON form. */
  readonly headerLength: number | null;
}

/** SageMaker Triton's content type for a binary body, before the header's length. */
export const SAGEMAKER_TRITON_BINARY = "application/vnd.sagemaker-triton.binary+json;json-header-size=";
export const JSON_CONTENT_TYPE = "application/json";
/** The HTTP header that carries the JSON header's length on the KServe v2 endpoint (lower case, as Node reads it). */
export const INFERENCE_HEADER_LENGTH = "inference-header-content-length";

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function assertLittleEndian(): void {
  // Typed arrays use the host's byte order; the protocol's is little-endian (every Lambda and x86/Arm host).
  if (!LITTLE_ENDIAN) throw new Error("the binary tensor form needs a little-endian host");
}

/** Elements a shape holds. */
export const elementCount = (shape: readonly number[]): number => shape.reduce((n, d) => n * d, 1);

function typedArray(datatype: Datatype, n: number): TensorData {
  return datatype === "INT32" ? new Int32Array(n) : datatype === "FP32" ? new Float32Array(n) : new Uint8Array(n);
}

function assertTensor(t: InferTensor): void {
  const want = elementCount(t.shape);
  if (t.data.length !== want)
    throw new InferenceProtocolError(
      `tensor '${t.name}' of shape [${t.shape.join(",")}] holds ${want} elements, its data ${t.data.length}`,
    );
  const ok =
    t.datatype === "INT32"
      ? t.data instanceof Int32Array
      : t.datatype === "FP32"
        ? t.data instanceof Float32Array
        : t.data instanceof Uint8Array;
  if (!ok)
    throw new InferenceProtocolError(
      `tensor '${t.name}' is ${t.datatype} but its data is a ${t.data.constructor.name}`,
    );
}

const bytesOf = (data: TensorData): Buffer => Buffer.from(data.buffer, data.byteOffset, data.byteLength);

/** A tensor's JSON header entry, keys in the protocol's order; `binary` puts its size in place of data. */
function tensorJson(t: InferTensor, binary: boolean): Record<string, unknown> {
  const head = { name: t.name, shape: [...t.shape], datatype: t.datatype };
  return binary
    ? { ...head, parameters: { binary_data_size: t.data.byteLength } }
    : { ...head, data: Array.from(t.data) };
}

function encode(header: Record<string, unknown>, binaries: readonly TensorData[]): EncodedBody {
  const json = Buffer.from(JSON.stringify(header), "utf8");
  if (binaries.length === 0) return { body: json, headerLength: null };
  assertLittleEndian();
  return { body: Buffer.concat([json, ...binaries.map(bytesOf)]), headerLength: json.length };
}

/** A request in the JSON form (`binary: false`) or with every input as binary data. */
export function encodeRequest(req: InferRequest, form: { readonly binary: boolean }): EncodedBody {
  for (const t of req.inputs) assertTensor(t);
  const header: Record<string, unknown> = {};
  if (req.id !== undefined) header.id = req.id;
  if (req.binaryDataOutput) header.parameters = { binary_data_output: true };
  header.inputs = req.inputs.map((t) => tensorJson(t, form.binary));
  if (req.outputs)
    header.outputs = req.outputs.map((o) =>
      o.binary ? { name: o.name, parameters: { binary_data: true } } : { name: o.name },
    );
  return encode(header, form.binary ? req.inputs.map((t) => t.data) : []);
}

/** A response; the outputs named in `binary` go as binary data, the others as JSON. */
export function encodeResponse(res: InferResponse, binary: ReadonlySet<string> = new Set()): EncodedBody {
  for (const t of res.outputs) assertTensor(t);
  const header: Record<string, unknown> = { model_name: res.model_name };
  if (res.model_version !== undefined) header.model_version = res.model_version;
  if (res.id !== undefined) header.id = res.id;
  header.outputs = res.outputs.map((t) => tensorJson(t, binary.has(t.name)));
  return encode(
    header,
    res.outputs.filter((t) => binary.has(t.name)).map((t) => t.data),
  );
}

/** The content type SageMaker's Triton container takes (and answers with) for an encoded body. */
export const sagemakerContentType = (e: EncodedBody): string =>
  e.headerLength === null ? JSON_CONTENT_TYPE : `${SAGEMAKER_TRITON_BINARY}${e.headerLength}`;

/**
 * The JSON header's length from a content type: N for SageMaker Triton's binary type, null for any
 * other (the whole body is JSON). Throws when the binary type's N is not a whole number.
 */
export function headerLengthFromContentType(contentType: string | undefined): number | null {
  const ct = (contentType ?? "").trim();
  if (!ct.toLowerCase().startsWith(SAGEMAKER_TRITON_BINARY)) return null;
  return parseHeaderLength(ct.slice(SAGEMAKER_TRITON_BINARY.length), "json-header-size");
}

/** A header length as text (a content type parameter or Inference-Header-Content-Length) as a number. */
export function parseHeaderLength(text: string, what: string): number {
  if (!/^\d{1,10}$/.test(text.trim()))
    throw new InferenceProtocolError(`${what} must be the JSON header's length in bytes, got '${text}'`);
  return Number(text.trim());
}

// ---- decoding ----

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function parseHeader(body: Uint8Array, headerLength: number | null): { header: Json; rest: Uint8Array } {
  const n = headerLength ?? body.length;
  if (n > body.length)
    throw new InferenceProtocolError(`the JSON header is ${n} bytes but the body only ${body.length}`);
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(body.buffer, body.byteOffset, n).toString("utf8"));
  } catch (e) {
    throw new InferenceProtocolError(
      `the ${headerLength === null ? "body" : `${n}-byte JSON header`} is not JSON: ${(e as Error).message}`,
    );
  }
  if (!isObject(header)) throw new InferenceProtocolError("the JSON header must be an object");
  return { header, rest: body.subarray(n) };
}

function tensorFrom(entry: unknown, where: string, binary: { rest: Uint8Array; offset: number }): InferTensor {
  if (!isObject(entry)) throw new InferenceProtocolError(`${where} must be an object`);
  const { name, datatype, shape, data, parameters } = entry;
  if (typeof name !== "string" || name === "")
    throw new InferenceProtocolError(`${where}.name must be a non-empty string`);
  const at = `${where} '${name}'`;
  if (!DATATYPES.includes(datatype as Datatype))
    throw new InferenceProtocolError(
      `${at}: datatype ${JSON.stringify(datatype)} is not supported: expected ${DATATYPES.join(", ")}`,
    );
  const dt = datatype as Datatype;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw new InferenceProtocolError(`${at}: shape must be an array of whole numbers >= 0`);
  const count = elementCount(shape as number[]);
  const size = isObject(parameters) ? parameters.binary_data_size : undefined;
  const out = typedArray(dt, count);
  if (size !== undefined) {
    if (!Number.isSafeInteger(size) || (size as number) < 0)
      throw new InferenceProtocolError(`${at}: parameters.binary_data_size must be a whole number of bytes`);
    const want = count * BYTES_PER_ELEMENT[dt];
    if (size !== want)
      throw new InferenceProtocolError(
        `${at}: binary_data_size is ${size} bytes, but ${dt} [${shape.join(",")}] is ${want}`,
      );
    if (binary.offset + want > binary.rest.length)
      throw new InferenceProtocolError(
        `${at}: the body ends ${binary.offset + want - binary.rest.length} bytes before its binary data does`,
      );
    assertLittleEndian();
    new Uint8Array(out.buffer).set(binary.rest.subarray(binary.offset, binary.offset + want));
    binary.offset += want;
  } else {
    if (!Array.isArray(data)) throw new InferenceProtocolError(`${at}: needs data, or parameters.binary_data_size`);
    const flat = data.flat(Number.POSITIVE_INFINITY) as unknown[];
    if (flat.length !== count)
      throw new InferenceProtocolError(
        `${at}: shape [${shape.join(",")}] holds ${count} elements, data ${flat.length}`,
      );
    for (let i = 0; i < count; i++) {
      const v = flat[i];
      if (typeof v !== "number" || !Number.isFinite(v) || (dt !== "FP32" && !Number.isInteger(v)))
        throw new InferenceProtocolError(
          `${at}: data[${i}] = ${JSON.stringify(v)} is not ${dt === "FP32" ? "a number" : "an integer"}`,
        );
      out[i] = v;
    }
  }
  return { name, datatype: dt, shape: shape as number[], data: out };
}

function tensorsFrom(list: unknown, what: string, binary: { rest: Uint8Array; offset: number }): InferTensor[] {
  if (!Array.isArray(list) || list.length === 0) throw new InferenceProtocolError(`${what} must be a non-empty array`);
  return list.map((e, i) => tensorFrom(e, `${what}[${i}]`, binary));
}

function assertAllRead(binary: { rest: Uint8Array; offset: number }): void {
  if (binary.offset !== binary.rest.length)
    throw new InferenceProtocolError(
      `the body has ${binary.rest.length - binary.offset} bytes after its tensors: check binary_data_size and the header length`,
    );
}

/** A request body in either form: `headerLength` null for JSON. Throws InferenceProtocolError, naming what is wrong. */
export function decodeRequest(body: Uint8Array, headerLength: number | null): InferRequest {
  const { header, rest } = parseHeader(body, headerLength);
  const binary = { rest, offset: 0 };
  const inputs = tensorsFrom(header.inputs, "inputs", binary);
  assertAllRead(binary);
  let outputs: RequestedOutput[] | undefined;
  if (header.outputs !== undefined) {
    if (!Array.isArray(header.outputs)) throw new InferenceProtocolError("outputs must be an array");
    outputs = header.outputs.map((o, i) => {
      if (!isObject(o) || typeof o.name !== "string")
        throw new InferenceProtocolError(`outputs[${i}].name must be a string`);
      return { name: o.name, binary: isObject(o.parameters) && o.parameters.binary_data === true };
    });
  }
  const id = typeof header.id === "string" ? header.id : undefined;
  const binaryDataOutput = isObject(header.parameters) && header.parameters.binary_data_output === true;
  return { ...(id === undefined ? {} : { id }), inputs, ...(outputs ? { outputs } : {}), binaryDataOutput };
}

/** A response body in either form. Throws InferenceProtocolError, or the server's own `{"error"}`. */
export function decodeResponse(body: Uint8Array, headerLength: number | null): InferResponse {
  const { header, rest } = parseHeader(body, headerLength);
  if (typeof header.error === "string") throw new InferenceProtocolError(`the model server answered: ${header.error}`);
  const binary = { rest, offset: 0 };
  const outputs = tensorsFrom(header.outputs, "outputs", binary);
  assertAllRead(binary);
  if (typeof header.model_name !== "string") throw new InferenceProtocolError("the response has no model_name");
  return {
    model_name: header.model_name,
    ...(typeof header.model_version === "string" ? { model_version: header.model_version } : {}),
    ...(typeof header.id === "string" ? { id: header.id } : {}),
    outputs,
  };
}

// ---- the MoveNet contract ----

/** The model and tensor names of the contract, and MoveNet Lightning's input side. */
export const MOVENET = {
  model: "movenet",
  input: "input",
  output: "output_0",
  /** Crops are size × size RGB. */
  size: 192,
  channels: 3,
} as const;

/** Bytes of one crop on the wire: INT32 [192, 192, 3]. */
export const MOVENET_CROP_BYTES = MOVENET.size * MOVENET.size * MOVENET.channels * BYTES_PER_ELEMENT.INT32;

/** InvokeEndpoint's limit on a request body (SageMaker Runtime API reference: Body, 6 MB). */
export const MAX_REQUEST_BYTES = 6 * 1024 * 1024;

/** Room kept for the JSON header in a request's byte budget. */
const HEADER_ALLOWANCE = 4096;

/** Most crops in one binary request within MAX_REQUEST_BYTES: 14 of 442,368 bytes each. */
export const MAX_CROPS_PER_REQUEST = Math.floor((MAX_REQUEST_BYTES - HEADER_ALLOWANCE) / MOVENET_CROP_BYTES);

const CROP_LENGTH = MOVENET.size * MOVENET.size * MOVENET.channels;

/** The request for `crops` (each 192 × 192 RGB bytes, row-major), output asked for in binary. */
export function movenetRequest(crops: readonly Uint8Array[]): InferRequest {
  if (crops.length === 0) throw new Error("a movenet request needs at least one crop");
  const data = new Int32Array(crops.length * CROP_LENGTH);
  crops.forEach((c, i) => {
    if (c.length !== CROP_LENGTH)
      throw new Error(`crop ${i} has ${c.length} bytes, expected ${CROP_LENGTH} (${MOVENET.size}×${MOVENET.size} RGB)`);
    data.set(c, i * CROP_LENGTH);
  });
  return {
    inputs: [
      {
        name: MOVENET.input,
        datatype: "INT32",
        shape: [crops.length, MOVENET.size, MOVENET.size, MOVENET.channels],
        data,
      },
    ],
    outputs: [{ name: MOVENET.output, binary: true }],
  };
}

/** The crops of a decoded request, checked against the contract: INT32 [N, 192, 192, 3], values 0..255. */
export function movenetInput(req: InferRequest): { readonly n: number; readonly data: Int32Array } {
  const input = req.inputs.find((t) => t.name === MOVENET.input);
  const others = req.inputs.filter((t) => t.name !== MOVENET.input).map((t) => `'${t.name}'`);
  if (!input || others.length > 0)
    throw new InferenceProtocolError(
      `movenet takes one input named '${MOVENET.input}'${others.length ? `, not ${others.join(", ")}` : ""}`,
    );
  const [n, h, w, c] = input.shape;
  if (input.shape.length !== 4 || h !== MOVENET.size || w !== MOVENET.size || c !== MOVENET.channels || !n)
    throw new InferenceProtocolError(
      `input '${MOVENET.input}' must be [N, ${MOVENET.size}, ${MOVENET.size}, ${MOVENET.channels}] with N >= 1 (RGB crops), got [${input.shape.join(",")}]`,
    );
  if (input.datatype !== "INT32")
    throw new InferenceProtocolError(
      `input '${MOVENET.input}' must be INT32 (the model's own input type), got ${input.datatype}`,
    );
  const data = input.data as Int32Array;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < 0 || v > 255)
      throw new InferenceProtocolError(`input '${MOVENET.input}' element ${i} is ${v}: pixels are 0..255`);
  }
  if (req.outputs?.some((o) => o.name !== MOVENET.output))
    throw new InferenceProtocolError(`movenet has one output, '${MOVENET.output}'`);
  return { n, data };
}

/** The response holding `values` ([n, 1, 17, 3] y, x, score) for n crops. */
export function movenetResponse(values: Float32Array, n: number, version: string, id?: string): InferResponse {
  return {
    model_name: MOVENET.model,
    model_version: version,
    ...(id === undefined ? {} : { id }),
    outputs: [{ name: MOVENET.output, datatype: "FP32", shape: [n, 1, COCO17.length, 3], data: values }],
  };
}

/** The keypoints of a decoded response for n crops, checked against the contract. */
export function movenetKeypoints(res: InferResponse, n: number): CropKeypoints[] {
  const out = res.outputs.find((t) => t.name === MOVENET.output);
  if (!out) throw new InferenceProtocolError(`the response has no output '${MOVENET.output}'`);
  const want = [n, 1, COCO17.length, 3];
  if (out.datatype !== "FP32" || out.shape.join(",") !== want.join(","))
    throw new InferenceProtocolError(
      `output '${MOVENET.output}' must be FP32 [${want.join(",")}], got ${out.datatype} [${out.shape.join(",")}]`,
    );
  return fromMovenetOutput(out.data, n);
}

// ---- the estimator over any transport ----

/** One round trip to the model server: a body and its content type out, the same back. */
export type InferenceTransport = (request: {
  readonly body: Buffer;
  readonly contentType: string;
}) => Promise<{ readonly body: Uint8Array; readonly contentType: string | undefined }>;

export interface KserveEstimatorOptions {
  /** Crops per request (each 442,368 bytes on the wire). @default MAX_CROPS_PER_REQUEST (14, within InvokeEndpoint's 6 MB) */
  readonly maxCropsPerRequest?: number;
  /**
   * Estimate each crop and its mirror image and average them (the horizontal flip test, see
   * core/pose/keypoints.ts): more accurate, twice the model's work. @default true
   */
  readonly flipTest?: boolean;
  /** Requests in flight at once (a SageMaker endpoint serves them in parallel). @default 1 */
  readonly concurrency?: number;
}

/**
 * The PoseEstimator over the contract: crops go as one binary request (SageMaker Triton's content
 * type) per MAX_CROPS_PER_REQUEST, in order, and the keypoints come back per crop. The AWS adapter
 * sends the bytes with InvokeEndpoint, the local one over HTTP to the local server: the same bytes.
 */
export class KservePoseEstimator implements PoseEstimator {
  private readonly maxCrops: number;
  private readonly flipTest: boolean;
  private readonly concurrency: number;

  constructor(
    private readonly transport: InferenceTransport,
    options: KserveEstimatorOptions = {},
  ) {
    this.maxCrops = options.maxCropsPerRequest ?? MAX_CROPS_PER_REQUEST;
    if (!Number.isInteger(this.maxCrops) || this.maxCrops < 1 || this.maxCrops > MAX_CROPS_PER_REQUEST)
      throw new Error(
        `maxCropsPerRequest must be a whole number from 1 to ${MAX_CROPS_PER_REQUEST}, got ${this.maxCrops}`,
      );
    this.flipTest = options.flipTest ?? true;
    this.concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1)
      throw new Error(`concurrency must be a whole number of at least 1, got ${this.concurrency}`);
  }

  async estimate(crops: readonly Uint8Array[]): Promise<CropKeypoints[]> {
    if (crops.length === 0) return [];
    const all = this.flipTest ? [...crops, ...crops.map((c) => mirrorPixels(c, MOVENET.size))] : crops;
    const chunks: (readonly Uint8Array[])[] = [];
    for (let i = 0; i < all.length; i += this.maxCrops) chunks.push(all.slice(i, i + this.maxCrops));
    const results: CropKeypoints[][] = new Array(chunks.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < chunks.length; i = next++) results[i] = await this.request(chunks[i]!);
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, chunks.length) }, worker));
    const found = results.flat();
    if (!this.flipTest) return found;
    return crops.map((_, i) => averageFlipped(found[i]!, found[crops.length + i]!));
  }

  private async request(crops: readonly Uint8Array[]): Promise<CropKeypoints[]> {
    const encoded = encodeRequest(movenetRequest(crops), { binary: true });
    const res = await this.transport({ body: encoded.body, contentType: sagemakerContentType(encoded) });
    return movenetKeypoints(decodeResponse(res.body, headerLengthFromContentType(res.contentType)), crops.length);
  }
}
