// A reminder worker on its own (no HTTP server, no bot): `npm run worker` (compiled) or `node --import tsx jobs/worker-main.ts` with the same
// environment as the bot. Useful to run sending in a separate process, and the crash-safety test
// kills one of these mid-fan-out. It sends to the platforms that offer a sender without their
// connection (PlatformDef.standaloneSender: the local chat for now); the others send from the bot
// process, whose own worker runs their jobs.
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
import { createReminderQueue } from './reminder-queue.js';
import { createReminderWorker } from './reminder-worker.js';
import { SendLimiter } from './send-limiter.js';

const config = loadConfig();
const log = createLogger(config.logLevel, { secrets: secretsOf(config) });
// A worker beside a bot is a second process: on SQLite it refuses to start (use PostgreSQL).
let releaseDb: () => void;
try {
  releaseDb = claimDatabase(config.databaseUrl, 'worker');
} catch (err) {
  if (!(err instanceof DatabaseInUseError)) throw err;
  log.fatal(err.message);
  process.exit(1);
}
const db = openDatabase(config.databaseUrl);
const redis = await connectRedis(config, log);
const app: App = { config, db, log, now: () => new Date(), senders: new Map<Platform, ChatSender>(), hooks: { campaignChanged: async () => undefined } };
const files = new FileStore(path.join(config.dataDir, 'files'), { ttlMs: config.fileTtlHours * 3_600_000, key: loadSecretKey(config.dataDir, config.secretKey), signLinks: !isLoopbackHost(config.host) });
for (const def of PLATFORMS) if (config.platforms[def.name] !== undefined && def.standaloneSender) app.senders.set(def.name, await def.standaloneSender(app, files));

// Test and tuning knobs: how long a dead worker's jobs stay locked, and local-chat pacing.
const lockDuration = Number(process.env.REMINDER_LOCK_MS) || undefined;
const localPerSecond = Number(process.env.REMINDER_LOCAL_PER_SECOND) || 0;
const limiter = new SendLimiter(redis.connection, {
  prefix: config.redisPrefix,
  limits: localPerSecond ? { local: [{ scope: 'app', max: localPerSecond, durationMs: 1000 }] } : undefined,
  margin: 0,
});
const queue = createReminderQueue(redis.connection, config.redisPrefix);
const worker = createReminderWorker(app, redis.connection, queue, limiter, {
  concurrency: Number(process.env.REMINDER_CONCURRENCY) || 20,
  ...(lockDuration ? { lockDuration, stalledInterval: lockDuration } : {}),
});
await worker.waitUntilReady();
log.info({ prefix: config.redisPrefix }, 'reminder worker started');
process.stdout.write('ready\n');

async function shutdown(signal: string) {
  log.info({ signal }, 'reminder worker stopping after the message in flight');
  await worker.close();
  await queue.close();
  await redis.close();
  await db.$disconnect();
  releaseDb();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
