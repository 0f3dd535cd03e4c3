/**
 * The medical cool-down on the local lake: the medical_alerts table is the ledger. Claims are
 * serialised in process (the local bus runs workflows concurrently), the local stand-in for the
 * cloud ledger's conditional write.
 */
import type { AlertLedger } from "../../ports.js";
import type { DuckDbLake } from "./duckdb-lake.js";

export class DuckDbAlertLedger implements AlertLedger {
  private queue: Promise<unknown> = Promise.resolve();
  /** Claims granted in this process but not yet in the table (the task writes its row after claiming). */
  private readonly granted = new Map<string, { id: string; at: number }[]>();

  constructor(private readonly lake: DuckDbLake) {}

  claim(playerId: string, kind: string, alertId: string, atMs: number, cooldownMs: number): Promise<boolean> {
    const key = `${playerId}\u0000${kind}`;
    const run = this.queue.then(async () => {
      const rows = await this.lake.queryObjects<{ alert_id: string; at: number }>(
        `SELECT alert_id, epoch_ms(observed_at) AS at FROM medical_alerts
          WHERE player_id = ? AND detail_type = ? AND status = 'notified'`,
        [playerId, kind],
      );
      const notified = [...rows.map((r) => ({ id: r.alert_id, at: Number(r.at) })), ...(this.granted.get(key) ?? [])];
      if (notified.some((n) => n.id === alertId)) return true;
      if (notified.some((n) => Math.abs(n.at - atMs) < cooldownMs)) return false;
      this.granted.set(key, [...(this.granted.get(key) ?? []), { id: alertId, at: atMs }]);
      return true;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
