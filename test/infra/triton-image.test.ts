/**
 * The Triton image: its URI per region (a literal with a region, Fn::FindInMap without one, a clear
 * error for a region with no registry), the tag pinned with its GPU AMI, and the instance types it runs on.
 */
import { App, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import {
  acceptsVolumeKmsKey,
  assertTritonGpu,
  GPU_AMI_DRIVER_550,
  inferenceAmiFor,
  TRITON_IMAGE,
  TRITON_REGISTRIES,
  tritonImage,
} from "../../lib/constructs/triton-image.js";

const stackIn = (region?: string) => new Stack(new App(), "T", region ? { env: { region } } : {});

describe("the sagemaker-tritonserver image", () => {
  it.each([
    ["eu-west-1", "763104351884"],
    ["us-east-1", "763104351884"],
    ["af-south-1", "626614931356"],
    ["eu-south-2", "503227376785"],
    ["ap-southeast-3", "907027046896"],
  ])("is the %s registry's image, literally, in a stack with that region", (region, account) => {
    // GIVEN a stack in the region WHEN the image is resolved
    const image = tritonImage(stackIn(region), TRITON_IMAGE.tag);
    // THEN the URI and the repository are the region's registry's
    expect(image.imageUri).toBe(`${account}.dkr.ecr.${region}.amazonaws.com/sagemaker-tritonserver:25.09-py3`);
    expect(image.account).toBe(account);
  });

  it("comes from a CfnMapping with Fn::FindInMap on AWS::Region in a region-agnostic stack", () => {
    const stack = stackIn();
    const image = tritonImage(stack, TRITON_IMAGE.tag);
    expect(stack.resolve(image.imageUri)).toEqual({
      "Fn::Join": [
        "",
        [
          { "Fn::FindInMap": ["SagemakerTritonRegistries", { Ref: "AWS::Region" }, "account"] },
          ".dkr.ecr.",
          { Ref: "AWS::Region" },
          ".",
          { Ref: "AWS::URLSuffix" },
          "/sagemaker-tritonserver:25.09-py3",
        ],
      ],
    });
    // AND the mapping holds every region of the map, once per stack however often it is used
    tritonImage(stack, TRITON_IMAGE.tag);
    expect(Template.fromStack(stack).toJSON().Mappings).toEqual({
      SagemakerTritonRegistries: Object.fromEntries(
        Object.entries(TRITON_REGISTRIES).map(([r, a]) => [r, { account: a }]),
      ),
    });
  });

  it("fails for a region with no published image, naming what to do", () => {
    expect(() => tritonImage(stackIn("cn-north-1"), TRITON_IMAGE.tag)).toThrow(
      /^pose: the sagemaker-tritonserver image is not published in region 'cn-north-1': deploy pose to one of af-south-1, .*us-west-2, or add the region's registry account to TRITON_REGISTRIES$/,
    );
  });

  it("pins the tag together with the driver 550 AMI that Triton 25.x and later need", () => {
    expect(TRITON_IMAGE).toEqual({ tag: "25.09-py3", inferenceAmiVersion: "al2-ami-sagemaker-inference-gpu-3-1" });
    expect(inferenceAmiFor(TRITON_IMAGE.tag)).toBe(TRITON_IMAGE.inferenceAmiVersion);
    expect(inferenceAmiFor("25.01-py3")).toBe(GPU_AMI_DRIVER_550);
    expect(inferenceAmiFor("26.05-py3")).toBe(GPU_AMI_DRIVER_550);
    // Before 25.x, SageMaker's default AMI (driver 470) serves
    expect(inferenceAmiFor("24.09-py3")).toBeUndefined();
  });

  it("fails on a tag that is not YY.MM-py3", () => {
    expect(() => inferenceAmiFor("latest")).toThrow(
      "pose: Triton image tag 'latest' is not of the form YY.MM-py3, e.g. 25.09-py3",
    );
  });
});

describe("instance types", () => {
  it("accepts the GPU families Triton 25.x supports (compute capability 7.5 and later)", () => {
    for (const t of ["ml.g4dn.xlarge", "ml.g5.xlarge", "ml.g6.2xlarge", "ml.g6e.xlarge", "ml.p4d.24xlarge"])
      expect(() => assertTritonGpu(t)).not.toThrow();
  });

  it.each([
    ["ml.p3.2xlarge", /has no GPU the Triton image supports: use one of the ml\.g4dn\.\*, ml\.g5\.\*/],
    ["ml.c5.xlarge", /'ml\.c5\.xlarge' has no GPU the Triton image supports/],
    ["g5.xlarge", /'g5\.xlarge' is not a SageMaker instance type like ml\.g5\.xlarge/],
  ])("fails on %s, saying what to use", (t, message) => {
    expect(() => assertTritonGpu(t)).toThrow(message);
  });

  it("refuses a volume KMS key for instances with local NVMe storage (all current GPU families), as SageMaker does", () => {
    expect(acceptsVolumeKmsKey("ml.g5.xlarge")).toBe(false);
    expect(acceptsVolumeKmsKey("ml.g4dn.xlarge")).toBe(false);
    expect(acceptsVolumeKmsKey("ml.m5.xlarge")).toBe(true);
  });
});
