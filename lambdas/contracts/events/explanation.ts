/**
 * How every insight explains itself: the rule in words, and the evidence as a map of named metrics,
 * each with its value, the baseline it was judged against, the threshold that decided, its unit and
 * its share of the decision. Any modality fills it honestly: a metric it has no baseline or
 * threshold for says null, never 0.
 */
import "../zod-locale.js";
import * as z from "zod/mini";

/** Version 2: evidence as a map of named metrics (version 1 was tracking-only fixed fields). */
export const EXPLANATION_VERSION = 2;

export const evidenceSchema = z.object({
  value: z.number(),
  /** e.g. "m per 5 min", "ratio", "deg". */
  unit: z.string(),
  /** What the value was compared with (the player's own rate, a target); null when nothing was. */
  baseline: z.nullable(z.number()),
  /** The level that decides (an alert level, a minimum); null when none applies. */
  threshold: z.nullable(z.number()),
  /** This metric's share of the decision: the shares sum to 1, or to the score for weighted scores. */
  contribution: z.number(),
});

/** A window the rule looked at, with the metrics that mattered in it. */
export const windowEvidenceSchema = z.object({
  window_start: z.string(),
  window_end: z.string(),
  metrics: z.record(z.string(), z.number()),
});

export const explanationSchema = z.object({
  version: z.literal(EXPLANATION_VERSION),
  rule: z.string(),
  evidence: z.record(z.string(), evidenceSchema),
  /** The windows that triggered it (the last minutes, the whole match, the match day). */
  trigger_windows: z.array(windowEvidenceSchema),
  /** What the baseline was built from: its span, how many windows or days, and their totals. Null when the rule has none. */
  baseline: z.nullable(
    z.object({
      first_start: z.string(),
      last_end: z.string(),
      count: z.int(),
      metrics: z.record(z.string(), z.number()),
    }),
  ),
});

export type Evidence = z.infer<typeof evidenceSchema>;
export type WindowEvidence = z.infer<typeof windowEvidenceSchema>;
export type Explanation = z.infer<typeof explanationSchema>;
