/** The X-Ray tracer, for cloud entries only (see ./powertools.ts). */
import { Tracer } from "@aws-lambda-powertools/tracer";
import { serviceName } from "./powertools.js";

export const tracer = new Tracer({ serviceName });
