/**
 * The insights bus and archive under customer managed keys, with the bus's own dead-letter queue
 * and its alarm, and the account's Glue Data Catalog encryption settings (prod on, dev opt-in).
 */
import { Match, Template } from "aws-cdk-lib/assertions";
import { buildApp, devTemplates, type Resources, type Templates } from "./app.js";

type Statement = { Action: string | string[]; Principal?: { Service?: string }; Condition?: Record<string, unknown> };

/** The logical id of a security key ("DataKey" or "OpsKey") and the import of its ARN elsewhere. */
function keyOf(security: Template, prefix: "DataKey" | "HealthKey" | "OpsKey") {
  const id = Object.keys(security.findResources("AWS::KMS::Key")).find((k) => k.startsWith(prefix))!;
  const policy = (security.toJSON().Resources[id].Properties.KeyPolicy as { Statement: Statement[] }).Statement;
  return { id, policy, arnImport: { "Fn::ImportValue": Match.stringLikeRegexp(`GetAtt${id}Arn`) } };
}

const actions = (s: Statement) => [s.Action].flat();
/** The bus's ARN as the key policies write it: from its name, with pseudo parameters. */
const busArn = (stage: string) => ({
  "Fn::Join": [
    "",
    [
      "arn:",
      { Ref: "AWS::Partition" },
      ":events:",
      { Ref: "AWS::Region" },
      ":",
      { Ref: "AWS::AccountId" },
      `:event-bus/sideline-insights-${stage}`,
    ],
  ],
});

describe("Insights bus (dev): keys and dead letters", () => {
  let t: Templates;
  beforeAll(() => {
    t = devTemplates();
  });

  it("encrypts the bus and its archive with the health key (insights include medical alerts)", () => {
    const healthKey = keyOf(t.security, "HealthKey");
    t.insights.hasResourceProperties("AWS::Events::EventBus", { KmsKeyIdentifier: healthKey.arnImport });
    t.insights.hasResourceProperties("AWS::Events::Archive", {
      KmsKeyIdentifier: healthKey.arnImport,
      RetentionDays: 365,
    });
  });

  it("lets EventBridge re-encrypt archived events under the health key, for this bus only", () => {
    const archive = keyOf(t.security, "HealthKey").policy.filter(
      (s) =>
        s.Principal?.Service === "events.amazonaws.com" &&
        actions(s).includes("kms:ReEncrypt*") &&
        s.Condition !== undefined,
    );
    expect(archive).toHaveLength(1);
    expect(actions(archive[0]!).sort()).toEqual(["kms:Decrypt", "kms:GenerateDataKey", "kms:ReEncrypt*"]);
    expect(archive[0]!.Condition).toEqual({
      StringEquals: {
        "kms:EncryptionContext:aws:events:event-bus:arn": busArn("dev"),
      },
    });
  });

  it("gives the bus an SSL-only dead-letter queue under the ops key, which only this bus may send to", () => {
    const opsKey = keyOf(t.security, "OpsKey");
    const queues = t.insights.findResources("AWS::SQS::Queue") as Resources;
    expect(Object.keys(queues)).toHaveLength(1);
    const [queueId, queue] = Object.entries(queues)[0]!;
    expect(queue.Properties).toMatchObject({ MessageRetentionPeriod: 14 * 24 * 3600 });
    t.insights.hasResourceProperties("AWS::SQS::Queue", { KmsMasterKeyId: opsKey.arnImport });
    t.insights.hasResourceProperties("AWS::Events::EventBus", {
      DeadLetterConfig: { Arn: { "Fn::GetAtt": [queueId, "Arn"] } },
    });
    t.insights.hasResourceProperties("AWS::SQS::QueuePolicy", {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Deny",
            Action: "sqs:*",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          }),
          Match.objectLike({
            Effect: "Allow",
            Action: "sqs:SendMessage",
            Principal: { Service: "events.amazonaws.com" },
            Condition: { ArnEquals: { "aws:SourceArn": { "Fn::GetAtt": [Match.stringLikeRegexp("^Bus"), "Arn"] } } },
          }),
        ]),
      },
    });
    // EventBridge encrypts the dead letter with the ops key: this account's bus only.
    const send = opsKey.policy.filter(
      (s) => s.Principal?.Service === "events.amazonaws.com" && actions(s).includes("kms:GenerateDataKey"),
    );
    expect(send).toHaveLength(1);
    expect(actions(send[0]!).sort()).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
    expect(send[0]!.Condition).toEqual({
      StringEquals: { "aws:SourceArn": busArn("dev") },
    });
  });

  it("alarms on the first dead letter of the bus", () => {
    t.observability.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/SQS",
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [
        { Name: "QueueName", Value: { "Fn::ImportValue": Match.stringLikeRegexp("^Sideline-dev-Insights:") } },
      ],
      Statistic: "Maximum",
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      AlarmActions: [{ Ref: Match.stringLikeRegexp("^Alarms") }],
    });
  });

  it("leaves the account's Data Catalog encryption settings alone in dev by default", () => {
    t.lakehouse.resourceCountIs("AWS::Glue::DataCatalogEncryptionSettings", 0);
  });
});

describe("Glue Data Catalog encryption settings", () => {
  const settings = (context: Record<string, unknown>) => {
    const { stacks } = buildApp(context);
    return {
      lake: Template.fromStack(stacks.lakehouse),
      dataKey: keyOf(Template.fromStack(stacks.security), "DataKey"),
    };
  };

  it("encrypts catalog metadata and connection passwords with the data key in prod, before the database exists", () => {
    const { lake, dataKey } = settings({ stage: "prod" });
    const found = lake.findResources("AWS::Glue::DataCatalogEncryptionSettings") as Resources;
    expect(Object.keys(found)).toHaveLength(1);
    const [id, res] = Object.entries(found)[0]!;
    lake.hasResourceProperties("AWS::Glue::DataCatalogEncryptionSettings", {
      CatalogId: { Ref: "AWS::AccountId" },
      DataCatalogEncryptionSettings: {
        EncryptionAtRest: { CatalogEncryptionMode: "SSE-KMS", SseAwsKmsKeyId: dataKey.arnImport },
        ConnectionPasswordEncryption: { ReturnConnectionPasswordEncrypted: true, KmsKeyId: dataKey.arnImport },
      },
    });
    // Glue encrypts objects created after the settings: the database and tables wait for them.
    lake.hasResource("AWS::Glue::Database", { DependsOn: Match.arrayWith([id]) });
    expect(res.DeletionPolicy).toBeUndefined(); // a setting, not data: deleting it stops encrypting new objects
  });

  it("is opt-in in dev, and off in prod on request", () => {
    settings({ stage: "dev", glueCatalogEncryption: true }).lake.resourceCountIs(
      "AWS::Glue::DataCatalogEncryptionSettings",
      1,
    );
    settings({ stage: "prod", glueCatalogEncryption: false }).lake.resourceCountIs(
      "AWS::Glue::DataCatalogEncryptionSettings",
      0,
    );
  });
});
