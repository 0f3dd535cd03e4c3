/**
 * The PoseEstimator against the local inference server (local/pose/server.ts) over HTTP: the same
 * request bytes and content type as InvokeEndpoint sends the SageMaker endpoint, POSTed to the
 * server's SageMaker path, /invocations.
 */
import { type KserveEstimatorOptions, KservePoseEstimator } from "../kserve.js";

/** Fails a request that gets no answer in this long (the server runs a crop in about 50 ms). @default */
export const LOCAL_INFERENCE_TIMEOUT_MS = 60_000;

export class HttpPoseEstimator extends KservePoseEstimator {
  /** `baseUrl`: the server's, e.g. http://127.0.0.1:8080. */
  constructor(baseUrl: string, options: KserveEstimatorOptions & { readonly timeoutMs?: number } = {}) {
    const url = `${baseUrl.replace(/\/+$/, "")}/invocations`;
    super(async ({ body, contentType }) => {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": contentType },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? LOCAL_INFERENCE_TIMEOUT_MS),
      });
      const answer = new Uint8Array(await res.arrayBuffer());
      if (!res.ok)
        throw new Error(
          `the local pose server at ${url} answered ${res.status}: ${Buffer.from(answer).toString("utf8")}`,
        );
      return { body: answer, contentType: res.headers.get("content-type") ?? undefined };
    }, options);
  }
}
