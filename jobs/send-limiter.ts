// One limiter in Redis shared by every worker process: before a reminder goes out it takes a slot
// in each window that applies (per chat and per app). Sliding logs in sorted sets, checked and taken
// in one Lua script, so two workers cannot both take the last slot. When a window is full the caller
// learns how long to wait and parks the job (BullMQ moveToDelayed), it does not sleep.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Platform } from '../src/core/messages.js';
import { capabilitiesOf } from '../src/platforms/index.js';
import type { SendWindow } from '../src/platforms/platform.js';

/** A send window (per chat or per app); each platform declares its own (src/platforms/<name>/index.ts). */
export type Window = SendWindow;

// A message counts against a window from the moment it takes its slot until the platform has
// answered (then it is re-stamped with that time), so messages that leave late — a busy event loop,
// a slow token fetch — can never bunch up at the platform's side. While in flight an entry is
// stamped in the future (a reservation) so it keeps counting.
// KEYS: one sorted set per window. ARGV: now, member, reservedUntil, then (max, duration) per key.
// Returns 0 when a slot was taken in every window, else the milliseconds to wait.
const ACQUIRE = `
local now = tonumber(ARGV[1])
local wait = 0
for i, key in ipairs(KEYS) do
  local max = tonumber(ARGV[2 + 2 * i])
  local dur = tonumber(ARGV[3 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - dur)
  local count = redis.call('ZCARD', key)
  if count >= max then
    local oldest = redis.call('ZRANGE', key, count - max, count - max, 'WITHSCORES')
    local score = tonumber(oldest[2])
    local w = score + dur - now + 1
    -- Blocked by a message still in flight: look again shortly rather than at its reservation's end.
    if score > now then w = 100 end
    if w > wait then wait = w end
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, tonumber(ARGV[3]), ARGV[2])
  redis.call('PEXPIRE', key, tonumber(ARGV[3]) - now + tonumber(ARGV[3 + 2 * i]) + 1000)
end
return 0
`;

// Re-stamps a taken slot with the time the platform answered. ARGV: member, completedAt, then durations.
const RELEASE = `
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', key, tonumber(ARGV[2 + i]) + 1000)
end
return 0
`;

/** Longest a message may be in flight before its slot stops counting (a hung request). */
const RESERVE_MS = 30_000;

export interface Slot {
  /** 0 when the slot was taken, else how long to wait before asking again. */
  wait: number;
  /** Call once the platform has answered (or failed), so the slot counts from that moment. */
  release(): Promise<void>;
  /** Nothing was sent after all: give the slot back. */
  cancel(): Promise<void>;
}

export interface SendLimiterOptions {
  prefix: string;
  limits?: Partial<Record<Platform, Window[]>>;
  /**
   * Extra length on each window (0.05 = 5 % longer). 0 by default: a slot already counts until the
   * platform has answered, which covers the gap between our count and the platform's arrivals.
   */
  margin?: number;
}

export class SendLimiter {
  private readonly margin: number;

  constructor(private readonly redis: Redis, private readonly opts: SendLimiterOptions) {
    this.margin = opts.margin ?? 0;
  }

  /** The platform's declared send windows, unless these options override them (tests, tuning). */
  windows(platform: Platform): Window[] {
    return this.opts.limits?.[platform] ?? capabilitiesOf(platform).sendWindows;
  }

  private keys(platform: Platform, chatId: string): string[] {
    return this.windows(platform).map((w, i) => `${this.opts.prefix}:limit:${platform}:${w.scope === 'chat' ? `chat:${chatId}` : 'app'}:${i}`);
  }

  /** Takes a slot for one message to `chatId`, or says how long to wait first. */
  async acquire(platform: Platform, chatId: string): Promise<Slot> {
    const windows = this.windows(platform);
    const none = { wait: 0, release: async () => undefined, cancel: async () => undefined };
    if (!windows.length) return none;
    const keys = this.keys(platform, chatId);
    const durations = windows.map((w) => Math.ceil(w.durationMs * (1 + this.margin)));
    const now = Date.now();
    const member = `${now}-${randomUUID()}`;
    const args: (string | number)[] = [now, member, now + RESERVE_MS];
    windows.forEach((w, i) => args.push(w.max, durations[i]));
    const wait = Number(await this.redis.eval(ACQUIRE, keys.length, ...keys, ...args));
    if (wait > 0) return { ...none, wait };
    return {
      wait: 0,
      cancel: async () => {
        const multi = this.redis.multi();
        for (const key of keys) multi.zrem(key, member);
        await multi.exec();
      },
      release: async () => {
        await this.redis.eval(RELEASE, keys.length, ...keys, member, Date.now(), ...durations);
      },
    };
  }
}
