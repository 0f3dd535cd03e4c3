/**
 * One invocation of a stream extractor, for any modality: records in, rows, quarantine, insights
 * and key states out. Each extractor (functions/<name>/extractor.ts) supplies only its pure steps.
 *
 * Contract with the event source mapping (sequential processing, ReportBatchItemFailures):
 * - a record that cannot be used (not JSON, NaN or Infinity, wrong schema) is quarantined with its
 *   reason and counts as processed: retrying it would not help;
 * - records are applied once and in seq order per key (core/stream/sequencer.ts): duplicates change
 *   nothing, records ahead of a gap wait for it;
 * - if a record's step throws, the record is reported as failed and the mapping retries from it.
 *   Every later record in the batch is failed too without being applied, because a key's records
 *   must be applied in order and exactly once;
 * - outputs of the applied records are flushed at the end: pictures, then rows (upserts on each
 *   table's key), then events (deterministic ids), then load history, then the key states. If the
 *   flush throws, the whole batch is retried and recomputes the same rows and event ids.
 */
import type { KinesisStreamRecord } from "aws-lambda";
import type { Insight } from "../contracts/events/index.js";
import { payloadRef, type QuarantineItem, quarantineRow, recordRef, sampleRef } from "../contracts/quarantine.js";
import { type AnyTable, INSIGHTS, QUARANTINE, type Row, type RowOf } from "../contracts/tables/index.js";
import {
  DUPLICATE,
  newSequencer,
  REORDER_LIMIT_RECORDS,
  type SequencerState,
  sequence,
} from "../core/stream/sequencer.js";
import type {
  EventPublisher,
  FeatureSink,
  LoadHistoryStore,
  SessionLoad,
  StateStore,
  StoredState,
  VisualStore,
} from "../ports.js";
import { emptyCounts } from "./counts.js";
import type { BatchOutput, Extractor, ExtractorBatch, Picture, RecordOutput } from "./extractor.js";
import { decodeRecord, extractorSource, insightRow, stateKey } from "./records.js";

export { addCounts, emptyCounts, type InvocationCounts } from "./counts.js";
export { decodeRecord, failedRecordItem, insightRow, MAPPING_FAILURE_SOURCE, stateKey } from "./records.js";

/** The ports every extractor's handler is built with. */
export interface StreamDeps {
  readonly sink: FeatureSink;
  readonly publisher: EventPublisher;
  readonly stateStore: StateStore;
  readonly visuals: VisualStore;
  /** Load history for the acute:chronic ratio. @default - none: no load spikes */
  readonly loadHistory?: LoadHistoryStore;
  /** Clock for quarantine timestamps. @default - the system clock */
  readonly now?: () => Date;
}

export interface QuarantineNotice {
  readonly recordRef: string;
  readonly reason: string;
}

/** A key's state as stored: the modality and shape version, the sequencer, and the extractor's state. */
interface KeyState<R, S> extends StoredState {
  readonly seq: SequencerState<R>;
  readonly state: S;
}

/** A stored key state with its cold part (if any) back among the state's fields. */
function withColdFields<R, S>(stored: KeyState<R, S>): KeyState<R, S> {
  if (!stored.cold) return stored;
  return {
    modality: stored.modality,
    version: stored.version,
    seq: stored.seq,
    state: Object.assign(stored.state as object, stored.cold.data) as S,
  };
}

/** State for one invocation. Create one per event; call `preload`, then `record` in order, then `flush`. */
export class StreamInvocation<R, S> {
  readonly counts = emptyCounts();
  readonly quarantined: QuarantineNotice[] = [];
  private readonly stored = new Map<string, StoredState>();
  private readonly keys = new Map<string, KeyState<R, S>>();
  private readonly dirty = new Set<string>();
  private readonly rows = new Map<AnyTable, Row[]>();
  private readonly quarantineItems: QuarantineItem[] = [];
  private readonly events: Insight[] = [];
  private readonly pictures: Picture[] = [];
  private readonly loads: { playerId: string; measure: string; session: SessionLoad }[] = [];
  private readonly batch: ExtractorBatch<R, S>;
  private readonly source: string;
  private readonly now: () => Date;
  private failedFrom: string | null = null;
  private readonly out: BatchOutput;
  private readonly coldFields: ReadonlySet<string>;

  constructor(
    private readonly extractor: Extractor<R, S>,
    private readonly deps: StreamDeps,
  ) {
    this.now = deps.now ?? (() => new Date());
    this.batch = extractor.begin();
    this.source = extractorSource(extractor);
    this.coldFields = new Set(extractor.cold?.fields ?? []);
    this.out = {
      rows: (table, rows) => this.addRows(table, rows),
      insight: (i) => {
        this.events.push(i.event);
        this.pictures.push(i.picture);
        this.counts.insights++;
      },
      load: (playerId, measure, session) => this.loads.push({ playerId, measure, session }),
    };
  }

  private addRows<T extends AnyTable>(table: T, rows: readonly RowOf<T>[]): void {
    let list = this.rows.get(table);
    if (!list) {
      list = [];
      this.rows.set(table, list);
    }
    for (const r of rows) list.push(r as Row);
  }

  /** Loads the stored states of every key in the batch with one store call (checked when first used; a record keyed otherwise is quarantined). */
  async preload(records: readonly KinesisStreamRecord[]): Promise<void> {
    const m = this.extractor.modality.id;
    const keys = [...new Set(records.map((r) => stateKey(m, r.kinesis.partitionKey)))];
    for (const [k, v] of await this.deps.stateStore.getMany(keys)) this.stored.set(k, v);
  }

  /** The record handler: if it throws, this record and all later ones are reported as failed. */
  async record(record: KinesisStreamRecord): Promise<void> {
    this.counts.records++;
    if (this.failedFrom !== null) {
      this.counts.recordsFailed++;
      throw new Error(`not applied: an earlier record (${this.failedFrom}) failed and order must be kept`);
    }
    try {
      this.apply(record);
    } catch (e) {
      this.failedFrom = record.eventID;
      this.counts.recordsFailed++;
      throw e;
    }
  }

  private quarantine(q: QuarantineItem): void {
    this.counts.samplesQuarantined += q.samples;
    this.quarantined.push({ recordRef: q.ref, reason: q.reason });
    this.quarantineItems.push(q);
  }

  /** The key's state: as stored (checked: modality, version, configuration), or new. Throws when it cannot be continued. */
  private keyState(key: string): KeyState<R, S> {
    let ks = this.keys.get(key);
    if (ks) return ks;
    const stored = this.stored.get(key);
    if (stored) {
      const m = this.extractor.modality.id;
      if (stored.modality !== m || stored.version !== this.extractor.stateVersion) {
        throw new Error(
          `stored state ${key} is ${stored.modality} state version ${stored.version}, but this extractor reads ${m} ` +
            `version ${this.extractor.stateVersion}: finish or replay the match with the version that started it, or delete its state item`,
        );
      }
      ks = withColdFields(stored as KeyState<R, S>);
      this.extractor.checkState?.(ks.state, key);
    } else {
      ks = {
        modality: this.extractor.modality.id,
        version: this.extractor.stateVersion,
        seq: newSequencer<R>(),
        state: this.extractor.newState(),
      };
    }
    this.keys.set(key, ks);
    return ks;
  }

  private apply(record: KinesisStreamRecord): void {
    const m = this.extractor.modality;
    const { raw, decoded } = decodeRecord<R>(this.extractor, record.kinesis.data);
    if (!decoded.ok) {
      this.counts.recordsQuarantined++;
      const { samples, matchId, reason } = decoded;
      this.quarantine({ source: this.source, ref: payloadRef(m.id, raw), matchId, reason, samples, payload: raw });
      return;
    }
    const r = decoded.record;
    if (this.extractor.passThrough?.(r)) {
      this.counts.recordsApplied++;
      this.counts.samplesPassedThrough += m.record.samples(r);
      return;
    }
    const id = m.record.identity(r);
    if (id.partitionKey !== record.kinesis.partitionKey) {
      // Order and ownership rest on the partition key: a record keyed otherwise could be applied
      // out of order, or by two consumers at once.
      this.counts.recordsQuarantined++;
      const reason = `partition key '${record.kinesis.partitionKey}' is not the record's own '${id.partitionKey}' (${m.partitionKeyDoc}): producers must key each record by it`;
      this.quarantine({
        source: this.source,
        ref: recordRef(m.id, id.partitionKey, id.seq),
        matchId: id.matchId,
        reason,
        samples: m.record.samples(r),
        payload: raw,
      });
      return;
    }
    const key = stateKey(m.id, id.partitionKey);
    const ks = this.keyState(key);
    this.currentState = ks.state;
    const missing = sequence(ks.seq, id.seq, r, this.applyInOrder, this.reorderLimit);
    if (missing === DUPLICATE) {
      this.counts.recordsDuplicate++;
      return;
    }
    this.dirty.add(key);
    this.counts.recordsApplied++;
    this.counts.missingChunks += missing;
  }

  /**
   * The sequencer's step for each record it releases, in order. One bound function and one output
   * object serve every record (this runs per record): the record being applied is `current`.
   */
  private get reorderLimit(): number {
    return this.extractor.modality.reorderLimitRecords ?? REORDER_LIMIT_RECORDS;
  }

  private readonly applyInOrder = (record: R): void => {
    this.current = record;
    this.batch.apply(this.currentState as S, record, this.recordOut);
  };

  private current: R | null = null;
  private currentState: S | null = null;

  private readonly recordOut: RecordOutput = {
    rows: (table, rows) => this.addRows(table, rows),
    insight: (i) => this.out.insight(i),
    load: (p, m, s) => this.out.load(p, m, s),
    accepted: (n) => {
      this.counts.samplesAccepted += n;
    },
    rejected: (x) => {
      const m = this.extractor.modality;
      const id = m.record.identity(this.current as R);
      this.counts.samplesRejectedGroups++;
      this.quarantine({
        source: this.source,
        ref: sampleRef(recordRef(m.id, id.partitionKey, id.seq), x.firstIndex),
        matchId: id.matchId,
        reason: `${x.count} sample(s) from index ${x.firstIndex}: ${x.reason}`,
        samples: x.count,
        payload: x.sample,
      });
    },
  };

  /** A key's state as stored: with the extractor's cold fields apart, under their revision. */
  private toStore(ks: KeyState<R, S>): StoredState {
    const cold = this.extractor.cold;
    if (!cold) return ks;
    const state = ks.state as Record<string, unknown>;
    const hot: Record<string, unknown> = {};
    const data: Record<string, unknown> = {};
    for (const f in state) (this.coldFields.has(f) ? data : hot)[f] = state[f];
    return {
      modality: ks.modality,
      version: ks.version,
      seq: ks.seq,
      state: hot,
      cold: { rev: cold.rev(ks.state), data },
    };
  }

  /** Writes everything the applied records produced. Throws (whole batch retried) on failure. */
  async flush(): Promise<void> {
    await this.batch.finish?.({ ...(this.deps.loadHistory ? { loadHistory: this.deps.loadHistory } : {}) }, this.out);
    for (const p of this.pictures) await this.deps.visuals.put(p.key, p.svg);
    const at = this.now();
    if (this.quarantineItems.length > 0)
      this.addRows(
        QUARANTINE,
        this.quarantineItems.map((q) => quarantineRow(q, at)),
      );
    if (this.events.length > 0) this.addRows(INSIGHTS, this.events.map(insightRow));
    for (const [table, rows] of this.rows) {
      await this.deps.sink.put(table, rows as RowOf<AnyTable>[]);
      this.counts.rows[table.name] = (this.counts.rows[table.name] ?? 0) + rows.length;
    }
    if (this.events.length > 0) await this.deps.publisher.publish(this.events);
    for (const l of this.loads) await this.deps.loadHistory?.record(l.playerId, l.measure, l.session);
    if (this.dirty.size > 0) {
      const changed = new Map<string, StoredState>();
      for (const k of this.dirty) changed.set(k, this.toStore(this.keys.get(k)!));
      await this.deps.stateStore.putMany(changed);
    }
  }
}
