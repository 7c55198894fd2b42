// One limiter in Redis shared by every worker process: before a reminder goes out it takes a slot
// in each window that applies (per chat and per app). Sliding logs in sorted sets, checked and taken
// in one Lua script, so two workers cannot both take the last slot.
//
// A message that finds a window full waits in its process for the moment the slot it needs frees
// up: the script says exactly when, from the time the platform answered the message whose slot it
// is. The messages waiting in a process keep their order, the k-th waiting for the k-th next free
// slot, so they neither poll nor all wake at once for the same slot. A wait longer than the caller
// accepts (a full minute window) is handed back for the job to be parked; parked messages are lined
// up behind each other, so they come back one after another as the slots free up.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Platform } from '../src/core/messages.js';
import { capabilitiesOf } from '../src/platforms/index.js';
import type { SendWindow } from '../src/platforms/platform.js';

/** A send window (per chat or per app); each platform declares its own (src/platforms/<name>/index.ts). */
export type Window = SendWindow;

// Every script reads Redis's clock, so processes on hosts whose clocks differ a little still count in
// one time; callers get back durations, never instants.
const NOW = `
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- Lengthens a key's life to at least ms, never shortens it (another message may still be in flight).
local function keep(key, ms)
  if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
end
`;

// Takes a slot in every window, or says how long to wait. A message counts from the moment it takes
// its slot until the platform has answered (while in flight it is stamped in the future so it keeps
// counting), then for one window from that answer (RELEASE). So a message leaves only once the
// platform has answered the one a window's worth of messages before it, at least one window ago:
// whatever happens on the way (a busy event loop, a slow token fetch, a slow network, a message that
// left later overtaking one that left earlier), arrivals at the platform are never closer than the
// platform's own window allows.
// A free slot goes to whichever message asks first. A message that finds the app-wide window that
// frees up most often (Lark's second) full, with `rank` messages of its process waiting before it,
// is told when the slot after theirs frees up (a forecast, when that depends on messages not sent
// yet), so the waiting messages wake one after another rather than all for the same slot. (Keeping
// free slots for the messages ahead left them unused: those were often asleep until later, and a
// fan-out lost a second's worth of slots.) Asked only for the wait (a job about to be parked), the
// rank counts in every app-wide window, free slots or not, so parked jobs come back one after another.
// KEYS: one sorted set per window. ARGV: member, reserveMs, rank, take (1, or 0 to only
// tell the wait), then (max, duration, kind: 0 per chat, 1 app-wide, 2 the app-wide one taken in
// order) per window. Returns { wait, blocked in the window taken in order (2), only in other app-wide
// windows (1), or only in the chat's (0) }.
const TAKE = `${NOW}
local now = nowMs()
local member = ARGV[1]
local reserve = tonumber(ARGV[2])
local rank = tonumber(ARGV[3])
local take = ARGV[4] == '1'
local wait, blocked = 0, 0
for i, key in ipairs(KEYS) do
  local max = math.max(1, tonumber(ARGV[2 + 3 * i]))
  local dur = tonumber(ARGV[3 + 3 * i])
  local kind = ARGV[4 + 3 * i]
  local ahead = 0
  if kind == '2' or (kind == '1' and not take) then ahead = rank end
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - dur)
  local count = redis.call('ZCARD', key)
  -- A free slot is taken by whoever asks: a message ahead may be asleep until later, and a slot it
  -- was kept for would go unused. Only a message that must wait anyway (or is about to be parked)
  -- counts those ahead, to wake for its own slot rather than theirs.
  if count >= max or (not take and count + ahead >= max) then
    -- This message is the (count + ahead)-th: it may go a window after the one max places before it
    -- was answered. That one is in the log, or one of those ahead (it goes about a window after the
    -- one max places before it, and so on).
    local at = count + ahead - max
    local extra = 0
    while at >= count do
      at = at - max
      extra = extra + dur
    end
    local w = extra
    if at >= 0 then
      local e = redis.call('ZRANGE', key, at, at, 'WITHSCORES')
      local score = tonumber(e[2])
      if score <= now then w = score + dur - now + 1 + extra
      -- Held by a message still in flight: its answer comes later than now, so the slot frees a
      -- window from now at the earliest; by then the answer is known and the rest of the wait exact.
      else w = dur + extra end
    end
    if w > wait then wait = w end
    if kind == '2' then blocked = 2 elseif kind == '1' and blocked == 0 then blocked = 1 end
  end
end
if wait > 0 or not take then return { wait, blocked } end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + reserve, member)
  keep(key, reserve + tonumber(ARGV[3 + 3 * i]) + 1000)
end
return { 0, 0 }
`;

// Re-stamps a taken slot with the time the platform answered (Redis's clock, read after the answer).
// ARGV: member, then the durations.
const RELEASE = `${NOW}
local now = nowMs()
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', now, ARGV[1])
  keep(key, tonumber(ARGV[1 + i]) + 1000)
end
return 0
`;

/** Longest a message may be in flight before its slot stops counting (a hung request). */
const RESERVE_MS = 30_000;
/** How long a parked message keeps its place among the parked ones after it was due back. */
const PARKED_PLACE_MS = 1000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The app-wide window whose slots are handed out in order: the one that frees up most often. */
function rankedWindow(windows: Window[]): Window | undefined {
  const apps = windows.filter((w) => w.scope === 'app');
  return apps.length ? apps.reduce((a, b) => (b.durationMs < a.durationMs ? b : a)) : undefined;
}

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

/** A message of this process waiting for a slot, or parked. */
interface Waiter {
  order: number;
  /**
   * What held it up last: 2 the app-wide window taken in order (only those come before the others
   * waiting here), 1 another app-wide window (those count among the parked), 0 its chat's window.
   */
  blocked: number;
  /** Parked until then (its job moved to delayed); undefined while it waits in the process. */
  parkedUntil?: number;
}

export class SendLimiter {
  private readonly margin: number;
  /** Per platform, this process's messages waiting for a slot, by message id. */
  private readonly waiting = new Map<Platform, Map<string, Waiter>>();
  private order = 0;

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

  /** How many messages the platform allows at once in its shortest app-wide window (0: no such window). */
  burst(platform: Platform): number {
    const ranked = rankedWindow(this.windows(platform));
    return ranked?.max ?? 0;
  }

  /** One attempt at a slot for one message to `chatId`: taken, or how long to wait first. */
  async acquire(platform: Platform, chatId: string): Promise<Slot> {
    return (await this.tryTake(platform, chatId, 0, true)).slot;
  }

  /**
   * Takes a slot for message `id` (stable while its job is parked), waiting in this process while
   * that takes at most `maxWaitMs`. A longer wait comes back in `slot.wait`: the caller parks the job
   * for that long and then asks again; the message keeps its place meanwhile.
   */
  async take(platform: Platform, chatId: string, id: string, maxWaitMs: number): Promise<Slot> {
    let waiting = this.waiting.get(platform);
    if (!waiting) this.waiting.set(platform, (waiting = new Map()));
    const until = Date.now() + maxWaitMs;
    const me: Waiter = waiting.get(id) ?? { order: this.order++, blocked: 0 };
    delete me.parkedUntil;
    waiting.set(id, me);
    let parked = false;
    try {
      for (;;) {
        // Only the messages waiting here come first: a parked one may not be back in time (its
        // worker's places all taken by waiting ones), and the slot it would hold back would stay idle.
        // The wait counts from when the script ran, which is after this moment and before its answer
        // came back: counted from here, the wake-up is not late by the answer's way back.
        const asked = Date.now();
        const tried = await this.tryTake(platform, chatId, this.ahead(waiting, me, false), true);
        const { wait } = tried.slot;
        if (!wait) return tried.slot;
        me.blocked = tried.blocked;
        if (asked + wait <= until) {
          await sleep(asked + wait - Date.now());
          continue;
        }
        // Parked behind the ones parked before it, so they come back one after another.
        const queued = this.ahead(waiting, me, true);
        const later = queued ? (await this.tryTake(platform, chatId, queued, false)).slot.wait : 0;
        me.parkedUntil = Date.now() + Math.max(wait, later);
        parked = true;
        return { ...tried.slot, wait: Math.max(wait, later) };
      }
    } finally {
      if (!parked) waiting.delete(id);
    }
  }

  /**
   * How many of this process's messages come before `me` for the app-wide windows: those waiting here
   * for the one taken in order, or with `parked` every one held up by an app-wide window, parked or
   * not. Forgets parked ones long overdue (their job ended elsewhere).
   */
  private ahead(waiting: Map<string, Waiter>, me: Waiter, parked: boolean): number {
    const now = Date.now();
    let n = 0;
    for (const [id, w] of waiting) {
      if (w.parkedUntil !== undefined && w.parkedUntil + PARKED_PLACE_MS < now) waiting.delete(id);
      else if (w !== me && w.order < me.order && (parked ? w.blocked > 0 : w.blocked === 2 && w.parkedUntil === undefined)) n += 1;
    }
    return n;
  }

  private async tryTake(platform: Platform, chatId: string, rank: number, take: boolean): Promise<{ slot: Slot; blocked: number }> {
    const windows = this.windows(platform);
    const none = { wait: 0, release: async () => undefined, cancel: async () => undefined };
    if (!windows.length) return { slot: none, blocked: 0 };
    const keys = this.keys(platform, chatId);
    const durations = windows.map((w) => Math.ceil(w.durationMs * (1 + this.margin)));
    const member = randomUUID();
    const args: (string | number)[] = [member, RESERVE_MS, rank, take ? 1 : 0];
    const ranked = rankedWindow(windows);
    windows.forEach((w, i) => args.push(w.max, durations[i], w === ranked ? 2 : w.scope === 'app' ? 1 : 0));
    const [wait, blocked] = (await this.redis.eval(TAKE, keys.length, ...keys, ...args)) as [number, number];
    if (wait > 0 || !take) return { slot: { ...none, wait: Number(wait) }, blocked: Number(blocked) };
    return {
      blocked: 0,
      slot: {
        wait: 0,
        cancel: async () => {
          const multi = this.redis.multi();
          for (const key of keys) multi.zrem(key, member);
          await multi.exec();
        },
        release: async () => {
          await this.redis.eval(RELEASE, keys.length, ...keys, member, ...durations);
        },
      },
    };
  }
}
