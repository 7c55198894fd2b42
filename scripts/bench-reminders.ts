// npm run bench:reminders — one reminder stage to 1,000 Lark groups through the real queue, worker,
// shared limiter and Lark sender (the real SDK), against a local fake Lark endpoint that enforces
// Lark's documented limits (5 messages/s per chat, 50/s and 1,000/min per app) and answers 99991400
// when they are broken. Prints the time taken against the ideal time the limits allow.
//   BENCH_CHATS=1000 (default)  REDIS_URL=redis://127.0.0.1:6379
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import * as lark from '@larksuiteoapi/node-sdk';
import type { App, ChatSender } from '../src/core/app.js';
import type { Platform } from '../src/core/messages.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/store/client.js';
import { migrateDatabase } from '../src/store/migrate.js';
import { createLogger } from '../src/logger.js';
import { connectRedis } from '../src/redis.js';
import { LarkSender } from '../src/platforms/lark/lark-sender.js';
import { LarkRateLimiter, LARK_LIMITS } from '../src/platforms/lark/lark-rate-limit.js';
import { stageJobId, type StageJobData } from '../jobs/reminder-queue.js';
import { startReminders } from '../jobs/start-reminders.js';
import { SendLimiter } from '../jobs/send-limiter.js';

const CHATS = Number(process.env.BENCH_CHATS) || 1000;
const LIMITS = { perChat: { max: 5, ms: 1000 }, app: [{ max: 50, ms: 1000 }, { max: 1000, ms: 60_000 }] };

/** A fake Lark that counts arrivals in sliding windows, as the platform does, and refuses over-limit sends. */
async function startLimitedFakeLark() {
  const appLog: number[] = [];
  const chatLog = new Map<string, number[]>();
  const uuids = new Set<string>();
  const stats = { limitedAt: [] as number[], accepted: 0, rateLimited: 0, duplicates: 0, first: 0, last: 0, perChat: new Map<string, number>() };
  const over = (log: number[], max: number, ms: number, now: number) => log.filter((t) => t > now - ms).length >= max;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      const url = new URL(req.url ?? '/', 'http://fake');
      if (url.pathname === '/open-apis/auth/v3/tenant_access_token/internal') return reply(200, { code: 0, msg: 'ok', tenant_access_token: 't-bench', expire: 7200 });
      if (url.pathname !== '/open-apis/im/v1/messages') return reply(404, { code: 404, msg: 'not in the bench' });
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { receive_id: string; uuid?: string };
      const now = Date.now();
      const chat = chatLog.get(body.receive_id) ?? [];
      if (over(chat, LIMITS.perChat.max, LIMITS.perChat.ms, now) || LIMITS.app.some((w) => over(appLog, w.max, w.ms, now))) {
        stats.rateLimited += 1;
        stats.limitedAt.push(now);
        return reply(429, { code: 99991400, msg: 'request trigger frequency limit' }, { 'x-ogw-ratelimit-limit': '50', 'x-ogw-ratelimit-reset': '1' });
      }
      if (body.uuid && uuids.has(body.uuid)) {
        stats.duplicates += 1;
        return reply(200, { code: 0, msg: 'success', data: { message_id: `om_dup` } });
      }
      if (body.uuid) uuids.add(body.uuid);
      appLog.push(now);
      if (appLog.length > 2000) appLog.splice(0, appLog.length - 1000);
      chat.push(now);
      chatLog.set(body.receive_id, chat);
      stats.accepted += 1;
      stats.perChat.set(body.receive_id, (stats.perChat.get(body.receive_id) ?? 0) + 1);
      if (!stats.first) stats.first = now;
      stats.last = now;
      return reply(200, { code: 0, msg: 'success', data: { message_id: `om_${stats.accepted}` } });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stats, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** The earliest time the last of n messages (one per chat) can go out under sliding-window limits. */
function idealMs(n: number, windows: { max: number; ms: number }[]): number {
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    let at = i ? t[i - 1] : 0;
    for (const w of windows) if (i >= w.max) at = Math.max(at, t[i - w.max] + w.ms);
    t.push(at);
  }
  return t[n - 1];
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'saiwu-bench-'));
  const config = loadConfig({ ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', REDIS_PREFIX: `bench${randomUUID().slice(0, 8)}`, REDIS_AUTOSTART: 'off', LOG_LEVEL: 'warn', PORT: '0' });
  const log = createLogger('warn');
  await migrateDatabase(config.databaseUrl);
  const db = openDatabase(config.databaseUrl);
  const redis = await connectRedis(config, log);
  const fake = await startLimitedFakeLark();

  const client = new lark.Client({ appId: 'cli_a1b2c3d4e5f60718', appSecret: 'bench-secret', domain: fake.url, loggerLevel: lark.LoggerLevel.error });
  const app: App = { config, db, log, now: () => new Date(), senders: new Map<Platform, ChatSender>(), hooks: { campaignChanged: async () => 'scheduled' as const } };
  app.senders.set('lark', new LarkSender(client, new LarkRateLimiter(), log));

  const year = new Date().getUTCFullYear() + 1;
  const campaign = await db.campaign.create({ data: { year, title: `${year}年度竞赛`, planDeadline: `${year}-02-28`, summaryDeadline: `${year}-10-15`, reportDeadline: `${year}-12-31` } });
  const district = await db.unit.create({ data: { name: '基准区总工会', level: 1 } });
  await db.unit.create({ data: { name: '基准街道工会', level: 2, parentId: district.id } });
  for (let i = 0; i < CHATS; i += 200) {
    await db.chatBinding.createMany({ data: Array.from({ length: Math.min(200, CHATS - i) }, (_, k) => ({ platform: 'lark', chatId: `oc_bench_${i + k}`, unitId: district.id, campaignId: campaign.id })) });
  }

  // The planner and Lark's send queue, as a worker process runs them (jobs/worker-main.ts).
  const reminders = await startReminders(app, redis.connection, {
    sendOn: ['lark'], concurrency: 50,
    limiter: new SendLimiter(redis.connection, { prefix: config.redisPrefix, margin: Number(process.env.BENCH_MARGIN ?? 0) }),
  });
  const data: StageJobData = { kind: 'stage', campaignId: campaign.id, form: 'plan', deadline: campaign.planDeadline, stage: 'd7', fireAt: new Date().toISOString() };
  const started = Date.now();
  // The reconciler at start queued this stage for its real time: make it due now.
  const queued = await reminders.queues.planner.getJob(stageJobId(data));
  if (queued) await queued.promote();
  else await reminders.queues.planner.add('stage', data, { jobId: stageJobId(data) });

  const deadline = Date.now() + 10 * 60_000;
  while (fake.stats.accepted < CHATS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const took = fake.stats.last - started;
  const spread = fake.stats.last - fake.stats.first;
  const documented = idealMs(CHATS, LIMITS.app);
  const budget = idealMs(CHATS, LARK_LIMITS.app.map((w) => ({ max: w.limit, ms: w.ms })));
  const doubled = [...fake.stats.perChat.values()].filter((n) => n > 1).length;
  const failed = await reminders.queues.send('lark').getJobCounts('failed');

  console.log(`chats:                 ${CHATS}`);
  console.log(`messages accepted:     ${fake.stats.accepted} (groups with more than one: ${doubled}, uuid repeats: ${fake.stats.duplicates})`);
  console.log(`rate-limit errors:     ${fake.stats.rateLimited}`);
  if (fake.stats.limitedAt.length) console.log(`rate-limited at (s after enqueue): ${[...new Set(fake.stats.limitedAt.map((t) => ((t - started) / 1000).toFixed(1)))].join(', ')}`);
  console.log(`failed jobs:           ${failed.failed}`);
  console.log(`time, enqueue → last:  ${(took / 1000).toFixed(2)} s (first → last message ${(spread / 1000).toFixed(2)} s)`);
  console.log(`ideal at Lark's limits (50/s, 1000/min): ${(documented / 1000).toFixed(2)} s → ratio ${(spread / documented).toFixed(2)}`);
  console.log(`ideal at the sender's own safety budget (${LARK_LIMITS.app.map((w) => `${w.limit}/${w.ms / 1000}s`).join(', ')}): ${(budget / 1000).toFixed(2)} s → ratio ${(spread / budget).toFixed(2)}`);

  const minuteBudget = LARK_LIMITS.app.find((w) => w.ms === 60_000)?.limit ?? 1000;
  if (CHATS > minuteBudget) console.log(`note: Lark allows 1,000 messages/min; the Lark sender keeps to ${minuteBudget}/min, so the last ${CHATS - minuteBudget} wait for the next minute (BENCH_CHATS=${minuteBudget} shows the per-second rate alone).`);

  for (const q of reminders.queues.all()) await q.obliterate({ force: true });
  await reminders.close();
  await redis.close();
  await db.$disconnect();
  await fake.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (fake.stats.accepted < CHATS || fake.stats.rateLimited || doubled) process.exitCode = 1;
}

await main();
