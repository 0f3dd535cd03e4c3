/**
 * Stateful data is retained (dev unless deletion is explicitly allowed, prod always), prod's own
 * buffering and log retention, dev's options, and cdk-nag with no unacknowledged finding.
 */
import { Match, Template } from "aws-cdk-lib/assertions";
import { CfnFunction } from "aws-cdk-lib/aws-lambda";
import { MODALITIES } from "../../lambdas/contracts/modalities.js";
import { REGISTRY } from "../../lib/sideline.js";
import { buildApp, devTemplates, EXAMPLE_SCOUT_DECIDER, nagReport, type Resources, type Templates } from "./app.js";
import { POSE_CONTEXT } from "./pose-app.js";

/** The parts of CDK's validation-report.json that name each pack's findings. */
interface NagValidationReport {
  readonly pluginReports: {
    readonly pluginName: string;
    readonly violations: {
      readonly ruleName: string;
      readonly violatingConstructs: { readonly constructPath: string }[];
    }[];
  }[];
}

/**
 * Every resource type that holds data, with what would be lost if it were deleted with its stack.
 * Prod must retain each of these (DeletionPolicy and UpdateReplacePolicy Retain), and so must dev
 * unless destroyDataOnDelete is set.
 */
const STATEFUL_TYPES: Readonly<Record<string, string>> = {
  "AWS::S3::Bucket": "the lake's Iceberg files, raw media, Firehose error files and access logs",
  "AWS::DynamoDB::Table": "the live per-player feature state",
  "AWS::Kinesis::Stream": "records not yet read, within the stream's retention",
  "AWS::KMS::Key": "every ciphertext under it: deleting the key makes all encrypted data unreadable",
  "AWS::Logs::LogGroup": "log events kept for audit and incident analysis",
  "AWS::Logs::LogStream": "the log events of a stream (Firehose's error streams)",
  "AWS::SQS::Queue": "dead letters and outbox messages waiting to be inspected or redriven",
  "AWS::Glue::Database": "the catalog entry of every lake table",
  "Custom::IcebergTable":
    "each Iceberg table's catalog entry, the pointer to its current metadata: the table's schema and snapshots",
  "AWS::Events::EventBus":
    "the archive's source: replays go back onto this bus, and its ARN is in the archive's encryption context",
  "AWS::Events::Archive": "a year of insight events, kept for replay",
  "AWS::SecretsManager::Secret": "the CRM credentials, which cannot be recreated from the template",
  "AWS::StepFunctions::StateMachine": "90 days of execution history, the audit trail of medical and scouting decisions",
};

/**
 * Every other resource type in the prod templates, with why deleting it loses no data: a new type
 * must be added to one of the two lists, so nothing stateful slips through unclassified.
 */
const STATELESS_TYPES: Readonly<Record<string, string>> = {
  "AWS::ApplicationAutoScaling::ScalableTarget": "scaling configuration, from the template",
  "AWS::ApplicationAutoScaling::ScalingPolicy": "scaling configuration, from the template",
  "AWS::Athena::NamedQuery": "query text, from glue/queries",
  "AWS::Athena::WorkGroup": "settings; query results live in the Athena results bucket",
  "AWS::CloudWatch::Alarm": "configuration; alarm history is not data the pipeline keeps",
  "AWS::LakeFormation::DataLakeSettings":
    "administrators appended to the account's list (APPEND): removing them deletes no data",
  "AWS::LakeFormation::PrincipalPermissions": "grants, from the template; the data they reach is retained",
  "AWS::LakeFormation::Resource": "a location registration; the warehouse bucket itself is retained",
  "AWS::LakeFormation::Tag": "the classification tag's definition, from the registry",
  "AWS::LakeFormation::TagAssociation": "a table's classification tag, from the registry",
  "AWS::CloudWatch::Dashboard": "configuration, from the template",
  "AWS::EC2::SecurityGroup": "the VPC endpoints' network rules, from the template",
  "AWS::EC2::VPCEndpoint": "a network path to a service; it holds no data",
  "AWS::Events::ApiDestination": "configuration; its credentials are in the connection's secret",
  "AWS::Events::Connection": "configuration, recreated from the CRM secret",
  "AWS::Events::Rule": "routing configuration, from the template",
  "AWS::Glue::DataCatalogEncryptionSettings": "an account setting; objects already encrypted stay encrypted",
  "AWS::Glue::TableOptimizer": "maintenance configuration of a table",
  "AWS::IAM::Policy": "permissions, from the template",
  "AWS::IAM::Role": "permissions, from the template",
  "AWS::KMS::Alias": "a name for a retained key",
  "AWS::KinesisFirehose::DeliveryStream": "a buffer of at most 900 s; delivered rows are in the warehouse",
  "AWS::Lambda::EventInvokeConfig": "retries and the failure queue of async invocations, from the template",
  "AWS::Lambda::EventSourceMapping": "a stream position; unread records stay in the retained stream",
  "AWS::Lambda::Function": "code, from the bundle",
  "AWS::Lambda::Permission": "permissions, from the template",
  "AWS::S3::BucketPolicy": "permissions, from the template",
  "AWS::SNS::Topic": "SNS delivers and keeps no messages; subscribers are in the template",
  "AWS::SNS::TopicPolicy": "permissions, from the template",
  "AWS::SNS::Subscription": "configuration, from the template (an e-mail subscription is re-confirmed)",
  "AWS::SQS::QueuePolicy": "permissions, from the template",
  "AWS::SageMaker::Endpoint": "serving infrastructure; captured requests are in the raw archive bucket",
  "AWS::SageMaker::EndpointConfig": "configuration, from the template",
  "AWS::SageMaker::Model": "a pointer to the model tarball in S3",
  "AWS::CDK::Metadata": "CDK's version report",
};

describe("Sideline stacks (dev)", () => {
  let t: Templates;
  beforeAll(() => {
    t = devTemplates();
  });

  it("retains stateful resources in dev unless deletion is explicitly allowed", () => {
    for (const tpl of Object.values(t)) {
      for (const type of [
        "AWS::S3::Bucket",
        "AWS::DynamoDB::Table",
        "AWS::Kinesis::Stream",
        "AWS::KMS::Key",
        "AWS::Glue::Database",
        "Custom::IcebergTable",
        "AWS::Events::EventBus",
        "AWS::Events::Archive",
      ]) {
        for (const r of Object.values(tpl.findResources(type) as Resources)) expect(r.DeletionPolicy).toBe("Retain");
      }
    }
  });
});

/** Every optional identity and network resource: producer roles, and VPC endpoints in an example VPC. */
const ACCESS_CONTEXT = {
  // every producer kind's role (their nag findings are checked here, with the VPC endpoints)
  producerPrincipals: {
    "stadium-edge": ["arn:aws:iam::123456789012:role/stadium-edge"],
    "wearables-gateway": ["arn:aws:iam::123456789012:role/wearables-gateway"],
    vision: ["arn:aws:iam::123456789012:role/camera-a"],
  },
  vpcEndpoints: { vpcId: "vpc-0123456789abcdef0", vpcCidr: "10.0.0.0/16", subnetIds: ["subnet-0123456789abcdef0"] },
};

const CRM_CONTEXT = {
  crmEndpoint: "https://crm.example.com/hooks",
  crmAuth: "oauth",
  crmOAuthTokenUrl: "https://crm.example.com/oauth/token",
  crmOAuthClientId: "sideline",
};

/** Prod with every optional resource and role: the CRM, producers, VPC endpoints, scout deciders, analysts, medical staff. */
const EVERY_OPTION = {
  stage: "prod",
  ...CRM_CONTEXT,
  ...ACCESS_CONTEXT,
  scoutDeciderPrincipals: [EXAMPLE_SCOUT_DECIDER],
  analystPrincipals: ["arn:aws:iam::123456789012:role/club-analysts"],
  medicalPrincipals: ["arn:aws:iam::123456789012:role/club-medical"],
};

describe("Sideline stacks (prod and options)", () => {
  it("fails if any stateful resource in prod would be deleted with its stack, or a resource type is unclassified", () => {
    // Every optional stack and resource on: pose (SageMaker), the CRM (connection, secret), producer roles and VPC endpoints.
    const { stacks } = buildApp({ stage: "prod", ...POSE_CONTEXT, ...CRM_CONTEXT, ...ACCESS_CONTEXT });
    const found = new Set<string>();
    const deleted: string[] = [];
    for (const stack of Object.values(stacks)) {
      const resources = Template.fromStack(stack).toJSON().Resources as Resources;
      for (const [id, r] of Object.entries(resources)) {
        found.add(r.Type);
        if (r.Type in STATEFUL_TYPES && (r.DeletionPolicy !== "Retain" || r.UpdateReplacePolicy !== "Retain"))
          deleted.push(`${stack.stackName}/${id} (${r.Type}): ${r.DeletionPolicy}/${r.UpdateReplacePolicy}`);
      }
    }
    expect([...found].filter((type) => !(type in STATEFUL_TYPES) && !(type in STATELESS_TYPES))).toEqual([]);
    expect(deleted).toEqual([]);
    // The Glue and Events types are present, so the check above covered them.
    for (const type of [
      "AWS::Glue::Database",
      "Custom::IcebergTable",
      "AWS::Events::EventBus",
      "AWS::Events::Archive",
      "AWS::EC2::VPCEndpoint",
    ])
      expect(found).toContain(type);
    const lake = Template.fromStack(stacks.lakehouse);
    lake.hasResourceProperties("AWS::KinesisFirehose::DeliveryStream", {
      IcebergDestinationConfiguration: Match.objectLike({ BufferingHints: { IntervalInSeconds: 900, SizeInMBs: 128 } }),
    });
    Template.fromStack(stacks.ingest).hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: 365 });
  });

  it("deletes dev data only when destroyDataOnDelete is set, and provisions shards on request", () => {
    const { stacks } = buildApp({
      stage: "dev",
      destroyDataOnDelete: true,
      shardMode: "provisioned",
      shardCount: 4,
    });
    const ingest = Template.fromStack(stacks.ingest);
    // one stream per registered modality (tracking, pose), all provisioned alike
    ingest.resourceCountIs("AWS::Kinesis::Stream", MODALITIES.length);
    ingest.hasResourceProperties("AWS::Kinesis::Stream", {
      Name: "sideline-tracking-dev",
      ShardCount: 4,
      StreamModeDetails: { StreamMode: "PROVISIONED" },
    });
    for (const r of Object.values(ingest.findResources("AWS::Kinesis::Stream") as Resources))
      expect(r.DeletionPolicy).toBe("Delete");
  });

  it("passes cdk-nag's AwsSolutions, Serverless and HIPAA Security packs with no unacknowledged finding, in both stages", () => {
    // (the last with the ScoutDecider, producer, Analyst and MedicalStaff roles, created only for named
    // principals, and the VPC endpoints)
    for (const context of [{ stage: "dev" }, { stage: "prod" }, EVERY_OPTION]) expect(nagReport(context)).toBe("");
  });

  it("passes them too with a concrete account and region (as cdk deploy synthesizes), every optional role included", () => {
    // Acknowledgements name ARNs as cdk-nag prints them: literals here, not <AWS::AccountId>.
    const report = nagReport(EVERY_OPTION, REGISTRY, () => {}, {
      CDK_DEFAULT_ACCOUNT: "123456789012",
      CDK_DEFAULT_REGION: "eu-west-1",
    });
    expect(report).toBe("");
  });

  it("fails synthesis on a finding left unacknowledged, in each of the three packs", () => {
    // A bare function, with none of SidelineFunction's settings or acknowledgements: every pack flags it.
    const report = nagReport({ stage: "dev" }, REGISTRY, (stacks) => {
      new CfnFunction(stacks.ingest, "Unacknowledged", {
        code: { zipFile: "export const handler = async () => {};" },
        handler: "index.handler",
        runtime: "nodejs20.x",
        role: "arn:aws:iam::123456789012:role/example",
      });
    });
    const { pluginReports } = JSON.parse(report) as NagValidationReport;
    const flagging = pluginReports.filter((p) =>
      p.violations.some((v) => v.violatingConstructs.some((c) => c.constructPath.endsWith("/Unacknowledged"))),
    );
    expect(flagging.map((p) => p.pluginName).sort()).toEqual(["AwsSolutions", "HIPAA.Security", "Serverless"]);
  });
});
