/**
 * The NVIDIA Triton Inference Server image for SageMaker (`sagemaker-tritonserver`, an AWS Deep
 * Learning Container), resolved per region, and the GPU AMI its tag needs. One place decides the
 * pin: the image tag and the production variant's InferenceAmiVersion go together.
 */
import { Aws, CfnMapping, Stack, Token } from "aws-cdk-lib";
import type { Construct } from "constructs";

/**
 * The ECR registry account of `sagemaker-tritonserver` in each region, as AWS publishes it for the
 * 25.09 and 26.05 images (the SageMaker Python SDK's image_uri_config/sagemaker-tritonserver.json,
 * https://github.com/aws/sagemaker-python-sdk, and the Deep Learning Containers image list,
 * https://github.com/aws/deep-learning-containers/blob/master/available_images.md). China regions are
 * left out: their images live in another partition (amazonaws.com.cn) and are not published for 25.x.
 */
export const TRITON_REGISTRIES: Readonly<Record<string, string>> = {
  "af-south-1": "626614931356",
  "ap-east-1": "871362719292",
  "ap-east-2": "975050140332",
  "ap-northeast-1": "763104351884",
  "ap-northeast-2": "763104351884",
  "ap-northeast-3": "364406365360",
  "ap-south-1": "763104351884",
  "ap-south-2": "772153158452",
  "ap-southeast-1": "763104351884",
  "ap-southeast-2": "763104351884",
  "ap-southeast-3": "907027046896",
  "ap-southeast-4": "457447274322",
  "ap-southeast-5": "550225433462",
  "ap-southeast-6": "633930458069",
  "ap-southeast-7": "590183813437",
  "ca-central-1": "763104351884",
  "ca-west-1": "204538143572",
  "eu-central-1": "763104351884",
  "eu-central-2": "380420809688",
  "eu-north-1": "763104351884",
  "eu-south-1": "692866216735",
  "eu-south-2": "503227376785",
  "eu-west-1": "763104351884",
  "eu-west-2": "763104351884",
  "eu-west-3": "763104351884",
  "il-central-1": "780543022126",
  "me-central-1": "914824155844",
  "me-south-1": "217643126080",
  "mx-central-1": "637423239942",
  "sa-east-1": "763104351884",
  "us-east-1": "763104351884",
  "us-east-2": "763104351884",
  "us-west-1": "763104351884",
  "us-west-2": "763104351884",
};

export const TRITON_REPOSITORY = "sagemaker-tritonserver";

/**
 * The GPU AMI for Triton 25.x and later: NVIDIA driver 550, CUDA 12.4, and the NVIDIA Container
 * Toolkit with CUDA-compat mounting disabled, so the image's own forward-compatibility libraries
 * serve its newer CUDA (ProductionVariant.InferenceAmiVersion,
 * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariant.html).
 */
export const GPU_AMI_DRIVER_550 = "al2-ami-sagemaker-inference-gpu-3-1";

/**
 * The first Triton release that needs {@link GPU_AMI_DRIVER_550}. Real-time endpoints on ml.g4dn and
 * ml.g5 run NVIDIA driver 470 (CUDA 11.4) unless an AMI is chosen
 * (https://docs.aws.amazon.com/sagemaker/latest/dg/inference-gpu-drivers.html). Triton 25.x is built on
 * CUDA 12.8 (25.03) to 13.0 (25.10) (Triton release notes, "Driver Requirements"), and on driver 470
 * the SageMaker Triton 25.04 image fails with "compatibility mode is UNAVAILABLE"
 * (https://github.com/aws/deep-learning-containers/issues/4990).
 */
const FIRST_RELEASE_NEEDING_DRIVER_550 = 25.0;

/**
 * The pinned image and its AMI: Triton 25.09, with the ONNX Runtime backend (current Triton has no
 * TensorFlow backend, hence the ONNX model). 26.05 is also published; 25.09 has had months in service.
 * Change both together (or set `poseImageTag` and let {@link inferenceAmiFor} choose the AMI).
 */
export const TRITON_IMAGE = {
  tag: "25.09-py3",
  inferenceAmiVersion: GPU_AMI_DRIVER_550,
} as const;

/**
 * GPU instance families the pinned Triton runs on: its releases support CUDA compute capability 7.5
 * and later (Turing and newer: T4, A10G, L4, L40S, A100, H100/H200; Triton release notes, "GPU
 * Requirements"), which leaves out ml.p3 (V100, 7.0); and the image is the GPU build.
 */
export const TRITON_GPU_FAMILIES = ["g4dn", "g5", "g6", "g6e", "p4d", "p4de", "p5", "p5e", "p5en"] as const;

/**
 * Families whose instances have local NVMe storage. SageMaker refuses an endpoint configuration's
 * KmsKeyId with them ("You can't request a KmsKeyId when using an instance type with local storage";
 * their volumes are encrypted by a hardware module on the instance:
 * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpointConfig.html#sagemaker-CreateEndpointConfig-request-KmsKeyId).
 * Every family in {@link TRITON_GPU_FAMILIES} has it (EC2 instance store volumes).
 */
export const INSTANCE_STORE_FAMILIES: readonly string[] = [...TRITON_GPU_FAMILIES, "c5d", "m5d", "r5d", "p3dn"];

const TAG = /^(\d{2})\.(\d{2})-py3$/;
const INSTANCE_TYPE = /^ml\.([a-z0-9]+)\.([a-z0-9]+)$/;

/** The instance family of an ml.* instance type, e.g. g5 for ml.g5.xlarge; throws on anything else. */
export function instanceFamily(instanceType: string): string {
  const m = INSTANCE_TYPE.exec(instanceType);
  if (!m) throw new Error(`pose: instance type '${instanceType}' is not a SageMaker instance type like ml.g5.xlarge`);
  return m[1]!;
}

/** Whether SageMaker accepts a KmsKeyId for the endpoint's storage volume on this instance type. */
export const acceptsVolumeKmsKey = (instanceType: string) =>
  !INSTANCE_STORE_FAMILIES.includes(instanceFamily(instanceType));

/**
 * HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured, for an endpoint configuration on an
 * instance type that refuses a KmsKeyId: nothing under Sideline's control is left unencrypted.
 */
export const volumeKeyReason = (instanceType: string) =>
  `${instanceType} has local NVMe instance storage, and SageMaker refuses a KmsKeyId for it (CreateEndpointConfig); that storage is encrypted at rest by a hardware module on the instance (XTS-AES-256). Everything the endpoint writes outside the instance (captured requests, batch results) is under the data key.`;

/** Throws, naming the supported families, unless the pinned Triton runs on this instance type. */
export function assertTritonGpu(instanceType: string): void {
  const family = instanceFamily(instanceType);
  if (!(TRITON_GPU_FAMILIES as readonly string[]).includes(family))
    throw new Error(
      `pose: instance type '${instanceType}' has no GPU the Triton image supports: use one of the ${TRITON_GPU_FAMILIES.map((f) => `ml.${f}.*`).join(", ")} families`,
    );
}

/**
 * The InferenceAmiVersion a `sagemaker-tritonserver` tag needs: driver 550 for 25.x and later,
 * SageMaker's default AMI (undefined) before. Throws on a tag that is not YY.MM-py3.
 */
export function inferenceAmiFor(tag: string): string | undefined {
  const m = TAG.exec(tag);
  if (!m) throw new Error(`pose: Triton image tag '${tag}' is not of the form YY.MM-py3, e.g. ${TRITON_IMAGE.tag}`);
  return Number(`${m[1]}.${m[2]}`) >= FIRST_RELEASE_NEEDING_DRIVER_550 ? GPU_AMI_DRIVER_550 : undefined;
}

/** The image URI, and the repository ARN a model's role pulls it from. */
export interface TritonImage {
  readonly imageUri: string;
  readonly repositoryArn: string;
  /** The registry account: a literal for a stack with a region, Fn::FindInMap for a region-agnostic one. */
  readonly account: string;
}

/** The CfnMapping of registries, one per stack, for region-agnostic stacks. */
function registriesMapping(stack: Stack): CfnMapping {
  const id = "SagemakerTritonRegistries";
  const existing = stack.node.tryFindChild(id);
  if (existing) return existing as CfnMapping;
  return new CfnMapping(stack, id, {
    mapping: Object.fromEntries(Object.entries(TRITON_REGISTRIES).map(([r, account]) => [r, { account }])),
  });
}

/**
 * The `sagemaker-tritonserver:<tag>` image of the scope's region. A stack with a region gets the
 * literal URI, or an error naming the supported regions; a region-agnostic stack gets the account
 * from a CfnMapping with Fn::FindInMap on AWS::Region (CloudFormation then refuses a region that is
 * not in the map, at deploy time).
 */
export function tritonImage(scope: Construct, tag: string): TritonImage {
  inferenceAmiFor(tag); // validates the tag
  const stack = Stack.of(scope);
  const region = stack.region;
  let account: string;
  let domain: string;
  if (Token.isUnresolved(region)) {
    account = registriesMapping(stack).findInMap(Aws.REGION, "account");
    domain = `dkr.ecr.${Aws.REGION}.${Aws.URL_SUFFIX}`;
  } else {
    const known = TRITON_REGISTRIES[region];
    if (!known)
      throw new Error(
        `pose: the ${TRITON_REPOSITORY} image is not published in region '${region}': deploy pose to one of ${Object.keys(TRITON_REGISTRIES).join(", ")}, or add the region's registry account to TRITON_REGISTRIES`,
      );
    account = known;
    domain = `dkr.ecr.${region}.amazonaws.com`;
  }
  return {
    account,
    imageUri: `${account}.${domain}/${TRITON_REPOSITORY}:${tag}`,
    repositoryArn: stack.formatArn({
      service: "ecr",
      account,
      resource: "repository",
      resourceName: TRITON_REPOSITORY,
    }),
  };
}
