// Crash safety: a reminder fan-out to many groups, the worker process killed (SIGKILL) in the
// middle, a new worker started: every group ends up with exactly one reminder. A worker beside the
// bot is a second process, so this runs on PostgreSQL (SQLite serves one process and a second one
// refuses to start, which is tested here too).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setUpDistrict, startTestBot, textOf, type TestBot } from './support/harness.js';
import { stageJobId, type StageJobData } from '../jobs/reminder-queue.js';
import { bindChat } from '../src/services/members.js';
import { postgresProblem, tempDatabase } from './support/postgres.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CHATS = 120;

const problem = await postgresProblem('the reminder crash test');

let bot: TestBot;
let database: Awaited<ReturnType<typeof tempDatabase>> | undefined;
const children: ChildProcess[] = [];
beforeEach(async () => {
  if (problem) return;
  database = await tempDatabase();
  // This process only enqueues; the worker runs in a child process we can kill.
  bot = await startTestBot({ DATABASE_URL: database.url }, { reminderWorker: false });
  // Before every stage of the plan deadline (the first, on the 2027 estimate, is 4 February), so
  // only the stage this test fires goes out.
  bot.setNow('2027-02-01T10:00:00+08:00');
});
afterEach(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await bot?.close();
  await database?.drop();
});

function spawnWorker(env: Record<string, string> = {}): ChildProcess {
  // Node itself with tsx's loader, not the tsx CLI: the CLI runs the script in a second process that
  // a SIGKILL of the wrapper would leave running, so the "crash" would not be one.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'jobs', 'worker-main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env, DATA_DIR: bot.dataDir, DATABASE_URL: bot.config.databaseUrl, REDIS_PREFIX: bot.config.redisPrefix, REDIS_AUTOSTART: 'off', LOG_LEVEL: 'silent', LOCAL_CHAT: 'on',
      // Short locks so the dead worker's jobs come back quickly; pacing so the kill lands mid-way.
      REMINDER_LOCK_MS: '2000', REMINDER_LOCAL_PER_SECOND: '50', REMINDER_CONCURRENCY: '10',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return child;
}

function startWorker(): Promise<ChildProcess> {
  const child = spawnWorker();
  child.stderr!.pipe(process.stderr);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
}

const reminderCounts = async () => {
  const rows = await bot.app.db.localChatMessage.findMany({ where: { fromBot: true, text: { contains: '⏰' } }, select: { chatId: true } });
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.chatId, (counts.get(r.chatId) ?? 0) + 1);
  return counts;
};
const total = async () => [...(await reminderCounts()).values()].reduce((a, b) => a + b, 0);

async function until(cond: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out; ${await total()} reminders so far`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(Boolean(problem))('reminder crash safety, a worker process beside the bot on PostgreSQL', () => {
  it('a worker killed mid-fan-out and restarted leaves every group with exactly one reminder', async () => {
    const { west } = await setUpDistrict(bot);
    expect(textOf(await bot.say(west, '/join 西城街道工会'))).toContain('已登记');
    const campaign = (await bot.app.db.campaign.findFirst())!;
    const district = (await bot.app.db.unit.findUnique({ where: { name: '测试区总工会' } }))!;
    const chatIds = ['district-group'];
    for (let i = 0; i < CHATS - 1; i++) {
      const chatId = `crash-group-${i}`;
      await bindChat(bot.app.db, { platform: 'local', chatId, unitId: district.id, campaignId: campaign.id, by: 'admin' });
      chatIds.push(chatId);
    }

    let worker = await startWorker();
    const data: StageJobData = { kind: 'stage', campaignId: campaign.id, form: 'plan', deadline: campaign.planDeadline, stage: 'd3', fireAt: new Date().toISOString() };
    const existing = await bot.reminders.queue.getJob(stageJobId(data));
    if (existing) await existing.promote();
    else await bot.reminders.queue.add('stage', data, { jobId: stageJobId(data) });

    await until(async () => (await total()) >= 30, 20_000);
    worker.kill('SIGKILL');
    await new Promise((r) => worker.once('exit', r));
    const atKill = await total();
    expect(atKill).toBeLessThan(CHATS); // really killed in the middle

    worker = await startWorker();
    await until(async () => (await reminderCounts()).size === CHATS, 30_000);
    // Give retries of the killed worker's jobs (lock 2 s) time to (wrongly) post again.
    await new Promise((r) => setTimeout(r, 5000));
    const counts = await reminderCounts();
    expect(chatIds.filter((id) => counts.get(id) !== 1)).toEqual([]);
    const sent = await bot.app.db.reminderDelivery.count({ where: { status: 'sent', form: 'plan' } });
    expect(sent).toBe(CHATS);

    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
  }, 90_000);
});

describe('SQLite serves one process', () => {
  it('a worker started beside a bot on the same SQLite file refuses, pointing to PostgreSQL; after the bot stops it starts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saiwu-sqlite-'));
    const sqliteBot = await startTestBot({ DATA_DIR: dir }, { reminderWorker: false });
    try {
      const refused = spawnWorker({ DATA_DIR: dir, DATABASE_URL: sqliteBot.config.databaseUrl, REDIS_PREFIX: sqliteBot.config.redisPrefix, LOG_LEVEL: 'info' });
      let said = '';
      refused.stdout!.on('data', (d: Buffer) => (said += d.toString()));
      refused.stderr!.on('data', (d: Buffer) => (said += d.toString()));
      const code = await new Promise((r) => refused.once('exit', r));
      expect(code).toBe(1);
      expect(said).toContain('is in use by another Saiwu process');
      expect(said).toContain('DATABASE_URL=postgresql://');
      expect(said).not.toContain('ready');
    } finally {
      await sqliteBot.close();
    }
    // The bot let go of the file on its way out: a worker may have it now.
    const worker = spawnWorker({ DATA_DIR: dir, DATABASE_URL: sqliteBot.config.databaseUrl, REDIS_PREFIX: sqliteBot.config.redisPrefix });
    await new Promise<void>((resolve, reject) => {
      worker.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      worker.once('exit', (c) => reject(new Error(`worker exited (${c})`)));
    });
    worker.kill('SIGTERM');
    // The signal too, so a crash on the way out (a native one has no exit code) says which.
    expect(await new Promise((r) => worker.once('exit', (code, signal) => r({ code, signal })))).toEqual({ code: 0, signal: null });
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
