// Which bot process holds a platform that allows one connection at a time (WeChat: one login;
// WeCom: a newer connection replaces the older). The processes elect the holder with a lease in
// Redis: a key naming the holder with an expiry, renewed every third of the lease. A process that
// dies stops renewing, the key expires, and a standby that keeps asking takes over within about one
// lease. While Redis is down nobody can take the lease, so the holder keeps its connection; once
// Redis is back it renews (or takes the lease again if it expired meanwhile and nobody else has it).
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

// KEYS[1] the lease; ARGV: holder id, lease ms. 1 = held by us now, 0 = someone else holds it.
const TAKE_OR_RENEW = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export interface LeaseEvents {
  /** This process now holds the platform: connect it. */
  acquired(): Promise<void>;
  /** Another process holds it now (this one lost its lease): disconnect at once. */
  lost(): Promise<void>;
}

export class PlatformLease {
  /** Who this process is in the lease (host and pid help whoever reads Redis). */
  readonly holder = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private timer: NodeJS.Timeout | null = null;
  private held = false;
  private stopped = false;
  private turn: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly leaseMs: number,
    private readonly log: Logger,
  ) {}

  get holding(): boolean {
    return this.held;
  }

  /** Asks once now (so a lone process connects before start() returns), then every third of the lease. */
  async start(events: LeaseEvents): Promise<void> {
    await this.tick(events);
    this.timer = setInterval(() => { this.turn = this.turn.then(() => this.tick(events)); }, Math.max(500, Math.floor(this.leaseMs / 3)));
    this.timer.unref();
  }

  private async tick(events: LeaseEvents): Promise<void> {
    if (this.stopped) return;
    let mine: boolean;
    try {
      mine = Number(await this.redis.eval(TAKE_OR_RENEW, 1, this.key, this.holder, this.leaseMs)) === 1;
    } catch {
      // Redis is down: nobody else can take the lease either; keep what we have and ask again later.
      return;
    }
    if (mine && !this.held) {
      this.held = true;
      this.log.info({ lease: this.key }, 'this process holds the platform connection now');
      try {
        await events.acquired();
      } catch (err) {
        // Could not connect: give the lease back so another process may try.
        this.log.error({ err, lease: this.key }, 'could not start the platform after taking its lease; releasing it');
        this.held = false;
        await this.redis.eval(RELEASE, 1, this.key, this.holder).catch(() => undefined);
      }
    } else if (!mine && this.held) {
      this.held = false;
      this.log.error({ lease: this.key }, 'another process took over the platform connection (this one could not renew in time): disconnecting here');
      await events.lost();
    }
  }

  /**
   * Stops asking (nothing is connected or disconnected by the lease from now on) but keeps the lease,
   * so no standby connects while this process is still disconnecting.
   */
  async pause(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.turn;
  }

  /** Stops asking and gives the lease back, so a standby takes over at its next look. */
  async stop(): Promise<void> {
    await this.pause();
    if (this.held) await this.redis.eval(RELEASE, 1, this.key, this.holder).catch(() => undefined);
    this.held = false;
  }
}
