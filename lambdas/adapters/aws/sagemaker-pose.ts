/**
 * The PoseEstimator on a SageMaker real-time endpoint that runs NVIDIA Triton: InvokeEndpoint with
 * the contract's binary body (adapters/kserve.ts) and SageMaker Triton's content type,
 * `application/vnd.sagemaker-triton.binary+json;json-header-size=N`, the bytes the local server
 * takes too. The endpoint answers in the same form (or application/json when its outputs are JSON).
 *
 * A failed call throws, naming the endpoint: the SDK has already retried throttling and 5xx, and
 * the pose invoker's event is then retried as a whole (ModelError, the container's own 4xx, means
 * the request broke the contract and is not worth retrying, but is still reported, not dropped).
 */
import { InvokeEndpointCommand, type SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { type KserveEstimatorOptions, KservePoseEstimator } from "../kserve.js";

export interface SageMakerPoseOptions extends KserveEstimatorOptions {
  /** The inference component to invoke, on an endpoint that hosts several. @default - the endpoint's model */
  readonly inferenceComponentName?: string;
}

export class SageMakerPoseEstimator extends KservePoseEstimator {
  constructor(client: Pick<SageMakerRuntimeClient, "send">, endpointName: string, options: SageMakerPoseOptions = {}) {
    super(async ({ body, contentType }) => {
      try {
        const out = await client.send(
          new InvokeEndpointCommand({
            EndpointName: endpointName,
            ContentType: contentType,
            Body: body,
            ...(options.inferenceComponentName ? { InferenceComponentName: options.inferenceComponentName } : {}),
          }),
        );
        if (!out.Body) throw new Error("the response has no body");
        return { body: out.Body, contentType: out.ContentType };
      } catch (e) {
        const err = e as Error & { name?: string };
        throw new Error(`InvokeEndpoint on '${endpointName}' failed: ${err.name ?? "Error"}: ${err.message}`);
      }
    }, options);
  }
}
