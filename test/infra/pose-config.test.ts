/** The pose context keys: defaults, and the errors that name the key to change. */
import { buildConfig, DEFAULTS } from "../../lib/config.js";
import { POSE_REGISTRY } from "./pose-app.js";

const ctx = (values: Record<string, unknown>) => (k: string) => values[k];
const config = (values: Record<string, unknown>) => buildConfig(ctx(values), {}, POSE_REGISTRY.modalities);
const ON = {
  pose: "true",
  poseModelDataUrl: "s3://club-models-example/movenet/model.tar.gz",
  modalities: "tracking,pose",
};

describe("pose configuration", () => {
  it("is off by default, with the documented defaults for when it is turned on", () => {
    expect(config({})).toMatchObject({
      pose: false,
      poseInstanceType: "ml.g5.xlarge",
      poseImageTag: "25.09-py3",
      poseMinInstances: 1,
      poseMaxInstances: 2,
      poseInvocationsPerInstance: 300,
      poseBatchMaxInstances: 2,
      poseDataCapturePercent: 1,
      poseModelId: "movenet-singlepose-lightning",
      poseModelVersion: "4",
    });
    expect(config({ stage: "prod" }).poseMaxInstances).toBe(DEFAULTS.poseMaxInstances.prod);
    expect(config(ON)).toMatchObject({ pose: true, poseModelDataUrl: ON.poseModelDataUrl });
  });

  it.each([
    [{ pose: true }, "context 'pose' needs 'poseModelDataUrl': the s3:// URI of your model.tar.gz"],
    [
      { ...ON, modalities: "tracking" },
      "context 'pose' needs the pose modality deployed (its stream carries the keypoints): add pose to 'modalities'",
    ],
    [
      { poseModelDataUrl: "s3://bucket/model.onnx" },
      "context 'poseModelDataUrl' must be the s3:// URI of a .tar.gz Triton model repository, got 's3://bucket/model.onnx'",
    ],
    [{ poseInstanceType: "ml.p3.2xlarge" }, "context 'poseInstanceType': instance type 'ml.p3.2xlarge' has no GPU"],
    [{ poseImageTag: "latest" }, "context 'poseImageTag': Triton image tag 'latest' is not of the form YY.MM-py3"],
    [
      { poseMinInstances: 3, poseMaxInstances: 2 },
      "context 'poseMaxInstances' must be an integer from 3 to 100, got '2'",
    ],
    [{ poseDataCapturePercent: 150 }, "context 'poseDataCapturePercent' must be an integer from 0 to 100"],
  ])("fails on %j, saying what to change", (values, message) => {
    expect(() => config(values)).toThrow(message);
  });
});
