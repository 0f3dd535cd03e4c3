/**
 * Work started in the background (bus deliveries, workflow executions) that the embedded runtime
 * must be able to wait for, as the cloud's services would finish it on their own.
 */
export class InFlight {
  private readonly pending = new Set<Promise<unknown>>();

  /** Tracks a promise until it settles. */
  track(p: Promise<unknown>): void {
    const tracked = p.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  get idle(): boolean {
    return this.pending.size === 0;
  }

  /** Waits until everything tracked, including what it started meanwhile, has settled. */
  async drain(): Promise<void> {
    // A failure surfaces here (the bus catches its targets' errors; a lake that fails is a real error).
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
