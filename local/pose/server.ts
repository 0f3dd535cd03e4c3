/**
 * The local inference server: what the SageMaker Triton endpoint is in the cloud, on 127.0.0.1,
 * with the same request contract (lambdas/adapters/kserve.ts). It answers
 *   GET  /ping                              SageMaker's health check: 200 once the model is loaded
 *   POST /invocations                       SageMaker's inference path: KServe v2 JSON (application/json)
 *                                           or binary (application/vnd.sagemaker-triton.binary+json;json-header-size=N)
 *   GET  /v2, /v2/health/live, /v2/health/ready            KServe v2 server metadata and health
 *   GET  /v2/models/movenet[/versions/4], .../ready        model metadata and readiness
 *   POST /v2/models/movenet[/versions/4]/infer             KServe v2 JSON, or binary with the
 *                                                          Inference-Header-Content-Length header
 * Errors are KServe's `{"error": "<message>"}`: 400 for a request outside the contract (the message
 * says what is wrong), 404 for an unknown path or model, 405 for a wrong method, 413 over the size
 * limit (InvokeEndpoint's own 6 MB, so a request that works here fits the endpoint), 415 for a body
 * type /invocations does not take, 500 when the model fails. The model is loaded once, before the
 * server listens; requests run on it one at a time.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  decodeRequest,
  encodeResponse,
  headerLengthFromContentType,
  INFERENCE_HEADER_LENGTH,
  InferenceProtocolError,
  type InferenceTransport,
  JSON_CONTENT_TYPE,
  MAX_REQUEST_BYTES,
  MOVENET,
  movenetInput,
  movenetResponse,
  parseHeaderLength,
  SAGEMAKER_TRITON_BINARY,
  sagemakerContentType,
} from "../../lambdas/adapters/kserve.js";
import { COCO17 } from "../../lambdas/contracts/records/pose.js";
import { MOVENET_MODEL_VERSION } from "./movenet.js";

/** What the server runs: MovenetModel, or a stand-in in tests. */
export interface PoseModelRunner {
  /** INT32 [n, 192, 192, 3] in, FP32 [n, 1, 17, 3] out. */
  infer(data: Int32Array, n: number): Promise<Float32Array>;
}

/** Most crops one request may carry: a frame of many players, each with its mirror image. */
export const MAX_CROPS_PER_SERVER_REQUEST = 64;

/** One HTTP exchange, without the socket: what the routes see and answer. */
export interface InferenceHttpRequest {
  readonly method: string;
  /** The path, without the query string. */
  readonly path: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Uint8Array;
}

export interface InferenceHttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

const json = (status: number, value: unknown, headers: Record<string, string> = {}): InferenceHttpResponse => ({
  status,
  headers: { "content-type": JSON_CONTENT_TYPE, ...headers },
  body: Buffer.from(JSON.stringify(value), "utf8"),
});

const empty = (status: number): InferenceHttpResponse => ({ status, headers: {}, body: Buffer.alloc(0) });

/** The model's KServe v2 metadata; -1 marks the batch dimension, which may be any N. */
export const MOVENET_METADATA = {
  name: MOVENET.model,
  versions: [MOVENET_MODEL_VERSION],
  platform: "tensorflowjs_graph",
  inputs: [{ name: MOVENET.input, datatype: "INT32", shape: [-1, MOVENET.size, MOVENET.size, MOVENET.channels] }],
  outputs: [{ name: MOVENET.output, datatype: "FP32", shape: [-1, 1, COCO17.length, 3] }],
} as const;

const SERVER_METADATA = { name: "sideline-pose", version: "1", extensions: ["binary_tensor_data"] } as const;

const MODEL_PATH = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/ready|\/infer)?$/;

function allow(req: InferenceHttpRequest, method: "GET" | "POST"): void {
  if (req.method !== method)
    throw new HttpError(405, `${req.path} takes ${method}, not ${req.method}`, { allow: method });
}

/**
 * The server's routes as a function of one request, shared by the HTTP server and by callers in
 * this process (`sideline pose`), so both go through the same contract.
 */
export function inferenceRoutes(model: PoseModelRunner): (req: InferenceHttpRequest) => Promise<InferenceHttpResponse> {
  let queue: Promise<unknown> = Promise.resolve();
  const run = (data: Int32Array, n: number): Promise<Float32Array> => {
    const next = queue.then(() => model.infer(data, n));
    queue = next.catch(() => undefined);
    return next;
  };

  async function infer(req: InferenceHttpRequest, sagemaker: boolean): Promise<InferenceHttpResponse> {
    allow(req, "POST");
    const contentType = req.headers["content-type"];
    let headerLength: number | null;
    if (sagemaker) {
      const ct = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
      if (ct !== JSON_CONTENT_TYPE && ct !== SAGEMAKER_TRITON_BINARY.split(";")[0])
        throw new HttpError(
          415,
          `/invocations takes ${JSON_CONTENT_TYPE} or ${SAGEMAKER_TRITON_BINARY}<header bytes>, got '${contentType ?? ""}'`,
        );
      headerLength = headerLengthFromContentType(contentType);
    } else {
      const h = req.headers[INFERENCE_HEADER_LENGTH];
      headerLength = h === undefined ? null : parseHeaderLength(h, "Inference-Header-Content-Length");
    }
    const request = decodeRequest(req.body, headerLength);
    const { n, data } = movenetInput(request);
    if (n > MAX_CROPS_PER_SERVER_REQUEST)
      throw new InferenceProtocolError(`a request may carry at most ${MAX_CROPS_PER_SERVER_REQUEST} crops, got ${n}`);
    let values: Float32Array;
    try {
      values = await run(data, n);
    } catch (e) {
      throw new HttpError(500, `movenet failed: ${(e as Error).message}`);
    }
    const wantsBinary = request.binaryDataOutput || request.outputs?.some((o) => o.binary) === true;
    const encoded = encodeResponse(
      movenetResponse(values, n, MOVENET_MODEL_VERSION, request.id),
      wantsBinary ? new Set([MOVENET.output]) : new Set(),
    );
    if (sagemaker)
      return { status: 200, headers: { "content-type": sagemakerContentType(encoded) }, body: encoded.body };
    return encoded.headerLength === null
      ? { status: 200, headers: { "content-type": JSON_CONTENT_TYPE }, body: encoded.body }
      : {
          status: 200,
          headers: {
            "content-type": "application/octet-stream",
            [INFERENCE_HEADER_LENGTH]: String(encoded.headerLength),
          },
          body: encoded.body,
        };
  }

  async function route(req: InferenceHttpRequest): Promise<InferenceHttpResponse> {
    switch (req.path) {
      case "/ping":
      case "/v2/health/live":
      case "/v2/health/ready":
        allow(req, "GET");
        return empty(200);
      case "/v2":
        allow(req, "GET");
        return json(200, SERVER_METADATA);
      case "/invocations":
        return infer(req, true);
    }
    const m = MODEL_PATH.exec(req.path);
    if (!m) throw new HttpError(404, `no route ${req.path}: this server answers /ping, /invocations and /v2/...`);
    const [, name, version, action] = m;
    if (name !== MOVENET.model)
      throw new HttpError(404, `unknown model '${name}': this server serves '${MOVENET.model}'`);
    if (version !== undefined && version !== MOVENET_MODEL_VERSION)
      throw new HttpError(
        404,
        `unknown version '${version}' of ${MOVENET.model}: this server has ${MOVENET_MODEL_VERSION}`,
      );
    if (action === "/infer") return infer(req, false);
    allow(req, "GET");
    return action === "/ready" ? empty(200) : json(200, MOVENET_METADATA);
  }

  return async (req) => {
    try {
      return await route(req);
    } catch (e) {
      if (e instanceof HttpError) return json(e.status, { error: e.message }, { ...e.headers });
      if (e instanceof InferenceProtocolError) return json(400, { error: e.message });
      return json(500, { error: (e as Error).message });
    }
  };
}

/** The routes as an InferenceTransport to /invocations, with no socket: `sideline pose` uses it. */
export function inProcessTransport(routes: ReturnType<typeof inferenceRoutes>): InferenceTransport {
  return async ({ body, contentType }) => {
    const res = await routes({ method: "POST", path: "/invocations", headers: { "content-type": contentType }, body });
    if (res.status !== 200) throw new Error(`the pose model answered ${res.status}: ${res.body.toString("utf8")}`);
    return { body: res.body, contentType: res.headers["content-type"] };
  };
}

export interface PoseServerOptions {
  readonly model: PoseModelRunner;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** @default MAX_REQUEST_BYTES (6 MiB, InvokeEndpoint's limit) */
  readonly maxRequestBytes?: number;
}

export interface PoseServer {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  close(): Promise<void>;
}

/** Reads a request body up to `max` bytes; null when it is longer (the rest is read and dropped). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let over = false;
    req.on("data", (c: Buffer) => {
      bytes += c.length;
      if (bytes > max) over = true;
      if (!over) chunks.push(c);
      else chunks.length = 0;
    });
    req.on("end", () => resolve(over ? null : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, r: InferenceHttpResponse): void {
  res.writeHead(r.status, { ...r.headers, "content-length": String(r.body.length) });
  res.end(r.body);
}

/** Starts the server on 127.0.0.1 (never another interface): the model must be loaded already. */
export async function startPoseServer(options: PoseServerOptions): Promise<PoseServer> {
  const routes = inferenceRoutes(options.model);
  const max = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
  const tooLarge = (declared?: number) =>
    json(413, {
      error: `the request body${declared === undefined ? "" : ` (${declared} bytes)`} is over the ${max}-byte limit: send fewer crops per request`,
    });
  const server = createServer((req, res) => {
    void (async () => {
      const declared = Number(req.headers["content-length"] ?? Number.NaN);
      if (declared > max) {
        // Answer at once, and read the rest of the body without keeping it (memory stays bounded).
        res.setHeader("connection", "close");
        send(res, tooLarge(declared));
        req.resume();
        return;
      }
      const body = await readBody(req, max);
      if (body === null) {
        res.setHeader("connection", "close");
        send(res, tooLarge());
        return;
      }
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(", ") : v;
      send(res, await routes({ method: req.method ?? "GET", path: (req.url ?? "/").split("?")[0]!, headers, body }));
    })().catch((e: Error) => {
      if (!res.headersSent) send(res, json(500, { error: e.message }));
      else res.destroy(e);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
