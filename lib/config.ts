/**
 * Sideline's deployment configuration: typed, validated, with every default written down once
 * (here, or in lambdas/contracts/defaults.ts for what the embedded runtime shares). Only bin/ reads
 * CDK context and builds this; stacks and constructs receive it as props.
 */
import { AUTOMATION_DEFAULTS, FEATURE_DEFAULTS, STREAM_MAPPING_DEFAULTS } from "../lambdas/contracts/defaults.js";
import { MODALITIES, type Modality } from "../lambdas/contracts/modalities.js";
import { assertTritonGpu, inferenceAmiFor, TRITON_IMAGE } from "./constructs/triton-image.js";

export type Stage = "dev" | "prod";
export type ShardMode = "on-demand" | "provisioned";

/** An existing VPC to put Sideline's interface endpoints in (its ids, not a lookup: synth needs no credentials). */
export interface VpcEndpointsConfig {
  /** vpc-... */
  readonly vpcId: string;
  /** The VPC's IPv4 CIDR: the endpoints accept HTTPS from it only. */
  readonly vpcCidr: string;
  /** subnet-...: one per Availability Zone the producers run in; each endpoint gets a network interface in each. */
  readonly subnetIds: readonly string[];
}

export interface SidelineConfig {
  readonly stage: Stage;
  /** Account and region; from the environment when given (CDK_DEFAULT_*), otherwise environment-agnostic. */
  readonly env: { readonly account?: string; readonly region?: string };
  /** Ids of the registered modalities to deploy (lambdas/contracts/modalities.ts): each gets its stream and extractor. */
  readonly modalities: readonly string[];
  readonly shardMode: ShardMode;
  /** Shards per stream in provisioned mode. */
  readonly shardCount: number;
  /** Firehose buffering interval: small in dev for quick feedback, large in prod for fewer, bigger files. */
  readonly firehoseBufferSeconds: number;
  /** Where alarm notifications are e-mailed; none when undefined. */
  readonly alarmEmail?: string;
  /** Feature window, seconds. */
  readonly windowSeconds: number;
  /** Event source mapping: concurrent batches per shard (1-10). */
  readonly parallelizationFactor: number;
  /** Event source mapping: records per batch (1-10,000). */
  readonly batchSize: number;
  /** Event source mapping: seconds to gather a batch (0-300). */
  readonly batchingWindowSeconds: number;
  /** Event source mapping: retries of a failing batch before its DLQ (0-10,000). */
  readonly retryAttempts: number;
  /** Event source mapping: records older than this go to the DLQ (hours, 1-168). */
  readonly maxRecordAgeHours: number;
  /** Athena: the most bytes one query may scan. */
  readonly athenaBytesScannedCutoff: number;
  /** Log retention, days. */
  readonly logRetentionDays: number;
  /** Delete stateful resources with the stack. Refused in prod; in dev only when set explicitly. */
  readonly destroyDataOnDelete: boolean;
  /**
   * Set the account's Glue Data Catalog encryption settings: catalog metadata and connection
   * passwords under the data key. There is one such setting per account and region, so two stages
   * (or another project) in one account would overwrite each other's: on in prod, opt-in in dev.
   */
  readonly glueCatalogEncryption: boolean;
  /** The CRM's webhook (https); without it, CRM requests wait in an encrypted SQS outbox. */
  readonly crmEndpoint?: string;
  /** How the API destination authenticates: an API key header, or OAuth client credentials. */
  readonly crmAuth: "api-key" | "oauth";
  /** OAuth token endpoint and client id, with crmAuth oauth. */
  readonly crmOAuthTokenUrl?: string;
  readonly crmOAuthClientId?: string;
  /** API destination invocations per second: what the CRM's API allows. */
  readonly crmRateLimitPerSecond: number;
  /** Medical alerts for a player within this many hours of a notified one are suppressed. */
  readonly medicalCooldownHours: number;
  /** Where scouting and medical notifications are e-mailed; none when undefined. */
  readonly scoutingEmail?: string;
  readonly medicalEmail?: string;
  /**
   * IAM role or user ARNs that may assume the ScoutDecider role and answer scout decisions
   * (SendTaskSuccess/Heartbeat on the scouting workflow). Empty: no ScoutDecider role is created.
   */
  readonly scoutDeciderPrincipals: readonly string[];
  /**
   * IAM role or user ARNs that may assume the Analyst role (performance and media-metadata tables in
   * Athena, through Lake Formation). Empty: no Analyst role is created.
   */
  readonly analystPrincipals: readonly string[];
  /** IAM role or user ARNs that may assume the MedicalStaff role (health and biometric tables). Empty: no role. */
  readonly medicalPrincipals: readonly string[];
  /**
   * Extra Lake Formation data lake administrators (IAM ARNs), added to the account's list; the
   * deploying role is always added (it tags tables and grants).
   */
  readonly lakeFormationAdmins: readonly string[];
  /**
   * Per producer kind (the registry's `producer` ids: stadium-edge, wearables-gateway, vision), the IAM
   * role or user ARNs that may assume that kind's producer role and write its modalities' streams. A
   * kind with no one named gets no role.
   */
  readonly producerPrincipals: Readonly<Record<string, readonly string[]>>;
  /**
   * Interface VPC endpoints with private DNS for Kinesis (kinesis-streams) and, with pose, SageMaker
   * runtime, in an existing VPC, whose policies allow only Sideline's streams and pose endpoints.
   * Off when undefined.
   */
  readonly vpcEndpoints?: VpcEndpointsConfig;
  /**
   * Video pose: the Triton GPU endpoint, its batch (asynchronous) twin and the pose invoker. Off by
   * default, in dev and prod: a GPU instance is billed by the hour whether or not a match is on, and
   * clubs without video need none of it. The pose stream and its extractor follow `modalities`.
   */
  readonly pose: boolean;
  /** s3:// URI of the Triton model repository tarball (movenet/config.pbtxt, movenet/1/model.onnx); required with pose. */
  readonly poseModelDataUrl?: string;
  /** The endpoint's GPU instance type. */
  readonly poseInstanceType: string;
  /** The sagemaker-tritonserver image tag; the endpoint's GPU AMI follows from it. */
  readonly poseImageTag: string;
  /** Real-time endpoint: instances kept (at least 1: a real-time endpoint cannot scale to zero). */
  readonly poseMinInstances: number;
  /** Real-time endpoint: the most instances autoscaling may run. */
  readonly poseMaxInstances: number;
  /** Real-time endpoint: target of SageMakerVariantInvocationsPerInstance (invocations per instance per minute). */
  readonly poseInvocationsPerInstance: number;
  /** Batch (asynchronous) endpoint: the most instances; it scales to zero when idle. */
  readonly poseBatchMaxInstances: number;
  /** Percentage of real-time requests captured (inputs and outputs) for model monitoring; 0 turns capture off. */
  readonly poseDataCapturePercent: number;
  /** Model id and version written into every pose record (MODEL_ID, MODEL_VERSION). */
  readonly poseModelId: string;
  readonly poseModelVersion: string;
}

/** The modality whose stream the pose invoker writes: `pose` needs it deployed. */
export const POSE_MODALITY_ID = "pose";

/** The defaults, with the reason for each number. */
export const DEFAULTS = {
  stage: "dev",
  /** On-demand needs no capacity planning and costs nothing per shard-hour when matches are not on. */
  shardMode: "on-demand",
  /** One provisioned shard takes 1,000 records/s: ~40 live matches at 23 records/s each. */
  shardCount: 1,
  /** Firehose buffering: 60 s in dev; 900 s in prod (fewer, larger Iceberg files; the Firehose maximum). */
  firehoseBufferSeconds: { dev: 60, prod: 900 },
  windowSeconds: FEATURE_DEFAULTS.windowSeconds,
  parallelizationFactor: STREAM_MAPPING_DEFAULTS.parallelizationFactor,
  batchSize: STREAM_MAPPING_DEFAULTS.batchSize,
  batchingWindowSeconds: STREAM_MAPPING_DEFAULTS.batchingWindowSeconds,
  retryAttempts: STREAM_MAPPING_DEFAULTS.retryAttempts,
  maxRecordAgeHours: STREAM_MAPPING_DEFAULTS.maxRecordAgeHours,
  /** 10 GiB per query: a season of player_windows is a few GiB; a runaway query stops at ~$0.05. */
  athenaBytesScannedCutoff: 10 * 1024 ** 3,
  logRetentionDays: { dev: 14, prod: 365 },
  /**
   * On in prod, the stage that owns its account; off in dev, whose accounts are often shared and
   * whose key may be deleted (destroyDataOnDelete), which would leave catalog objects unreadable.
   */
  glueCatalogEncryption: { dev: false, prod: true },
  crmAuth: "api-key",
  /** 10 requests/s: well under common CRM API limits (HubSpot and Salesforce allow ~10-100/s per app). */
  crmRateLimitPerSecond: 10,
  medicalCooldownHours: AUTOMATION_DEFAULTS.medicalCooldownHours,
  /**
   * No one: the ScoutDecider role is trusted by named principals only, never the whole account, and
   * only the deployer knows who the scouts' tool runs as.
   */
  scoutDeciderPrincipals: [],
  analystPrincipals: [],
  medicalPrincipals: [],
  lakeFormationAdmins: [],
  /**
   * No one, for every kind: a producer role is trusted by named principals only (an edge device's IAM
   * Roles Anywhere role, a gateway's instance role), which only the deployer knows.
   */
  producerPrincipals: {},
  /**
   * Off: producers reach Kinesis over the internet (TLS, SigV4) unless a VPC is named. Each interface
   * endpoint costs ~$0.01 an hour per Availability Zone (AWS PrivateLink pricing, us-east-1), and with
   * private DNS it takes over its service's name for the whole VPC, so only the deployer can choose it.
   */
  vpcEndpoints: undefined,
  /** Off: the GPU endpoint costs from ~$1.4 an hour per instance (ml.g5.xlarge, us-east-1) around the clock. */
  pose: false,
  /** ml.g5.xlarge: one A10G (24 GB), the smallest current GPU SageMaker hosts that the pinned Triton supports, ~$1.4/h. */
  poseInstanceType: "ml.g5.xlarge",
  poseImageTag: TRITON_IMAGE.tag,
  /** One warm instance: a new GPU instance takes minutes to start and pull the image, longer than a half. */
  poseMinInstances: 1,
  /** Bounds the bill: 2 in dev; 4 in prod, ~4 x 100 crops/s (see the README's cost per camera-hour). */
  poseMaxInstances: { dev: 2, prod: 4 },
  /**
   * 300 invocations a minute per instance, SageMaker's rule (max requests/s x 60 x 0.5 safety factor:
   * https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-scaling-loadtest.html) with 10 requests/s
   * as the maximum: an instance does ~200 crops/s (an estimated ~5 ms a crop for MoveNet Lightning on
   * an A10G) and a request carries up to 13 crops (6 MB), so ~15 full requests/s; 10 leaves headroom.
   * Replace it with a load test's figure.
   */
  poseInvocationsPerInstance: 300,
  /** Season backfills queue on the batch endpoint; 2 instances drain a match's frames in well under its length. */
  poseBatchMaxInstances: 2,
  /**
   * 1%: every captured request holds player images (personal data) and they are kept 30 days; at 2
   * frames/s a 90-minute match still yields ~100 captured requests per camera, enough to watch keypoint
   * confidence drift.
   */
  poseDataCapturePercent: 1,
  /** MoveNet SinglePose Lightning, TF Hub version 4, the weights the README converts. */
  poseModelId: "movenet-singlepose-lightning",
  poseModelVersion: "4",
} as const;

function intIn(v: unknown, name: string, min: number, max: number): number {
  const n = typeof v === "string" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
    throw new Error(`context '${name}' must be an integer from ${min} to ${max}, got '${String(v)}'`);
  }
  return n;
}

/** An IAM role or user ARN (any partition and account; role paths allowed, as IAM Identity Center's roles have). */
const IAM_PRINCIPAL_ARN = /^arn:aws(?:-cn|-us-gov)?:iam::\d{12}:(?:role|user)\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

/** A list of IAM role or user ARNs: a JSON list (cdk.json) or comma-separated (`-c key=a,b`). */
function principalArns(v: unknown, name: string): string[] {
  if (v !== undefined && typeof v !== "string" && !(Array.isArray(v) && v.every((a) => typeof a === "string")))
    throw new Error(`context '${name}' must be a list of IAM role or user ARNs, got '${JSON.stringify(v)}'`);
  const arns = (typeof v === "string" ? v.split(",") : ((v as string[] | undefined) ?? []))
    .map((a) => a.trim())
    .filter((a) => a !== "");
  for (const a of arns)
    if (!IAM_PRINCIPAL_ARN.test(a))
      throw new Error(
        `context '${name}' has '${a}': it must be an IAM role or user ARN, arn:aws:iam::<account>:role/<name> or arn:aws:iam::<account>:user/<name>`,
      );
  return [...new Set(arns)];
}

/**
 * Principals per producer kind: a JSON object (cdk.json, or a JSON string with -c) from kind to a list
 * of IAM role or user ARNs; every kind must be a registered modality's producer.
 */
function producerPrincipals(v: unknown, registry: readonly Modality[]): Record<string, string[]> {
  const name = "producerPrincipals";
  let o = v;
  if (typeof v === "string") {
    try {
      o = JSON.parse(v);
    } catch {
      throw new Error(
        `context '${name}' must be a JSON object from producer kind to IAM role or user ARNs, e.g. {"stadium-edge":["arn:aws:iam::123456789012:role/edge"]}, got '${v}'`,
      );
    }
  }
  if (typeof o !== "object" || o === null || Array.isArray(o))
    throw new Error(
      `context '${name}' must be an object from producer kind to IAM role or user ARNs, got '${JSON.stringify(v)}'`,
    );
  const kinds = [...new Set(registry.map((m) => m.producer.id))];
  const out: Record<string, string[]> = {};
  for (const [kind, arns] of Object.entries(o)) {
    if (!kinds.includes(kind))
      throw new Error(
        `context '${name}' has unknown producer '${kind}': the registered modalities' producers are ${kinds.join(", ")}`,
      );
    const list = principalArns(arns, `${name}.${kind}`);
    if (list.length > 0) out[kind] = list;
  }
  return out;
}

/** VPC and subnet ids: the prefix and 8 or 17 hex digits (EC2's short and long resource ids). */
const EC2_ID = (prefix: string) => new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`);
/** An IPv4 CIDR of a VPC's size: /16 to /28, the block sizes a VPC may have (Amazon VPC User Guide, "VPC CIDR blocks"). */
const VPC_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const VPC_PREFIX_LENGTHS = [16, 28] as const;

/** The VPC endpoints' VPC: a JSON object (cdk.json, or a JSON string with -c) with vpcId, vpcCidr and subnetIds. */
function vpcEndpoints(v: unknown): VpcEndpointsConfig | undefined {
  const name = "vpcEndpoints";
  if (v === undefined || v === null || v === "" || v === false || v === "false") return undefined;
  const example = `{"vpcId":"vpc-0123456789abcdef0","vpcCidr":"10.0.0.0/16","subnetIds":["subnet-0123456789abcdef0","subnet-0fedcba9876543210"]}`;
  let o = v;
  if (typeof v === "string") {
    try {
      o = JSON.parse(v);
    } catch {
      throw new Error(`context '${name}' must be a JSON object, e.g. ${example}, got '${v}'`);
    }
  }
  const c = o as Partial<Record<keyof VpcEndpointsConfig, unknown>>;
  if (typeof o !== "object" || o === null || Array.isArray(o))
    throw new Error(`context '${name}' must be an object, e.g. ${example}, got '${JSON.stringify(v)}'`);
  const unknown = Object.keys(c).filter((k) => !["vpcId", "vpcCidr", "subnetIds"].includes(k));
  if (unknown.length > 0)
    throw new Error(`context '${name}' has unknown key '${unknown[0]}': it takes vpcId, vpcCidr and subnetIds`);
  if (typeof c.vpcId !== "string" || !EC2_ID("vpc").test(c.vpcId))
    throw new Error(`context '${name}.vpcId' must be a VPC id (vpc-0123456789abcdef0), got '${String(c.vpcId)}'`);
  const cidr = typeof c.vpcCidr === "string" ? VPC_CIDR.exec(c.vpcCidr) : null;
  const [min, max] = VPC_PREFIX_LENGTHS;
  if (!cidr || cidr.slice(1, 5).some((octet) => Number(octet) > 255) || Number(cidr[5]) < min || Number(cidr[5]) > max)
    throw new Error(
      `context '${name}.vpcCidr' must be the VPC's IPv4 CIDR, /${min} to /${max} (10.0.0.0/16), got '${String(c.vpcCidr)}'`,
    );
  const subnets = typeof c.subnetIds === "string" ? c.subnetIds.split(",").map((x) => x.trim()) : c.subnetIds;
  if (!Array.isArray(subnets) || subnets.length === 0)
    throw new Error(`context '${name}.subnetIds' must list at least one subnet id of the VPC`);
  for (const id of subnets)
    if (typeof id !== "string" || !EC2_ID("subnet").test(id))
      throw new Error(
        `context '${name}.subnetIds' has '${String(id)}': it must be a subnet id (subnet-0123456789abcdef0)`,
      );
  return { vpcId: c.vpcId, vpcCidr: c.vpcCidr as string, subnetIds: [...new Set(subnets as string[])] };
}

/**
 * Builds the configuration from context values (as `app.node.tryGetContext` returns them) and the
 * environment. Throws with the key to change when a value is invalid.
 */
export function buildConfig(
  ctx: (key: string) => unknown,
  environment: NodeJS.ProcessEnv = process.env,
  registry: readonly Modality[] = MODALITIES,
): SidelineConfig {
  const stage = (ctx("stage") ?? DEFAULTS.stage) as Stage;
  if (stage !== "dev" && stage !== "prod")
    throw new Error(`context 'stage' must be dev or prod, got '${String(stage)}'`);
  const shardMode = (ctx("shardMode") ?? DEFAULTS.shardMode) as ShardMode;
  if (shardMode !== "on-demand" && shardMode !== "provisioned") {
    throw new Error(`context 'shardMode' must be on-demand or provisioned, got '${String(shardMode)}'`);
  }
  // Every registered modality by default; a subset with -c modalities=tracking,pose.
  const rawModalities = ctx("modalities") ?? registry.map((m) => m.id);
  const modalities = (typeof rawModalities === "string" ? rawModalities.split(",") : (rawModalities as string[]))
    .map((m) => m.trim())
    .filter((m) => m !== "");
  for (const m of modalities) {
    if (!registry.some((r) => r.id === m)) {
      throw new Error(
        `context 'modalities' has unknown '${m}': registered modalities are ${registry.map((r) => r.id).join(", ")}`,
      );
    }
  }
  if (modalities.length === 0) throw new Error("context 'modalities' names no modality: deploy at least one");
  const destroy = ctx("destroyDataOnDelete");
  const destroyDataOnDelete = destroy === true || destroy === "true";
  if (destroyDataOnDelete && stage === "prod") {
    throw new Error("context 'destroyDataOnDelete' cannot be true in prod: production data is always retained");
  }
  const catalogEncryption = ctx("glueCatalogEncryption") ?? DEFAULTS.glueCatalogEncryption[stage];
  if (![true, false, "true", "false"].includes(catalogEncryption as never))
    throw new Error(`context 'glueCatalogEncryption' must be true or false, got '${String(catalogEncryption)}'`);
  const glueCatalogEncryption = catalogEncryption === true || catalogEncryption === "true";
  if (glueCatalogEncryption && destroyDataOnDelete)
    throw new Error(
      "context 'glueCatalogEncryption' cannot be true with 'destroyDataOnDelete': deleting the stage's data key would leave the account's catalog metadata unreadable",
    );
  const email = (key: string) => {
    const v = ctx(key) as string | undefined;
    if (v !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v))
      throw new Error(`context '${key}' is not an e-mail address: '${v}'`);
    return v;
  };
  const https = (key: string) => {
    const v = ctx(key) as string | undefined;
    if (v !== undefined && !/^https:\/\/[^\s]+$/.test(v))
      throw new Error(`context '${key}' must be an https:// URL (API destinations need TLS), got '${v}'`);
    return v;
  };
  const alarmEmail = email("alarmEmail");
  const scoutingEmail = email("scoutingEmail");
  const medicalEmail = email("medicalEmail");
  const crmEndpoint = https("crmEndpoint");
  const crmOAuthTokenUrl = https("crmOAuthTokenUrl");
  const crmOAuthClientId = ctx("crmOAuthClientId") as string | undefined;
  const crmAuth = (ctx("crmAuth") ?? DEFAULTS.crmAuth) as SidelineConfig["crmAuth"];
  if (crmAuth !== "api-key" && crmAuth !== "oauth")
    throw new Error(`context 'crmAuth' must be api-key or oauth, got '${String(crmAuth)}'`);
  if (crmAuth === "oauth" && (!crmOAuthTokenUrl || !crmOAuthClientId))
    throw new Error("context 'crmAuth' oauth needs 'crmOAuthTokenUrl' and 'crmOAuthClientId'");
  const pose = ctx("pose") === true || ctx("pose") === "true";
  const poseModelDataUrl = ctx("poseModelDataUrl") as string | undefined;
  if (
    poseModelDataUrl !== undefined &&
    !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\S+\.tar\.gz$/.test(poseModelDataUrl)
  )
    throw new Error(
      `context 'poseModelDataUrl' must be the s3:// URI of a .tar.gz Triton model repository, got '${poseModelDataUrl}'`,
    );
  if (pose && !poseModelDataUrl)
    throw new Error(
      "context 'pose' needs 'poseModelDataUrl': the s3:// URI of your model.tar.gz (movenet/config.pbtxt, movenet/1/model.onnx)",
    );
  if (pose && !modalities.includes(POSE_MODALITY_ID))
    throw new Error(
      `context 'pose' needs the ${POSE_MODALITY_ID} modality deployed (its stream carries the keypoints): add ${POSE_MODALITY_ID} to 'modalities'`,
    );
  const poseInstanceType = String(ctx("poseInstanceType") ?? DEFAULTS.poseInstanceType);
  const poseImageTag = String(ctx("poseImageTag") ?? DEFAULTS.poseImageTag);
  const checked = (key: string, check: () => unknown) => {
    try {
      check();
    } catch (e) {
      throw new Error(`context '${key}': ${(e as Error).message.replace(/^pose: /, "")}`);
    }
  };
  checked("poseInstanceType", () => assertTritonGpu(poseInstanceType));
  checked("poseImageTag", () => inferenceAmiFor(poseImageTag));
  const poseMinInstances = intIn(ctx("poseMinInstances") ?? DEFAULTS.poseMinInstances, "poseMinInstances", 1, 100);
  const poseMaxInstances = intIn(
    ctx("poseMaxInstances") ?? DEFAULTS.poseMaxInstances[stage],
    "poseMaxInstances",
    poseMinInstances,
    100,
  );
  const endpoints = vpcEndpoints(ctx("vpcEndpoints") ?? DEFAULTS.vpcEndpoints);
  return {
    stage,
    env: { account: environment.CDK_DEFAULT_ACCOUNT, region: environment.CDK_DEFAULT_REGION },
    modalities,
    shardMode,
    shardCount: intIn(ctx("shardCount") ?? DEFAULTS.shardCount, "shardCount", 1, 500),
    firehoseBufferSeconds: intIn(
      ctx("firehoseBufferSeconds") ?? DEFAULTS.firehoseBufferSeconds[stage],
      "firehoseBufferSeconds",
      0,
      900,
    ),
    ...(alarmEmail ? { alarmEmail } : {}),
    windowSeconds: intIn(ctx("windowSeconds") ?? DEFAULTS.windowSeconds, "windowSeconds", 10, 3600),
    parallelizationFactor: intIn(
      ctx("parallelizationFactor") ?? DEFAULTS.parallelizationFactor,
      "parallelizationFactor",
      1,
      10,
    ),
    batchSize: intIn(ctx("batchSize") ?? DEFAULTS.batchSize, "batchSize", 1, 10_000),
    batchingWindowSeconds: intIn(
      ctx("batchingWindowSeconds") ?? DEFAULTS.batchingWindowSeconds,
      "batchingWindowSeconds",
      0,
      300,
    ),
    retryAttempts: intIn(ctx("retryAttempts") ?? DEFAULTS.retryAttempts, "retryAttempts", 0, 10_000),
    maxRecordAgeHours: intIn(ctx("maxRecordAgeHours") ?? DEFAULTS.maxRecordAgeHours, "maxRecordAgeHours", 1, 168),
    athenaBytesScannedCutoff: intIn(
      ctx("athenaBytesScannedCutoff") ?? DEFAULTS.athenaBytesScannedCutoff,
      "athenaBytesScannedCutoff",
      10 * 1024 ** 2,
      Number.MAX_SAFE_INTEGER,
    ),
    logRetentionDays: intIn(ctx("logRetentionDays") ?? DEFAULTS.logRetentionDays[stage], "logRetentionDays", 1, 3653),
    destroyDataOnDelete,
    glueCatalogEncryption,
    ...(crmEndpoint ? { crmEndpoint } : {}),
    crmAuth,
    ...(crmOAuthTokenUrl ? { crmOAuthTokenUrl } : {}),
    ...(crmOAuthClientId ? { crmOAuthClientId } : {}),
    crmRateLimitPerSecond: intIn(
      ctx("crmRateLimitPerSecond") ?? DEFAULTS.crmRateLimitPerSecond,
      "crmRateLimitPerSecond",
      1,
      300,
    ),
    medicalCooldownHours: intIn(
      ctx("medicalCooldownHours") ?? DEFAULTS.medicalCooldownHours,
      "medicalCooldownHours",
      0,
      24 * 28,
    ),
    ...(scoutingEmail ? { scoutingEmail } : {}),
    ...(medicalEmail ? { medicalEmail } : {}),
    scoutDeciderPrincipals: principalArns(
      ctx("scoutDeciderPrincipals") ?? DEFAULTS.scoutDeciderPrincipals,
      "scoutDeciderPrincipals",
    ),
    analystPrincipals: principalArns(ctx("analystPrincipals") ?? DEFAULTS.analystPrincipals, "analystPrincipals"),
    medicalPrincipals: principalArns(ctx("medicalPrincipals") ?? DEFAULTS.medicalPrincipals, "medicalPrincipals"),
    lakeFormationAdmins: principalArns(
      ctx("lakeFormationAdmins") ?? DEFAULTS.lakeFormationAdmins,
      "lakeFormationAdmins",
    ),
    producerPrincipals: producerPrincipals(ctx("producerPrincipals") ?? DEFAULTS.producerPrincipals, registry),
    ...(endpoints ? { vpcEndpoints: endpoints } : {}),
    pose,
    ...(poseModelDataUrl ? { poseModelDataUrl } : {}),
    poseInstanceType,
    poseImageTag,
    poseMinInstances,
    poseMaxInstances,
    poseInvocationsPerInstance: intIn(
      ctx("poseInvocationsPerInstance") ?? DEFAULTS.poseInvocationsPerInstance,
      "poseInvocationsPerInstance",
      1,
      100_000,
    ),
    poseBatchMaxInstances: intIn(
      ctx("poseBatchMaxInstances") ?? DEFAULTS.poseBatchMaxInstances,
      "poseBatchMaxInstances",
      1,
      100,
    ),
    poseDataCapturePercent: intIn(
      ctx("poseDataCapturePercent") ?? DEFAULTS.poseDataCapturePercent,
      "poseDataCapturePercent",
      0,
      100,
    ),
    poseModelId: String(ctx("poseModelId") ?? DEFAULTS.poseModelId),
    poseModelVersion: String(ctx("poseModelVersion") ?? DEFAULTS.poseModelVersion),
  };
}
