// Redis holds the job queues (reminders). At start we connect to REDIS_URL; when nothing answers
// on a local address and redis-server is installed, we run one ourselves with its data under
// DATA_DIR/redis and append-only persistence, because without persistence a Redis restart would
// silently drop every scheduled reminder. With Redis Sentinel (redis+sentinel://) the sentinels say
// where the master is, before and after a failover; Saiwu then never starts a redis-server itself.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import type { Config, RedisTarget } from './config.js';
import type { Logger } from './logger.js';

export const REDIS_INSTALL_HELP = [
  'Redis is required (it keeps the reminder queue). Install it, then start Saiwu again:',
  '  Debian/Ubuntu:  sudo apt-get install redis-server',
  '  macOS:          brew install redis',
  '  or point REDIS_URL at a Redis you already run (e.g. redis://127.0.0.1:6379).',
].join('\n');

export interface RedisHandle {
  /**
   * A connection suitable for BullMQ (maxRetriesPerRequest: null): while Redis is down its commands
   * wait for it to come back, which is right for queues and workers and wrong for answering people.
   */
  connection: Redis;
  /**
   * A connection for what a reply waits on (guided-filing state, held files): while Redis is down its
   * commands fail at once, so the bot answers without that state instead of not answering.
   */
  requests: Redis;
  /** Whether Redis answers right now (as far as the queue connection knows). */
  up(): boolean;
  /** True when Saiwu started redis-server itself. */
  managed: boolean;
  close(): Promise<void>;
}

/** Longest a reply waits on Redis before it goes on without it. */
const REQUEST_TIMEOUT_MS = 1500;

/**
 * For a log line that can repeat many times a second (a dead connection retrying): the first one is
 * written at once, later ones at most once per `everyMs`, with how many were held back.
 */
export function throttled(everyMs: number): (write: (repeats: number) => void) => void {
  let last = 0;
  let held = 0;
  return (write) => {
    const now = Date.now();
    if (now - last < everyMs) {
      held += 1;
      return;
    }
    write(held);
    last = now;
    held = 0;
  };
}

/**
 * Opens a connection to `target` with `options` on top: every connection Saiwu makes to Redis's data
 * (the queues', the replies', the start-up probe; BullMQ duplicates these) is made here, so a Sentinel
 * setup applies to all of them. (Connections to the sentinels themselves: openSentinel.)
 */
export function openRedis(target: RedisTarget, options: RedisOptions = {}): Redis {
  // READONLY: the server we are on was demoted to a replica (a Sentinel failover, or a managed Redis
  // whose endpoint moved to the new primary): reconnect, which finds the new master, and resend.
  const reconnectOnError = (err: Error) => (err.message.startsWith('READONLY') ? 2 : false);
  if (target.kind === 'server') return new Redis(target.url, { reconnectOnError, ...options });
  return new Redis({
    sentinels: target.sentinels,
    name: target.masterName,
    role: 'master',
    db: target.db,
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
    ...(target.sentinelUsername ? { sentinelUsername: target.sentinelUsername } : {}),
    ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
    ...(target.tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
    // A failover is followed by followFailovers below, not by ioredis's failoverDetector.
    reconnectOnError,
    ...options,
  });
}

/** Where Redis is, for messages and the log: addresses and the master's name, never a password. */
export function describeRedis(target: RedisTarget): string {
  if (target.kind === 'server') return `${target.host}:${target.port}`;
  return `master "${target.masterName}" through Sentinel at ${target.sentinels.map(address).join(',')}`;
}

function address(a: { host: string; port: number }): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** Null when Redis answers PING, else why not (ioredis's message: addresses, never a password). */
async function ping(target: RedisTarget): Promise<string | null> {
  const probe = openRedis(target, {
    lazyConnect: true, connectTimeout: 1500, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false,
    sentinelRetryStrategy: () => null,
  });
  let last = '';
  probe.on('error', (err: Error) => { last = err.message; });
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG' ? null : 'no PONG';
  } catch (err) {
    return (err as Error).message || last || 'no answer';
  } finally {
    probe.disconnect();
  }
}

/**
 * A connection to one sentinel itself (not to the data, which openRedis opens): to ask it where the
 * master is, or to hear it announce a failover.
 */
function openSentinel(target: SentinelTarget, sentinel: { host: string; port: number }, options: RedisOptions): Redis {
  return new Redis({
    host: sentinel.host, port: sentinel.port,
    ...(target.sentinelUsername ? { username: target.sentinelUsername } : {}),
    ...(target.sentinelPassword ? { password: target.sentinelPassword } : {}),
    ...(target.tls ? { tls: {} } : {}),
    ...options,
  });
}

type SentinelTarget = Extract<RedisTarget, { kind: 'sentinel' }>;

/** What each sentinel says about the master, one line each: for the message when it cannot be reached. */
async function askSentinels(target: SentinelTarget): Promise<string[]> {
  return Promise.all(target.sentinels.map(async (s) => {
    const client = openSentinel(target, s, { lazyConnect: true, connectTimeout: 1500, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    let failed = '';
    client.on('error', (err: Error) => { failed = err.message; });
    try {
      await client.connect();
      const master = (await client.call('SENTINEL', 'get-master-addr-by-name', target.masterName)) as string[] | null;
      return `  sentinel ${address(s)}: ${master ? `says the master is ${address({ host: master[0], port: Number(master[1]) })}` : `knows no master named "${target.masterName}"`}`;
    } catch (err) {
      return `  sentinel ${address(s)}: ${failed || (err as Error).message}`;
    } finally {
      client.disconnect();
    }
  }));
}

/**
 * Listens on every sentinel for +switch-master and moves `connections` to the new master at once.
 * Without it they would stay on a demoted master that is still up (a planned failover, a partition)
 * and that accepts writes until Sentinel turns it into a replica, about ten seconds later; those
 * writes would be lost. (ioredis's own failoverDetector does this from every connection, BullMQ's
 * included, but while a sentinel is down it prints errors past the logger every minute, ioredis
 * #1600.) BullMQ's blocking connections, duplicated from ours, only wait for jobs; they move when
 * Sentinel disconnects the demoted master's clients.
 */
function followFailovers(target: SentinelTarget, connections: Redis[], log: Logger): () => void {
  const complain = throttled(600_000);
  let lastSwitch = '';
  const watchers = target.sentinels.map((s) => {
    const watcher = openSentinel(target, s, { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(times * 500, 5000) });
    watcher.on('error', (err: Error) => complain((repeats) => log.warn({ sentinel: address(s), err: err.message, ...(repeats ? { repeats } : {}) }, 'a sentinel does not answer; failovers are followed through the others')));
    watcher.on('message', (_channel: string, message: string) => {
      // "<master name> <old ip> <old port> <new ip> <new port>", from each sentinel: act once.
      const [name, fromHost, fromPort, toHost, toPort] = message.split(' ');
      if (name !== target.masterName || `${toHost}:${toPort}` === lastSwitch) return;
      lastSwitch = `${toHost}:${toPort}`;
      log.info({ from: `${fromHost}:${fromPort}`, to: lastSwitch }, 'Sentinel switched the Redis master; reconnecting to it');
      // One that reconnected by itself already (the old master died) stays.
      const there = (c: Redis) => c.status === 'ready' && c.stream?.remoteAddress === toHost && c.stream?.remotePort === Number(toPort);
      for (const c of connections) if (!there(c)) c.disconnect(true);
    });
    watcher.subscribe('+switch-master').catch(() => undefined);
    return watcher;
  });
  return () => {
    for (const w of watchers) w.disconnect();
  };
}

function isLocal(target: RedisTarget): boolean {
  if (target.kind !== 'server') return false;
  const host = target.host;
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]';
}

function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function startManagedRedis(config: Config, log: Logger): Promise<ChildProcess> {
  if (config.redis.kind !== 'server') throw new Error('only a local redis:// server is started by Saiwu');
  const port = config.redis.port;
  const dir = path.join(config.dataDir, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  const logFile = path.join(dir, 'redis.log');
  // Detached: a Ctrl-C in the terminal reaches only Saiwu, which closes its queues first and then
  // stops Redis itself, so no job is cut off half-written.
  const child = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--logfile', logFile,
    '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction',
  ], { stdio: 'ignore', detached: true });
  child.on('error', (err) => log.error({ err: err.message }, 'redis-server failed'));
  // Last resort if Saiwu exits without stop() (a crash): do not leave Redis running unattended.
  const killOnExit = () => child.exitCode === null && child.kill('SIGTERM');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  for (let i = 0; i < 50; i++) {
    if ((await ping(config.redis)) === null) {
      log.info({ port, dir }, 'started redis-server (append-only persistence on)');
      return child;
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGTERM');
  const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join('\n') : '';
  throw new Error(`redis-server did not start on port ${port} (log: ${logFile}).\n${tail ? `${tail}\n` : ''}${REDIS_INSTALL_HELP}`);
}

export async function connectRedis(config: Config, log: Logger): Promise<RedisHandle> {
  let child: ChildProcess | null = null;
  const target = config.redis;
  const unreachable = await ping(target);
  if (unreachable !== null) {
    if (target.kind === 'sentinel') {
      throw new Error([
        `Cannot reach the Redis ${describeRedis(target)} (${unreachable}).`,
        ...(await askSentinels(target)),
        'Check REDIS_URL (redis+sentinel://[:password@]host1:26379,host2:26379/<master name>, with ?sentinel_password=… when',
        'the sentinels require one) and that the sentinels run and monitor that master. With Sentinel Saiwu starts no redis-server.',
      ].join('\n'));
    }
    const canStart = config.redisAutostart !== 'off' && isLocal(target) && hasRedisServer();
    if (!canStart) {
      const why = config.redisAutostart === 'off' ? ' (REDIS_AUTOSTART=off)' : !isLocal(target) ? '' : ' and redis-server is not on the PATH';
      throw new Error(`Cannot reach Redis at ${describeRedis(target)}${why}.\n${REDIS_INSTALL_HELP}`);
    }
    child = await startManagedRedis(config, log);
  }
  const connection = openRedis(target, { maxRetriesPerRequest: null });
  // ioredis reports every failed reconnect (several a second at first): one line a minute is enough.
  const complain = throttled(60_000);
  connection.on('error', (err) => complain((repeats) => log.warn({ err: err.message, ...(repeats ? { repeats } : {}) }, 'redis connection error; reminders wait, replies go on without it')));
  let wasDown = false;
  connection.on('close', () => { wasDown = true; });
  // With Sentinel, where the master is now: after a failover that is another server.
  const at = () => (target.kind === 'sentinel' && connection.stream?.remoteAddress ? { master: address({ host: connection.stream.remoteAddress, port: connection.stream.remotePort ?? 0 }) } : {});
  connection.on('ready', () => {
    if (wasDown) log.info(at(), 'redis connection is back');
    wasDown = false;
  });
  const requests = openRedis(target, { maxRetriesPerRequest: 0, enableOfflineQueue: false, commandTimeout: REQUEST_TIMEOUT_MS, lazyConnect: false });
  requests.on('error', () => undefined); // the queue connection above says it, once a minute
  // Without an offline queue a command sent before the connection is up fails: wait for it (briefly).
  await new Promise<void>((resolve) => {
    const done = () => { clearTimeout(timer); resolve(); };
    const timer = setTimeout(done, 3000);
    requests.once('ready', done);
  });
  const policy = (await connection.config('GET', 'maxmemory-policy').catch(() => [])) as string[];
  if (target.kind === 'sentinel') log.info({ redis: describeRedis(target), ...at() }, 'connected to the Redis master through Sentinel');
  if (policy[1] && policy[1] !== 'noeviction') log.warn({ policy: policy[1] }, 'Redis maxmemory-policy should be noeviction, or queued reminders may be evicted');
  const stopFollowing = target.kind === 'sentinel' ? followFailovers(target, [connection, requests], log) : () => undefined;
  return {
    connection,
    requests,
    up: () => connection.status === 'ready',
    managed: Boolean(child),
    async close() {
      stopFollowing();
      requests.disconnect();
      // QUIT would wait for a Redis that is down: then just drop the connection.
      if (connection.status === 'ready') await connection.quit().catch(() => connection.disconnect());
      else connection.disconnect();
      if (child && child.exitCode === null) {
        const exited = new Promise((r) => child!.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
