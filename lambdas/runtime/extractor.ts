/**
 * What a modality's extractor gives the generic stream runtime (./stream-invocation.ts): a pure
 * step per record, applied in seq order to its key's state, and an optional step after the batch
 * for work that needs data from the ports (a player's load history). Everything an extractor
 * produces goes through its outputs; the runtime does the I/O, the ordering, the quarantine and the
 * state round trip.
 */
import type { Modality } from "../contracts/modalities.js";
import type { AnyTable, RowOf } from "../contracts/tables/index.js";
import type { BuiltInsight } from "../core/insights/common.js";
import type { LoadHistoryStore, SessionLoad } from "../ports.js";

export type { BuiltInsight, Picture } from "../core/insights/common.js";

/** What an extractor may produce, at any step. */
export interface BatchOutput {
  rows<T extends AnyTable>(table: T, rows: readonly RowOf<T>[]): void;
  insight(i: BuiltInsight): void;
  /** A session's load for the player's history (one history per measure). */
  load(playerId: string, measure: string, session: SessionLoad): void;
}

/** What an extractor may produce while applying one record. */
export interface RecordOutput extends BatchOutput {
  /** Samples of this record that were used (the rest are rejected). */
  accepted(samples: number): void;
  /** Samples of this record that cannot be used, grouped by reason: quarantined with the first one. */
  rejected(r: {
    readonly firstIndex: number;
    readonly count: number;
    readonly reason: string;
    readonly sample: string;
  }): void;
}

/** What the after-batch step may read. */
export interface BatchContext {
  /** @default - none: steps that need the history produce nothing */
  readonly loadHistory?: LoadHistoryStore;
}

/** One invocation's work: created per invocation, so it may keep what finish needs. */
export interface ExtractorBatch<R, S> {
  /** Applies one record to its key's state; throws only on a fault (the record then fails, in order). */
  apply(state: S, record: R, out: RecordOutput): void;
  /** After every record of the invocation was applied; throws to retry the whole batch. */
  finish?(ctx: BatchContext, out: BatchOutput): Promise<void>;
}

export interface Extractor<R, S> {
  readonly modality: Modality<R>;
  /** Version of the stored state's shape: a stored state of another version is refused, never misread. */
  readonly stateVersion: number;
  newState(): S;
  /**
   * The state's cold fields, which change rarely (a few times a minute against every sample), and
   * their revision, which the extractor bumps on every change to them: they are stored apart from
   * the rest, and encoded and decoded only when they changed (ColdState in ../ports.ts).
   * @default - the whole state is encoded and decoded every invocation
   */
  readonly cold?: { readonly fields: readonly (keyof S & string)[]; rev(state: S): number };
  /** Throws when a stored state cannot be continued under this configuration (e.g. another window length). */
  checkState?(state: S, key: string): void;
  /** Records that are accounted for but carry no state (the ball): counted, not applied. @default - none */
  passThrough?(record: R): boolean;
  begin(): ExtractorBatch<R, S>;
}
