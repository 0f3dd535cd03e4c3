import { Duration, Stack, type StackProps } from "aws-cdk-lib";
import { type Alarm, Dashboard, GraphWidget, type IMetric, Metric, TextWidget } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { IKey } from "aws-cdk-lib/aws-kms";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import type { StateMachine } from "aws-cdk-lib/aws-stepfunctions";
import type { Construct } from "constructs";
import { notifyingAlarm } from "../alarms.js";
import { type FeatureExtractor, FeatureExtractorAlarms } from "../constructs/feature-extractor.js";
import type { IcebergDeliveryStream } from "../constructs/iceberg-delivery-stream.js";
import { PoseAlarms, type PoseResources } from "../constructs/pose-alarms.js";

/** Live features are one window behind at most: older records mean the consumer is falling behind. */
export const ITERATOR_AGE_ALARM_MS = 60_000;
/** Firehose freshness may exceed its buffer interval; past the buffer plus 10 minutes delivery is stuck (Firehose best practices). */
export const FRESHNESS_MARGIN_S = 600;

export interface ObservabilityStackProps extends StackProps {
  readonly stageName: string;
  readonly opsKey: IKey;
  /** E-mail address subscribed to the alarm topic. @default - no subscription */
  readonly alarmEmail?: string;
  /** Every modality's extractor: each gets its alarms and a dashboard row. */
  readonly extractors: readonly FeatureExtractor[];
  readonly deliveryStreams: readonly IcebergDeliveryStream[];
  readonly firehoseBufferSeconds: number;
  /** The workflows, by name: failed, timed-out and throttled executions alarm. */
  readonly stateMachines: Readonly<Record<string, StateMachine>>;
  readonly workflowTasks: IFunction;
  /** Dead letters of the automation rules' targets (workflows, CRM, SNS). */
  readonly automationDeadLetters: IQueue;
  /** Dead letters of the insights bus itself (events it could not encrypt or decrypt). */
  readonly busDeadLetters: IQueue;
  /** The pose endpoints and invoker: their alarms and a dashboard row. @default - no pose */
  readonly pose?: PoseResources;
}

/** Alarms with dimensions and actions (an encrypted SNS topic), and a dashboard for the pipeline. */
export class ObservabilityStack extends Stack {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    this.topic = new Topic(this, "Alarms", {
      displayName: `Sideline ${props.stageName} alarms`,
      masterKey: props.opsKey,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);
    const alarm = (aid: string, metric: IMetric, threshold: number, description: string) => {
      const a = notifyingAlarm(this, aid, metric, threshold, description, action);
      this.alarms.push(a);
      return a;
    };
    const minute = Duration.minutes(1);
    const extractorAlarms = props.extractors.map((x) => {
      const a = new FeatureExtractorAlarms(this, x.node.id, {
        extractor: x,
        action,
        iteratorAgeMs: ITERATOR_AGE_ALARM_MS,
      });
      this.alarms.push(...a.alarms);
      return a;
    });
    const freshness: IMetric[] = [];
    const failedRows: IMetric[] = [];
    for (const ds of props.deliveryStreams) {
      const dimensionsMap = { DeliveryStreamName: ds.deliveryStreamName };
      const f = new Metric({
        namespace: "AWS/Firehose",
        metricName: "DeliveryToIceberg.DataFreshness",
        dimensionsMap,
        statistic: "Maximum",
        period: Duration.minutes(5),
      });
      const r = new Metric({
        namespace: "AWS/Firehose",
        metricName: "DeliveryToIceberg.FailedRowCount",
        dimensionsMap,
        statistic: "Sum",
        period: Duration.minutes(5),
      });
      freshness.push(f);
      failedRows.push(r);
      alarm(
        `${ds.node.id}Freshness`,
        f,
        props.firehoseBufferSeconds + FRESHNESS_MARGIN_S,
        `${ds.node.id} is not delivering to Iceberg`,
      );
      alarm(`${ds.node.id}FailedRows`, r, 0, `${ds.node.id} sent rows to the error bucket`);
    }
    const workflowMetrics: IMetric[] = [];
    for (const [name, sm] of Object.entries(props.stateMachines)) {
      const id = name.replace(/(^|-)(\w)/g, (_, __, ch: string) => ch.toUpperCase());
      const failed = sm.metricFailed({ period: minute, statistic: "Sum" });
      const timedOut = sm.metricTimedOut({ period: minute, statistic: "Sum" });
      const throttledSm = sm.metricThrottled({ period: minute, statistic: "Sum" });
      workflowMetrics.push(failed, timedOut, throttledSm);
      alarm(`${id}Failed`, failed, 0, `${name} workflow executions failed`);
      alarm(`${id}TimedOut`, timedOut, 0, `${name} workflow executions timed out`);
      alarm(`${id}Throttled`, throttledSm, 0, `${name} workflow executions were throttled`);
    }
    alarm(
      "WorkflowTasksErrors",
      props.workflowTasks.metricErrors({ period: minute }),
      0,
      "workflow-tasks invocations failed",
    );
    const automationDlq = props.automationDeadLetters.metricApproximateNumberOfMessagesVisible({
      statistic: "Maximum",
      period: minute,
    });
    alarm(
      "AutomationDlqDepth",
      automationDlq,
      0,
      "insight or CRM events could not be delivered to their targets (workflows, CRM, SNS) after retries",
    );
    const busDlq = props.busDeadLetters.metricApproximateNumberOfMessagesVisible({
      statistic: "Maximum",
      period: minute,
    });
    alarm(
      "BusDlqDepth",
      busDlq,
      0,
      "the insights bus could not process events (its data key disabled or missing?): they wait in its DLQ",
    );
    const pose = props.pose ? new PoseAlarms(this, "PoseInference", { ...props.pose, action }) : undefined;
    if (pose) this.alarms.push(...pose.alarms);
    new Dashboard(this, "Dashboard", {
      dashboardName: `sideline-${props.stageName}`,
      widgets: [
        [new TextWidget({ markdown: `# Sideline ${props.stageName}: pipeline`, width: 24, height: 1 })],
        ...props.extractors.map((x, i) => {
          const name = x.modality.extractor.functionId;
          return [
            new GraphWidget({
              title: `${name}: consumer lag (IteratorAge, ms)`,
              left: [extractorAlarms[i]!.iteratorAge],
              width: 8,
            }),
            new GraphWidget({
              title: `${name}: invocations, errors, throttles`,
              left: [
                x.function.metricInvocations({ period: minute }),
                x.function.metricErrors({ period: minute }),
                x.function.metricThrottles({ period: minute }),
              ],
              width: 8,
            }),
            new GraphWidget({
              title: `${name}: records in and quarantined`,
              left: ["RecordsIn", "RecordsQuarantined", "SamplesQuarantined", "InsightsPublished"].map(
                (metricName) =>
                  new Metric({
                    namespace: "Sideline",
                    metricName,
                    dimensionsMap: { service: name },
                    statistic: "Sum",
                    period: minute,
                  }),
              ),
              width: 8,
            }),
          ];
        }),
        [
          new GraphWidget({ title: "Firehose freshness (s)", left: freshness, width: 12 }),
          new GraphWidget({ title: "Firehose failed rows", left: failedRows, width: 12 }),
        ],
        [
          new GraphWidget({ title: "Workflows: failed, timed out, throttled", left: workflowMetrics, width: 12 }),
          new GraphWidget({
            title: "Dead letters: automation targets, insights bus",
            left: [automationDlq, busDlq],
            width: 12,
          }),
        ],
        ...(pose
          ? [
              [
                new GraphWidget({
                  title: "Pose endpoint: 5XX and 4XX invocations",
                  left: pose.metrics.errors,
                  width: 6,
                }),
                new GraphWidget({
                  title: "Pose endpoint: p90 model latency (us)",
                  left: [pose.metrics.modelLatency],
                  width: 6,
                }),
                new GraphWidget({ title: "Pose invoker: errors, dead letters", left: pose.metrics.invoker, width: 6 }),
                new GraphWidget({
                  title: "Pose batch: oldest queued request (s)",
                  left: [pose.metrics.batchOldest],
                  width: 6,
                }),
              ],
            ]
          : []),
      ],
    });
  }
}
