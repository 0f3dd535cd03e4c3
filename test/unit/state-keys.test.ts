/**
 * The state table's key contract (lambdas/contracts/state-keys.ts) against the keys actually used:
 * each extractor runs with the real DynamoDB adapters over a client that records every key it is
 * asked for, and every key must match the patterns its role is granted (dynamodb:LeadingKeys, IAM
 * StringLike); no extractor's patterns reach another modality's stream state or the medical ledger.
 */
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type DynamoDBClient,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import type { KinesisStreamRecord } from "aws-lambda";
import { DynamoDbAlertLedger } from "../../lambdas/adapters/aws/dynamodb-alert-ledger.js";
import { DynamoDbLoadHistory } from "../../lambdas/adapters/aws/dynamodb-load-history.js";
import { DynamoDbStateStore } from "../../lambdas/adapters/aws/dynamodb-state-store.js";
import { DETAIL_TYPES } from "../../lambdas/contracts/events/index.js";
import { MODALITIES, type Modality, POSE, TRACKING, WEARABLES } from "../../lambdas/contracts/modalities.js";
import { POSE_RECORD, type PoseChunk } from "../../lambdas/contracts/records/pose.js";
import { WEARABLE_RECORD, WEARABLE_SCHEMA_V1, type WearableChunk } from "../../lambdas/contracts/records/wearable.js";
import {
  loadKey,
  MEDICAL_KEY_PATTERN,
  medicalKey,
  stateKey,
  stateTableKeyPatterns,
} from "../../lambdas/contracts/state-keys.js";
import { DAY_MS } from "../../lambdas/core/load/acwr.js";
import { DISTANCE_LOAD, LOAD_MEASURES, TRIMP_EDWARDS_LOAD } from "../../lambdas/core/load/measures.js";
import { DEFAULT_SQUAD } from "../../lambdas/functions/extractors.js";
import { createPoseBiomechanicsHandler } from "../../lambdas/functions/pose-biomechanics/handler.js";
import { createTrackingFeaturesHandler } from "../../lambdas/functions/tracking-features/handler.js";
import { createWearableLoadHandler } from "../../lambdas/functions/wearable-load/handler.js";
import type { StreamHandler } from "../../lambdas/runtime/handler.js";
import { demoPoseChunks } from "../../local/demo/demo-pose.js";
import { loadRecord } from "../../producers/readers/loads-csv.js";
import {
  kinesisRecordFactory,
  lambdaContext,
  MemoryVisualStore,
  straightRun,
  T0,
  wireChunks,
} from "../helpers/factories.js";

const TABLE = "state";

/** IAM StringLike: `*` any run of characters, `?` any one, everything else literal and case-sensitive. */
function stringLike(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`, "s").test(value);
}
/** What ForAllValues:StringLike on dynamodb:LeadingKeys allows: every key of the request matches a pattern. */
const allowed = (patterns: readonly string[], key: string) => patterns.some((p) => stringLike(p, key));

/** A DynamoDB client that answers like an empty table and records every partition key it is asked for. */
class KeyRecordingClient {
  readonly keys = new Set<string>();
  async send(command: unknown): Promise<unknown> {
    if (command instanceof BatchGetItemCommand) {
      for (const k of command.input.RequestItems?.[TABLE]?.Keys ?? []) this.keys.add(k.pk!.S!);
      return { Responses: { [TABLE]: [] } };
    }
    if (command instanceof BatchWriteItemCommand) {
      for (const w of command.input.RequestItems?.[TABLE] ?? [])
        this.keys.add((w.PutRequest?.Item?.pk ?? w.DeleteRequest?.Key?.pk)!.S!);
      return {};
    }
    if (command instanceof UpdateItemCommand) {
      this.keys.add(command.input.Key!.pk!.S!);
      return {};
    }
    throw new Error(`unexpected command ${(command as object).constructor.name}`);
  }
}

/** A handler's dependencies with the cloud's DynamoDB adapters over `client`, and sinks that keep nothing. */
function deps(client: KeyRecordingClient) {
  const dynamo = client as unknown as DynamoDBClient;
  return {
    sink: { put: async () => {} },
    publisher: { publish: async () => {} },
    stateStore: new DynamoDbStateStore(dynamo, TABLE),
    loadHistory: new DynamoDbLoadHistory(dynamo, TABLE),
    visuals: new MemoryVisualStore(),
    windowMs: 60_000,
    now: () => new Date("2026-05-16T18:00:00Z"),
  };
}

async function run(handler: StreamHandler, records: readonly KinesisStreamRecord[]): Promise<void> {
  const res = await handler({ Records: [...records] }, lambdaContext);
  expect(res).toEqual({ batchItemFailures: [] });
}

/** 2026-05-01, midnight UTC: the day the imported sessions end on. */
const DAY = Date.parse("2026-05-01T00:00:00Z");

const wearable = (c: WearableChunk) =>
  kinesisRecordFactory(c, { partitionKey: WEARABLE_RECORD.identity(c).partitionKey });

/** The keys each registered extractor uses, running over input that completes sessions and matches. */
const used: Record<string, () => Promise<Set<string>>> = {
  async [TRACKING.id]() {
    const client = new KeyRecordingClient();
    // A 130 s run at 6 m/s, its last chunk final: the match completes and its distance joins the history.
    const chunks = wireChunks(straightRun({ durationMs: 130_000, speed: () => 6 }), 25).map((c) => ({
      ...c,
      pitch: { length_m: 1000, width_m: 68 },
    }));
    await run(
      createTrackingFeaturesHandler(deps(client)),
      chunks.map((c) => kinesisRecordFactory(c)),
    );
    return client.keys;
  },
  async [WEARABLES.id]() {
    const client = new KeyRecordingClient();
    // One imported session in every load measure, and ten minutes of a heart-rate strap (TRIMP).
    const imports = LOAD_MEASURES.map((m, i) =>
      loadRecord("home_2", `train-${i}`, DAY - DAY_MS, { measure: m.id as never, load: 10, minutes: 60 }, "imp"),
    );
    const strap: WearableChunk[] = Array.from({ length: 10 }, (_, seq) => ({
      schema: WEARABLE_SCHEMA_V1,
      session_id: "train-0501",
      player_id: "home_2",
      device_id: "strap-1",
      device_kind: "hr-strap",
      seq,
      t0: DAY + 10 * 3_600_000 + seq * 60_000,
      hr: { t: Array.from({ length: 60 }, (_, k) => k * 1000), bpm: Array.from({ length: 60 }, () => 165) },
      ...(seq === 9 ? { final: true } : {}),
    }));
    await run(
      createWearableLoadHandler({ ...deps(client), squad: DEFAULT_SQUAD }),
      [...imports, ...strap].map(wearable),
    );
    return client.keys;
  },
  async [POSE.id]() {
    const client = new KeyRecordingClient();
    const clip = [...demoPoseChunks({ matchId: "m1", startMs: T0, minutes: 1, players: ["home_7"] })];
    await run(
      createPoseBiomechanicsHandler(deps(client)),
      clip.map((c: PoseChunk) => kinesisRecordFactory(c, { partitionKey: POSE_RECORD.identity(c).partitionKey })),
    );
    return client.keys;
  },
};

describe("state table keys", () => {
  const keys = new Map<string, Set<string>>();
  beforeAll(async () => {
    for (const m of MODALITIES) keys.set(m.id, await used[m.id]!());
  });

  it("has a run for every registered modality", () => {
    expect(Object.keys(used).sort()).toEqual(MODALITIES.map((m) => m.id).sort());
  });

  it.each(MODALITIES.map((m) => [m.id, m] as const))(
    "%s: every key the extractor reads or writes matches the patterns its role is granted",
    (id, m: Modality) => {
      const k = [...keys.get(id)!];
      // Its own stream states were used (the run is not vacuous).
      expect(k.some((x) => x.startsWith(`${id}/`))).toBe(true);
      const patterns = stateTableKeyPatterns(m);
      expect(k.filter((x) => !allowed(patterns, x))).toEqual([]);
    },
  );

  it("grants tracking and wearables the load histories they really use, and shares distance between them", () => {
    const tracking = [...keys.get(TRACKING.id)!].filter((k) => k.startsWith("load#"));
    expect(tracking).toEqual([loadKey("p1", DISTANCE_LOAD.id)]);
    const wearables = [...keys.get(WEARABLES.id)!].filter((k) => k.startsWith("load#"));
    // Every measure, through imports; TRIMP from the strap too.
    for (const m of LOAD_MEASURES) expect(wearables).toContain(loadKey("home_2", m.id));
    // The shared history: a player's distance, from matches and from imported sessions.
    expect(allowed(stateTableKeyPatterns(TRACKING), loadKey("home_2", DISTANCE_LOAD.id))).toBe(true);
    expect(allowed(stateTableKeyPatterns(WEARABLES), loadKey("p1", DISTANCE_LOAD.id))).toBe(true);
    // Heart-rate loads are health data: tracking's role cannot read them.
    expect(allowed(stateTableKeyPatterns(TRACKING), loadKey("home_2", TRIMP_EDWARDS_LOAD.id))).toBe(false);
    // Pose keeps no load history.
    expect(allowed(stateTableKeyPatterns(POSE), loadKey("p1", DISTANCE_LOAD.id))).toBe(false);
  });

  it("keeps each modality out of the others' stream states, and every extractor out of the medical ledger", async () => {
    for (const m of MODALITIES)
      for (const other of MODALITIES.filter((x) => x !== m)) {
        const theirs = [...keys.get(other.id)!].filter((k) => k.startsWith(`${other.id}/`));
        expect(theirs.filter((k) => allowed(stateTableKeyPatterns(m), k))).toEqual([]);
      }
    // A modality whose id starts with another's is still apart: the separator ends the id.
    expect(allowed(stateTableKeyPatterns({ id: "pose" }), stateKey("pose-x", "m1/p1"))).toBe(false);

    const client = new KeyRecordingClient();
    await new DynamoDbAlertLedger(client as unknown as DynamoDBClient, TABLE).claim(
      "home_2",
      DETAIL_TYPES.playerLoadSpike,
      "alert-1",
      T0,
      3_600_000,
    );
    const [ledger] = [...client.keys];
    expect(ledger).toBe(medicalKey("home_2", DETAIL_TYPES.playerLoadSpike));
    expect(stringLike(MEDICAL_KEY_PATTERN, ledger!)).toBe(true);
    for (const m of MODALITIES) expect(allowed(stateTableKeyPatterns(m), ledger!)).toBe(false);
  });
});
