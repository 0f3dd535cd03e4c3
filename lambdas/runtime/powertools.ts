/**
 * Logger and metrics, set up once. Handlers import these; helpers receive what they need.
 * Configuration is the Powertools environment: POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL,
 * POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_METRICS_DISABLED. The tracer lives in ./tracer.ts:
 * it loads the X-Ray SDK, whose async hooks slow every promise, so only cloud entries import it.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";

export const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? "sideline";

export const logger = new Logger({ serviceName });
export const metrics = new Metrics({
  serviceName,
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "Sideline",
});
