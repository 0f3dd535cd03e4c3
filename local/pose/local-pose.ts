/**
 * Pose estimation in this process, through the same contract as the pipeline: crops are encoded as
 * the SageMaker Triton request and answered by the local server's routes, only without a socket.
 * `sideline pose`, the accuracy script and the bench use it; the detector loads when first asked.
 */
import { type KserveEstimatorOptions, KservePoseEstimator } from "../../lambdas/adapters/kserve.js";
import { type DecodedImage, estimateSkeletons, type Skeleton } from "../../lambdas/adapters/pose-crops.js";
import type { Box } from "../../lambdas/core/pose/crops.js";
import type { Detection } from "../../lambdas/core/pose/detections.js";
import type { PoseEstimator } from "../../lambdas/ports.js";
import { PersonDetector } from "./detector.js";
import { MovenetModel } from "./movenet.js";
import { inferenceRoutes, inProcessTransport } from "./server.js";

export class LocalPose {
  private detector: Promise<PersonDetector> | null = null;

  private constructor(
    readonly model: MovenetModel,
    readonly estimator: PoseEstimator,
  ) {}

  /** Loads MoveNet (about a second). */
  static async open(options: KserveEstimatorOptions = {}): Promise<LocalPose> {
    const model = await MovenetModel.load();
    return new LocalPose(model, new KservePoseEstimator(inProcessTransport(inferenceRoutes(model)), options));
  }

  /** People in the image, best first (the CenterNet detector, loaded on first use). */
  async detect(image: DecodedImage): Promise<Detection[]> {
    this.detector ??= PersonDetector.load();
    return (await this.detector).detect(image);
  }

  /** One skeleton per box, keypoints in image pixels. */
  skeletons(image: DecodedImage, boxes: readonly Box[]): Promise<Skeleton[]> {
    return boxes.length === 0 ? Promise.resolve([]) : estimateSkeletons(image, boxes, this.estimator);
  }
}
