/**
 * The pose invoker Lambda handler. Contract with EventBridge and Lambda: the event is S3's "Object
 * Created" for a frame JPEG in the raw bucket (the rule matches FRAME_OBJECT_PATTERN); EventBridge
 * invokes the function asynchronously, so an error thrown here is retried by Lambda (twice by
 * default) and then sent, with its message, to the function's on-failure destination (the DLQ).
 * The object key is used as EventBridge gives it (S3's EventBridge events carry the key as stored,
 * not URL-encoded as S3's own notifications are).
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { Tracer } from "@aws-lambda-powertools/tracer";
import { captureLambdaHandler } from "@aws-lambda-powertools/tracer/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { logger } from "../../runtime/powertools.js";
import { type FrameOutcome, PoseInvoker, type PoseInvokerDeps } from "./invoker.js";

export interface PoseInvokerHandlerOptions extends PoseInvokerDeps {
  /** @default - no tracing */
  readonly tracer?: Tracer;
}

export type PoseInvokerHandler = (event: unknown, context: Context) => Promise<FrameOutcome>;

/** The bucket and key of an S3 "Object Created" EventBridge event; throws, quoting it, for anything else. */
export function frameObject(event: unknown): { bucket: string; key: string } {
  const e = event as {
    source?: unknown;
    "detail-type"?: unknown;
    detail?: { bucket?: { name?: unknown }; object?: { key?: unknown } };
  };
  const bucket = e?.detail?.bucket?.name;
  const key = e?.detail?.object?.key;
  if (
    e?.source !== "aws.s3" ||
    e["detail-type"] !== "Object Created" ||
    typeof bucket !== "string" ||
    typeof key !== "string"
  )
    throw new Error(
      `not an S3 "Object Created" event from EventBridge: ${JSON.stringify(event)?.slice(0, 300)}: check the rule's pattern`,
    );
  return { bucket, key };
}

export function createPoseInvokerHandler(options: PoseInvokerHandlerOptions): PoseInvokerHandler {
  const invoker = new PoseInvoker(options);
  const base = async (event: unknown): Promise<FrameOutcome> => {
    const { bucket, key } = frameObject(event);
    logger.appendKeys({ bucket, key });
    try {
      const outcome = await invoker.frame(bucket, key);
      logger.info(outcome.status === "estimated" ? "frame estimated" : "object skipped", { outcome });
      return outcome;
    } catch (e) {
      logger.error("frame failed: the event is retried, then sent to the DLQ", e as Error);
      throw e;
    }
  };
  const handler = middy(base);
  if (options.tracer) handler.use(captureLambdaHandler(options.tracer, { captureResponse: false }));
  return handler.use(injectLambdaContext(logger, { resetKeys: true })) as unknown as PoseInvokerHandler;
}
