// The shared send limiter (jobs/send-limiter.ts): a reminder fan-out keeps to a platform's limits as
// the platform counts them — arrivals, whatever the network does on the way — with several worker
// processes sharing one Redis, and each group gets its reminder exactly once. Through a fake Lark
// that refuses what real Lark refuses (99991400 when a window is broken), with the real SDK, queue
// and worker; and directly, with messages whose requests and answers take random, uneven times.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import * as lark from '@larksuiteoapi/node-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import type { App, ChatSender } from '../src/core/app.js';
import type { Platform } from '../src/core/messages.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/store/client.js';
import { migrateDatabase } from '../src/store/migrate.js';
import { createLogger } from '../src/logger.js';
import { connectRedis } from '../src/redis.js';
import { LarkSender } from '../src/platforms/lark/lark-sender.js';
import { LarkRateLimiter } from '../src/platforms/lark/lark-rate-limit.js';
import { stageJobId, type StageJobData } from '../jobs/reminder-queue.js';
import { startReminders } from '../jobs/start-reminders.js';
import { SendLimiter, type Window } from '../jobs/send-limiter.js';
import { FAKE_APP_ID, FAKE_APP_SECRET, startFakeLark } from './support/fake-lark.js';

const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How many arrivals some window of `ms` holds at most (a window counts arrivals in (t − ms, t], as Lark does). */
function busiestWindow(arrivals: number[], ms: number): number {
  const a = [...arrivals].sort((x, y) => x - y);
  let most = 0;
  for (let i = 0, j = 0; i < a.length; i++) {
    while (a[j] <= a[i] - ms) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

function redisClient(): Redis {
  const c = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  cleanup.push(() => c.quit());
  return c;
}

describe('the shared send limiter', () => {
  // Small windows, so a test is short: per chat 2 per 400 ms, per app 8 per 400 ms and 20 per 2 s.
  const WINDOWS: Window[] = [
    { scope: 'chat', max: 2, durationMs: 400 },
    { scope: 'app', max: 8, durationMs: 400 },
    { scope: 'app', max: 20, durationMs: 2000 },
  ];

  it('counts a message until the platform has answered it, then one window from the answer', async () => {
    const limiter = new SendLimiter(redisClient(), { prefix: `t${randomUUID().slice(0, 8)}`, limits: { lark: [{ scope: 'app', max: 1, durationMs: 300 }] } });
    const first = await limiter.acquire('lark', 'oc_a');
    expect(first.wait).toBe(0);
    // In flight: the next one may not go, however long ago the first one left.
    await sleep(350);
    expect((await limiter.acquire('lark', 'oc_b')).wait).toBeGreaterThan(0);
    await first.release();
    // Answered just now: the window runs from the answer.
    expect((await limiter.acquire('lark', 'oc_b')).wait).toBeGreaterThan(250);
    // A slot given back was never used.
    await sleep(320);
    const second = await limiter.acquire('lark', 'oc_b');
    expect(second.wait).toBe(0);
    await second.cancel();
    expect((await limiter.acquire('lark', 'oc_c')).wait).toBe(0);
  });

  it('two processes sending through it never put more into a window than it allows, however the network delays each message', async () => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    // Two processes: each its own limiter (and queue of waiting messages) on its own connection.
    const limiters = [0, 1].map(() => new SendLimiter(redisClient(), { prefix, limits: { lark: WINDOWS } }));
    const arrivals = new Map<string, number[]>();
    const all: number[] = [];
    const sent = new Map<string, number>();
    // 40 messages: most to their own chat, every fourth to one busy chat.
    const messages = Array.from({ length: 40 }, (_, i) => ({ id: `m${i}`, chat: i % 4 === 0 ? 'oc_busy' : `oc_${i}`, limiter: limiters[i % 2] }));
    await Promise.all(messages.map(async (m, i) => {
      await sleep(i * 3);
      for (;;) {
        // A wait longer than 300 ms is handed back, as a worker parks its job for it.
        const slot = await m.limiter.take('lark', m.chat, m.id, 300);
        if (slot.wait) {
          await sleep(slot.wait);
          continue;
        }
        // The request takes 0–60 ms to arrive and the answer 0–30 ms more: a message that left later
        // may arrive earlier.
        await sleep(Math.random() * 60);
        const at = Date.now();
        all.push(at);
        arrivals.set(m.chat, [...(arrivals.get(m.chat) ?? []), at]);
        sent.set(m.id, (sent.get(m.id) ?? 0) + 1);
        await sleep(Math.random() * 30);
        await slot.release();
        return;
      }
    }));
    expect([...sent.values()].every((n) => n === 1) && sent.size === 40).toBe(true);
    expect(busiestWindow(all, 400)).toBeLessThanOrEqual(8);
    expect(busiestWindow(all, 2000)).toBeLessThanOrEqual(20);
    for (const times of arrivals.values()) expect(busiestWindow(times, 400)).toBeLessThanOrEqual(2);
  });
});

/**
 * One reminder stage to `groups` Lark groups, sent by two worker processes (each its own Redis
 * connection, limiter and Lark client, one of them planning) through a fake Lark that enforces
 * `windows`, which the limiter is given too. Resolves when every delivery is marked sent (or after 45 s:
 * a job that failed is retried after some seconds).
 */
async function fanOut(groups: number, windows: Window[], opts: { streets?: number; federationGroups?: number } = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'saiwu-limiter-'));
  cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const config = loadConfig({ ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', REDIS_PREFIX: `t${randomUUID().slice(0, 8)}`, REDIS_AUTOSTART: 'off', LOG_LEVEL: 'warn', PORT: '0' });
  const log = createLogger('warn');
  await migrateDatabase(config.databaseUrl);
  const db = openDatabase(config.databaseUrl);
  cleanup.push(() => db.$disconnect());
  const fake = await startFakeLark();
  cleanup.push(() => fake.close());
  fake.enforceWindows(windows);

  const year = new Date().getUTCFullYear() + 1;
  const campaign = await db.campaign.create({ data: { year, title: `${year}年度竞赛`, planDeadline: `${year}-02-28`, summaryDeadline: `${year}-10-15`, reportDeadline: `${year}-12-31` } });
  const district = await db.unit.create({ data: { name: '测试区总工会', level: 1 } });
  if (!opts.streets) {
    await db.unit.create({ data: { name: '测试街道工会', level: 2, parentId: district.id } });
    await db.chatBinding.createMany({ data: Array.from({ length: groups }, (_, i) => ({ platform: 'lark', chatId: `oc_group_${i}`, unitId: district.id, campaignId: campaign.id })) });
  } else {
    // The federation's group (the first), whose roll-call lists every street, and a group per street.
    await db.unit.createMany({ data: Array.from({ length: opts.streets }, (_, i) => ({ name: `测试第${i + 1}街道工会`, level: 2, parentId: district.id })) });
    const streets = await db.unit.findMany({ where: { parentId: district.id }, orderBy: { id: 'asc' } });
    const federation = opts.federationGroups ?? 1;
    await db.chatBinding.createMany({ data: Array.from({ length: groups }, (_, i) => ({ platform: 'lark', chatId: `oc_group_${i}`, unitId: i < federation ? district.id : streets[i].id, campaignId: campaign.id })) });
  }

  const workers = [];
  for (const plan of [true, false]) {
    const redis = await connectRedis(config, log);
    cleanup.push(() => redis.close());
    const client = new lark.Client({ appId: FAKE_APP_ID, appSecret: FAKE_APP_SECRET, domain: fake.url, loggerLevel: lark.LoggerLevel.error });
    const app: App = { config, db, log, now: () => new Date(), senders: new Map<Platform, ChatSender>(), hooks: { campaignChanged: async () => 'scheduled' as const } };
    app.senders.set('lark', new LarkSender(client, new LarkRateLimiter(), log));
    const reminders = await startReminders(app, redis.connection, { plan, sendOn: ['lark'], concurrency: 20, limiter: new SendLimiter(redis.connection, { prefix: config.redisPrefix, limits: { lark: windows } }) });
    cleanup.push(async () => {
      if (plan) for (const q of reminders.queues.all()) await q.obliterate({ force: true });
      await reminders.close();
    });
    workers.push(reminders);
  }
  const data: StageJobData = { kind: 'stage', campaignId: campaign.id, form: 'plan', deadline: campaign.planDeadline, stage: 'd7', fireAt: new Date().toISOString() };
  const queued = await workers[0].queues.planner.getJob(stageJobId(data));
  if (queued) await queued.promote();
  else await workers[0].queues.planner.add('stage', data, { jobId: stageJobId(data) });

  const until = Date.now() + 45_000;
  while (Date.now() < until && (await db.reminderDelivery.count({ where: { status: 'sent' } })) < groups) await sleep(100);
  // Messages per group, as Lark keeps them (a retried job's repeat with the same uuid is not a second one).
  const received = new Map<string, number>();
  for (const m of fake.messages) received.set(m.to, (received.get(m.to) ?? 0) + 1);
  return { refused: fake.rateLimited.length, received, arrivals: fake.messages.map((m) => m.at).sort((a, b) => a - b), sent: await db.reminderDelivery.count({ where: { status: 'sent' } }) };
}

/** Lark never refused a message, and every group got its reminder exactly once and is marked sent. */
function expectEachGroupOnce({ refused, received, sent }: Awaited<ReturnType<typeof fanOut>>, groups: number): void {
  expect(refused).toBe(0);
  expect(received.size).toBe(groups);
  expect([...received.values()].every((n) => n === 1)).toBe(true);
  expect(sent).toBe(groups);
}

describe('a reminder stage to many Lark groups', () => {
  it('reaches each of 160 groups exactly once through two worker processes, and Lark never answers with a rate limit', async () => {
    expectEachGroupOnce(await fanOut(160, [
      { scope: 'chat', max: 5, durationMs: 1000 },
      { scope: 'app', max: 50, durationMs: 1000 },
      { scope: 'app', max: 1000, durationMs: 60_000 },
    ]), 160);
  }, 60_000);

  it('still does when the groups outnumber a longer window, whose full slots park the jobs until their turn', async () => {
    // 30 groups against 10 a second and 12 in 4 seconds: most jobs wait seconds, parked in the queue.
    expectEachGroupOnce(await fanOut(30, [
      { scope: 'chat', max: 5, durationMs: 1000 },
      { scope: 'app', max: 10, durationMs: 1000 },
      { scope: 'app', max: 12, durationMs: 4000 },
    ]), 30);
  }, 60_000);

  it('spends a slot on each part of a roll-call too long for one message, so its second part is not refused', async () => {
    // 700 streets: the federation's roll-call names each twice (未交, 尚未登记联络员), past Lark's 8,000
    // characters a message. 4 a second across the app, so parts paced elsewhere would break the window.
    const { refused, received, sent } = await fanOut(12, [
      { scope: 'chat', max: 5, durationMs: 1000 },
      { scope: 'app', max: 4, durationMs: 1000 },
      { scope: 'app', max: 1000, durationMs: 60_000 },
    ], { streets: 700 });
    expect(refused).toBe(0);
    expect(sent).toBe(12);
    expect(received.get('oc_group_0')).toBeGreaterThanOrEqual(2);
    expect([...received].filter(([chat]) => chat !== 'oc_group_0').every(([, n]) => n === 1)).toBe(true);
    expect(received.size).toBe(12);
  }, 60_000);

  it('does not stall when as many long roll-calls as the window holds go out at once', async () => {
    // Three federation groups each get a roll-call in parts, against 2 messages a second: a message
    // that kept its first part's slot while waiting for the next would, with a second such message,
    // hold the whole window until the 30 s reservations ran out.
    const { refused, received, arrivals, sent } = await fanOut(3, [
      { scope: 'chat', max: 5, durationMs: 1000 },
      { scope: 'app', max: 2, durationMs: 1000 },
    ], { streets: 700, federationGroups: 3 });
    expect(refused).toBe(0);
    expect(sent).toBe(3);
    expect([...received.values()].every((n) => n >= 2)).toBe(true);
    const pauses = arrivals.slice(1).map((at, i) => at - arrivals[i]);
    expect(Math.max(...pauses)).toBeLessThan(10_000);
  }, 60_000);
});
