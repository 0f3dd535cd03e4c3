/**
 * The workflow starter's environment, validated when the function initialises (as runtime/env.ts
 * does for the other functions): a bad value fails the cold start, naming the variable.
 */
import "../../contracts/zod-locale.js";
import * as z from "zod/mini";
import { nonEmpty } from "../../runtime/env.js";

/** A JSON object of workflow name -> state machine ARN. */
const stateMachines = z.pipe(
  nonEmpty,
  z.transform((s, ctx) => {
    try {
      const v = JSON.parse(s) as unknown;
      if (
        v &&
        typeof v === "object" &&
        !Array.isArray(v) &&
        Object.keys(v).length > 0 &&
        Object.values(v).every((x) => typeof x === "string" && x.startsWith("arn:"))
      )
        return v as Record<string, string>;
    } catch {
      // reported below
    }
    ctx.issues.push({
      code: "custom",
      input: s,
      message: "must be a JSON object of workflow name to state machine ARN",
    });
    return z.NEVER;
  }),
);

export const workflowStarterEnvSchema = z.object({
  /** The state machines this function may start, by workflow name (set by the automation stack). */
  STATE_MACHINES: stateMachines,
});

export type WorkflowStarterEnv = z.infer<typeof workflowStarterEnvSchema>;
