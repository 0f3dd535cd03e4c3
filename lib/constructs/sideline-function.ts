import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Duration, type RemovalPolicy } from "aws-cdk-lib";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { Architecture, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { type ICommandHooks, NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { LAMBDA_BUNDLE } from "../bundling.js";
import { acknowledge, inlinePolicyReason } from "../nag.js";

export const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface SidelineFunctionProps {
  /** Entry file, relative to the project root, e.g. lambdas/functions/tracking-features/index.ts. */
  readonly entry: string;
  readonly description: string;
  /** Key for the function's log group. */
  readonly logKey: IKey;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  /** Added to the house variables (source maps, Powertools service and namespace). @default - none */
  readonly environment?: Record<string, string>;
  /** Powertools service name (logs, metrics dimension, traces). @default - the construct id */
  readonly serviceName?: string;
  /** @default 1024 (MB): more memory is more CPU, and the handler is CPU-bound */
  readonly memorySize?: number;
  /** @default 60 seconds */
  readonly timeout?: Duration;
  /**
   * Native (Node-API) modules, e.g. sharp: left out of the bundle and installed beside it for the
   * function's platform, linux arm64 glibc, at the version installed here (package-lock.json's pin).
   * @default - none: everything is bundled
   */
  readonly nativeModules?: readonly string[];
  /**
   * Where events of asynchronous invocations (EventBridge, S3) go after Lambda's retries.
   * @default - none: the function is invoked synchronously or by an event source mapping with its own DLQ
   */
  readonly deadLetterQueue?: IQueue;
  /**
   * Why the function needs no DLQ of its own, when deadLetterQueue is not set: the reason given to
   * cdk-nag's DLQ rules (Serverless-LambdaDLQ, HIPAA.Security-LambdaDLQ).
   * @default - invoked only by a Kinesis event source mapping, whose on-failure destination receives failed batches
   */
  readonly noDeadLetterQueueReason?: string;
}

/**
 * Why no Sideline function runs in a VPC (HIPAA.Security-LambdaInsideVPC): every call it makes is
 * to an AWS API that authenticates with IAM (SigV4) over TLS, and the data it handles is under KMS.
 */
const NO_VPC_REASON =
  "The function calls only AWS APIs (Kinesis, Firehose, DynamoDB, S3, EventBridge, SageMaker, Step Functions), each authenticated by IAM (SigV4) over TLS 1.2+, on data encrypted under Sideline's KMS keys; it reaches no private network resource. A VPC would add NAT gateways or interface endpoints (a fixed monthly cost per AZ) and ENI cold starts without narrowing what the function can reach, which its role already limits.";

/** Why no Sideline function reserves concurrency (HIPAA.Security-LambdaConcurrency). */
const NO_RESERVED_CONCURRENCY_REASON =
  "Concurrency is bounded by the trigger: Kinesis shards x parallelization factor for the extractors (whose throttles and iterator age are alarmed), Step Functions executions and EventBridge rules, with retries and DLQs, for the rest. Reserved concurrency is carved out of the account's regional pool: Lambda refuses a reservation that leaves under 100 unreserved, so on a new account (quota 10) the deploy would fail, and a fixed cap would throttle a busy match day.";

/**
 * Installs native modules into the bundle's directory for Lambda's platform, whatever the machine
 * that synthesizes: npm v10+ selects the prebuilt binaries by --os, --cpu and --libc
 * (https://sharp.pixelplumbing.com/install#cross-platform), and --no-save leaves no package.json.
 */
export function nativeModuleHooks(modules: readonly string[]): ICommandHooks {
  const versioned = modules.map((m) => {
    const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, "node_modules", m, "package.json"), "utf8")) as {
      version: string;
    };
    return `${m}@${version}`;
  });
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir: string, outputDir: string) => [
      `npm install --prefix "${outputDir}" --no-save --no-package-lock --no-audit --no-fund --omit=dev --os=linux --cpu=arm64 --libc=glibc ${versioned.join(" ")}`,
    ],
  };
}

/**
 * The house Lambda function: Node.js 22 on ARM64 (Graviton, ~20% cheaper per GB-s), X-Ray
 * tracing, its own KMS-encrypted log group with a retention, and an ESM bundle built by the local
 * esbuild (no Docker), minified, with source maps and the AWS SDK bundled (versions pinned by
 * package-lock.json rather than by the runtime).
 */
export class SidelineFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: SidelineFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention,
      encryptionKey: props.logKey,
      removalPolicy: props.logRemovalPolicy,
    });
    // Its own role, writing to its own log group only (no AWSLambdaBasicExecutionRole on every log group).
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: `${props.serviceName ?? id} Lambda function`,
    });
    logGroup.grantWrite(role);
    super(scope, id, {
      entry: join(PROJECT_ROOT, props.entry),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, "package-lock.json"),
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(60),
      tracing: Tracing.ACTIVE,
      logGroup,
      role,
      environment: {
        NODE_OPTIONS: "--enable-source-maps",
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? id,
        POWERTOOLS_METRICS_NAMESPACE: "Sideline",
        POWERTOOLS_LOG_LEVEL: "INFO",
        ...props.environment,
      },
      ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {}),
      bundling: {
        format: OutputFormat.ESM,
        target: LAMBDA_BUNDLE.target,
        minify: LAMBDA_BUNDLE.minify,
        sourceMap: true,
        mainFields: [...LAMBDA_BUNDLE.mainFields],
        externalModules: [...(props.nativeModules ?? [])],
        banner: LAMBDA_BUNDLE.banner,
        ...(props.nativeModules?.length ? { commandHooks: nativeModuleHooks(props.nativeModules) } : {}),
      },
    });
    const runtimeReason =
      "Pinned to nodejs22.x, the runtime Sideline's dependencies (Powertools 2, Middy 7) and the embedded runtime are tested on; newer runtimes are adopted with the toolchain, deliberately.";
    const noDlqReason =
      props.noDeadLetterQueueReason ??
      "Invoked only by a Kinesis event source mapping, whose on-failure destination (an SQS DLQ) receives failed batches; a function DLQ applies to asynchronous invocations only.";
    acknowledge(this, {
      "AwsSolutions-L1": runtimeReason,
      "Serverless-LambdaLatestVersion": runtimeReason,
      "HIPAA.Security-LambdaInsideVPC": NO_VPC_REASON,
      "HIPAA.Security-LambdaConcurrency": NO_RESERVED_CONCURRENCY_REASON,
      ...(props.deadLetterQueue
        ? {}
        : { "Serverless-LambdaDLQ": noDlqReason, "HIPAA.Security-LambdaDLQ": noDlqReason }),
    });
    acknowledge(role, {
      "AwsSolutions-IAM5[Resource::*]":
        "Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource narrower than * (X-Ray service authorization reference).",
      "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]":
        "grantEncryptDecrypt on the one data key (DynamoDB and SQS encryption); GenerateDataKey variants are needed for writes.",
      "AwsSolutions-IAM5[Action::kms:ReEncrypt*]":
        "grantEncryptDecrypt on the one data key; no other key is reachable.",
      ...inlinePolicyReason(`The ${props.serviceName ?? id} function's role`),
    });
  }
}
