/**
 * Logger, metrics and tracer, set up once. Handlers import these; helpers receive what they need.
 * Configuration is the Powertools environment: POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL,
 * POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_METRICS_DISABLED, POWERTOOLS_TRACE_ENABLED.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? "sideline";

export const logger = new Logger({ serviceName });
export const metrics = new Metrics({ serviceName, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "Sideline" });
export const tracer = new Tracer({ serviceName });
