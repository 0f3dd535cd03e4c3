/**
 * Pose figures for `npm run bench -- pose`, on a generated 1920 × 1080 frame (no dataset needed):
 * the local server's throughput per core and its HTTP round trip, and the costs around the model.
 * MoveNet runs on TensorFlow.js's WebAssembly backend, one thread, so the server's rate is one
 * core's; sharp's preprocessing may use libvips threads.
 */
import {
  decodeResponse,
  encodeRequest,
  encodeResponse,
  headerLengthFromContentType,
  MOVENET,
  movenetKeypoints,
  movenetRequest,
  movenetResponse,
  sagemakerContentType,
} from "../../lambdas/adapters/kserve.js";
import { HttpPoseEstimator } from "../../lambdas/adapters/local/http-pose-estimator.js";
import { cropPixels, decodeImage, estimateSkeletons } from "../../lambdas/adapters/pose-crops.js";
import { type Box, cropRegion } from "../../lambdas/core/pose/crops.js";
import { toImageKeypoints, withScoreFloor } from "../../lambdas/core/pose/keypoints.js";
import { MovenetModel } from "../../local/pose/movenet.js";
import { startPoseServer } from "../../local/pose/server.js";

type Out = (name: string, value: number | string) => void;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)]!;

async function timed<T>(fn: () => Promise<T>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** A 1920 × 1080 JPEG of noise (so it compresses like a photo), and six player-sized boxes. */
async function frame(): Promise<{ jpeg: Buffer; boxes: Box[] }> {
  const { default: sharp } = await import("sharp");
  const [w, h] = [1920, 1080];
  const rgb = Buffer.alloc(w * h * 3);
  let r = 12345;
  for (let i = 0; i < rgb.length; i++) {
    r = (r * 16807) % 2147483647;
    rgb[i] = 60 + (r % 120);
  }
  const jpeg = await sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
  const boxes: Box[] = Array.from({ length: 6 }, (_, i) => [150 + i * 280, 300 + (i % 2) * 200, 110, 300]);
  return { jpeg, boxes };
}

export async function poseFigures(out: Out): Promise<void> {
  const model = await MovenetModel.load();
  const { jpeg, boxes } = await frame();
  const image = await decodeImage(jpeg);
  const crops = await Promise.all(boxes.map((b) => cropPixels(image, cropRegion(b))));

  // Around the model: decoding the frame, one crop, and one crop's keypoints from response bytes.
  const decodeMs: number[] = [];
  for (let i = 0; i < 15; i++) decodeMs.push(await timed(() => decodeImage(jpeg)));
  out("bench.pose.decode_1080p_jpeg_ms", median(decodeMs));
  const cropMs: number[] = [];
  for (let i = 0; i < 30; i++) cropMs.push(await timed(() => cropPixels(image, cropRegion(boxes[i % boxes.length]!))));
  out("bench.pose.preprocess_ms_per_crop", median(cropMs));
  const values = await model.infer(Int32Array.from(crops[0]!), 1);
  const response = encodeResponse(movenetResponse(values, 1, "4"), new Set([MOVENET.output]));
  const region = cropRegion(boxes[0]!);
  const rounds = 2000;
  const t = performance.now();
  for (let i = 0; i < rounds; i++) {
    const kps = movenetKeypoints(decodeResponse(response.body, response.headerLength), 1);
    withScoreFloor(toImageKeypoints(region, kps[0]!));
  }
  out("bench.pose.keypoint_decode_ms_per_crop", (performance.now() - t) / rounds);

  // The model alone, one crop a run, in this process.
  const data = Int32Array.from(crops[0]!);
  const modelMs: number[] = [];
  for (let i = 0; i < 40; i++) modelMs.push(await timed(() => model.infer(data, 1)));
  out("bench.pose.model_ms_per_crop", median(modelMs));
  out("bench.pose.model_crops_per_s_per_core", 1000 / median(modelMs));

  // The local server over real HTTP on 127.0.0.1: one crop a request, SageMaker Triton binary bodies.
  const server = await startPoseServer({ model });
  try {
    const one = encodeRequest(movenetRequest([crops[0]!]), { binary: true });
    const post = async (body: Buffer, contentType: string) => {
      const res = await fetch(`${server.url}/invocations`, {
        method: "POST",
        body,
        headers: { "content-type": contentType },
      });
      const bytes = new Uint8Array(await res.arrayBuffer());
      decodeResponse(bytes, headerLengthFromContentType(res.headers.get("content-type") ?? undefined));
    };
    for (let i = 0; i < 5; i++) await post(one.body, sagemakerContentType(one));
    const rtt: number[] = [];
    const started = performance.now();
    for (let i = 0; i < 100; i++) rtt.push(await timed(() => post(one.body, sagemakerContentType(one))));
    const elapsedS = (performance.now() - started) / 1000;
    out("bench.pose.http_round_trip_ms.p50", percentile(rtt, 0.5));
    out("bench.pose.http_round_trip_ms.p95", percentile(rtt, 0.95));
    out("bench.pose.server_crops_per_s_per_core", 100 / elapsedS);
    // A subject's frame as the pipeline asks for it: the crop and its mirror (the flip test), one request.
    const flip = new HttpPoseEstimator(server.url);
    const flipStarted = performance.now();
    for (let i = 0; i < 30; i++) await flip.estimate([crops[i % crops.length]!]);
    out("bench.pose.server_subject_frames_per_s_per_core.flip_test", 30 / ((performance.now() - flipStarted) / 1000));
    // A whole 1080p frame with six subjects: decode, six crops, 12 model runs (flip test), keypoints.
    const frameMs: number[] = [];
    for (let i = 0; i < 5; i++)
      frameMs.push(await timed(async () => estimateSkeletons(await decodeImage(jpeg), boxes, flip)));
    out("bench.pose.frame_1080p_6_subjects_ms.flip_test", median(frameMs));
  } finally {
    await server.close();
  }

  // The contract and HTTP alone: the same requests to a server whose model answers at once.
  const instant = await startPoseServer({ model: { infer: async (_d, n) => new Float32Array(n * 51).fill(0.5) } });
  try {
    const one = encodeRequest(movenetRequest([crops[0]!]), { binary: true });
    const rtt: number[] = [];
    for (let i = 0; i < 105; i++) {
      const ms = await timed(async () => {
        const res = await fetch(`${instant.url}/invocations`, {
          method: "POST",
          body: one.body,
          headers: { "content-type": sagemakerContentType(one) },
        });
        decodeResponse(
          new Uint8Array(await res.arrayBuffer()),
          headerLengthFromContentType(res.headers.get("content-type") ?? undefined),
        );
      });
      if (i >= 5) rtt.push(ms);
    }
    out("bench.pose.http_round_trip_ms.no_model.p50", percentile(rtt, 0.5));
  } finally {
    await instant.close();
  }
}
