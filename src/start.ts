// Wires everything together. main.ts calls this with the environment's configuration; tests call
// it with their own (a temporary DATA_DIR, a random REDIS_PREFIX, port 0).
import path from 'node:path';
import type { App, AppHooks, ChatSender } from './core/app.js';
import type { Platform } from './core/messages.js';
import { secretsOf, type Config } from './config.js';
import { Bot } from './bot.js';
import { createCommands } from '../handlers/index.js';
import { openDatabase, type Db } from './store/client.js';
import { claimDatabase } from './store/sqlite-lock.js';
import { migrateDatabase } from './store/migrate.js';
import type { DestinationStream } from 'pino';
import { createClock, type Clock } from './clock.js';
import { createLogger, type Logger } from './logger.js';
import { connectRedis, type RedisHandle } from './redis.js';
import { createServer } from './server.js';
import { FileStore } from './files.js';
import { ensurePrivateDir, isLoopbackHost, loadSecretKey } from './secret-key.js';
import { ensureConfiguredAdmins } from './services/bootstrap.js';
import { GuidedFiling } from './services/guided-filing.js';
import { reminderTuning, startReminders, type RemindersHandle } from '../jobs/start-reminders.js';
import { registerQueueDashboard } from '../jobs/queue-dashboard.js';
import { PLATFORMS, platformDef } from './platforms/index.js';
import type { RunningPlatform } from './platforms/platform.js';
import { PlatformLease } from './platforms/lease.js';

export interface Saiwu {
  app: App;
  bot: Bot;
  redis: RedisHandle;
  /** The reminder queue and worker (jobs/). */
  reminders: RemindersHandle;
  /** The platforms configured and running, by name (src/platforms/index.ts). */
  platforms: Map<string, RunningPlatform>;
  /** A running platform's adapter (tests: saiwu.adapter<LarkAdapter>('lark')). */
  adapter<T>(platform: string): T | null;
  /** Base URL the HTTP server listens on. */
  url: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Where the log goes when no logger is given (tests capture it); the real logger is built either way. */
  logDestination?: DestinationStream;
  /** Replace the clock (tests). */
  now?: () => Date;
  /** The clock to run on (tests set it); default: the wall clock, or SAIWU_NOW's. */
  clock?: Clock;
  /** False: enqueue reminders but run no worker here (another process runs jobs/worker-main.ts); default: REMINDERS. */
  reminderWorker?: boolean;
  /**
   * This process lost a single-connection platform's lease to another (src/platforms/lease.ts). Default:
   * stop cleanly (SIGTERM to itself) so the supervisor starts it again as a standby.
   */
  onLeaseLost?: (platform: string) => void;
  /** How often reminders are reconciled and Redis is watched for losing its data (tests shorten these). */
  reminderTiming?: { reconcileEveryMs?: number; watchEveryMs?: number };
  /** Per-platform test hooks by platform name (WeChat: wechaty-puppet-mock, fast pacing). */
  platformOptions?: Record<string, unknown>;
}

/** How long requests still running at shutdown (a download, a webhook) may take before they are cut. */
const HTTP_GRACE_MS = 5000;

/**
 * Closes the HTTP server. Node closes the connections that are idle when close() is called, but a
 * connection whose response finishes afterwards (a download still streaming) would stay open in
 * keep-alive for keepAliveTimeout (72 s) and hold the shutdown; so idle ones are closed as they
 * appear, and whatever is left after the grace period is cut.
 */
async function closeHttp(server: { close(): Promise<unknown>; server: { closeIdleConnections(): void; closeAllConnections(): void } }): Promise<void> {
  const sweep = setInterval(() => server.server.closeIdleConnections(), 100);
  const cut = setTimeout(() => server.server.closeAllConnections(), HTTP_GRACE_MS);
  try {
    await server.close();
  } finally {
    clearInterval(sweep);
    clearTimeout(cut);
  }
}

export async function startSaiwu(config: Config, opts: StartOptions = {}): Promise<Saiwu> {
  const log = opts.logger ?? createLogger(config.logLevel, { secrets: secretsOf(config), destination: opts.logDestination });
  ensurePrivateDir(config.dataDir);
  const secretKey = loadSecretKey(config.dataDir, config.secretKey);
  // SQLite serves one process: a second one on the same file refuses here, before touching it.
  const releaseDb = claimDatabase(config.databaseUrl, 'bot');
  let db: Db;
  let redis: Awaited<ReturnType<typeof connectRedis>>;
  try {
    const applied = await migrateDatabase(config.databaseUrl);
    if (applied.length) log.info({ applied }, 'database migrations applied');
    db = openDatabase(config.databaseUrl, { onProblem: (message) => log.warn(message) });
    redis = await connectRedis(config, log);
  } catch (err) {
    releaseDb();
    throw err;
  }

  const hooks: AppHooks = { campaignChanged: async () => 'scheduled' };
  // One clock: the wall clock, SAIWU_NOW's rehearsal clock, or the test's (StartOptions.clock).
  const clock = opts.clock ?? createClock(config.startAt);
  if (config.startAt) log.warn({ startAt: config.startAt.toISOString() }, 'rehearsal clock: the bot behaves as if it were this moment (SAIWU_NOW)');
  const app: App = { config, db, log, now: opts.now ?? (() => clock.now()), senders: new Map<Platform, ChatSender>(), hooks };
  await ensureConfiguredAdmins(app);
  const bot = new Bot(app, createCommands(), [new GuidedFiling(app, redis.requests)], redis.requests);
  const files = new FileStore(path.join(config.dataDir, 'files'), {
    ttlMs: config.fileTtlHours * 3_600_000, key: secretKey, signLinks: !isLoopbackHost(config.host),
  });
  files.startSweeping(Math.min(3_600_000, config.fileTtlHours * 3_600_000), (err) => log.warn({ err }, 'could not delete expired files'));
  const { server } = createServer(app, files);
  // Every configured platform, as src/platforms/index.ts lists them: routes now, connections after listen.
  const platforms = new Map<string, RunningPlatform>();
  for (const def of PLATFORMS) {
    const section = config.platforms[def.name];
    if (section === undefined) continue;
    const running = await def.create({ app, bot, server, redis: redis.connection, files, options: opts.platformOptions?.[def.name] }, section);
    platforms.set(def.name, running);
  }
  // REMINDERS=off: a worker process plans and sends; this one still sends where only it can (a platform
  // whose one connection it holds).
  const remindersHere = opts.reminderWorker ?? config.reminders === 'on';
  const shared = [...platforms.keys()].filter((name) => platformDef(name)!.capabilities.connections === 'many');
  const reminders = await startReminders(app, redis.connection, { plan: remindersHere, sendOn: remindersHere ? shared : [], ...reminderTuning(app, redis.connection), ...opts.reminderTiming });
  for (const name of shared) app.senders.set(name, platforms.get(name)!.sender);
  await registerQueueDashboard(server, { adminToken: config.adminToken, key: secretKey, secure: config.publicBaseUrl.startsWith('https:') }, reminders.queues.all());

  try {
    await server.listen({ port: config.port, host: config.host });
  } catch (err) {
    // Do not leave a self-started redis-server running behind a failed start.
    files.stop();
    await reminders.close();
    await redis.close();
    await db.$disconnect();
    releaseDb();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new Error(`Port ${config.port} on ${config.host} is already in use. Stop the other program or set PORT to a free port.`);
    throw err;
  }
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  // A wildcard address is not one to open: the local URL is the loopback one (the Host check accepts it).
  const shown = config.host === '0.0.0.0' ? '127.0.0.1' : config.host === '::' ? '::1' : config.host;
  const url = `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
  if (config.localChat) log.info({ url }, 'local web chat is open');
  // A platform that allows one connection is started by whichever process holds its lease; the
  // others wait as standbys and take over when the holder dies.
  const leases: PlatformLease[] = [];
  const onLeaseLost = opts.onLeaseLost ?? (() => process.kill(process.pid, 'SIGTERM'));
  try {
    for (const [name, running] of platforms) {
      if (platformDef(name)!.capabilities.connections === 'many') {
        await running.start();
        continue;
      }
      const lease = new PlatformLease(redis.connection, `${config.redisPrefix}:lease:${name}`, config.leaseMs, log.child({ platform: name }));
      leases.push(lease);
      await lease.start({
        acquired: async () => {
          await running.start();
          app.senders.set(name, running.sender);
          await reminders.sendOn(name);
        },
        lost: async () => {
          app.senders.delete(name);
          running.quiesce?.();
          await reminders.stopSending(name);
          await running.stop();
          onLeaseLost(name);
        },
      });
      if (!lease.holding) log.info({ platform: name }, 'another process holds this platform\'s connection: standing by to take over if it stops');
    }
  } catch (err) {
    files.stop();
    for (const lease of leases) await lease.stop();
    await reminders.close();
    await server.close();
    await redis.close();
    await db.$disconnect();
    releaseDb();
    throw err;
  }

  let stopped = false;
  return {
    app, bot, redis, reminders, platforms, url,
    adapter: <T>(name: string) => (platforms.get(name)?.adapter ?? null) as T | null,
    async stop() {
      if (stopped) return;
      stopped = true;
      files.stop();
      // Sends waiting their turn in a paced platform queue (WeChat: minutes for a fan-out) give up
      // first and go back to the reminder queue unclaimed; the worker then finishes the message in
      // flight before Redis goes away.
      for (const lease of leases) await lease.pause();
      for (const running of platforms.values()) running.quiesce?.();
      await reminders.close();
      // Events already acknowledged are finished before the database goes away; then the leases go
      // back, so a standby connects at once rather than after the lease runs out.
      for (const running of platforms.values()) await running.stop();
      for (const lease of leases) await lease.stop();
      await closeHttp(server);
      await redis.close();
      await db.$disconnect();
      releaseDb();
    },
  };
}
