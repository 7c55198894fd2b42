// Wires everything together. main.ts calls this with the environment's configuration; tests call
// it with their own (a temporary DATA_DIR, a random REDIS_PREFIX, port 0).
import path from 'node:path';
import type { App, AppHooks, ChatSender } from './core/app.js';
import type { Platform } from './core/messages.js';
import type { Config } from './config.js';
import { Bot } from './bot.js';
import { createCommands } from '../handlers/index.js';
import { openDatabase } from './db/client.js';
import { migrateDatabase } from './db/migrate.js';
import { createLogger, type Logger } from './logger.js';
import { connectRedis, type RedisHandle } from './redis.js';
import { createServer } from './server.js';
import { FileStore } from './files.js';
import { ensureConfiguredAdmins } from './services/bootstrap.js';

export interface Saiwu {
  app: App;
  bot: Bot;
  redis: RedisHandle;
  /** Base URL the HTTP server listens on. */
  url: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Replace the clock (tests). */
  now?: () => Date;
}

export async function startSaiwu(config: Config, opts: StartOptions = {}): Promise<Saiwu> {
  const log = opts.logger ?? createLogger(config.logLevel);
  const applied = await migrateDatabase(config.databaseUrl);
  if (applied.length) log.info({ applied }, 'database migrations applied');
  const db = openDatabase(config.databaseUrl);
  const redis = await connectRedis(config, log);

  const hooks: AppHooks = { campaignChanged: async () => undefined };
  const app: App = { config, db, log, now: opts.now ?? (() => new Date()), senders: new Map<Platform, ChatSender>(), hooks };
  await ensureConfiguredAdmins(app);
  const bot = new Bot(app, createCommands());
  const files = new FileStore(path.join(config.dataDir, 'files'));
  const { server } = createServer(app, bot, files);

  await server.listen({ port: config.port, host: config.host });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  if (config.localChat) log.info({ url }, 'local web chat is open');

  let stopped = false;
  return {
    app, bot, redis, url,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      await redis.close();
      await db.$disconnect();
    },
  };
}
