// Lark's message limits, kept on our side so a burst (a long reply, replies in a busy group) waits
// instead of being refused: 5 messages/s per chat (shared by all bots there), 50/s and 1,000/min
// per app. Sliding windows of send times; acquire() waits until every window has room. Reminders are
// paced by the shared limiter in Redis instead (jobs/send-limiter.ts, across processes); their sends
// are only recorded here, so one limiter decides each message.

interface Window {
  limit: number;
  ms: number;
}

export interface LarkLimits {
  perChat: Window;
  app: Window[];
}

// One below the documented 5/s per chat: other bots in the group share that budget. The app-wide
// windows are Lark's own numbers: only this app spends them, and the reminder queue's shared limiter
// (jobs/send-limiter.ts) applies the same ones across worker processes.
export const LARK_LIMITS: LarkLimits = {
  perChat: { limit: 4, ms: 1000 },
  app: [{ limit: 50, ms: 1000 }, { limit: 1000, ms: 60_000 }],
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class LarkRateLimiter {
  private readonly chats = new Map<string, number[]>();
  private readonly app: number[][];

  constructor(private readonly limits: LarkLimits = LARK_LIMITS, private readonly clock: () => number = Date.now) {
    this.app = limits.app.map(() => []);
  }

  /** How long until a send to `chatKey` fits every window; 0 when it fits now. */
  private waitFor(chatKey: string, now: number): number {
    let wait = 0;
    const check = (log: number[], w: Window) => {
      while (log.length && log[0] <= now - w.ms) log.shift();
      if (log.length >= w.limit) wait = Math.max(wait, log[log.length - w.limit] + w.ms - now);
    };
    this.limits.app.forEach((w, i) => check(this.app[i], w));
    check(this.chats.get(chatKey) ?? [], this.limits.perChat);
    return wait;
  }

  /** Waits for room, then records the send. Check-and-record is synchronous, so callers cannot race. */
  async acquire(chatKey: string): Promise<void> {
    for (;;) {
      const now = this.clock();
      const wait = this.waitFor(chatKey, now);
      if (wait <= 0) {
        this.record(chatKey);
        return;
      }
      await sleep(wait + 1);
    }
  }

  /** Records a send whose slot the shared reminder limiter already granted (no wait here). */
  record(chatKey: string): void {
    const now = this.clock();
    this.app.forEach((log) => log.push(now));
    const log = this.chats.get(chatKey) ?? [];
    log.push(now);
    this.chats.set(chatKey, log);
    this.prune(now);
  }

  private prune(now: number): void {
    if (this.chats.size < 500) return;
    for (const [key, log] of this.chats) if (!log.length || log[log.length - 1] <= now - this.limits.perChat.ms) this.chats.delete(key);
  }
}
