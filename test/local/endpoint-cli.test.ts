/**
 * `sideline endpoint status|update-model --target aws` against a recording SageMaker API on
 * 127.0.0.1: the exact calls, in order, and what the user reads.
 */
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { sidelineInProcess } from "../helpers/cli-in-process.js";

const dir = mkdtempSync(join(tmpdir(), "sideline-endpoint-"));
const CREDENTIALS = { AWS_ACCESS_KEY_ID: "LOCAL", AWS_SECRET_ACCESS_KEY: "LOCAL" };
const IMAGE = "763104351884.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-tritonserver:25.09-py3";
const ROLE = "arn:aws:iam::111122223333:role/Sideline-dev-Pose-ModelRole";
const OLD_DATA = "s3://club-models-example/movenet/2026-05/model.tar.gz";
const NEW_DATA = "s3://club-models-example/movenet/2026-06/model.tar.gz";

const VARIANT = {
  VariantName: "movenet",
  ModelName: "Model2AD80A05-abc",
  InstanceType: "ml.g5.xlarge",
  InitialInstanceCount: 1,
  InitialVariantWeight: 1,
  InferenceAmiVersion: "al2-ami-sagemaker-inference-gpu-3-1",
  ContainerStartupHealthCheckTimeoutInSeconds: 600,
};
const CAPTURE = {
  EnableCapture: true,
  InitialSamplingPercentage: 1,
  DestinationS3Uri: "s3://sideline-dev-pose-inference/capture",
  KmsKeyId: "arn:aws:kms:eu-west-1:111122223333:key/data",
  CaptureOptions: [{ CaptureMode: "Input" }, { CaptureMode: "Output" }],
};
const CONTAINER = {
  Image: IMAGE,
  ModelDataUrl: OLD_DATA,
  Environment: { SAGEMAKER_TRITON_DEFAULT_MODEL_NAME: "movenet", SAGEMAKER_TRITON_LOG_VERBOSE: "false" },
};

/** What the fake SageMaker answers, by operation. */
const ANSWERS: Record<string, unknown> = {
  DescribeEndpoint: {
    EndpointName: "sideline-pose-dev",
    EndpointArn: "arn:aws:sagemaker:eu-west-1:111122223333:endpoint/sideline-pose-dev",
    EndpointConfigName: "EndpointConfig24AD0A28-xyz",
    EndpointStatus: "InService",
    ProductionVariants: [{ VariantName: "movenet", CurrentInstanceCount: 2, DesiredInstanceCount: 3 }],
  },
  DescribeEndpointConfig: {
    EndpointConfigName: "EndpointConfig24AD0A28-xyz",
    ProductionVariants: [VARIANT],
    DataCaptureConfig: CAPTURE,
  },
  DescribeModel: {
    ModelName: "Model2AD80A05-abc",
    PrimaryContainer: CONTAINER,
    ExecutionRoleArn: ROLE,
    EnableNetworkIsolation: true,
  },
  CreateModel: { ModelArn: "arn:aws:sagemaker:eu-west-1:111122223333:model/new" },
  CreateEndpointConfig: { EndpointConfigArn: "arn:aws:sagemaker:eu-west-1:111122223333:endpoint-config/new" },
  UpdateEndpoint: { EndpointArn: "arn:aws:sagemaker:eu-west-1:111122223333:endpoint/sideline-pose-dev" },
};

/** A SageMaker API (JSON 1.1 protocol) on 127.0.0.1 that records every call. */
class RecordingSageMaker {
  readonly calls: { operation: string; body: Record<string, unknown> }[] = [];
  private readonly server: Server;

  constructor(answers: Record<string, unknown>) {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        const operation = String(req.headers["x-amz-target"]).replace(/^SageMaker\./, "");
        this.calls.push({ operation, body: JSON.parse(body) });
        res.writeHead(200, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify(answers[operation]));
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", () => r()));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close = () => new Promise<void>((r) => this.server.close(() => r()));
}

describe("sideline endpoint --target aws", () => {
  let sagemaker: RecordingSageMaker;
  let url: string;
  beforeEach(async () => {
    sagemaker = new RecordingSageMaker(ANSWERS);
    url = await sagemaker.start();
  });
  afterEach(() => sagemaker.close());

  it("status: describes the endpoint, its configuration and its model, and prints them", async () => {
    // WHEN
    const r = await runCli(
      dir,
      CREDENTIALS,
      "endpoint",
      "status",
      "--target",
      "aws",
      "--region",
      "eu-west-1",
      "--endpoint-url",
      url,
    );

    // THEN three reads, of the default endpoint and what it names
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(sagemaker.calls).toEqual([
      { operation: "DescribeEndpoint", body: { EndpointName: "sideline-pose-dev" } },
      { operation: "DescribeEndpointConfig", body: { EndpointConfigName: "EndpointConfig24AD0A28-xyz" } },
      { operation: "DescribeModel", body: { ModelName: "Model2AD80A05-abc" } },
    ]);
    expect(r.stdout).toBe(
      [
        "endpoint sideline-pose-dev: InService, configuration EndpointConfig24AD0A28-xyz",
        "  variant movenet: 2 x ml.g5.xlarge (desired 3), AMI al2-ami-sagemaker-inference-gpu-3-1",
        `  model Model2AD80A05-abc: ${OLD_DATA}`,
        `  image ${IMAGE}`,
        "",
      ].join("\n"),
    );
  });

  it("update-model: a new model and configuration like the current ones with the new data, then UpdateEndpoint keeping the instance count", async () => {
    // WHEN
    const r = await runCli(
      dir,
      CREDENTIALS,
      "endpoint",
      "update-model",
      "--target",
      "aws",
      "--region",
      "eu-west-1",
      "--endpoint-url",
      url,
      "--endpoint-name",
      "sideline-pose-dev",
      "--model-data",
      NEW_DATA,
    );

    // THEN reads, then the model, the configuration and the update, all under one new name
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const created = (sagemaker.calls[3]?.body.ModelName ?? "") as string;
    expect(created).toMatch(/^sideline-pose-dev-\d{8}-\d{6}$/);
    expect(sagemaker.calls).toEqual([
      { operation: "DescribeEndpoint", body: { EndpointName: "sideline-pose-dev" } },
      { operation: "DescribeEndpointConfig", body: { EndpointConfigName: "EndpointConfig24AD0A28-xyz" } },
      { operation: "DescribeModel", body: { ModelName: "Model2AD80A05-abc" } },
      {
        operation: "CreateModel",
        body: {
          ModelName: created,
          ExecutionRoleArn: ROLE,
          PrimaryContainer: { ...CONTAINER, ModelDataUrl: NEW_DATA },
          EnableNetworkIsolation: true,
        },
      },
      {
        operation: "CreateEndpointConfig",
        body: {
          EndpointConfigName: created,
          ProductionVariants: [{ ...VARIANT, ModelName: created }],
          DataCaptureConfig: CAPTURE,
        },
      },
      {
        operation: "UpdateEndpoint",
        body: { EndpointName: "sideline-pose-dev", EndpointConfigName: created, RetainAllVariantProperties: true },
      },
    ]);
    expect(r.stdout).toBe(
      `created model and endpoint configuration ${created} (model data ${NEW_DATA}); sideline-pose-dev is updating: SageMaker shifts traffic to instances with the new model, then stops the old ones\n`,
    );
  });

  it("update-model: refuses an endpoint that is not InService, before creating anything", async () => {
    await sagemaker.close();
    sagemaker = new RecordingSageMaker({
      ...ANSWERS,
      DescribeEndpoint: { ...(ANSWERS.DescribeEndpoint as object), EndpointStatus: "Updating" },
    });
    url = await sagemaker.start();
    const r = await runCli(
      dir,
      CREDENTIALS,
      "endpoint",
      "update-model",
      "--target",
      "aws",
      "--region",
      "eu-west-1",
      "--endpoint-url",
      url,
      "--model-data",
      NEW_DATA,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("sideline: error: endpoint sideline-pose-dev is Updating: update it once it is InService\n");
    expect(sagemaker.calls.map((c) => c.operation)).toEqual(["DescribeEndpoint"]);
  });

  it.each([
    [["status"], "sideline: error: endpoint needs --target aws (the deployed endpoint)"],
    [
      ["status", "--target", "local"],
      "sideline: error: unknown target 'local': endpoint works on deployed endpoints only (--target aws)",
    ],
    [["update-model", "--target", "aws"], "sideline: error: update-model needs --model-data s3://bucket/key.tar.gz"],
    [
      ["update-model", "--target", "aws", "--model-data", "s3://bucket/model.onnx"],
      "sideline: error: --model-data must be the s3:// URI of a .tar.gz model repository, got 's3://bucket/model.onnx'",
    ],
    [
      ["restart", "--target", "aws"],
      "sideline: error: endpoint takes status or update-model: sideline endpoint status --target aws",
    ],
  ])("refuses %j in one line, exit 2, calling nothing", async (args, message) => {
    const r = await sidelineInProcess("endpoint", ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${message}\nrun 'sideline help endpoint' for usage\n`);
    expect(sagemaker.calls).toEqual([]);
  });
});
