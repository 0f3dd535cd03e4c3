/**
 * One invocation of the tracking-features function: records in, rows, quarantine and insights out.
 *
 * Contract with the event source mapping (sequential processing, ReportBatchItemFailures):
 * - a record that cannot be used (not JSON, wrong schema, NaN, off the pitch, time backwards) is
 *   quarantined with its reason and counts as processed: retrying it would not help;
 * - if a record handler throws, the record is reported as failed and the mapping retries from it.
 *   Every later record in the batch is failed too without being applied, because a player's
 *   samples must be applied in order and exactly once;
 * - outputs of the applied records are flushed at the end: window, quarantine and insight rows
 *   (upserts on the table key), then insight events (deterministic ids), then the player states.
 *   If the flush throws, the whole batch is retried and recomputes the same rows and event ids.
 */
import type { KinesisStreamRecord } from "aws-lambda";
import type { InsightEvent } from "../../contracts/events.js";
import { needRows, type ScoutingNeedsFile } from "../../contracts/needs.js";
import {
  chunkPitch,
  type TrackingChunk,
  trackingChunkSchema,
  WIRE_METRES_PER_UNIT,
} from "../../contracts/records/tracking.js";
import {
  INSIGHTS,
  PLAYER_LOADS,
  PLAYER_MATCH_PROFILES,
  PLAYER_WINDOWS,
  QUARANTINE,
  type Row,
  SCOUTING_NEEDS,
} from "../../contracts/tables.js";
import {
  fatigueInsight,
  loadSpikeInsight,
  matchLoadRow,
  type Picture,
  type PlayerRef,
  profileRow,
  scoutingInsight,
} from "../../core/insights/tracking-insights.js";
import { ACWR_LOOKBACK_DAYS, acwr, dayOf, isSpike } from "../../core/load/acwr.js";
import { scoreNeed } from "../../core/scouting/scouting.js";
import type { MatchProfile } from "../../core/tracking/match-profile.js";
import {
  type ClosedWindow,
  ingestChunk,
  newPlayerState,
  type PlayerState,
} from "../../core/tracking/player-features.js";
import type {
  EventPublisher,
  FeatureSink,
  LoadHistoryStore,
  PlayerStateStore,
  SessionLoad,
  VisualStore,
} from "../../ports.js";

/** Quarantined payloads are truncated to this many characters: enough to diagnose, bounded in size. */
export const QUARANTINE_PAYLOAD_CHARS = 1024;
export const QUARANTINE_SOURCE = "tracking-features";

export interface TrackingFeaturesDeps {
  readonly sink: FeatureSink;
  readonly publisher: EventPublisher;
  readonly stateStore: PlayerStateStore;
  readonly windowMs: number;
  readonly visuals: VisualStore;
  /** Load history for the acute:chronic ratio. @default - no load spikes are computed */
  readonly loadHistory?: LoadHistoryStore;
  /** The club's scouting needs. @default - no scouting matches */
  readonly needs?: ScoutingNeedsFile;
  /** Clock for quarantine timestamps. @default - the system clock */
  readonly now?: () => Date;
}

export interface InvocationCounts {
  records: number;
  recordsApplied: number;
  recordsQuarantined: number;
  recordsDuplicate: number;
  recordsFailed: number;
  samplesAccepted: number;
  samplesQuarantined: number;
  /** Quarantine rows for samples rejected inside otherwise good records (one per record and reason). */
  samplesRejectedGroups: number;
  ballSamples: number;
  missingChunks: number;
  windowsClosed: number;
  insights: number;
  profilesCompleted: number;
}

export const emptyCounts = (): InvocationCounts => ({
  records: 0,
  recordsApplied: 0,
  recordsQuarantined: 0,
  recordsDuplicate: 0,
  recordsFailed: 0,
  samplesAccepted: 0,
  samplesQuarantined: 0,
  samplesRejectedGroups: 0,
  ballSamples: 0,
  missingChunks: 0,
  windowsClosed: 0,
  insights: 0,
  profilesCompleted: 0,
});

export interface QuarantineNotice {
  readonly recordRef: string;
  readonly reason: string;
}

/** The record's event ID, `shardId-000000000000:49590338271490256608559692538361571095921575989136588898`. */
export function recordRef(record: KinesisStreamRecord): string {
  return record.eventID;
}

export function windowRow(chunk: Pick<TrackingChunk, "match_id" | "player_id" | "team">, w: ClosedWindow): Row {
  return {
    match_id: chunk.match_id,
    player_id: chunk.player_id,
    team: chunk.team ?? null,
    window_start: new Date(w.start),
    window_end: new Date(w.end),
    samples: w.samples,
    discarded_samples: w.discardedSamples,
    tracked_s: w.trackedS,
    distance_m: w.distanceM,
    hi_distance_m: w.hiDistanceM,
    hsr_distance_m: w.hsrDistanceM,
    sprint_distance_m: w.sprintDistanceM,
    sprint_count: w.sprintCount,
    accel_count: w.accelCount,
    decel_count: w.decelCount,
    top_speed_mps: w.topSpeedMps,
    metabolic_energy_jkg: w.metabolicEnergyJkg,
    avg_metabolic_power_wkg: w.avgMetabolicPowerWkg,
  };
}

/** The `insights` table row for an insight event: the lakehouse copy analysts query. */
export function insightRow(e: InsightEvent<{ match_id?: string; player_id?: string }>): Row {
  return {
    insight_id: e.id,
    time: e.time,
    source: e.source,
    detail_type: e.detailType,
    match_id: e.detail.match_id ?? null,
    player_id: e.detail.player_id ?? null,
    detail: JSON.stringify(e.detail),
  };
}

type Decoded =
  | { ok: true; chunk: TrackingChunk }
  | { ok: false; reason: string; samples: number; matchId: string | null };

/** Decodes and validates one record's data; never throws. */
export function decodeRecord(data: string): { raw: string; decoded: Decoded } {
  const raw = Buffer.from(data, "base64").toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    const nonFinite = /(?<![A-Za-z"])-?(NaN|Infinity)(?![A-Za-z"])/.test(raw);
    const reason = nonFinite ? "non-finite number (NaN or Infinity) in payload" : `not JSON: ${(e as Error).message}`;
    return { raw, decoded: { ok: false, reason, samples: 0, matchId: null } };
  }
  const parsed = trackingChunkSchema.safeParse(json);
  if (parsed.success) return { raw, decoded: { ok: true, chunk: parsed.data } };
  const obj = (typeof json === "object" && json !== null ? json : {}) as Record<string, unknown>;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join(".") : "record";
  return {
    raw,
    decoded: {
      ok: false,
      reason: `wrong schema: ${where}: ${issue?.message ?? "invalid"}`,
      samples: Array.isArray(obj.t) ? obj.t.length : 0,
      matchId: typeof obj.match_id === "string" ? obj.match_id : null,
    },
  };
}

/** State for one invocation. Create one per event; call `record` in order, then `flush`. */
export class TrackingInvocation {
  readonly counts = emptyCounts();
  readonly quarantined: QuarantineNotice[] = [];
  private readonly states = new Map<string, PlayerState>();
  private readonly dirty = new Set<string>();
  private readonly rows: Row[] = [];
  private readonly quarantineRows: Row[] = [];
  private readonly events: InsightEvent[] = [];
  private readonly pictures: Picture[] = [];
  private readonly profileRows: Row[] = [];
  private readonly completed: { player: PlayerRef; state: PlayerState; profile: MatchProfile }[] = [];
  private failedFrom: string | null = null;
  private readonly now: () => Date;

  constructor(private readonly deps: TrackingFeaturesDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Pre-loads the states of every player in the batch with one store call. */
  async preload(records: readonly KinesisStreamRecord[]): Promise<void> {
    const keys = [...new Set(records.map((r) => r.kinesis.partitionKey))];
    const loaded = await this.deps.stateStore.getMany(keys);
    for (const [k, v] of loaded) this.states.set(k, v);
  }

  /** The record handler: if it throws, this record and all later ones are reported as failed. */
  async record(record: KinesisStreamRecord): Promise<void> {
    const ref = recordRef(record);
    this.counts.records++;
    if (this.failedFrom !== null) {
      this.counts.recordsFailed++;
      throw new Error(`not applied: an earlier record (${this.failedFrom}) failed and order must be kept`);
    }
    try {
      this.apply(record, ref);
    } catch (e) {
      this.failedFrom = ref;
      this.counts.recordsFailed++;
      throw e;
    }
  }

  private quarantine(ref: string, reason: string, samples: number, matchId: string | null, raw: string): void {
    this.counts.samplesQuarantined += samples;
    this.quarantined.push({ recordRef: ref, reason });
    this.quarantineRows.push({
      source: QUARANTINE_SOURCE,
      record_ref: ref,
      match_id: matchId,
      reason,
      sample_count: samples,
      payload: raw.slice(0, QUARANTINE_PAYLOAD_CHARS),
      quarantined_at: this.now(),
    });
  }

  private apply(record: KinesisStreamRecord, ref: string): void {
    const { raw, decoded } = decodeRecord(record.kinesis.data);
    if (!decoded.ok) {
      this.counts.recordsQuarantined++;
      this.quarantine(ref, decoded.reason, decoded.samples, decoded.matchId, raw);
      return;
    }
    const chunk = decoded.chunk;
    if (chunk.entity === "ball") {
      // The ball has no physical profile; its samples are counted, not profiled.
      this.counts.recordsApplied++;
      this.counts.ballSamples += chunk.t.length;
      return;
    }
    const key = record.kinesis.partitionKey;
    let state = this.states.get(key);
    if (!state || state.windowMs !== this.deps.windowMs) {
      if (state && state.lastSeq >= 0) {
        throw new Error(
          `state for ${key} uses ${state.windowMs} ms windows but the function is configured for ${this.deps.windowMs} ms`,
        );
      }
      state = newPlayerState(this.deps.windowMs);
      this.states.set(key, state);
    }
    const result = ingestChunk(state, {
      ref,
      seq: chunk.seq,
      t0: chunk.t0,
      t: chunk.t,
      x: chunk.x_mm,
      y: chunk.y_mm,
      metresPerUnit: WIRE_METRES_PER_UNIT,
      period: chunk.period,
      final: chunk.final,
      pitch: chunkPitch(chunk),
    });
    if (result.duplicate) {
      this.counts.recordsDuplicate++;
      return;
    }
    this.dirty.add(key);
    this.counts.recordsApplied++;
    this.counts.missingChunks += result.missingChunks;
    this.counts.samplesAccepted += result.accepted;
    for (const r of result.rejected) {
      this.counts.samplesRejectedGroups++;
      this.quarantine(
        `${r.ref}#${r.firstIndex}`,
        `${r.count} sample(s) from index ${r.firstIndex}: ${r.reason}`,
        r.count,
        chunk.match_id,
        r.sample,
      );
    }
    for (const w of result.closed) this.rows.push(windowRow(chunk, w));
    this.counts.windowsClosed += result.closed.length;
    for (const f of result.fatigue) this.add(fatigueInsight(chunk, state, f.window, f.finding, this.deps.visuals));
    if (result.completed) this.complete(chunk, state, result.completed);
  }

  private add(i: { event: InsightEvent; picture: Picture }): void {
    this.events.push(i.event);
    this.pictures.push(i.picture);
    this.counts.insights++;
  }

  /** The player's final chunk was applied: his profile is written and scored against every need. */
  private complete(player: PlayerRef, state: PlayerState, profile: MatchProfile): void {
    this.counts.profilesCompleted++;
    this.profileRows.push(profileRow(player, profile));
    this.completed.push({ player, state, profile });
    const needs = this.deps.needs;
    if (!needs) return;
    for (const need of needs.needs) {
      const score = scoreNeed(profile, need);
      if (score.matched)
        this.add(scoutingInsight(player, state, profile, need, needs.version, score, this.deps.visuals));
    }
  }

  /** This invocation's completed matches as sessions of their players' load history. */
  private matchLoads(): { playerId: string; session: SessionLoad }[] {
    return this.completed.map((c) => ({
      playerId: c.player.player_id,
      session: { sessionId: c.player.match_id, day: dayOf(c.profile.matchStart), load: c.profile.distanceM },
    }));
  }

  /** Load spikes of the players whose match completed: their history plus this match. */
  private async loadSpikes(loads: readonly { playerId: string; session: SessionLoad }[]): Promise<void> {
    const history = this.deps.loadHistory;
    if (!history || loads.length === 0) return;
    const from = Math.min(...loads.map((l) => l.session.day)) - ACWR_LOOKBACK_DAYS * 86_400_000;
    const past = await history.get([...new Set(loads.map((l) => l.playerId))], from);
    this.completed.forEach((c, i) => {
      const { session } = loads[i]!;
      const sessions = (past.get(c.player.player_id) ?? []).filter((x) => x.sessionId !== session.sessionId);
      const r = acwr([...sessions, session], session.day);
      if (isSpike(r)) this.add(loadSpikeInsight(c.player, c.state, c.profile, r, this.deps.visuals));
    });
  }

  /** Writes everything the applied records produced. Throws (whole batch retried) on failure. */
  async flush(): Promise<void> {
    const loads = this.deps.loadHistory ? this.matchLoads() : [];
    await this.loadSpikes(loads);
    for (const p of this.pictures) await this.deps.visuals.put(p.key, p.svg);
    if (this.rows.length > 0) await this.deps.sink.put(PLAYER_WINDOWS.name, this.rows);
    if (this.quarantineRows.length > 0) await this.deps.sink.put(QUARANTINE.name, this.quarantineRows);
    if (this.profileRows.length > 0) {
      await this.deps.sink.put(PLAYER_MATCH_PROFILES.name, this.profileRows);
      // The needs that scored these profiles, so the lake can audit every match against its version.
      if (this.deps.needs) await this.deps.sink.put(SCOUTING_NEEDS.name, needRows(this.deps.needs));
    }
    if (loads.length > 0)
      await this.deps.sink.put(
        PLAYER_LOADS.name,
        this.completed.map((c) => matchLoadRow(c.player, c.profile)),
      );
    if (this.events.length > 0) {
      await this.deps.sink.put(
        INSIGHTS.name,
        this.events.map((e) => insightRow(e as InsightEvent<{ match_id?: string }>)),
      );
      await this.deps.publisher.publish(this.events);
    }
    for (const l of loads) await this.deps.loadHistory?.record(l.playerId, l.session);
    if (this.dirty.size > 0) {
      const changed = new Map<string, PlayerState>();
      for (const k of this.dirty) changed.set(k, this.states.get(k)!);
      await this.deps.stateStore.putMany(changed);
    }
  }
}
