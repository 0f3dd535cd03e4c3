/**
 * The pose invoker Lambda, as deployed. It only talks to the SageMaker endpoint: no model weights
 * are bundled. Environment (see ./env.ts, validated at init): POSE_STREAM_NAME, ENDPOINT_NAME,
 * MODEL_ID, MODEL_VERSION, and optionally ENDPOINT_MAX_CROPS, ENDPOINT_CONCURRENCY, POSE_FLIP_TEST,
 * INFERENCE_COMPONENT_NAME. It needs s3:GetObject on the raw bucket's frames, sagemaker:InvokeEndpoint
 * on the endpoint and kinesis:PutRecords on the pose stream. sharp is a native module: the bundle
 * keeps it external and the function installs it for Lambda's platform.
 */
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { S3Client } from "@aws-sdk/client-s3";
import { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { KinesisProducer } from "../../adapters/aws/kinesis-producer.js";
import { SageMakerPoseEstimator } from "../../adapters/aws/sagemaker-pose.js";
import { POSE_RECORD } from "../../contracts/records/pose.js";
import { parseEnv } from "../../runtime/env.js";
import { tracer } from "../../runtime/tracer.js";
import { poseInvokerEnvSchema } from "./env.js";
import { createPoseInvokerHandler } from "./handler.js";
import { s3ObjectReader } from "./s3-objects.js";

const env = parseEnv(poseInvokerEnvSchema);

export const handler = createPoseInvokerHandler({
  objects: s3ObjectReader(tracer.captureAWSv3Client(new S3Client({}))),
  estimator: new SageMakerPoseEstimator(tracer.captureAWSv3Client(new SageMakerRuntimeClient({})), env.ENDPOINT_NAME, {
    maxCropsPerRequest: env.ENDPOINT_MAX_CROPS,
    concurrency: env.ENDPOINT_CONCURRENCY,
    flipTest: env.POSE_FLIP_TEST,
    ...(env.INFERENCE_COMPONENT_NAME ? { inferenceComponentName: env.INFERENCE_COMPONENT_NAME } : {}),
  }),
  records: new KinesisProducer(tracer.captureAWSv3Client(new KinesisClient({})), env.POSE_STREAM_NAME, POSE_RECORD),
  model: { id: env.MODEL_ID, version: env.MODEL_VERSION },
  tracer,
});
