// Saiwu as several processes on one PostgreSQL database and one Redis (README "Deployment"): two bot
// processes and a reminder worker share the work, people file through either bot, and a reminder
// fan-out to 200 groups reaches each group exactly once even when a bot process is killed in the
// middle of it. WeChat, which allows one login, is connected by one bot process at a time, and a
// standby takes over when the holder stops or dies.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { mock, PuppetMock } from 'wechaty-puppet-mock';
import { setUpDistrict, startTestBot, textOf, type Reply, type TestBot } from './support/harness.js';
import { freePort, until } from './support/wait.js';
import { planText } from './support/standings-fixture.js';
import { FAST_PACING } from './support/wechat-world.js';
import { stageJobId, type StageJobData } from '../jobs/reminder-queue.js';
import { bindChat } from '../src/services/members.js';
import { postgresProblem, tempDatabase } from './support/postgres.js';
import { FAKE_APP_ID, FAKE_APP_SECRET, startFakeLark } from './support/fake-lark.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const GROUPS = 200;

const problem = await postgresProblem('the scale-out tests');

const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A process as production runs it (Node with tsx's loader, not the tsx CLI, so a SIGKILL really kills it). */
function spawnSaiwu(script: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, script)], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let said = '';
  child.stdout!.on('data', (d: Buffer) => (said += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (said += d.toString()));
  child.once('exit', (code, signal) => {
    if (code && signal === null) console.error(`${script} exited with ${code}:\n${said.slice(-3000)}`);
  });
  cleanup.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

describe.skipIf(Boolean(problem))('two bot processes and a worker on PostgreSQL and Redis', () => {
  it('files through either bot, and a fan-out to 200 groups reaches each exactly once while a bot process is killed', async () => {
    const database = await tempDatabase();
    cleanup.push(() => database.drop());
    const prefix = `t${randomUUID().slice(0, 8)}`;
    // This test's own bot sets the district up and reads the transcript; it neither plans nor sends.
    const setup = await startTestBot({ DATABASE_URL: database.url, REDIS_PREFIX: prefix }, { reminderWorker: false });
    cleanup.push(() => setup.close());
    const d = await setUpDistrict(setup);
    const campaign = (await setup.app.db.campaign.findFirst())!;
    const district = (await setup.app.db.unit.findUnique({ where: { name: '测试区总工会' } }))!;
    const groups = ['district-group'];
    for (let i = 0; i < GROUPS - 1; i++) {
      await bindChat(setup.app.db, { platform: 'local', chatId: `scale-group-${i}`, unitId: district.id, campaignId: campaign.id, by: 'admin' });
      groups.push(`scale-group-${i}`);
    }

    const common = {
      DATABASE_URL: database.url, REDIS_PREFIX: prefix, REDIS_AUTOSTART: 'off', LOG_LEVEL: 'warn', LOCAL_CHAT: 'on', ADMINS: 'local:admin',
      // A killed process's jobs come back after 2 s; the pace makes the fan-out last long enough to kill a bot in it.
      REMINDER_LOCK_MS: '2000', REMINDER_LOCAL_PER_SECOND: '40', REMINDER_CONCURRENCY: '10',
    };
    const bots = await Promise.all([0, 1].map(async () => {
      const port = await freePort();
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'saiwu-scale-'));
      cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
      const child = spawnSaiwu('src/main.ts', { ...common, DATA_DIR: dataDir, PORT: String(port) });
      return { child, url: `http://127.0.0.1:${port}` };
    }));
    const worker = spawnSaiwu('jobs/worker-main.ts', { ...common, DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'saiwu-scale-')) });
    await Promise.all([
      ...bots.map((b) => until(() => fetch(`${b.url}/healthz`).then((r) => r.ok, () => false), 60_000, 'a bot process to answer /healthz')),
      new Promise<void>((resolve, reject) => {
        worker.stdout!.on('data', (x: Buffer) => x.toString().includes('ready') && resolve());
        worker.once('exit', (c) => reject(new Error(`worker exited (${c})`)));
      }),
    ]);

    const say = async (bot: { url: string }, who: { userId: string; userName: string; chatId: string }, text: string) => {
      const res = await fetch(`${bot.url}/api/local/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chatType: 'group', ...who, text }) });
      expect(res.status).toBe(200);
      return textOf(((await res.json()) as { replies: Reply[] }).replies);
    };
    // East files through one bot process, West through the other; each sees its plan through the other.
    expect(await say(bots[0], d.east, '/加入 东城街道工会')).toContain('已登记');
    expect(await say(bots[1], d.west, '/加入 西城街道工会')).toContain('已登记');
    expect(await say(bots[0], d.east, planText({ enterprise: '东城建设集团', project: '东城快速路五比一创', participants: 120, period: '2027年3月—10月', key: false }))).toContain('✅');
    expect(await say(bots[1], d.west, planText({ enterprise: '西城机械厂', project: '西城技能比武', participants: 80, period: '2027年4月—9月', key: false }))).toContain('✅');
    expect(await say(bots[1], d.east, '/我的')).toContain('东城快速路五比一创');
    expect(await say(bots[0], d.west, '/我的')).toContain('西城技能比武');

    const reminderCounts = async () => {
      const rows = await setup.app.db.localChatMessage.findMany({ where: { fromBot: true, text: { contains: '⏰' } }, select: { chatId: true } });
      const counts = new Map<string, number>();
      for (const r of rows) counts.set(r.chatId, (counts.get(r.chatId) ?? 0) + 1);
      return counts;
    };
    const total = async () => [...(await reminderCounts()).values()].reduce((a, b) => a + b, 0);

    // The stage falls due: the fan-out is shared by both bots and the worker.
    const data: StageJobData = { kind: 'stage', campaignId: campaign.id, form: 'plan', deadline: campaign.planDeadline, stage: 'd3', fireAt: new Date().toISOString() };
    const planner = setup.reminders.queues.planner;
    const existing = await planner.getJob(stageJobId(data));
    if (existing) await existing.promote();
    else await planner.add('stage', data, { jobId: stageJobId(data) });

    await until(async () => (await total()) >= 40, 30_000, '40 reminders');
    bots[0].child.kill('SIGKILL');
    await new Promise((r) => bots[0].child.once('exit', r));
    expect(await total()).toBeLessThan(GROUPS); // killed in the middle of the fan-out

    await until(async () => (await reminderCounts()).size === GROUPS, 60_000, 'every group to be reminded');
    // Time for the killed process's jobs (locked 2 s) to be retried and, wrongly, posted again.
    await new Promise((r) => setTimeout(r, 5000));
    const counts = await reminderCounts();
    expect(groups.filter((id) => counts.get(id) !== 1)).toEqual([]);
    expect(await setup.app.db.reminderDelivery.count({ where: { status: 'sent', form: 'plan' } })).toBe(GROUPS);
    // Only the unit that has not filed is reminded.
    const one = await setup.app.db.localChatMessage.findFirstOrThrow({ where: { chatId: 'scale-group-7', fromBot: true, text: { contains: '⏰' } } });
    expect(one.text).toContain('高新园区工会');
    expect(one.text).not.toContain('东城街道工会');

    // The surviving bot still answers.
    expect(await say(bots[1], d.east, '/我的')).toContain('东城快速路五比一创');
  }, 150_000);
});

describe.skipIf(Boolean(problem))('a worker process sends on Lark without a connection of its own', () => {
  it('posts the roll-call into each bound Lark group through the API, once', async () => {
    const database = await tempDatabase();
    cleanup.push(() => database.drop());
    const fake = await startFakeLark();
    cleanup.push(() => fake.close());
    const setup = await startTestBot({ DATABASE_URL: database.url }, { reminderWorker: false });
    cleanup.push(() => setup.close());
    await setUpDistrict(setup);
    const campaign = (await setup.app.db.campaign.findFirst())!;
    const district = (await setup.app.db.unit.findUnique({ where: { name: '测试区总工会' } }))!;
    const larkGroups = Array.from({ length: 5 }, (_, i) => `oc_worker_group_00000000000${i}`);
    for (const chatId of larkGroups) {
      fake.addChat(chatId, { kind: 'group', name: chatId, members: [], botIn: true });
      await bindChat(setup.app.db, { platform: 'lark', chatId, unitId: district.id, campaignId: campaign.id, by: 'admin' });
    }
    const worker = spawnSaiwu('jobs/worker-main.ts', {
      DATA_DIR: setup.dataDir, DATABASE_URL: database.url, REDIS_PREFIX: setup.config.redisPrefix, REDIS_AUTOSTART: 'off', LOG_LEVEL: 'warn', LOCAL_CHAT: 'on',
      LARK_APP_ID: FAKE_APP_ID, LARK_APP_SECRET: FAKE_APP_SECRET, LARK_DOMAIN: fake.url,
    });
    await new Promise<void>((resolve, reject) => {
      worker.stdout!.on('data', (x: Buffer) => x.toString().includes('ready') && resolve());
      worker.once('exit', (c) => reject(new Error(`worker exited (${c})`)));
    });
    const data: StageJobData = { kind: 'stage', campaignId: campaign.id, form: 'plan', deadline: campaign.planDeadline, stage: 'd3', fireAt: new Date().toISOString() };
    const planner = setup.reminders.queues.planner;
    const existing = await planner.getJob(stageJobId(data));
    if (existing) await existing.promote();
    else await planner.add('stage', data, { jobId: stageJobId(data) });

    const reminded = (chatId: string) => fake.messages.filter((m) => m.to === chatId && String(m.content?.text).includes('⏰'));
    await until(async () => larkGroups.every((id) => reminded(id).length > 0), 30_000, 'a reminder in every Lark group');
    await new Promise((r) => setTimeout(r, 1000));
    expect(larkGroups.map((id) => reminded(id).length)).toEqual(larkGroups.map(() => 1));
    expect(String(reminded(larkGroups[0])[0].content?.text)).toContain('东城街道工会');
    // The local setup group got its reminder from the same worker.
    expect((await setup.transcript('district-group')).filter((m) => m.fromBot && m.text.includes('⏰'))).toHaveLength(1);
  }, 60_000);
});

/** A bot process with WeChat on the mock puppet, on the shared database and Redis prefix. */
async function wechatBot(env: Record<string, string>): Promise<{ bot: TestBot; puppet: PuppetMock; mocker: mock.Mocker; puppetStarted: () => boolean }> {
  const mocker = new mock.Mocker();
  const puppet = new PuppetMock({ mocker });
  let started = false;
  const start = puppet.start.bind(puppet);
  puppet.start = async () => {
    started = true;
    return start();
  };
  const bot = await startTestBot({ WECHAT_ENABLED: '1', LOCAL_CHAT: 'on', PLATFORM_LEASE_SECONDS: '2', ...env }, { platformOptions: { wechat: { puppet, pacing: FAST_PACING } }, onLeaseLost: () => undefined });
  cleanup.push(() => bot.close());
  return { bot, puppet, mocker, puppetStarted: () => started };
}

describe.skipIf(Boolean(problem))('WeChat allows one login: one bot process holds it', () => {
  it('a standby connects only when the holder dies or stops', async () => {
    const database = await tempDatabase();
    cleanup.push(() => database.drop());
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const env = { DATABASE_URL: database.url, REDIS_PREFIX: prefix };

    // A holder that died a moment ago: its lease (2 s) still runs, nobody renews it.
    const probe = await startTestBot(env, { reminderWorker: false });
    await probe.redis.connection.set(`${prefix}:lease:wechat`, 'dead-process', 'PX', 2000);
    await probe.close();

    const first = await wechatBot(env);
    expect(first.puppetStarted()).toBe(false); // standing by
    const tookOver = Date.now();
    await until(async () => first.puppetStarted(), 5000, 'the standby to take over from the dead holder');
    expect(Date.now() - tookOver).toBeLessThan(4000);
    expect(await first.bot.redis.connection.get(`${prefix}:lease:wechat`)).not.toBe('dead-process');

    // A second bot process while the first holds WeChat: it stands by.
    const second = await wechatBot(env);
    await new Promise((r) => setTimeout(r, 2500)); // longer than a lease: the holder keeps renewing
    expect(second.puppetStarted()).toBe(false);

    // The holder stops (a deploy): the standby connects at its next look, well within a lease.
    const stopped = Date.now();
    await first.bot.close();
    await until(async () => second.puppetStarted(), 5000, 'the standby to take over after a clean stop');
    expect(Date.now() - stopped).toBeLessThan(2000);

    // It really runs WeChat now: logged in, it answers in a room.
    const botUser = second.mocker.createContact({ id: 'wx-bot', name: '赛务助手' });
    const someone = second.mocker.createContact({ id: 'wx-someone', name: '东城李干事' });
    const room = second.mocker.createRoom({ id: 'r@chatroom', topic: '竞赛工作群', memberIdList: [botUser.id, someone.id] });
    const sent: string[] = [];
    const sendText = second.puppet.messageSendText.bind(second.puppet) as (chatId: string, text: string, mentionIds?: string[]) => Promise<void>;
    second.puppet.messageSendText = async (chatId: string, text: string, mentionIds?: string[]) => {
      sent.push(text);
      return sendText(chatId, text, mentionIds);
    };
    second.mocker.login(botUser);
    second.puppet.emit('ready', { data: 'mock' });
    someone.say('/帮助').to(room);
    await until(async () => sent.some((t) => t.includes('/加入')), 8000, 'a reply on WeChat from the new holder');
  }, 60_000);
});
