// Work an adapter acknowledged and still owes an answer for (an event being handled). Shutdown waits
// for it, up to a limit, and tests wait until the bot is idle.

export class InFlight {
  private readonly pending = new Set<Promise<unknown>>();

  /** Tracks `work`; a failure is passed to `failed` (logged), never left unhandled. */
  add(work: Promise<unknown>, failed: (err: unknown) => void): void {
    const p = work.catch(failed).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Resolves when everything added so far (and anything it added) has settled. */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** idle(), but no longer than `ms`: shutdown must not hang on a stuck handler. */
  drain(ms: number): Promise<unknown> {
    return Promise.race([this.idle(), new Promise((r) => setTimeout(r, ms).unref())]);
  }
}
