/**
 * Stateful data is retained (dev unless deletion is explicitly allowed, prod always), prod's own
 * buffering and log retention, dev's options, and cdk-nag with no unacknowledged finding.
 */
import { Match, Template } from "aws-cdk-lib/assertions";
import { MODALITIES } from "../../lambdas/contracts/modalities.js";
import { buildApp, devTemplates, nagReport, type Resources, type Templates } from "./app.js";

describe("Sideline stacks (dev)", () => {
  let t: Templates;
  beforeAll(() => {
    t = devTemplates();
  });

  it("retains stateful resources in dev unless deletion is explicitly allowed", () => {
    for (const tpl of Object.values(t)) {
      for (const type of ["AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::Kinesis::Stream", "AWS::KMS::Key"]) {
        for (const r of Object.values(tpl.findResources(type) as Resources)) expect(r.DeletionPolicy).toBe("Retain");
      }
    }
  });
});

const STATEFUL = [
  "AWS::S3::Bucket",
  "AWS::DynamoDB::Table",
  "AWS::Kinesis::Stream",
  "AWS::KMS::Key",
  "AWS::SQS::Queue",
  "AWS::Logs::LogGroup",
];

describe("Sideline stacks (prod and options)", () => {
  it("fails if any stateful resource in prod would be deleted with its stack", () => {
    const { stacks } = buildApp({ stage: "prod" });
    for (const stack of Object.values(stacks)) {
      const resources = Template.fromStack(stack).toJSON().Resources as Resources;
      for (const [id, r] of Object.entries(resources)) {
        if (STATEFUL.includes(r.Type))
          expect(`${stack.stackName}/${id}: ${r.DeletionPolicy}`).toBe(`${stack.stackName}/${id}: Retain`);
      }
    }
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

  it("passes cdk-nag's AwsSolutions and Serverless packs with no unacknowledged finding, in both stages", () => {
    const crm = {
      crmEndpoint: "https://crm.example.com/hooks",
      crmAuth: "oauth",
      crmOAuthTokenUrl: "https://crm.example.com/oauth/token",
      crmOAuthClientId: "sideline",
    };
    for (const context of [{ stage: "dev" }, { stage: "prod" }, { stage: "prod", ...crm }])
      expect(nagReport(context)).toBe("");
  });
});
