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
import { startReminders, type RemindersHandle } from '../jobs/start-reminders.js';
import { registerQueueDashboard } from '../jobs/queue-dashboard.js';
import { PLATFORMS } from './platforms/index.js';
import type { RunningPlatform } from './platforms/platform.js';

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
  /** False: enqueue reminders but run no worker here (another process runs jobs/worker-main.ts). */
  reminderWorker?: boolean;
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
    db = openDatabase(config.databaseUrl);
    redis = await connectRedis(config, log);
  } catch (err) {
    releaseDb();
    throw err;
  }

  const hooks: AppHooks = { campaignChanged: async () => undefined };
  // One clock: the wall clock, SAIWU_NOW's rehearsal clock, or the test's (StartOptions.clock).
  const clock = opts.clock ?? createClock(config.startAt);
  if (config.startAt) log.warn({ startAt: config.startAt.toISOString() }, 'rehearsal clock: the bot behaves as if it were this moment (SAIWU_NOW)');
  const app: App = { config, db, log, now: opts.now ?? (() => clock.now()), senders: new Map<Platform, ChatSender>(), hooks };
  await ensureConfiguredAdmins(app);
  const bot = new Bot(app, createCommands(), [new GuidedFiling(app, redis.connection)]);
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
    app.senders.set(def.name, running.sender);
  }
  const reminders = await startReminders(app, redis.connection, { worker: opts.reminderWorker !== false });
  await registerQueueDashboard(server, { adminToken: config.adminToken, key: secretKey, secure: config.publicBaseUrl.startsWith('https:') }, [reminders.queue]);

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
  try {
    for (const running of platforms.values()) await running.start();
  } catch (err) {
    files.stop();
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
      for (const running of platforms.values()) running.quiesce?.();
      await reminders.close();
      // Events already acknowledged are finished before the database goes away.
      for (const running of platforms.values()) await running.stop();
      await closeHttp(server);
      await redis.close();
      await db.$disconnect();
    releaseDb();
    },
  };
}
