/** Wires the stacks of one stage: security, lakehouse, insights, ingest, automation, pose (opt-in), network (opt-in), observability. */

import type { App } from "aws-cdk-lib";
import { RemovalPolicy } from "aws-cdk-lib";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import { STREAM_MAPPING_DEFAULTS } from "../lambdas/contracts/defaults.js";
import { MODALITIES, type Modality } from "../lambdas/contracts/modalities.js";
import { type AnyTable, TABLES } from "../lambdas/contracts/tables/index.js";
import { POSE_MODALITY_ID, type SidelineConfig } from "./config.js";
import type { FieldIdLedger } from "./iceberg.js";
import { AutomationStack } from "./stacks/automation-stack.js";
import { IngestStack } from "./stacks/ingest-stack.js";
import { InsightsStack } from "./stacks/insights-stack.js";
import { LakehouseStack } from "./stacks/lakehouse-stack.js";
import { NetworkStack } from "./stacks/network-stack.js";
import { ObservabilityStack } from "./stacks/observability-stack.js";
import { PoseStack, type PoseStackProps } from "./stacks/pose-stack.js";
import { SecurityStack } from "./stacks/security-stack.js";

export interface SidelineStacks {
  readonly security: SecurityStack;
  readonly lakehouse: LakehouseStack;
  readonly insights: InsightsStack;
  readonly ingest: IngestStack;
  readonly automation: AutomationStack;
  /** Video pose (endpoints and invoker), with the `pose` context key only. */
  readonly pose?: PoseStack;
  /** Interface VPC endpoints for Kinesis and SageMaker runtime, with the `vpcEndpoints` context key only. */
  readonly network?: NetworkStack;
  readonly observability: ObservabilityStack;
}

/**
 * Stateful data is retained unless the configuration explicitly allows deleting it, which
 * buildConfig refuses in prod (after the Data Solutions Framework's context guard).
 */
export function dataRemovalPolicy(config: SidelineConfig): RemovalPolicy {
  return config.destroyDataOnDelete && config.stage !== "prod" ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}

/** What the app deploys: the registered modalities, and the lake's tables (the registry's by default). */
export interface Registry {
  readonly modalities: readonly Modality[];
  /** Every lake table: the shared ones and each modality's. */
  readonly tables: readonly AnyTable[];
  /**
   * The Iceberg field ids of every lake table (lib/iceberg.ts says why they are pinned). A modality
   * kept outside this repository brings its tables' entries here.
   * @default - the committed ledger, lambdas/contracts/tables/field-ids.json
   */
  readonly fieldIds?: FieldIdLedger;
}

export const REGISTRY: Registry = { modalities: MODALITIES, tables: TABLES };

export function buildSideline(app: App, config: SidelineConfig, registry: Registry = REGISTRY): SidelineStacks {
  const prefix = `Sideline-${config.stage}`;
  const env = config.env.account || config.env.region ? config.env : undefined;
  const common = { env, stageName: config.stage };
  const removalPolicy = dataRemovalPolicy(config);
  const logRetention = config.logRetentionDays as RetentionDays;
  const security = new SecurityStack(app, `${prefix}-Security`, {
    env,
    destroyOnDelete: removalPolicy === RemovalPolicy.DESTROY,
  });
  const lakehouse = new LakehouseStack(app, `${prefix}-Lakehouse`, {
    ...common,
    dataKey: security.dataKey,
    keys: security.keys,
    opsKey: security.opsKey,
    firehoseBufferSeconds: config.firehoseBufferSeconds,
    athenaBytesScannedCutoff: config.athenaBytesScannedCutoff,
    tables: [...new Set([...registry.tables, ...registry.modalities.flatMap((m) => m.tables)])],
    ...(registry.fieldIds ? { fieldIds: registry.fieldIds } : {}),
    logRetention,
    removalPolicy,
    catalogEncryption: config.glueCatalogEncryption,
    access: config,
  });
  const insights = new InsightsStack(app, `${prefix}-Insights`, {
    ...common,
    insightsKey: security.healthKey,
    opsKey: security.opsKey,
    removalPolicy,
  });
  const ingest = new IngestStack(app, `${prefix}-Ingest`, {
    ...common,
    keys: security.keys,
    opsKey: security.opsKey,
    modalities: config.modalities.map((id) => registry.modalities.find((m) => m.id === id)!),
    shardMode: config.shardMode,
    shardCount: config.shardCount,
    mapping: {
      batchSize: config.batchSize,
      batchingWindowSeconds: config.batchingWindowSeconds,
      parallelizationFactor: config.parallelizationFactor,
      retryAttempts: config.retryAttempts,
      maxRecordAgeHours: config.maxRecordAgeHours,
      bisectOnError: STREAM_MAPPING_DEFAULTS.bisectOnError,
    },
    bus: insights.bus,
    featureStreams: lakehouse.deliveryStreams,
    accessLogs: lakehouse.accessLogs,
    windowSeconds: config.windowSeconds,
    logRetention,
    removalPolicy,
    producerPrincipals: config.producerPrincipals,
  });
  const automation = new AutomationStack(app, `${prefix}-Automation`, {
    ...common,
    dataKey: security.dataKey,
    healthKey: security.healthKey,
    opsKey: security.opsKey,
    bus: insights.bus,
    stateTable: ingest.stateTable,
    deliveryStreams: lakehouse.deliveryStreams,
    workgroup: lakehouse.workgroup,
    lakeAccess: lakehouse.access,
    databaseName: lakehouse.databaseName,
    lakeExports: lakehouse.exports,
    firehoseBufferSeconds: config.firehoseBufferSeconds,
    config,
    logRetention,
    removalPolicy,
  });
  const pose = config.pose
    ? buildPose(app, `${prefix}-Pose`, config, { security, lakehouse, ingest }, { env, logRetention, removalPolicy })
    : undefined;
  const network = config.vpcEndpoints
    ? new NetworkStack(app, `${prefix}-Network`, {
        env,
        vpc: config.vpcEndpoints,
        streams: ingest.extractors.map((x) => x.stream),
        ...(pose ? { poseEndpointNames: [pose.endpoint.endpointName, pose.batch.endpointName] } : {}),
      })
    : undefined;
  const observability = new ObservabilityStack(app, `${prefix}-Observability`, {
    ...common,
    opsKey: security.opsKey,
    alarmEmail: config.alarmEmail,
    extractors: ingest.extractors,
    deliveryStreams: Object.values(lakehouse.deliveryStreams),
    firehoseBufferSeconds: config.firehoseBufferSeconds,
    stateMachines: automation.stateMachines,
    workflowTasks: automation.workflowTasks,
    automationDeadLetters: automation.deadLetterQueue,
    busDeadLetters: insights.deadLetterQueue,
    ...(pose ? { pose } : {}),
  });
  return {
    security,
    lakehouse,
    insights,
    ingest,
    automation,
    ...(pose ? { pose } : {}),
    ...(network ? { network } : {}),
    observability,
  };
}

/**
 * The pose stack, given the pose modality's stream from ingest (its FeatureExtractor builds it from
 * the registry entry) and the raw archive the frames arrive in.
 */
function buildPose(
  app: App,
  id: string,
  config: SidelineConfig,
  s: Pick<SidelineStacks, "security" | "lakehouse" | "ingest">,
  shared: Pick<PoseStackProps, "env" | "logRetention" | "removalPolicy">,
): PoseStack {
  const extractor = s.ingest.extractors.find((x) => x.modality.id === POSE_MODALITY_ID);
  if (!extractor)
    throw new Error(
      `context 'pose' needs the ${POSE_MODALITY_ID} modality deployed (its stream carries the keypoints): add ${POSE_MODALITY_ID} to 'modalities'`,
    );
  return new PoseStack(app, id, {
    ...shared,
    stageName: config.stage,
    biometricKey: s.security.biometricKey,
    opsKey: s.security.opsKey,
    rawArchive: s.lakehouse.rawArchive,
    accessLogs: s.lakehouse.accessLogs,
    poseStream: extractor.stream,
    config,
  });
}
