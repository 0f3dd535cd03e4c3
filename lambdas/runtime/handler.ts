/**
 * The Lambda handler of every stream extractor: Powertools BatchProcessor (sequential, partial
 * batch responses), Middy with the logger and metrics middleware, and X-Ray when a tracer is
 * given. The cloud entry (functions/<name>/index.ts) and the embedded runtime build it with their
 * own adapters; the record loop is ./stream-invocation.ts.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { Tracer } from "@aws-lambda-powertools/tracer";
import { captureLambdaHandler } from "@aws-lambda-powertools/tracer/middleware";
import middy from "@middy/core";
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";
import type { Extractor } from "./extractor.js";
import { logger, metrics } from "./powertools.js";
import {
  type InvocationCounts,
  type QuarantineNotice,
  type StreamDeps,
  StreamInvocation,
} from "./stream-invocation.js";

export interface StreamHandlerOptions extends StreamDeps {
  /** Called after each successful flush, with what the invocation did. @default - nothing */
  readonly onInvocation?: (counts: InvocationCounts, quarantined: readonly QuarantineNotice[]) => void;
  /** X-Ray tracer (cloud entries pass ./tracer.js). @default - no tracing */
  readonly tracer?: Tracer;
}

export type StreamHandler = (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse>;

function recordMetrics(c: InvocationCounts): void {
  metrics.addMetric("RecordsIn", MetricUnit.Count, c.records);
  metrics.addMetric("RecordsQuarantined", MetricUnit.Count, c.recordsQuarantined);
  metrics.addMetric("RecordsDuplicate", MetricUnit.Count, c.recordsDuplicate);
  metrics.addMetric("RecordsFailed", MetricUnit.Count, c.recordsFailed);
  metrics.addMetric("SamplesAccepted", MetricUnit.Count, c.samplesAccepted);
  metrics.addMetric("SamplesQuarantined", MetricUnit.Count, c.samplesQuarantined);
  metrics.addMetric("MissingChunks", MetricUnit.Count, c.missingChunks);
  metrics.addMetric(
    "RowsWritten",
    MetricUnit.Count,
    Object.values(c.rows).reduce((a, b) => a + b, 0),
  );
  metrics.addMetric("InsightsPublished", MetricUnit.Count, c.insights);
}

export function createStreamHandler<R, S>(extractor: Extractor<R, S>, options: StreamHandlerOptions): StreamHandler {
  const processor = new BatchProcessor(EventType.KinesisDataStreams);
  const base = async (event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> => {
    const invocation = new StreamInvocation(extractor, options);
    await invocation.preload(event.Records);
    const response = await processPartialResponse(event, (r: KinesisStreamRecord) => invocation.record(r), processor, {
      context,
      processInParallel: false, // order within a shard (and a key) matters
      throwOnFullBatchFailure: false,
    });
    await invocation.flush();
    for (const q of invocation.quarantined)
      logger.warn("record quarantined", { recordRef: q.recordRef, reason: q.reason });
    recordMetrics(invocation.counts);
    options.onInvocation?.(invocation.counts, invocation.quarantined);
    return response;
  };
  const handler = middy(base);
  if (options.tracer) handler.use(captureLambdaHandler(options.tracer, { captureResponse: false }));
  return handler.use(injectLambdaContext(logger)).use(logMetrics(metrics)) as unknown as StreamHandler;
}
