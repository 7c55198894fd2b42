// npm run bench:reminders — one reminder stage to 1,000 Lark groups through the real queue, worker,
// shared limiter and Lark sender (the real SDK), against a local fake Lark endpoint that enforces
// Lark's documented limits (5 messages/s per chat, 50/s and 1,000/min per app) and answers 99991400
// when they are broken. Prints the time taken against the ideal time the limits allow, this process's
// CPU per message, and the load average (the machine's other work shows in the figures).
//   BENCH_CHATS=1000 (default)  REDIS_URL=redis://127.0.0.1:6379
//   BENCH_CONCURRENCY=n  the send worker's concurrency (default: the worker's own, 50 for Lark)
//   BENCH_TRACE=1  also prints the arrivals per 100 ms at the fake Lark and, for every 50th message,
//                  how long after the message 50 before it it arrived (ideally 1,000 ms)
import fs from 'node:fs';
import { fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
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
import { FAKE_APP_ID, FAKE_APP_SECRET, startFakeLark } from '../test/support/fake-lark.js';

const CHATS = Number(process.env.BENCH_CHATS) || 1000;
const LIMITS = { perChat: { max: 5, ms: 1000 }, app: [{ max: 50, ms: 1000 }, { max: 1000, ms: 60_000 }] };

interface FakeStats {
  arrivals: number[];
  limitedAt: number[];
  /** Which window each refusal broke. */
  limitedWhy: string[];
  accepted: number;
  rateLimited: number;
  duplicates: number;
  first: number;
  last: number;
  /** Per chat, the texts it received (a long roll-call comes in parts; the same text twice is a repeat). */
  perChat: Record<string, string[]>;
}

/**
 * The tests' fake Lark (test/support/fake-lark.ts), enforcing Lark's documented windows. It runs in a
 * process of its own (this script, BENCH_FAKE_LARK=1), as Lark runs elsewhere: in the bench's process
 * its work would delay the worker's, and the worker's its arrival times.
 */
async function serveLimitedFakeLark(): Promise<void> {
  const fake = await startFakeLark();
  fake.enforceWindows([
    { scope: 'chat', max: LIMITS.perChat.max, durationMs: LIMITS.perChat.ms },
    ...LIMITS.app.map((w) => ({ scope: 'app' as const, max: w.max, durationMs: w.ms })),
  ]);
  const tell = (m: unknown) => process.send!(m);
  const stats = (): FakeStats => {
    const perChat: Record<string, string[]> = {};
    for (const m of fake.messages) (perChat[m.to] ??= []).push(JSON.stringify(m.content));
    const sends = fake.requests.filter((r) => r.path === '/open-apis/im/v1/messages' && r.method === 'POST').length;
    const arrivals = fake.messages.map((m) => m.at);
    return {
      arrivals, perChat, accepted: fake.messages.length, rateLimited: fake.rateLimited.length,
      limitedAt: fake.rateLimited.map((r) => r.at),
      limitedWhy: fake.rateLimited.map((r) => `${r.window.scope === 'chat' ? 'chat' : 'app'} ${r.window.max}/${r.window.durationMs} ms (${r.to})`),
      // A send answered neither as a new message nor refused: a repeat of a uuid Lark already has.
      duplicates: sends - fake.messages.length - fake.rateLimited.length,
      first: arrivals[0] ?? 0, last: arrivals[arrivals.length - 1] ?? 0,
    };
  };
  setInterval(() => tell({ accepted: fake.messages.length, chats: new Set(fake.messages.map((m) => m.to)).size }), 50).unref();
  process.on('message', (m) => {
    if (m === 'stats') tell({ stats: stats() });
  });
  process.on('disconnect', () => process.exit(0));
  tell({ port: Number(new URL(fake.url).port) });
}

/** Starts the fake Lark's process; `progress` follows its count of accepted messages. */
async function startLimitedFakeLark() {
  const child = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, BENCH_FAKE_LARK: '1' }, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const progress = { accepted: 0, chats: 0 };
  let wanted: ((s: FakeStats) => void) | null = null;
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the fake Lark exited with ${code}`)));
    child.on('message', (m: { port?: number; accepted?: number; chats?: number; stats?: FakeStats }) => {
      if (m.port) resolve(m.port);
      if (m.accepted !== undefined) progress.accepted = m.accepted;
      if (m.chats !== undefined) progress.chats = m.chats;
      if (m.stats) wanted?.(m.stats);
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    progress,
    stats: () => new Promise<FakeStats>((resolve) => {
      wanted = resolve;
      child.send('stats');
    }),
    close: () => new Promise<void>((r) => {
      child.once('exit', () => r());
      child.disconnect();
    }),
  };
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

/** Where the time went: arrivals per 100 ms, and the gap between each message and the one 50 before it. */
function printTrace(arrivals: number[]): void {
  const first = arrivals[0];
  const buckets: number[] = [];
  for (const a of arrivals) {
    const b = Math.floor((a - first) / 100);
    buckets[b] = (buckets[b] ?? 0) + 1;
  }
  console.log('arrivals per 100 ms (a row is 2 s):');
  for (let i = 0; i < buckets.length; i += 20) {
    console.log(`${String(i / 10).padStart(4)} s ${Array.from({ length: Math.min(20, buckets.length - i) }, (_, k) => String(buckets[i + k] ?? 0).padStart(3)).join('')}`);
  }
  const perSecond = LIMITS.app[0].max;
  const gaps: number[] = [];
  for (let i = perSecond; i < arrivals.length; i += perSecond) gaps.push(arrivals[i] - arrivals[i - perSecond]);
  console.log(`ms between message i and i−${perSecond}, every ${perSecond}th (ideal ${LIMITS.app[0].ms}): ${gaps.join(' ')}`);
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'saiwu-bench-'));
  const config = loadConfig({ ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', REDIS_PREFIX: `bench${randomUUID().slice(0, 8)}`, REDIS_AUTOSTART: 'off', LOG_LEVEL: 'warn', PORT: '0' });
  const log = createLogger('warn');
  await migrateDatabase(config.databaseUrl);
  const db = openDatabase(config.databaseUrl);
  const redis = await connectRedis(config, log);
  const fake = await startLimitedFakeLark();

  const client = new lark.Client({ appId: FAKE_APP_ID, appSecret: FAKE_APP_SECRET, domain: fake.url, loggerLevel: lark.LoggerLevel.error });
  const app: App = { config, db, log, now: () => new Date(), senders: new Map<Platform, ChatSender>(), hooks: { campaignChanged: async () => 'scheduled' as const } };
  app.senders.set('lark', new LarkSender(client, new LarkRateLimiter(), log));

  const year = new Date().getUTCFullYear() + 1;
  const campaign = await db.campaign.create({ data: { year, title: `${year}年度竞赛`, planDeadline: `${year}-02-28`, summaryDeadline: `${year}-10-15`, reportDeadline: `${year}-12-31` } });
  // As a federation binds its groups: its own, one per street union under it and one per enterprise
  // under those, every unit asked for its plan (scope 全部), so each group is reminded of the units it
  // answers for: the district of its streets, a street of its enterprises, an enterprise of itself.
  // Each roll-call fits one message. The calendar messages (2027's holidays are not known) go to the
  // federation's group only, and wait for office hours: they never share the fan-out's slots.
  await db.campaign.update({ where: { id: campaign.id }, data: { settings: JSON.stringify({ scopes: { plan: 'all' } }) } });
  const district = await db.unit.create({ data: { name: '基准区总工会', level: 1 } });
  const bindings: { platform: string; chatId: string; unitId: number; campaignId: number }[] = [{ platform: 'lark', chatId: 'oc_bench_0', unitId: district.id, campaignId: campaign.id }];
  const streets = Math.max(1, Math.round(CHATS / 10));
  for (let s = 0; s < streets && bindings.length < CHATS; s++) {
    const street = await db.unit.create({ data: { name: `基准第${s + 1}街道工会`, level: 2, parentId: district.id } });
    bindings.push({ platform: 'lark', chatId: `oc_bench_${bindings.length}`, unitId: street.id, campaignId: campaign.id });
    for (let e = 0; e < 9 && bindings.length < CHATS; e++) {
      const enterprise = await db.unit.create({ data: { name: `基准${s + 1}-${e + 1}公司工会`, level: 3, parentId: street.id } });
      bindings.push({ platform: 'lark', chatId: `oc_bench_${bindings.length}`, unitId: enterprise.id, campaignId: campaign.id });
    }
  }
  for (let i = 0; i < bindings.length; i += 200) await db.chatBinding.createMany({ data: bindings.slice(i, i + 200) });

  // The planner and Lark's send queue, as a worker process runs them (jobs/worker-main.ts).
  const reminders = await startReminders(app, redis.connection, {
    sendOn: ['lark'], ...(Number(process.env.BENCH_CONCURRENCY) ? { concurrency: Number(process.env.BENCH_CONCURRENCY) } : {}),
    limiter: new SendLimiter(redis.connection, { prefix: config.redisPrefix, margin: Number(process.env.BENCH_MARGIN ?? 0) }),
  });
  const data: StageJobData = { kind: 'stage', campaignId: campaign.id, form: 'plan', deadline: campaign.planDeadline, stage: 'd7', fireAt: new Date().toISOString() };
  const loadBefore = os.loadavg();
  const cpuBefore = process.cpuUsage();
  const started = Date.now();
  // The reconciler at start queued this stage for its real time: make it due now.
  const queued = await reminders.queues.planner.getJob(stageJobId(data));
  if (queued) await queued.promote();
  else await reminders.queues.planner.add('stage', data, { jobId: stageJobId(data) });

  const deadline = Date.now() + 10 * 60_000;
  while (fake.progress.chats < CHATS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const stats = await fake.stats();
  const cpu = process.cpuUsage(cpuBefore);
  const took = stats.last - started;
  const spread = stats.last - stats.first;
  // Every message counts, the parts of a long one too.
  const documented = idealMs(stats.accepted, LIMITS.app);
  const budget = idealMs(stats.accepted, LARK_LIMITS.app.map((w) => ({ max: w.limit, ms: w.ms })));
  const doubled = Object.values(stats.perChat).filter((texts) => new Set(texts).size < texts.length).length;
  const inParts = Object.values(stats.perChat).filter((texts) => texts.length > 1).length;
  const failed = await reminders.queues.send('lark').getJobCounts('failed');

  console.log(`chats:                 ${CHATS}`);
  console.log(`messages accepted:     ${stats.accepted} to ${Object.keys(stats.perChat).length} groups (${inParts} in parts; groups sent a text twice: ${doubled}, uuid repeats: ${stats.duplicates})`);
  console.log(`rate-limit errors:     ${stats.rateLimited}`);
  if (stats.limitedAt.length) console.log(`rate-limited at (s after enqueue): ${[...new Set(stats.limitedAt.map((t) => ((t - started) / 1000).toFixed(1)))].join(', ')} (${[...new Set(stats.limitedWhy)].slice(0, 5).join('; ')})`);
  console.log(`failed jobs:           ${failed.failed}`);
  console.log(`time, enqueue → last:  ${(took / 1000).toFixed(2)} s (first → last message ${(spread / 1000).toFixed(2)} s)`);
  console.log(`ideal at Lark's limits (50/s, 1000/min): ${(documented / 1000).toFixed(2)} s → ratio ${(spread / documented).toFixed(2)}`);
  console.log(`ideal at the sender's own safety budget (${LARK_LIMITS.app.map((w) => `${w.limit}/${w.ms / 1000}s`).join(', ')}): ${(budget / 1000).toFixed(2)} s → ratio ${(spread / budget).toFixed(2)}`);

  const cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(`CPU of this process (queue, worker, Lark SDK): ${(cpuMs / 1000).toFixed(1)} s, ${(cpuMs / CHATS).toFixed(1)} ms per message`);
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(', ');
  console.log(`load average (1, 5, 15 min): ${load(loadBefore)} at the start, ${load(os.loadavg())} at the end, on ${os.cpus().length} cores`);
  if (process.env.BENCH_TRACE) printTrace(stats.arrivals);

  const minuteBudget = LARK_LIMITS.app.find((w) => w.ms === 60_000)?.limit ?? 1000;
  if (CHATS > minuteBudget) console.log(`note: Lark allows 1,000 messages/min; the Lark sender keeps to ${minuteBudget}/min, so the last ${CHATS - minuteBudget} wait for the next minute (BENCH_CHATS=${minuteBudget} shows the per-second rate alone).`);

  for (const q of reminders.queues.all()) await q.obliterate({ force: true });
  await reminders.close();
  await redis.close();
  await db.$disconnect();
  await fake.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (Object.keys(stats.perChat).length < CHATS || stats.rateLimited || doubled) process.exitCode = 1;
}

if (process.env.BENCH_FAKE_LARK) await serveLimitedFakeLark();
else await main();
