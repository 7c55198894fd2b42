// A reminder worker on its own (no HTTP server, no bot): `npm run worker` (compiled) or
// `node --import tsx jobs/worker-main.ts` with the same environment as the bots. It plans (stage jobs
// fan out) and sends on every configured platform that needs no connection of its own to send
// (PlatformDef.standaloneSender: the local chat, Lark through its API). WeChat and WeCom allow one
// connection, held by one bot process (src/platforms/lease.ts), which sends their reminders itself.
// Bots then run with REMINDERS=off; any number of workers may run (BullMQ shares the jobs out).
import path from 'node:path';
import type { App, ChatSender } from '../src/core/app.js';
import type { Platform } from '../src/core/messages.js';
import { loadConfig, secretsOf } from '../src/config.js';
import { openDatabase } from '../src/store/client.js';
import { claimDatabase, DatabaseInUseError } from '../src/store/sqlite-lock.js';
import { createLogger } from '../src/logger.js';
import { connectRedis } from '../src/redis.js';
import { FileStore } from '../src/files.js';
import { isLoopbackHost, loadSecretKey } from '../src/secret-key.js';
import { PLATFORMS } from '../src/platforms/index.js';
import { reminderTuning, startReminders } from './start-reminders.js';

const config = loadConfig();
const log = createLogger(config.logLevel, { secrets: secretsOf(config) });
// The stop signals are ours from the first moment: one that arrives while the worker is still starting
// waits for the start to finish and then shuts down cleanly, instead of killing the process half-way.
let shutdown: ((signal: string) => Promise<void>) | null = null;
let signalled: string | null = null;
const onSignal = (signal: string) => {
  if (signalled) return;
  signalled = signal;
  if (shutdown) void shutdown(signal);
};
process.on('SIGTERM', () => onSignal('SIGTERM'));
process.on('SIGINT', () => onSignal('SIGINT'));
// A worker beside a bot is a second process: on SQLite it refuses to start (use PostgreSQL).
let releaseDb: () => void;
try {
  releaseDb = claimDatabase(config.databaseUrl, 'worker');
} catch (err) {
  if (!(err instanceof DatabaseInUseError)) throw err;
  log.fatal(err.message);
  process.exit(1);
}
const db = openDatabase(config.databaseUrl, { onProblem: (message) => log.warn(message) });
const redis = await connectRedis(config, log);
const app: App = { config, db, log, now: () => new Date(), senders: new Map<Platform, ChatSender>(), hooks: { campaignChanged: async () => 'scheduled' as const } };
const files = new FileStore(path.join(config.dataDir, 'files'), { ttlMs: config.fileTtlHours * 3_600_000, key: loadSecretKey(config.dataDir, config.secretKey), signLinks: !isLoopbackHost(config.host) });
for (const def of PLATFORMS) {
  const section = config.platforms[def.name];
  if (section !== undefined && def.standaloneSender) app.senders.set(def.name, await def.standaloneSender(app, files, section));
}
const elsewhere = PLATFORMS.filter((def) => config.platforms[def.name] !== undefined && !app.senders.has(def.name)).map((def) => def.name);

const reminders = await startReminders(app, redis.connection, { sendOn: [...app.senders.keys()], ...reminderTuning(app, redis.connection) });
log.info({ prefix: config.redisPrefix, sendsOn: [...app.senders.keys()], ...(elsewhere.length ? { sentByTheBotHoldingTheConnection: elsewhere } : {}) }, 'reminder worker started');
process.stdout.write('ready\n');

shutdown = async (signal: string) => {
  log.info({ signal }, 'reminder worker stopping after the message in flight');
  await reminders.close();
  await redis.close();
  await db.$disconnect();
  releaseDb();
  process.exit(0);
};
if (signalled) void shutdown(signalled);
