/**
 * The pose pipeline's alarms, with dimensions and actions (lib/alarms.ts): the endpoint's failed
 * and refused invocations and its model latency, the invoker's errors and dead letters, and the
 * batch endpoint's stuck queue. Made by the observability stack, like FeatureExtractorAlarms.
 */
import { Duration } from "aws-cdk-lib";
import type { Alarm, IMetric } from "aws-cdk-lib/aws-cloudwatch";
import type { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { Construct } from "constructs";
import { notifyingAlarm } from "../alarms.js";
import type { PoseBatchEndpoint } from "./pose-batch-endpoint.js";
import type { PoseEndpoint } from "./pose-endpoint.js";
import type { PoseInvoker } from "./pose-invoker.js";

/** The thresholds, with the reason for each number. */
export const POSE_ALARM_THRESHOLDS = {
  /**
   * p90 model latency above 100 ms: a request is at most 13 crops at a few ms each on the GPU, so
   * 100 ms means queueing on a saturated instance or ONNX Runtime running on the CPU.
   */
  modelLatencyMs: 100,
  /** The oldest batch request waiting more than an hour: the endpoint is not waking or not keeping up. */
  batchOldestRequestSeconds: 3600,
} as const;

/** What the pose stack exposes for alarms and the dashboard. */
export interface PoseResources {
  readonly endpoint: PoseEndpoint;
  readonly batch: PoseBatchEndpoint;
  readonly invoker: PoseInvoker;
}

export class PoseAlarms extends Construct {
  readonly alarms: Alarm[] = [];
  /** The metrics the alarms watch, for the dashboard. */
  readonly metrics: {
    readonly errors: IMetric[];
    readonly modelLatency: IMetric;
    readonly invoker: IMetric[];
    readonly batchOldest: IMetric;
  };

  constructor(scope: Construct, id: string, props: PoseResources & { readonly action: SnsAction }) {
    super(scope, id);
    const { endpoint, batch, invoker, action } = props;
    const minute = Duration.minutes(1);
    const alarm = (aid: string, metric: IMetric, threshold: number, description: string) =>
      this.alarms.push(notifyingAlarm(this, aid, metric, threshold, description, action));
    const e5 = endpoint.metricInvocation5XXErrors();
    const e4 = endpoint.metricInvocation4XXErrors();
    const latency = endpoint.metricModelLatency();
    const fnErrors = invoker.function.metricErrors({ period: minute });
    const dlq = invoker.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      statistic: "Maximum",
      period: minute,
    });
    const oldest = batch.metricApproximateAgeOfOldestRequest();
    alarm("Endpoint5XX", e5, 0, `${endpoint.endpointName}: inferences failed (Invocation5XXErrors)`);
    alarm("Endpoint4XX", e4, 0, `${endpoint.endpointName}: requests refused by the model (Invocation4XXErrors)`);
    alarm(
      "ModelLatency",
      latency,
      POSE_ALARM_THRESHOLDS.modelLatencyMs * 1000, // ModelLatency is in microseconds
      `${endpoint.endpointName}: p90 model latency above ${POSE_ALARM_THRESHOLDS.modelLatencyMs} ms`,
    );
    alarm("InvokerErrors", fnErrors, 0, "PoseInvoker invocations failed");
    alarm("InvokerDlqDepth", dlq, 0, "sampled frames gave up after retries and wait in the pose invoker's DLQ");
    alarm(
      "BatchOldestRequest",
      oldest,
      POSE_ALARM_THRESHOLDS.batchOldestRequestSeconds,
      `${batch.endpointName}: a queued request has waited more than an hour`,
    );
    this.metrics = { errors: [e5, e4], modelLatency: latency, invoker: [fnErrors, dlq], batchOldest: oldest };
  }
}
