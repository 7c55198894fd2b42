// One FIFO queue for everything the WeChat account sends. Personal-WeChat accounts get throttled or
// banned for machine-like bursts, so sends are spaced like a person typing: a few seconds apart in
// the same room, longer when switching rooms, and never more than a ceiling per minute.

export interface Pacing {
  /** Gap between two messages into the same chat: [min, max] ms, picked at random. */
  sameChatMs: [number, number];
  /** Gap when the next message goes to a different chat. */
  switchChatMs: [number, number];
  /** At most this many sends in any window of `windowMs`. */
  perWindow: number;
  windowMs: number;
  /** How long the whole account pauses after WeChat says we send too often. */
  backoffMs: number;
}

export const HUMAN_PACING: Pacing = {
  sameChatMs: [2000, 4000],
  switchChatMs: [5000, 9000],
  perWindow: 18,
  windowMs: 60_000,
  backoffMs: 5 * 60_000,
};

/** A throttle a day after the last one starts again at the shortest pause. */
const THROTTLE_CALM_MS = 24 * 3600_000;
/** The longest pause, however often WeChat repeats itself. */
const MAX_THROTTLE_MS = 4 * 3600_000;

export class QueueStoppedError extends Error {
  constructor() {
    super('WeChat send queue stopped');
    this.name = 'QueueStoppedError';
  }
}

export class SendQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private lastChat: string | null = null;
  private lastAt = 0;
  private readonly stamps: number[] = [];
  private pausedUntil = 0;
  private lastThrottle: { at: number; ms: number; reason: string } | null = null;
  private stopped = false;
  private readonly timers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();

  constructor(private readonly pacing: Pacing, private readonly random: () => number = Math.random) {}

  /** Runs `send` after every earlier send has finished and the pacing allows. */
  enqueue<T>(chatId: string, send: () => Promise<T>): Promise<T> {
    const run = this.tail.then(async () => {
      await this.waitTurn(chatId);
      try {
        return await send();
      } finally {
        this.lastAt = Date.now();
        this.lastChat = chatId;
        this.stamps.push(this.lastAt);
      }
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** WeChat told us to slow down: nothing leaves the account for a while. */
  pause(ms = this.pacing.backoffMs): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
  }

  /**
   * WeChat said the account sends too often: the whole account pauses, 5 minutes the first time and
   * twice as long on each repeat (an account that keeps sending after the warning is how bot
   * accounts get banned), back to 5 minutes after a calm day. Returns the pause in ms.
   */
  throttled(reason: string, now = Date.now()): number {
    const calm = this.lastThrottle && now - this.lastThrottle.at > THROTTLE_CALM_MS;
    const ms = !this.lastThrottle || calm ? this.pacing.backoffMs : Math.min(this.lastThrottle.ms * 2, MAX_THROTTLE_MS);
    // Several sends refused within one pause are one throttle, not a doubling each.
    if (this.lastThrottle && !calm && now < this.pausedUntil) return this.pausedUntil - now;
    this.lastThrottle = { at: now, ms, reason };
    this.pausedUntil = Math.max(this.pausedUntil, now + ms);
    return ms;
  }

  /** The current or last throttle, for admins (/wechat). */
  throttleState(now = Date.now()): { pausedUntil: number | null; last: { at: number; ms: number; reason: string } | null } {
    return { pausedUntil: this.pausedUntil > now ? this.pausedUntil : null, last: this.lastThrottle };
  }

  /** Pending sends fail with QueueStoppedError instead of waiting out their delay. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) {
      clearTimeout(t.timer);
      t.wake();
    }
    this.timers.clear();
  }

  private delayFor(chatId: string, now: number): number {
    let wait = 0;
    if (this.lastChat !== null) {
      const [min, max] = chatId === this.lastChat ? this.pacing.sameChatMs : this.pacing.switchChatMs;
      wait = this.lastAt + min + this.random() * Math.max(0, max - min) - now;
    }
    while (this.stamps.length && this.stamps[0] <= now - this.pacing.windowMs) this.stamps.shift();
    if (this.stamps.length >= this.pacing.perWindow) {
      wait = Math.max(wait, this.stamps[this.stamps.length - this.pacing.perWindow] + this.pacing.windowMs - now);
    }
    return Math.max(wait, this.pausedUntil - now, 0);
  }

  private async waitTurn(chatId: string): Promise<void> {
    if (this.stopped) throw new QueueStoppedError();
    const wait = this.delayFor(chatId, Date.now());
    if (wait > 0) {
      await new Promise<void>((resolve) => {
        const entry = { timer: setTimeout(() => { this.timers.delete(entry); resolve(); }, wait), wake: resolve };
        this.timers.add(entry);
      });
    }
    if (this.stopped) throw new QueueStoppedError();
  }
}
