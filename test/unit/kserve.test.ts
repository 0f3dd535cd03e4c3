/**
 * The pose model's request contract (lambdas/adapters/kserve.ts): KServe v2 JSON and Triton binary
 * bodies, byte for byte, their decoding and its errors, and the estimator over a transport.
 */
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  headerLengthFromContentType,
  InferenceProtocolError,
  type InferenceTransport,
  KservePoseEstimator,
  MAX_CROPS_PER_REQUEST,
  MAX_REQUEST_BYTES,
  MOVENET,
  MOVENET_CROP_BYTES,
  movenetInput,
  movenetKeypoints,
  movenetRequest,
  movenetResponse,
  sagemakerContentType,
} from "../../lambdas/adapters/kserve.js";

const CROP = MOVENET.size * MOVENET.size * 3;

/** A 192 × 192 crop whose left half is `left` and right half `right` (every channel). */
function halves(left: number, right: number): Uint8Array {
  const px = new Uint8Array(CROP);
  for (let i = 0; i < CROP; i++) px[i] = Math.floor(i / 3) % MOVENET.size < MOVENET.size / 2 ? left : right;
  return px;
}

/** A binary body: a JSON header and raw bytes after it, with the header's length. */
const binary = (header: string, tail: string): [Buffer, number] => [Buffer.from(header + tail), header.length];

describe("KServe v2 bodies, byte for byte", () => {
  const request = {
    inputs: [{ name: "input", datatype: "INT32" as const, shape: [1, 2], data: Int32Array.from([1, -2]) }],
    outputs: [{ name: "output_0", binary: true }],
  };

  it("encodes a request in the JSON form", () => {
    const e = encodeRequest(request, { binary: false });
    expect(e.headerLength).toBeNull();
    expect(e.body.toString("utf8")).toBe(
      '{"inputs":[{"name":"input","shape":[1,2],"datatype":"INT32","data":[1,-2]}],"outputs":[{"name":"output_0","parameters":{"binary_data":true}}]}',
    );
    expect(sagemakerContentType(e)).toBe("application/json");
  });

  it("encodes a request in the binary form: the JSON header, then the tensor's little-endian bytes", () => {
    // GIVEN the header Triton's binary tensor extension specifies
    const header =
      '{"inputs":[{"name":"input","shape":[1,2],"datatype":"INT32","parameters":{"binary_data_size":8}}],"outputs":[{"name":"output_0","parameters":{"binary_data":true}}]}';
    // WHEN encoded
    const e = encodeRequest(request, { binary: true });
    // THEN the body is that header and 1, -2 as int32 little-endian, and SageMaker's content type names the header's length
    expect(e.body).toEqual(Buffer.concat([Buffer.from(header), Buffer.from([1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff])]));
    expect(e.headerLength).toBe(header.length);
    expect(sagemakerContentType(e)).toBe(
      `application/vnd.sagemaker-triton.binary+json;json-header-size=${header.length}`,
    );
  });

  it("encodes a response with its output in binary or as JSON, with id and the request-wide binary flag", () => {
    const res = movenetResponse(
      Float32Array.from({ length: 51 }, (_, i) => (i % 3 === 2 ? 0.5 : 0.25)),
      1,
      "4",
      "r1",
    );
    const binary = encodeResponse(res, new Set(["output_0"]));
    const header =
      '{"model_name":"movenet","model_version":"4","id":"r1","outputs":[{"name":"output_0","shape":[1,1,17,3],"datatype":"FP32","parameters":{"binary_data_size":204}}]}';
    expect(binary.headerLength).toBe(header.length);
    expect(binary.body.subarray(0, header.length).toString()).toBe(header);
    // 0.25 is 0x3e800000 and 0.5 is 0x3f000000, little-endian
    expect([...binary.body.subarray(header.length, header.length + 12)]).toEqual([
      0, 0, 0x80, 0x3e, 0, 0, 0x80, 0x3e, 0, 0, 0, 0x3f,
    ]);
    expect(binary.body.length).toBe(header.length + 204);
    const json = encodeResponse(res);
    expect(json.body.toString()).toMatch(
      /^\{"model_name":"movenet","model_version":"4","id":"r1","outputs":\[\{"name":"output_0","shape":\[1,1,17,3\],"datatype":"FP32","data":\[0\.25,0\.25,0\.5,/,
    );
    expect(encodeRequest({ ...request, binaryDataOutput: true }, { binary: false }).body.toString()).toMatch(
      /^\{"parameters":\{"binary_data_output":true\},"inputs"/,
    );
  });

  it("decodes what it encodes, in both forms, to the same tensors", () => {
    for (const binary of [false, true]) {
      const e = encodeRequest(request, { binary });
      const d = decodeRequest(e.body, e.headerLength);
      expect(d.inputs).toEqual(request.inputs);
      expect(d.outputs).toEqual([{ name: "output_0", binary: true }]);
    }
    const res = movenetResponse(
      Float32Array.from({ length: 51 }, (_, i) => i / 100),
      1,
      "4",
    );
    for (const binary of [new Set<string>(), new Set(["output_0"])]) {
      const e = encodeResponse(res, binary);
      // FP32 through JSON comes back bit for bit: JSON carries each float32's exact double value
      expect(decodeResponse(e.body, e.headerLength)).toEqual(res);
    }
  });

  it("decodes nested JSON data and a request's binary_data_output", () => {
    const body = Buffer.from(
      '{"parameters":{"binary_data_output":true},"inputs":[{"name":"x","shape":[2,2],"datatype":"UINT8","data":[[1,2],[3,4]]}]}',
    );
    const d = decodeRequest(body, null);
    expect(d.binaryDataOutput).toBe(true);
    expect(d.inputs[0]!.data).toEqual(Uint8Array.from([1, 2, 3, 4]));
  });

  it("reads the header length from SageMaker Triton's content type, and nothing from others", () => {
    expect(headerLengthFromContentType("application/vnd.sagemaker-triton.binary+json;json-header-size=173")).toBe(173);
    expect(headerLengthFromContentType("application/json")).toBeNull();
    expect(headerLengthFromContentType(undefined)).toBeNull();
    expect(() =>
      headerLengthFromContentType("application/vnd.sagemaker-triton.binary+json;json-header-size=x"),
    ).toThrow("json-header-size must be the JSON header's length in bytes, got 'x'");
  });

  it.each([
    ["a header longer than the body", Buffer.from("{}"), 3, "the JSON header is 3 bytes but the body only 2"],
    ["a header that is not JSON", Buffer.from("{nope"), null, "the body is not JSON"],
    ["no inputs", Buffer.from('{"inputs":[]}'), null, "inputs must be a non-empty array"],
    [
      "an unsupported datatype",
      Buffer.from('{"inputs":[{"name":"x","shape":[1],"datatype":"FP16","data":[1]}]}'),
      null,
      "inputs[0] 'x': datatype \"FP16\" is not supported: expected INT32, FP32, UINT8",
    ],
    [
      "data that does not fill the shape",
      Buffer.from('{"inputs":[{"name":"x","shape":[3],"datatype":"INT32","data":[1,2]}]}'),
      null,
      "inputs[0] 'x': shape [3] holds 3 elements, data 2",
    ],
    [
      "a fraction in an INT32 tensor",
      Buffer.from('{"inputs":[{"name":"x","shape":[1],"datatype":"INT32","data":[1.5]}]}'),
      null,
      "inputs[0] 'x': data[0] = 1.5 is not an integer",
    ],
    [
      "a binary size that does not fit the shape",
      ...binary('{"inputs":[{"name":"x","shape":[2],"datatype":"INT32","parameters":{"binary_data_size":4}}]}', "AAAA"),
      "inputs[0] 'x': binary_data_size is 4 bytes, but INT32 [2] is 8",
    ],
    [
      "a body cut short",
      ...binary('{"inputs":[{"name":"x","shape":[2],"datatype":"INT32","parameters":{"binary_data_size":8}}]}', "AAAA"),
      "inputs[0] 'x': the body ends 4 bytes before its binary data does",
    ],
    [
      "bytes after the tensors",
      ...binary(
        '{"inputs":[{"name":"x","shape":[1],"datatype":"INT32","parameters":{"binary_data_size":4}}]}',
        "AAAAB",
      ),
      "the body has 1 bytes after its tensors",
    ],
  ])("refuses a request with %s, saying so", (_what, body, headerLength, message) => {
    expect(() => decodeRequest(body, headerLength)).toThrow(InferenceProtocolError);
    expect(() => decodeRequest(body, headerLength)).toThrow(message);
  });

  it("passes on a server's own error from a response", () => {
    expect(() => decodeResponse(Buffer.from('{"error":"model not ready"}'), null)).toThrow(
      "the model server answered: model not ready",
    );
  });
});

describe("the MoveNet contract", () => {
  it("sends crops as INT32 [N, 192, 192, 3] named 'input', asking for 'output_0' in binary", () => {
    const req = movenetRequest([halves(0, 255), halves(7, 7)]);
    expect(req.inputs[0]!.shape).toEqual([2, 192, 192, 3]);
    expect(req.inputs[0]!.datatype).toBe("INT32");
    expect(req.inputs[0]!.data[CROP - 1]).toBe(255);
    expect(req.inputs[0]!.data[CROP]).toBe(7);
    expect(req.outputs).toEqual([{ name: "output_0", binary: true }]);
    const e = encodeRequest(req, { binary: true });
    expect(e.body.length).toBe(e.headerLength! + 2 * MOVENET_CROP_BYTES);
    const back = movenetInput(decodeRequest(e.body, e.headerLength));
    expect(back.n).toBe(2);
    // compared as bytes: jest's deep equality walks a 221,184-element typed array slowly
    expect(Buffer.from(back.data.buffer).equals(Buffer.from(req.inputs[0]!.data.buffer))).toBe(true);
  });

  it("fits MAX_CROPS_PER_REQUEST crops in InvokeEndpoint's 6 MB", () => {
    expect(MAX_CROPS_PER_REQUEST).toBe(14);
    const e = encodeRequest(movenetRequest(Array.from({ length: 14 }, () => halves(1, 2))), { binary: true });
    expect(e.body.length).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    expect(() => movenetRequest([new Uint8Array(10)])).toThrow("crop 0 has 10 bytes, expected 110592 (192×192 RGB)");
  });

  it.each([
    [{ name: "image", datatype: "INT32" as const, shape: [1, 192, 192, 3] }, "movenet takes one input named 'input'"],
    [{ name: "input", datatype: "INT32" as const, shape: [1, 256, 256, 3] }, "must be [N, 192, 192, 3] with N >= 1"],
    [
      { name: "input", datatype: "UINT8" as const, shape: [1, 192, 192, 3] },
      "must be INT32 (the model's own input type), got UINT8",
    ],
  ])("refuses an input outside the contract: %j", (t, message) => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const data = t.datatype === "UINT8" ? new Uint8Array(n) : new Int32Array(n);
    expect(() => movenetInput({ inputs: [{ ...t, data }] })).toThrow(message);
  });

  it("refuses pixels outside 0..255", () => {
    const data = new Int32Array(CROP);
    data[5] = 256;
    expect(() =>
      movenetInput({ inputs: [{ name: "input", datatype: "INT32", shape: [1, 192, 192, 3], data }] }),
    ).toThrow("input 'input' element 5 is 256: pixels are 0..255");
  });

  it("reads keypoints only from 'output_0' FP32 [N, 1, 17, 3]", () => {
    const res = movenetResponse(new Float32Array(51).fill(0.5), 1, "4");
    expect(movenetKeypoints(res, 1)[0]![0]).toEqual([0.5, 0.5, 0.5]);
    expect(() => movenetKeypoints(res, 2)).toThrow("output 'output_0' must be FP32 [2,1,17,3], got FP32 [1,1,17,3]");
    expect(() => movenetKeypoints({ ...res, outputs: [] }, 1)).toThrow("the response has no output 'output_0'");
  });
});

describe("KservePoseEstimator", () => {
  /**
   * A stand-in model behind the byte contract: for each crop, every keypoint at x = (the top-left
   * pixel's red) / 255, y = 0.5, score 0.9. It records each request's crop count.
   */
  function fakeServer(): { transport: InferenceTransport; batches: number[]; contentTypes: string[] } {
    const batches: number[] = [];
    const contentTypes: string[] = [];
    const transport: InferenceTransport = async ({ body, contentType }) => {
      contentTypes.push(contentType);
      const { n, data } = movenetInput(decodeRequest(body, headerLengthFromContentType(contentType)));
      batches.push(n);
      const out = new Float32Array(n * 51);
      for (let c = 0; c < n; c++)
        for (let k = 0; k < 17; k++) out.set([0.5, data[c * CROP]! / 255, 0.9], c * 51 + k * 3);
      const e = encodeResponse(movenetResponse(out, n, "4"), new Set(["output_0"]));
      return { body: e.body, contentType: sagemakerContentType(e) };
    };
    return { transport, batches, contentTypes };
  }

  it("sends at most maxCropsPerRequest crops a request, in order, as SageMaker Triton binary bodies", async () => {
    const server = fakeServer();
    const estimator = new KservePoseEstimator(server.transport, { maxCropsPerRequest: 2, flipTest: false });
    const found = await estimator.estimate([halves(51, 0), halves(102, 0), halves(153, 0)]);
    expect(server.batches).toEqual([2, 1]);
    expect(
      server.contentTypes.every((c) => c.startsWith("application/vnd.sagemaker-triton.binary+json;json-header-size=")),
    ).toBe(true);
    // float32 on the wire: 51 / 255 = 0.2 to 7 digits
    expect(found.map((k) => k[0])).toEqual([
      [expect.closeTo(0.2, 6), 0.5, expect.closeTo(0.9, 6)],
      [expect.closeTo(0.4, 6), 0.5, expect.closeTo(0.9, 6)],
      [expect.closeTo(0.6, 6), 0.5, expect.closeTo(0.9, 6)],
    ]);
  });

  it("with the flip test, also sends each crop's mirror image and averages the two", async () => {
    // GIVEN a crop dark on the left (51) and bright on the right (204): its mirror's top-left pixel is 204
    const server = fakeServer();
    const estimator = new KservePoseEstimator(server.transport, { concurrency: 2 });
    // WHEN estimated with the flip test (the default)
    const [kps] = await estimator.estimate([halves(51, 204)]);
    // THEN the model saw 2 crops, and x is the mean of 0.2 and 1 - 0.8
    expect(server.batches).toEqual([2]);
    expect(kps![0]![0]).toBeCloseTo(0.2, 6);
    expect(await estimator.estimate([])).toEqual([]);
  });

  it("refuses settings outside the contract", () => {
    const { transport } = fakeServer();
    expect(() => new KservePoseEstimator(transport, { maxCropsPerRequest: 15 })).toThrow(
      "maxCropsPerRequest must be a whole number from 1 to 14, got 15",
    );
    expect(() => new KservePoseEstimator(transport, { concurrency: 0 })).toThrow("concurrency must be a whole number");
  });
});
