/**
 * `sideline endpoint status|update-model --target aws`: looks at, or swaps the model of, a deployed
 * pose endpoint (SageMaker, the CDK pose stack's) with @aws-sdk/client-sagemaker. Credentials come
 * from the default chain.
 */
import {
  type ContainerDefinition,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  type DescribeEndpointConfigCommandOutput,
  DescribeModelCommand,
  type DescribeModelCommandOutput,
  SageMakerClient,
  UpdateEndpointCommand,
} from "@aws-sdk/client-sagemaker";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { EXIT, exitCodesHelp } from "../exit-codes.js";
import { parseCommandArgs, stringValue, UsageError } from "../options.js";
import { printable } from "../terminal.js";

export const name = "endpoint";
export const synopsis = "endpoint status|update-model";
export const summary = "show a deployed pose endpoint, or give it new model data (no downtime)";

/** The dev stack's real-time endpoint (lib/stacks/pose-stack.ts: sideline-pose-<stage>). */
export const DEFAULT_ENDPOINT_NAME = "sideline-pose-dev";

export const options = {
  target: { type: "string" },
  region: { type: "string" },
  "endpoint-name": { type: "string" },
  "model-data": { type: "string" },
  "endpoint-url": { type: "string" },
} as const;

export const help = `usage: sideline endpoint status|update-model --target aws [options]

status        prints the endpoint, its variants (instances now and wanted, instance type, GPU AMI),
              and each variant's model: its image and model data.
update-model  creates a model and an endpoint configuration like the current ones, with new model
              data, and calls UpdateEndpoint: SageMaker starts instances with the new model, shifts
              traffic to them, then stops the old ones (no downtime), keeping the instance count
              autoscaling chose. Set poseModelDataUrl in cdk.json to the same URI: a later deploy
              that changes the endpoint brings back the template's model.

endpoint options:
  --target aws              a deployed endpoint (the only target: the local inference server loads its
                            model when it starts)
  --endpoint-name N         the endpoint (default ${DEFAULT_ENDPOINT_NAME}; sideline-pose-prod, or
                            sideline-pose-batch-<stage> for the batch endpoint)
  --model-data URI          update-model: s3://bucket/key.tar.gz, the new Triton model repository
                            (movenet/config.pbtxt, movenet/1/model.onnx)
  --region R                the endpoint's region (default: the AWS SDK's, e.g. AWS_REGION)
  --endpoint-url U          a SageMaker-compatible API endpoint instead of the region's

${exitCodesHelp([EXIT.ok, EXIT.error, EXIT.usage])}`;

const ACTIONS = ["status", "update-model"] as const;
const MODEL_DATA = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\S+\.tar\.gz$/;
/** SageMaker resource names: 63 characters at most. */
const NAME_MAX = 63;

export interface AwsEndpointOptions {
  readonly region?: string;
  /** A SageMaker-compatible API endpoint. @default - the AWS endpoint of the region */
  readonly endpoint?: string;
}

function client(o: AwsEndpointOptions): SageMakerClient {
  return new SageMakerClient({
    ...(o.region ? { region: o.region } : {}),
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 30_000 }),
  });
}

/** The model's single container: the pose stack's models have one (PrimaryContainer). */
function container(model: DescribeModelCommandOutput): ContainerDefinition {
  if (!model.PrimaryContainer)
    throw new Error(`model ${model.ModelName} has several containers: update-model swaps single-container models only`);
  return model.PrimaryContainer;
}

/** The lines `status` prints. */
export async function endpointStatus(endpointName: string, o: AwsEndpointOptions = {}): Promise<string[]> {
  const sm = client(o);
  try {
    const ep = await sm.send(new DescribeEndpointCommand({ EndpointName: endpointName }));
    const config = await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: ep.EndpointConfigName }));
    const lines = [
      `endpoint ${endpointName}: ${ep.EndpointStatus}${ep.FailureReason ? ` (${ep.FailureReason})` : ""}, configuration ${ep.EndpointConfigName}`,
    ];
    if (config.AsyncInferenceConfig?.OutputConfig?.S3OutputPath)
      lines.push(`  asynchronous: results to ${config.AsyncInferenceConfig.OutputConfig.S3OutputPath}`);
    for (const v of config.ProductionVariants ?? []) {
      const now = ep.ProductionVariants?.find((x) => x.VariantName === v.VariantName);
      lines.push(
        `  variant ${v.VariantName}: ${now?.CurrentInstanceCount ?? 0} x ${v.InstanceType} (desired ${now?.DesiredInstanceCount ?? 0}), AMI ${v.InferenceAmiVersion ?? "SageMaker's default"}`,
      );
      const model = await sm.send(new DescribeModelCommand({ ModelName: v.ModelName }));
      const c = container(model);
      lines.push(`  model ${model.ModelName}: ${c.ModelDataUrl ?? c.ModelDataSource?.S3DataSource?.S3Uri ?? "(none)"}`);
      lines.push(`  image ${c.Image}`);
    }
    return lines;
  } finally {
    sm.destroy();
  }
}

/** `<endpoint>-YYYYMMDD-HHMMSS`, within SageMaker's 63 characters. */
export function versionedName(endpointName: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${endpointName.slice(0, NAME_MAX - stamp.length - 1)}-${stamp}`;
}

/**
 * A new model (the current one with `modelData`) and endpoint configuration (the current one with
 * that model), then UpdateEndpoint, keeping the variants' instance counts (RetainAllVariantProperties).
 * Returns the name given to both.
 */
export async function updateEndpointModel(
  endpointName: string,
  modelData: string,
  o: AwsEndpointOptions & { readonly now?: Date } = {},
): Promise<string> {
  const sm = client(o);
  try {
    const ep = await sm.send(new DescribeEndpointCommand({ EndpointName: endpointName }));
    if (ep.EndpointStatus !== "InService")
      throw new Error(`endpoint ${endpointName} is ${ep.EndpointStatus}: update it once it is InService`);
    const config: DescribeEndpointConfigCommandOutput = await sm.send(
      new DescribeEndpointConfigCommand({ EndpointConfigName: ep.EndpointConfigName }),
    );
    const variants = config.ProductionVariants ?? [];
    const modelNames = [...new Set(variants.map((v) => v.ModelName))];
    if (modelNames.length !== 1)
      throw new Error(`endpoint ${endpointName} serves ${modelNames.length} models: update-model swaps one`);
    const model = await sm.send(new DescribeModelCommand({ ModelName: modelNames[0] }));
    const { ModelDataSource: _replaced, ...current } = container(model);
    const newName = versionedName(endpointName, o.now ?? new Date());
    await sm.send(
      new CreateModelCommand({
        ModelName: newName,
        ExecutionRoleArn: model.ExecutionRoleArn,
        PrimaryContainer: { ...current, ModelDataUrl: modelData },
        ...(model.EnableNetworkIsolation !== undefined ? { EnableNetworkIsolation: model.EnableNetworkIsolation } : {}),
        ...(model.VpcConfig ? { VpcConfig: model.VpcConfig } : {}),
      }),
    );
    await sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: newName,
        ProductionVariants: variants.map((v) => ({ ...v, ModelName: newName })),
        ...(config.DataCaptureConfig ? { DataCaptureConfig: config.DataCaptureConfig } : {}),
        ...(config.KmsKeyId ? { KmsKeyId: config.KmsKeyId } : {}),
        ...(config.AsyncInferenceConfig ? { AsyncInferenceConfig: config.AsyncInferenceConfig } : {}),
      }),
    );
    await sm.send(
      new UpdateEndpointCommand({
        EndpointName: endpointName,
        EndpointConfigName: newName,
        RetainAllVariantProperties: true,
      }),
    );
    return newName;
  } finally {
    sm.destroy();
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(name, argv, options);
  const action = positionals[0];
  if (positionals.length !== 1 || !(ACTIONS as readonly string[]).includes(action!))
    throw new UsageError("endpoint takes status or update-model: sideline endpoint status --target aws");
  const target = stringValue(values.target);
  if (target !== "aws")
    throw new UsageError(
      target === undefined
        ? "endpoint needs --target aws (the deployed endpoint)"
        : `unknown target '${target}': endpoint works on deployed endpoints only (--target aws)`,
    );
  const endpointName = stringValue(values["endpoint-name"]) ?? DEFAULT_ENDPOINT_NAME;
  const region = stringValue(values.region);
  const endpoint = stringValue(values["endpoint-url"]);
  const aws = { ...(region ? { region } : {}), ...(endpoint ? { endpoint } : {}) };
  const modelData = stringValue(values["model-data"]);
  if (action === "status") {
    if (modelData !== undefined) throw new UsageError("--model-data is for update-model, not status");
    const lines = await endpointStatus(endpointName, aws);
    process.stdout.write(`${lines.map(printable).join("\n")}\n`);
    return EXIT.ok;
  }
  if (!modelData) throw new UsageError("update-model needs --model-data s3://bucket/key.tar.gz");
  if (!MODEL_DATA.test(modelData))
    throw new UsageError(`--model-data must be the s3:// URI of a .tar.gz model repository, got '${modelData}'`);
  const created = await updateEndpointModel(endpointName, modelData, aws);
  process.stdout.write(
    `${printable(
      `created model and endpoint configuration ${created} (model data ${modelData}); ${endpointName} is updating: SageMaker shifts traffic to instances with the new model, then stops the old ones`,
    )}\n`,
  );
  return EXIT.ok;
}
