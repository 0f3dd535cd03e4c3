/**
 * The CRM, locally: what the cloud's EventBridge API destination does, as an HTTP POST to
 * SIDELINE_CRM_URL with `Authorization: Bearer $SIDELINE_CRM_TOKEN` and an `Idempotency-Key` that
 * stays the same across retries. 5xx and 429 (and no response) are retried with exponential
 * backoff and full jitter (429's Retry-After is honoured); after the last try, or on another
 * 4xx, the request goes to crm_dead_letters. With no URL, requests are recorded in crm_outbox.
 * Nothing is dropped: every request ends sent, dead-lettered or in the outbox.
 */

import { type BackoffOptions, backoffDelayMs, realSleep } from "../../lambdas/adapters/batching.js";
import type { DuckDbLake } from "../../lambdas/adapters/local/duckdb-lake.js";
import { type CrmRequest, crmRequestSchema } from "../../lambdas/contracts/events/index.js";
import { CRM_DEAD_LETTERS, CRM_OUTBOX } from "../../lambdas/contracts/tables/index.js";
import type { BusEvent } from "./bus.js";

/**
 * Attempts and backoff: EventBridge retries API destination deliveries with backoff and jitter
 * (its default retry policy allows 185 attempts over 24 h); locally 5 attempts over a few seconds
 * keep the demo short. Configurable.
 */
export const CRM_DEFAULT_BACKOFF: BackoffOptions = { attempts: 5, baseMs: 200, maxMs: 5_000 };
/** Per-request timeout: the 5 s EventBridge gives an API destination endpoint to answer. */
export const CRM_REQUEST_TIMEOUT_MS = 5_000;

export interface CrmOptions {
  /** @default - none: requests go to crm_outbox */
  readonly url?: string | undefined;
  /** @default - no Authorization header */
  readonly token?: string | undefined;
  /** @default CRM_DEFAULT_BACKOFF */
  readonly backoff?: BackoffOptions;
  /** @default - the system clock */
  readonly now?: () => Date;
}

export interface CrmStats {
  sent: number;
  retries: number;
  deadLettered: number;
  outboxed: number;
  /** What the CRM was asked, in order: operation and player. */
  readonly requests: { operation: string; player_id: string; status: "sent" | "dead-letter" | "outbox" }[];
}

const retryable = (status: number) => status === 429 || status >= 500;

export class LocalCrm {
  readonly stats: CrmStats = { sent: 0, retries: 0, deadLettered: 0, outboxed: 0, requests: [] };
  private readonly now: () => Date;

  constructor(
    private readonly lake: DuckDbLake,
    private readonly o: CrmOptions = {},
  ) {
    this.now = o.now ?? (() => new Date());
    if (o.url && !/^https?:\/\//.test(o.url))
      throw new Error(`SIDELINE_CRM_URL must be an http(s) URL, got '${o.url}'`);
  }

  /** The bus target for CRM requests. Never throws for a delivery failure: that is a dead letter. */
  async deliver(event: BusEvent): Promise<void> {
    const parsed = crmRequestSchema.safeParse(event.detail);
    if (!parsed.success) {
      const d = event.detail as { idempotency_key?: unknown; operation?: unknown };
      await this.deadLetter(
        { idempotency_key: String(d?.idempotency_key ?? event.id), operation: String(d?.operation ?? "unknown") },
        event.detail,
        0,
        null,
        `invalid CRM request in event ${event.id}: ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`,
      );
      return;
    }
    const req = parsed.data;
    if (!this.o.url) {
      await this.lake.put(CRM_OUTBOX, [
        {
          idempotency_key: req.idempotency_key,
          operation: req.operation,
          body: JSON.stringify(req),
          recorded_at: this.now(),
        },
      ]);
      this.stats.outboxed++;
      this.stats.requests.push({ operation: req.operation, player_id: req.player.player_id, status: "outbox" });
      return;
    }
    await this.send(req);
  }

  private async send(req: CrmRequest): Promise<void> {
    const backoff = this.o.backoff ?? CRM_DEFAULT_BACKOFF;
    const body = JSON.stringify(req);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "idempotency-key": req.idempotency_key,
      "user-agent": "sideline-local-crm/1",
    };
    if (this.o.token) headers.authorization = `Bearer ${this.o.token}`;
    let status: number | null = null;
    let error = "";
    for (let attempt = 0; attempt < backoff.attempts; attempt++) {
      if (attempt > 0) this.stats.retries++;
      let waitMs: number | null = null;
      try {
        const res = await fetch(this.o.url!, {
          method: "POST",
          headers,
          body,
          signal: AbortSignal.timeout(CRM_REQUEST_TIMEOUT_MS),
        });
        status = res.status;
        await res.arrayBuffer(); // drain the body so the connection is reused
        if (res.ok) {
          this.stats.sent++;
          this.stats.requests.push({ operation: req.operation, player_id: req.player.player_id, status: "sent" });
          return;
        }
        error = `HTTP ${res.status}`;
        if (!retryable(res.status)) break;
        const after = Number(res.headers.get("retry-after"));
        if (res.status === 429 && Number.isFinite(after) && after >= 0) waitMs = Math.min(after * 1000, backoff.maxMs);
      } catch (e) {
        status = null;
        error = `no response: ${(e as Error).message}`;
      }
      if (attempt + 1 < backoff.attempts)
        await (backoff.sleep ?? realSleep)(waitMs ?? backoffDelayMs(attempt + 1, backoff));
    }
    await this.deadLetter(req, req, backoff.attempts, status, error);
  }

  private async deadLetter(
    key: { idempotency_key: string; operation: string },
    body: unknown,
    attempts: number,
    status: number | null,
    error: string,
  ): Promise<void> {
    await this.lake.put(CRM_DEAD_LETTERS, [
      {
        idempotency_key: key.idempotency_key,
        operation: key.operation,
        url: this.o.url ?? "",
        body: JSON.stringify(body ?? null),
        attempts,
        last_status: status,
        error,
        failed_at: this.now(),
      },
    ]);
    this.stats.deadLettered++;
    const player = (body as { player?: { player_id?: string } } | null)?.player?.player_id ?? "";
    this.stats.requests.push({ operation: key.operation, player_id: player, status: "dead-letter" });
  }
}
