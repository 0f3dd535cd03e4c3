/**
 * Lambda environments, validated with zod when the function initialises: a bad value fails the cold
 * start with a message naming the variable, instead of failing every record (which the event source
 * mapping would retry and send to the DLQ).
 */
import "../contracts/zod-locale.js";
import * as z from "zod/mini";

export const nonEmpty = z.string().check(z.minLength(1, "is empty"));

/** A JSON object of table name -> Firehose delivery stream name. */
const deliveryStreams = z.pipe(
  nonEmpty,
  z.transform((s, ctx) => {
    try {
      const v = JSON.parse(s) as unknown;
      if (v && typeof v === "object" && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string"))
        return v as Record<string, string>;
    } catch {
      // reported below
    }
    ctx.issues.push({
      code: "custom",
      input: s,
      message: "must be a JSON object of table name to delivery stream name",
    });
    return z.NEVER;
  }),
);

/** A whole number from a string, in [min, max]; `def` when the variable is unset (required when no default). */
export const intString = (min: number, max: number, def?: number) =>
  z.pipe(
    def === undefined ? nonEmpty : z.optional(nonEmpty),
    z.transform((s: string | undefined, ctx) => {
      if (s === undefined) return def as number;
      const n = Number(s);
      if (/^\s*-?\d+\s*$/.test(s) && n >= min && n <= max) return n;
      ctx.issues.push({
        code: "custom",
        input: s,
        message: `must be a whole number from ${min} to ${max}, got '${s}'`,
      });
      return z.NEVER;
    }),
  );

/** `true` or `false`; `def` when the variable is unset. */
export const boolString = (def: boolean) =>
  z.pipe(
    z.optional(nonEmpty),
    z.transform((s: string | undefined, ctx) => {
      if (s === undefined) return def;
      if (s === "true" || s === "false") return s === "true";
      ctx.issues.push({ code: "custom", input: s, message: `must be true or false, got '${s}'` });
      return z.NEVER;
    }),
  );

/** Every stream extractor's environment, set by the FeatureExtractor construct. */
export const extractorEnvSchema = z.object({
  DELIVERY_STREAMS: deliveryStreams,
  EVENT_BUS_NAME: nonEmpty,
  STATE_TABLE_NAME: nonEmpty,
  VISUALS_BUCKET: nonEmpty,
  /** The feature window: whole seconds, at most an hour (windows align to multiples of it). */
  WINDOW_SECONDS: intString(1, 3600),
});

/** The workflow-tasks function's environment. */
export const workflowTasksEnvSchema = z.object({
  DELIVERY_STREAMS: deliveryStreams,
  STATE_TABLE_NAME: nonEmpty,
  MEDICAL_COOLDOWN_HOURS: intString(0, 24 * 28),
});

/** Parses the environment, or throws one error naming every bad variable and what is wrong with it. */
export function parseEnv<T extends z.ZodMiniType>(schema: T, environment: NodeJS.ProcessEnv = process.env): z.infer<T> {
  const r = schema.safeParse(environment);
  if (r.success) return r.data as z.infer<T>;
  const problems = r.error.issues.map((i) => {
    const name = String(i.path[0] ?? "environment");
    return i.code === "invalid_type" && environment[name] === undefined ? `${name} is not set` : `${name} ${i.message}`;
  });
  throw new Error(`invalid Lambda environment: ${problems.join("; ")}`);
}
