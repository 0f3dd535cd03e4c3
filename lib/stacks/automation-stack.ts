import { Annotations, Duration, Fn, type RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import {
  type CfnRule,
  EventField,
  type IEventBus,
  Rule,
  RuleTargetInput,
  type RuleTargetInputProperties,
} from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import { ArnPrincipal, CompositePrincipal, type IGrantable, PolicyStatement, Role } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { Bucket } from "aws-cdk-lib/aws-s3";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import {
  CustomerManagedEncryptionConfiguration,
  DefinitionBody,
  LogLevel,
  StateMachine,
  StateMachineType,
} from "aws-cdk-lib/aws-stepfunctions";
import type { Construct } from "constructs";
import { BUS_DEFAULTS } from "../../lambdas/contracts/defaults.js";
import { AUTOMATION_RULES, type EventPattern } from "../../lambdas/contracts/events/index.js";
import { MEDICAL_KEY_PATTERN } from "../../lambdas/contracts/state-keys.js";
import { WORKFLOW_TASK_TABLES } from "../../lambdas/contracts/tables/index.js";
import {
  DECISION_STATE,
  definitionText,
  ENRICH_QUERY_READS,
  enrichQuery,
  type WorkflowName,
} from "../../stepfunctions/definitions.js";
import type { SidelineConfig } from "../config.js";
import type { AnalyticsWorkgroup } from "../constructs/analytics-workgroup.js";
import { CrmDestination } from "../constructs/crm-destination.js";
import { type IcebergDeliveryStream, streamFor } from "../constructs/iceberg-delivery-stream.js";
import type { LakeAccess } from "../constructs/lake-access.js";
import { SidelineFunction } from "../constructs/sideline-function.js";
import { allowDecrypt } from "../data-access.js";
import { acknowledge, grantWildcardReasons, inlinePolicyReason, nagArn } from "../nag.js";
import { grantStateTableKeys } from "../state-table-grants.js";

/**
 * Rule targets retry with EventBridge's backoff for up to a day (BUS_DEFAULTS, shared with the local
 * bus): a CRM or Step Functions outage is absorbed; then the event goes to the DLQ (EventBridge
 * retry policy limits: 0-185 retries, 60 s-24 h).
 */
export const TARGET_RETRY_ATTEMPTS = BUS_DEFAULTS.retryAttempts;
export const TARGET_MAX_EVENT_AGE = Duration.hours(BUS_DEFAULTS.maxEventAgeHours);
/** A minute beyond the Firehose buffer for delivery and the Iceberg commit (Firehose delivers within seconds of the buffer's end). */
const LAKE_SETTLE_MARGIN_S = 60;
/** Dead letters are kept 14 days, SQS's maximum, for inspection and redrive. */
const DLQ_RETENTION = Duration.days(14);
/**
 * EventBridge invokes the workflow starter asynchronously: a failed start (Step Functions
 * throttling or down) is retried by Lambda twice, and kept queued for up to 6 hours, both Lambda's
 * maximums, then goes to the targets' DLQ
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
 */
const STARTER_RETRY_ATTEMPTS = 2;
const STARTER_MAX_EVENT_AGE = Duration.hours(6);
/**
 * Step Functions reuses a data key of the state machines' CMK for up to this long before it calls
 * GenerateDataKey again: 5 minutes, the default of the 60-900 s range, keeps KMS requests (and their
 * cost) low at a short exposure of each data key
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_EncryptionConfiguration.html).
 */
const STATE_MACHINE_DATA_KEY_REUSE = Duration.seconds(300);
/** The Glue Data Catalog as Athena names it: the catalog the scouting query runs in (no Catalog in its QueryExecutionContext). */
const ATHENA_DATA_CATALOG = "AwsDataCatalog";

/**
 * The workflow starter's input: the rule's workflow and the whole event, unescaped, as a JSON value
 * (EventBridge's predefined variable aws.events.event.json, which may only be a JSON field's value
 * because it is not escaped; https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html).
 * CDK's EventField has no way to name a predefined variable, so the template is written here.
 */
export function workflowStartInput(workflow: WorkflowName): RuleTargetInput {
  const props: RuleTargetInputProperties = {
    inputTemplate: `{"workflow":${JSON.stringify(workflow)},"event":<aws.events.event.json>}`,
  };
  return { bind: () => props };
}

/**
 * The scouts' e-mail for a Scout Decision Requested event: an input transformer fills in the task
 * token, player, match, summary and picture from the event, and the region it was sent in, so each
 * answer is a command to paste. Each line is a JSON string in the template, as EventBridge requires
 * of text. The EventBridge docs show a text template's output keeping its quotes and its \" escapes,
 * and event values put in unescaped
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html): so the
 * text has no double quote (a scout would paste \" into the shell), and the commands quote the token
 * with ', which base64 task tokens do not contain.
 * @param decider whether a ScoutDecider role is deployed (context scoutDeciderPrincipals): without
 *   one, the e-mail says who may answer instead.
 */
export function scoutDecisionMessage(decider = true): RuleTargetInput {
  const token = EventField.fromPath("$.detail.task_token");
  const region = EventField.region;
  const decide = (verdict: string) => `npx sideline decide '${token}' ${verdict} --target aws --region ${region}`;
  const wait = JSON.parse(definitionText("scouting")).States[DECISION_STATE] as {
    HeartbeatSeconds: number;
    TimeoutSeconds: number;
  };
  const days = (s: number) => Duration.seconds(s).toDays();
  return RuleTargetInput.fromMultilineText(
    [
      `Scout decision needed: player ${EventField.fromPath("$.detail.player_id")}, match ${EventField.fromPath("$.detail.match_id")}`,
      EventField.fromPath("$.detail.summary"),
      `Picture: ${EventField.fromPath("$.detail.visual_url")}`,
      decider
        ? "Answer with the ScoutDecider role's credentials:"
        : "No ScoutDecider role is deployed (context scoutDeciderPrincipals): answer with credentials allowed states:SendTaskSuccess on this workflow:",
      `  approve: ${decide("approve --reason 'why'")}`,
      `  reject:  ${decide("reject --reason 'why'")}`,
      `  still reviewing: ${decide("hold")}`,
      `Without an answer or a hold every ${days(wait.HeartbeatSeconds)} days (${days(wait.TimeoutSeconds)} days at most), the workflow records a timeout.`,
      `Task token: ${token}`,
    ].join("\n"),
  );
}

export interface AutomationStackProps extends StackProps {
  readonly stageName: string;
  /** Performance data: the scouting workflow, its topic, the CRM secret and outbox. */
  readonly dataKey: IKey;
  /** Health data: the medical workflow, its topic, and the targets' DLQ (it holds insight events). */
  readonly healthKey: IKey;
  readonly opsKey: IKey;
  readonly bus: IEventBus;
  /** The state table: the medical cool-down ledger lives in it. */
  readonly stateTable: ITable;
  readonly deliveryStreams: Readonly<Record<string, IcebergDeliveryStream>>;
  readonly workgroup: AnalyticsWorkgroup;
  /** Lake Formation: the scouting workflow is granted the columns its query reads. */
  readonly lakeAccess: LakeAccess;
  readonly databaseName: string;
  /** The lakehouse's named exports of its warehouse and Athena results bucket ARNs. */
  readonly lakeExports: { readonly warehouseArn: string; readonly athenaResultsArn: string };
  /** Firehose buffering interval: the scouting workflow waits for it before it queries the lake. */
  readonly firehoseBufferSeconds: number;
  readonly config: Pick<
    SidelineConfig,
    | "crmEndpoint"
    | "crmAuth"
    | "crmOAuthTokenUrl"
    | "crmOAuthClientId"
    | "crmRateLimitPerSecond"
    | "medicalCooldownHours"
    | "scoutingEmail"
    | "medicalEmail"
    | "scoutDeciderPrincipals"
  >;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Front-office automation: the rules from the shared contracts (AUTOMATION_RULES) and their
 * targets. Scouting matches start the scouting workflow, fatigue and load spikes the medical
 * workflow (both Step Functions, defined once in stepfunctions/, each under its data class's key),
 * through the workflow starter, which names each execution after its insight so that a duplicate
 * delivery starts nothing; CRM requests go to the CRM through an API destination or wait in an
 * outbox (CrmDestination), and decision requests reach the scouts by SNS. Every target has a retry
 * policy and a DLQ.
 */
export class AutomationStack extends Stack {
  readonly stateMachines: Record<WorkflowName, StateMachine>;
  readonly deadLetterQueue: Queue;
  readonly scoutingTopic: Topic;
  readonly medicalTopic: Topic;
  /**
   * Role a scouts' tool assumes to answer decisions (SendTaskSuccess/Failure/Heartbeat on the scouting
   * workflow only), trusted by the principals of config.scoutDeciderPrincipals only.
   * @default - none, when config.scoutDeciderPrincipals is empty
   */
  readonly scoutDeciderRole?: Role;
  readonly workflowTasks: SidelineFunction;
  /** Starts the workflows for the rules, one execution per insight (lambdas/functions/workflow-starter). */
  readonly workflowStarter: SidelineFunction;

  constructor(scope: Construct, id: string, props: AutomationStackProps) {
    super(scope, id, props);
    const c = props.config;
    this.deadLetterQueue = new Queue(this, "TargetsDlq", {
      encryption: QueueEncryption.KMS,
      // Failed deliveries of insight events, medical alerts among them: health data.
      encryptionMasterKey: props.healthKey,
      enforceSSL: true,
      retentionPeriod: DLQ_RETENTION,
      removalPolicy: props.removalPolicy,
    });
    acknowledge(this.deadLetterQueue, {
      "AwsSolutions-SQS3": "This queue is the dead-letter queue of the automation rules' targets.",
      "Serverless-SQSRedrivePolicy": "This queue is the dead-letter queue; events are inspected and redriven by hand.",
    });
    const topic = (tid: string, name: string, email: string | undefined, key: IKey) => {
      // Player data (scouting notes; medical alerts name only the player and the alert): under its class's key.
      const t = new Topic(this, tid, { displayName: name, masterKey: key, enforceSSL: true });
      if (email) t.addSubscription(new EmailSubscription(email));
      return t;
    };
    this.scoutingTopic = topic("ScoutingTopic", `Sideline ${props.stageName} scouting`, c.scoutingEmail, props.dataKey);
    this.medicalTopic = topic("MedicalTopic", `Sideline ${props.stageName} medical`, c.medicalEmail, props.healthKey);

    // The workflows' Lambda tasks: valuation, scout decisions, medical alerts.
    const tasks = new SidelineFunction(this, "WorkflowTasks", {
      entry: "lambdas/functions/workflow-tasks/index.ts",
      description: "Scouting valuation and decisions, medical alerts: the workflows' Lambda tasks",
      logKey: props.opsKey,
      logRetention: props.logRetention,
      logRemovalPolicy: props.removalPolicy,
      memorySize: 256,
      timeout: Duration.seconds(30),
      noDeadLetterQueueReason:
        "Invoked synchronously by Step Functions, whose task Retry and the rule target's DLQ handle failures; a function DLQ applies to asynchronous invocations only.",
      environment: {
        DELIVERY_STREAMS: JSON.stringify(
          Object.fromEntries(
            WORKFLOW_TASK_TABLES.map((t) => [t, streamFor(props.deliveryStreams, t).deliveryStreamName]),
          ),
        ),
        STATE_TABLE_NAME: props.stateTable.tableName,
        MEDICAL_COOLDOWN_HOURS: String(c.medicalCooldownHours),
      },
    });
    this.workflowTasks = tasks;
    for (const t of WORKFLOW_TASK_TABLES) streamFor(props.deliveryStreams, t).grantPutRecords(tasks);
    // The cool-down claim, one conditional update, on the medical ledger's keys only, with the table's
    // key: DynamoDB uses a customer managed table key as its caller (kms:ViaService), so the caller
    // needs it (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html).
    grantStateTableKeys(tasks, props.stateTable, [MEDICAL_KEY_PATTERN], { actions: ["dynamodb:UpdateItem"] });
    // The cool-down ledger is in the state table, under the health key; medical alerts pass through.
    allowDecrypt(tasks.role!, "health");

    const machine = (w: WorkflowName, mid: string, key: IKey, substitutions: Record<string, string>) => {
      const logs = new LogGroup(this, `${mid}Logs`, {
        encryptionKey: props.opsKey,
        retention: props.logRetention,
        removalPolicy: props.removalPolicy,
      });
      const sm = new StateMachine(this, mid, {
        stateMachineName: `sideline-${w}-${props.stageName}`,
        // Inline (not an S3 asset): the template shows the very definition the local runtime runs.
        definitionBody: DefinitionBody.fromString(definitionText(w)),
        definitionSubstitutions: substitutions,
        stateMachineType: StateMachineType.STANDARD,
        // Level ALL for every state transition, without execution data: inputs and outputs are personal data.
        logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
        tracingEnabled: true,
        // Execution history holds player ids, summaries and task tokens: under its class's key. CDK grants
        // the role kms:Decrypt/GenerateDataKey in this state machine's encryption context, and
        // GenerateDataKey for log delivery, and lets delivery.logs.amazonaws.com decrypt, as the Step
        // Functions guide requires with logging on
        // (https://docs.aws.amazon.com/step-functions/latest/dg/encryption-at-rest.html).
        encryptionConfiguration: new CustomerManagedEncryptionConfiguration(key, STATE_MACHINE_DATA_KEY_REUSE),
        // Pending decisions live in running executions: kept with the stack's data (retained in prod).
        removalPolicy: props.removalPolicy,
      });
      tasks.grantInvoke(sm);
      acknowledge(sm.role, {
        ...inlinePolicyReason(`The ${w} state machine's role`),
        "AwsSolutions-IAM5[Resource::*]":
          "Step Functions log delivery (logs:CreateLogDelivery and related) and X-Ray (xray:PutTraceSegments) support no resource narrower than * (service authorization references).",
        [`AwsSolutions-IAM5[Resource::${nagArn(tasks)}:*]`]:
          "grantInvoke covers the function's versions and aliases (ARN:*); it is one function.",
      });
      return sm;
    };
    const scouting = machine("scouting", "Scouting", props.dataKey, {
      EnrichQuery: enrichQuery(),
      AthenaWorkGroup: props.workgroup.workgroupName,
      GlueDatabase: props.databaseName,
      WorkflowTasksFunctionArn: tasks.functionArn,
      EventBusName: props.bus.eventBusName,
      ScoutingTopicArn: this.scoutingTopic.topicArn,
      LakeSettleSeconds: String(props.firehoseBufferSeconds + LAKE_SETTLE_MARGIN_S),
    });
    // Glue metadata of the tables its query reads, and Lake Formation grants of their columns only.
    props.workgroup.grantQuery(scouting, {
      results: Bucket.fromBucketArn(this, "AthenaResults", Fn.importValue(props.lakeExports.athenaResultsArn)),
      tables: Object.keys(ENRICH_QUERY_READS),
    });
    props.lakeAccess.grantColumns(scouting.role, ENRICH_QUERY_READS);
    // What CDK's own Athena StartQueryExecution task grants besides the workgroup: the data catalog.
    scouting.addToRolePolicy(
      new PolicyStatement({
        actions: ["athena:GetDataCatalog"],
        resources: [this.formatArn({ service: "athena", resource: "datacatalog", resourceName: ATHENA_DATA_CATALOG })],
      }),
    );
    props.bus.grantPutEventsTo(scouting);
    this.scoutingTopic.grantPublish(scouting);
    acknowledge(scouting.role, {
      ...grantWildcardReasons("Scouting enrich query (Athena writes and reads its results)"),
      "AwsSolutions-IAM5[Resource::*]":
        "lakeformation:GetDataAccess has no resource-level permissions; Lake Formation vends only the columns granted to this role (ENRICH_QUERY_READS). Step Functions log delivery and X-Ray also support no narrower resource.",
      [`AwsSolutions-IAM5[Resource::${props.lakeExports.athenaResultsArn}/results/*]`]:
        "Athena writes and reads the query's result files (generated names) under the analysts' workgroup prefix.",
    });
    const medical = machine("medical-alert", "MedicalAlert", props.healthKey, {
      WorkflowTasksFunctionArn: tasks.functionArn,
      MedicalTopicArn: this.medicalTopic.topicArn,
    });
    this.medicalTopic.grantPublish(medical);
    // Its executions are under the health key, which it reads back at every state.
    allowDecrypt(medical.role, "health");
    acknowledge(medical.role, {
      "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]":
        "Publishing to the KMS-encrypted medical topic needs GenerateDataKey variants, on the one health key only.",
    });
    this.stateMachines = { scouting, "medical-alert": medical };

    // Scouts answer decisions through this role: task responses on the scouting workflow only, for the
    // named principals only. The account root would let any identity policy in the account (or a
    // wildcard sts:AssumeRole) hand the role out; with no one named there is no role to hand out.
    if (c.scoutDeciderPrincipals.length > 0) {
      const role = new Role(this, "ScoutDecider", {
        assumedBy: new CompositePrincipal(...c.scoutDeciderPrincipals.map((arn) => new ArnPrincipal(arn))),
        description:
          "Assumed by the scouts' tool (or `sideline decide --target aws`) to answer Scout Decision Requested",
      });
      scouting.grantTaskResponse(role);
      // A task response is written to the encrypted execution history: the caller uses the key too.
      grantExecutionKey(role, props.dataKey, [scouting]);
      acknowledge(role, inlinePolicyReason("The ScoutDecider role (task responses on the scouting workflow)"));
      this.scoutDeciderRole = role;
    } else {
      Annotations.of(this).addWarningV2(
        "@sideline/automation:noScoutDecider",
        "no ScoutDecider role: context 'scoutDeciderPrincipals' names no one. Set it to the IAM role or user ARNs the scouts' tool runs as; until then only identities granted states:SendTaskSuccess on the scouting workflow by other policies can answer scout decisions",
      );
    }

    // EventBridge names executions at random; the starter names them after the insight (exactly once).
    const starter = new SidelineFunction(this, "WorkflowStarter", {
      entry: "lambdas/functions/workflow-starter/index.ts",
      description: "Starts the workflows for the automation rules, one execution per insight (idempotent names)",
      logKey: props.opsKey,
      logRetention: props.logRetention,
      logRemovalPolicy: props.removalPolicy,
      memorySize: 256,
      timeout: Duration.seconds(30),
      deadLetterQueue: this.deadLetterQueue,
      environment: {
        STATE_MACHINES: Stack.of(this).toJsonString({
          scouting: scouting.stateMachineArn,
          "medical-alert": medical.stateMachineArn,
        }),
      },
    });
    starter.configureAsyncInvoke({ retryAttempts: STARTER_RETRY_ATTEMPTS, maxEventAge: STARTER_MAX_EVENT_AGE });
    this.workflowStarter = starter;
    acknowledge(starter, {
      "Serverless-LambdaAsyncFailureDestination":
        "Failed asynchronous invocations go to the function's DLQ, the automation targets' DLQ (alarmed by AutomationDlqDepth); an on-failure destination would put each failed start in the same queue twice.",
    });
    // CDK grants the function DLQ sqs:SendMessage; the queue is under the health key, which a sender
    // uses in that queue's encryption context only
    // (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html).
    starter.addToRolePolicy(
      new PolicyStatement({
        actions: ["kms:GenerateDataKey", "kms:Decrypt"],
        resources: [props.healthKey.keyArn],
        conditions: { StringEquals: { "kms:EncryptionContext:aws:sqs:arn": this.deadLetterQueue.queueArn } },
      }),
    );
    for (const sm of [scouting, medical]) sm.grantStartExecution(starter);
    // StartExecution encrypts the input under the state machine's key, as its caller.
    grantExecutionKey(starter, props.dataKey, [scouting]);
    grantExecutionKey(starter, props.healthKey, [medical]);
    // It starts medical executions and dead-letters insight events: health data.
    allowDecrypt(starter.role!, "health");

    const retry = {
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: TARGET_RETRY_ATTEMPTS,
      maxEventAge: TARGET_MAX_EVENT_AGE,
    };
    const rule = (rid: string, pattern: EventPattern, description: string) => {
      const r = new Rule(this, rid, {
        eventBus: props.bus,
        description,
        eventPattern: { source: ["sideline.placeholder"] },
      });
      // The shared contract, verbatim: CDK's EventPattern type cannot express $or.
      // An override merges into the placeholder, so the placeholder's key goes unless the pattern sets it.
      const cfn = r.node.defaultChild as CfnRule;
      cfn.addPropertyOverride("EventPattern", pattern);
      if (!("source" in pattern)) cfn.addPropertyDeletionOverride("EventPattern.source");
      return r;
    };
    rule("ScoutingRule", AUTOMATION_RULES.scouting, "Scouting matches start the scouting workflow").addTarget(
      new targets.LambdaFunction(starter, { ...retry, event: workflowStartInput("scouting") }),
    );
    rule("MedicalRule", AUTOMATION_RULES.medical, "Fatigue and load spikes start the medical alert workflow").addTarget(
      new targets.LambdaFunction(starter, { ...retry, event: workflowStartInput("medical-alert") }),
    );
    rule("DecisionsRule", AUTOMATION_RULES.decisions, "Scout decision requests reach the scouts").addTarget(
      new targets.SnsTopic(this.scoutingTopic, {
        ...retry,
        message: scoutDecisionMessage(this.scoutDeciderRole !== undefined),
      }),
    );
    // Its resources keep the ids the stack gave them (CrmCredentials, CrmConnection, Crm, CrmOutbox).
    new CrmDestination(this, "CrmDestination", {
      rule: rule("CrmRule", AUTOMATION_RULES.crm, "CRM requests go to the CRM"),
      retry,
      dataKey: props.dataKey,
      endpoint: c.crmEndpoint,
      auth: c.crmAuth,
      oauthTokenUrl: c.crmOAuthTokenUrl,
      oauthClientId: c.crmOAuthClientId,
      rateLimitPerSecond: c.crmRateLimitPerSecond,
      removalPolicy: props.removalPolicy,
    });
  }
}

/**
 * kms:Decrypt and kms:GenerateDataKey on the state machines' key, in their executions' encryption
 * context only: what a caller of StartExecution or a task response needs when a state machine has a
 * customer managed key (https://docs.aws.amazon.com/step-functions/latest/dg/encryption-at-rest.html).
 */
function grantExecutionKey(grantee: IGrantable, key: IKey, machines: readonly StateMachine[]): void {
  const arns = machines.map((m) => m.stateMachineArn);
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ["kms:Decrypt", "kms:GenerateDataKey"],
      resources: [key.keyArn],
      conditions: {
        StringEquals: { "kms:EncryptionContext:aws:states:stateMachineArn": arns.length === 1 ? arns[0]! : arns },
      },
    }),
  );
}
