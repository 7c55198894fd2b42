// One FIFO queue for everything the WeChat account sends. Personal-WeChat accounts get throttled or
// banned for machine-like bursts, so sends are spaced like a person typing: a few seconds apart in
// the same room, longer when switching rooms, and never more than a ceiling per minute.

import { NotSentError } from '../../core/send-errors.js';

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

/** The queue stopped (shutdown) while a send waited its turn: nothing went out. */
export class QueueStoppedError extends NotSentError {
  constructor() {
    super('WeChat send queue stopped');
    this.name = 'QueueStoppedError';
  }
}

/**
 * Which waiting send goes next. Replies to people go before background sends (a reminder fan-out to
 * twenty groups takes minutes at a person's pace, and a /help must not wait behind it); within a lane,
 * first come first served. Both lanes share the one account-wide pacing.
 */
export type Lane = 'reply' | 'background';

interface Waiting {
  chatId: string;
  lane: Lane;
  run: () => Promise<void>;
  /** Gives up without sending (the queue stopped). */
  fail: (err: Error) => void;
}

export class SendQueue {
  private readonly waiting: Waiting[] = [];
  private running = false;
  private lastChat: string | null = null;
  private lastAt = 0;
  private readonly stamps: number[] = [];
  private pausedUntil = 0;
  private lastThrottle: { at: number; ms: number; reason: string } | null = null;
  private stopped = false;
  private readonly timers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();

  constructor(private readonly pacing: Pacing, private readonly random: () => number = Math.random) {}

  /** Runs `send` when its turn comes (replies first) and the pacing allows; one send at a time. */
  enqueue<T>(chatId: string, send: () => Promise<T>, lane: Lane = 'reply'): Promise<T> {
    if (this.stopped) return Promise.reject(new QueueStoppedError());
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({
        chatId, lane,
        run: async () => {
          try {
            resolve(await send());
          } catch (err) {
            reject(err);
          } finally {
            this.lastAt = Date.now();
            this.lastChat = chatId;
            this.stamps.push(this.lastAt);
          }
        },
        fail: reject,
      });
      if (lane === 'reply') this.wake();
      void this.drain();
    });
  }

  /** How many sends wait, per lane (for admins and tests). */
  pending(): Record<Lane, number> {
    return { reply: this.waiting.filter((w) => w.lane === 'reply').length, background: this.waiting.filter((w) => w.lane === 'background').length };
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.waiting.length && !this.stopped) {
        const first = this.waiting.find((w) => w.lane === 'reply') ?? this.waiting[0];
        const wait = this.delayFor(first.chatId, Date.now());
        // A reply arriving during the wait wakes it, and the choice is made again.
        if (wait > 0) {
          await this.sleep(wait);
          continue;
        }
        this.waiting.splice(this.waiting.indexOf(first), 1);
        await first.run();
      }
    } finally {
      this.running = false;
    }
    if (this.stopped) this.failWaiting();
  }

  private wake(): void {
    for (const t of this.timers) {
      clearTimeout(t.timer);
      t.wake();
    }
    this.timers.clear();
  }

  private failWaiting(): void {
    for (const w of this.waiting.splice(0)) w.fail(new QueueStoppedError());
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
    this.wake();
    if (!this.running) this.failWaiting();
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

  private async sleep(ms: number): Promise<void> {
    if (ms <= 0) return;
    await new Promise<void>((resolve) => {
      const entry = { timer: setTimeout(() => { this.timers.delete(entry); resolve(); }, ms), wake: resolve };
      this.timers.add(entry);
    });
  }
}
