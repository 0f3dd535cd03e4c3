/**
 * Defaults shared by the cloud and the embedded runtime, written once as data with the reason for
 * each number. CDK (lib/) and the local emulators (local/) both read these, so they cannot drift.
 */

/** The Lambda event source mapping of every extractor (Kinesis). */
export const STREAM_MAPPING_DEFAULTS = {
  /** Lambda's own default for Kinesis; at 1 s live chunks, 100 records is ~4 s of one match's players. */
  batchSize: 100,
  /** Up to 1 s of gathering adds at most 1 s of latency and halves invocations at low traffic. */
  batchingWindowSeconds: 1,
  /** Retries per failing batch before the on-failure destination: bisection needs a few; Lambda allows up to 10,000. */
  retryAttempts: 5,
  /** A record older than this is no longer live: it goes to the DLQ rather than hold the shard (a match plus extra time). */
  maxRecordAgeHours: 3,
  /** Split a failing batch in two and retry each half, so one bad record cannot hold back a whole batch. */
  bisectOnError: true,
  /** Concurrent batches per shard; order per partition key is kept at any value (1-10). */
  parallelizationFactor: 1,
} as const;

/** EventBridge rule targets (workflows, the CRM, SNS) and the local bus's deliveries. */
export const BUS_DEFAULTS = {
  /**
   * Retries per event and target after the first attempt (EventBridge's MaximumRetryAttempts, 0-185):
   * with its backoff, 8 retries absorb a target that is down for minutes; then the target's DLQ.
   */
  retryAttempts: 8,
  /** An automation event older than a day is stale for scouts and medical staff: it goes to the DLQ. */
  maxEventAgeHours: 24,
} as const;

/** Front-office automation. */
export const AUTOMATION_DEFAULTS = {
  /** 12 h: one medical alert per player and kind of finding per match and its aftermath; staff see the rest in medical_alerts. */
  medicalCooldownHours: 12,
} as const;

/** Features. */
export const FEATURE_DEFAULTS = {
  /** Tumbling window per player: a minute resolves pacing within a half and keeps rows per match small (22 x 90). */
  windowSeconds: 60,
} as const;
