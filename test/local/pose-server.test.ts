/**
 * The local inference server over real HTTP on 127.0.0.1, with the real MoveNet weights from
 * node_modules: its KServe v2 and SageMaker paths, both body forms, the local HTTP estimator, and
 * its 4xx answers.
 */
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  decodeResponse,
  encodeRequest,
  headerLengthFromContentType,
  type InferRequest,
  MOVENET,
  movenetKeypoints,
  movenetRequest,
  sagemakerContentType,
} from "../../lambdas/adapters/kserve.js";
import { HttpPoseEstimator } from "../../lambdas/adapters/local/http-pose-estimator.js";
import { fromMovenetOutput } from "../../lambdas/core/pose/keypoints.js";
import { MovenetModel } from "../../local/pose/movenet.js";
import { inferenceRoutes, MOVENET_METADATA, type PoseServer, startPoseServer } from "../../local/pose/server.js";

const CROP = MOVENET.size * MOVENET.size * 3;

/** A crop with a bright diagonal band on grey, so the model has something to look at. */
function bandCrop(): Uint8Array {
  const px = new Uint8Array(CROP).fill(90);
  for (let y = 0; y < MOVENET.size; y++)
    for (let x = Math.max(0, y - 12); x < Math.min(MOVENET.size, y + 12); x++)
      px.fill(230, (y * MOVENET.size + x) * 3, (y * MOVENET.size + x) * 3 + 3);
  return px;
}

describe("local inference server (real HTTP, real MoveNet)", () => {
  let model: MovenetModel;
  let server: PoseServer;
  let expected: Float32Array;
  const crop = bandCrop();

  beforeAll(async () => {
    model = await MovenetModel.load();
    server = await startPoseServer({ model });
    expected = await model.infer(Int32Array.from(crop), 1);
  });
  afterAll(() => server.close());

  // biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked field by field
  const jsonOf = async (res: Response): Promise<any> => res.json();
  const post = (path: string, body: Buffer, headers: Record<string, string>) =>
    fetch(`${server.url}${path}`, { method: "POST", body, headers });

  it("listens on 127.0.0.1 and answers SageMaker's and KServe's health checks once the model is loaded", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const path of ["/ping", "/v2/health/live", "/v2/health/ready", "/v2/models/movenet/ready"])
      expect({ path, status: (await fetch(`${server.url}${path}`)).status }).toEqual({ path, status: 200 });
  });

  it("describes the server and the model: names, datatypes, shapes with a free batch dimension", async () => {
    expect(await (await fetch(`${server.url}/v2`)).json()).toEqual({
      name: "sideline-pose",
      version: "1",
      extensions: ["binary_tensor_data"],
    });
    const meta = await jsonOf(await fetch(`${server.url}/v2/models/movenet`));
    expect(meta).toEqual(JSON.parse(JSON.stringify(MOVENET_METADATA)));
    expect(meta.inputs).toEqual([{ name: "input", datatype: "INT32", shape: [-1, 192, 192, 3] }]);
    expect(meta.outputs).toEqual([{ name: "output_0", datatype: "FP32", shape: [-1, 1, 17, 3] }]);
    expect(await (await fetch(`${server.url}/v2/models/movenet/versions/4`)).json()).toEqual(meta);
  });

  it("infers in the KServe v2 JSON form on /v2/models/movenet/infer", async () => {
    // GIVEN a crop sent as JSON data, its output asked for as JSON
    const req: InferRequest = { ...movenetRequest([crop]), outputs: [{ name: "output_0" }] };
    const e = encodeRequest(req, { binary: false });
    const res = await post("/v2/models/movenet/infer", e.body, { "content-type": "application/json" });
    // THEN the answer is JSON, and the model's own keypoints
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const body = await jsonOf(res);
    expect(body.model_name).toBe("movenet");
    expect(body.model_version).toBe("4");
    expect(body.outputs[0].shape).toEqual([1, 1, 17, 3]);
    expect(Float32Array.from(body.outputs[0].data)).toEqual(expected);
  });

  it("infers in the binary form on /v2/models/movenet/infer, with Inference-Header-Content-Length both ways", async () => {
    const e = encodeRequest(movenetRequest([crop, crop]), { binary: true });
    const res = await post("/v2/models/movenet/infer", e.body, {
      "content-type": "application/octet-stream",
      "inference-header-content-length": String(e.headerLength),
    });
    expect(res.status).toBe(200);
    const n = Number(res.headers.get("inference-header-content-length"));
    const out = decodeResponse(new Uint8Array(await res.arrayBuffer()), n);
    expect(out.outputs[0]!.data).toEqual(Float32Array.from([...expected, ...expected]));
  });

  it("infers on /invocations with SageMaker Triton's content type, answering in kind", async () => {
    const e = encodeRequest(movenetRequest([crop]), { binary: true });
    const res = await post("/invocations", e.body, { "content-type": sagemakerContentType(e) });
    expect(res.status).toBe(200);
    const ct = res.headers.get("content-type")!;
    expect(ct).toMatch(/^application\/vnd\.sagemaker-triton\.binary\+json;json-header-size=\d+$/);
    const out = decodeResponse(new Uint8Array(await res.arrayBuffer()), headerLengthFromContentType(ct));
    expect(movenetKeypoints(out, 1)).toEqual(fromMovenetOutput(expected, 1));
  });

  it("serves the local HTTP estimator: the model's keypoints for each crop, mirrors averaged in", async () => {
    const plain = await new HttpPoseEstimator(server.url, { flipTest: false }).estimate([crop, crop]);
    expect(plain).toEqual([fromMovenetOutput(expected, 1)[0], fromMovenetOutput(expected, 1)[0]]);
    const flipped = await new HttpPoseEstimator(`${server.url}/`).estimate([crop]);
    expect(flipped).toHaveLength(1);
    expect(flipped[0]).toHaveLength(17);
  });

  it.each([
    ["GET", "/nowhere", undefined, 404, "no route /nowhere: this server answers /ping, /invocations and /v2/..."],
    ["GET", "/v2/models/resnet", undefined, 404, "unknown model 'resnet': this server serves 'movenet'"],
    ["POST", "/v2/models/movenet/versions/3/infer", "{}", 404, "unknown version '3' of movenet: this server has 4"],
    ["GET", "/v2/models/movenet/infer", undefined, 405, "/v2/models/movenet/infer takes POST, not GET"],
    ["POST", "/v2/models/movenet/infer", "{not json", 400, "the body is not JSON"],
    [
      "POST",
      "/v2/models/movenet/infer",
      '{"inputs":[{"name":"input","shape":[1,2],"datatype":"INT32","data":[1,2]}]}',
      400,
      "input 'input' must be [N, 192, 192, 3] with N >= 1 (RGB crops), got [1,2]",
    ],
  ])("answers %s %s with a KServe error and its reason", async (method, path, body, status, message) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      ...(body === undefined ? {} : { body, headers: { "content-type": "application/json" } }),
    });
    expect(res.status).toBe(status);
    expect((await jsonOf(res)).error).toContain(message);
    if (status === 405) expect(res.headers.get("allow")).toBe("POST");
  });

  it("refuses a body type /invocations does not take, with 415", async () => {
    const res = await post("/invocations", Buffer.from("jpeg bytes"), { "content-type": "image/jpeg" });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: string }).error).toBe(
      "/invocations takes application/json or application/vnd.sagemaker-triton.binary+json;json-header-size=<header bytes>, got 'image/jpeg'",
    );
  });
});

describe("local inference server limits", () => {
  const fake = { infer: async (_d: Int32Array, n: number) => new Float32Array(n * 51).fill(0.5) };
  let server: PoseServer;
  beforeAll(async () => {
    server = await startPoseServer({ model: fake, maxRequestBytes: 1000 });
  });
  afterAll(() => server.close());

  it("refuses a body over the limit with 413, whether its length is declared or not", async () => {
    // declared: fetch sends Content-Length for a Buffer
    const declared = await fetch(`${server.url}/invocations`, {
      method: "POST",
      body: Buffer.alloc(5000, 32),
      headers: { "content-type": "application/json" },
    });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: string }).error).toBe(
      "the request body (5000 bytes) is over the 1000-byte limit: send fewer crops per request",
    );
    // streamed: chunked, no length given
    const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        `${server.url}/invocations`,
        { method: "POST", headers: { "content-type": "application/json" } },
        (res) => {
          let body = "";
          res.on("data", (c) => {
            body += c;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
      for (let i = 0; i < 5; i++) req.write(Buffer.alloc(500, 32));
      req.end();
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body).error).toBe(
      "the request body is over the 1000-byte limit: send fewer crops per request",
    );
  });

  it("refuses more crops than a request may carry", async () => {
    const routes = inferenceRoutes(fake);
    const e = encodeRequest(movenetRequest(Array.from({ length: 65 }, () => new Uint8Array(CROP))), { binary: true });
    const res = await routes({
      method: "POST",
      path: "/invocations",
      headers: { "content-type": sagemakerContentType(e) },
      body: e.body,
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString()).error).toBe("a request may carry at most 64 crops, got 65");
  });

  it("answers 500 with the reason when the model fails", async () => {
    const routes = inferenceRoutes({
      infer: async () => {
        throw new Error("out of memory");
      },
    });
    const e = encodeRequest(movenetRequest([new Uint8Array(CROP)]), { binary: true });
    const res = await routes({
      method: "POST",
      path: "/invocations",
      headers: { "content-type": sagemakerContentType(e) },
      body: e.body,
    });
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body.toString())).toEqual({ error: "movenet failed: out of memory" });
  });
});

describe("the same request bytes locally and on SageMaker", () => {
  it("HttpPoseEstimator POSTs exactly the contract's body and content type to /invocations", async () => {
    // GIVEN a server that records what it gets and answers through the real routes (a fake model)
    const seen: { path: string; contentType: string | undefined; body: Buffer }[] = [];
    const routes = inferenceRoutes({ infer: async (_d, n) => new Float32Array(n * 51).fill(0.5) });
    const capture: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", async () => {
        const body = Buffer.concat(chunks);
        seen.push({ path: req.url ?? "", contentType: req.headers["content-type"], body });
        const r = await routes({
          method: "POST",
          path: req.url ?? "",
          headers: { "content-type": req.headers["content-type"] },
          body,
        });
        res.writeHead(r.status, r.headers);
        res.end(r.body);
      });
    });
    await new Promise<void>((r) => capture.listen(0, "127.0.0.1", () => r()));
    try {
      const crops = [new Uint8Array(CROP).fill(3), new Uint8Array(CROP).fill(4)];
      await new HttpPoseEstimator(`http://127.0.0.1:${(capture.address() as AddressInfo).port}`, {
        flipTest: false,
      }).estimate(crops);
      // THEN it got the bytes SageMakerPoseEstimator sends InvokeEndpoint (test/unit/pose-cloud-adapters.test.ts)
      const expected = encodeRequest(movenetRequest(crops), { binary: true });
      expect(seen.map((s) => [s.path, s.contentType])).toEqual([["/invocations", sagemakerContentType(expected)]]);
      expect(seen[0]!.body.equals(expected.body)).toBe(true);
    } finally {
      await new Promise<void>((r) => capture.close(() => r()));
    }
  });
});
