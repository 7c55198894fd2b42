// Redis holds the job queues (reminders). At start we connect to REDIS_URL; when nothing answers
// on a local address and redis-server is installed, we run one ourselves with its data under
// DATA_DIR/redis and append-only persistence, because without persistence a Redis restart would
// silently drop every scheduled reminder.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Config } from './config.js';
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

async function ping(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: 1500, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

function isLocal(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]';
  } catch {
    return false;
  }
}

function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function startManagedRedis(config: Config, log: Logger): Promise<ChildProcess> {
  const port = Number(new URL(config.redisUrl).port || 6379);
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
    if (await ping(config.redisUrl)) {
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
  if (!(await ping(config.redisUrl))) {
    const canStart = config.redisAutostart !== 'off' && isLocal(config.redisUrl) && hasRedisServer();
    if (!canStart) {
      const why = config.redisAutostart === 'off' ? ' (REDIS_AUTOSTART=off)' : !isLocal(config.redisUrl) ? '' : ' and redis-server is not on the PATH';
      throw new Error(`Cannot reach Redis at ${new URL(config.redisUrl).host}${why}.\n${REDIS_INSTALL_HELP}`);
    }
    child = await startManagedRedis(config, log);
  }
  const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  // ioredis reports every failed reconnect (several a second at first): one line a minute is enough.
  const complain = throttled(60_000);
  connection.on('error', (err) => complain((repeats) => log.warn({ err: err.message, ...(repeats ? { repeats } : {}) }, 'redis connection error; reminders wait, replies go on without it')));
  let wasDown = false;
  connection.on('close', () => { wasDown = true; });
  connection.on('ready', () => {
    if (wasDown) log.info('redis connection is back');
    wasDown = false;
  });
  const requests = new Redis(config.redisUrl, { maxRetriesPerRequest: 0, enableOfflineQueue: false, commandTimeout: REQUEST_TIMEOUT_MS, lazyConnect: false });
  requests.on('error', () => undefined); // the queue connection above says it, once a minute
  // Without an offline queue a command sent before the connection is up fails: wait for it (briefly).
  await new Promise<void>((resolve) => {
    const done = () => { clearTimeout(timer); resolve(); };
    const timer = setTimeout(done, 3000);
    requests.once('ready', done);
  });
  const policy = (await connection.config('GET', 'maxmemory-policy').catch(() => [])) as string[];
  if (policy[1] && policy[1] !== 'noeviction') log.warn({ policy: policy[1] }, 'Redis maxmemory-policy should be noeviction, or queued reminders may be evicted');
  return {
    connection,
    requests,
    up: () => connection.status === 'ready',
    managed: Boolean(child),
    async close() {
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
