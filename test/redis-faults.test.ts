// Redis going away and coming back empty, as a federation's server would see it (a Redis restart
// without persistence, a crash): people keep getting answers while it is down, a deadline changed
// meanwhile is saved, and every reminder job is recreated from the database once Redis is back.
// Runs its own redis-server on a free port, so killing it touches nothing else.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { captureLog, setUpDistrict, startTestBot, textOf, type LocalUser, type TestBot } from './support/harness.js';
import { freePort, until } from './support/wait.js';
import { planStages } from './support/reminder-jobs.js';
import { planText } from './support/standings-fixture.js';
import { REMINDERS_LATER } from '../src/core/wording.js';

let bot: TestBot | null = null;
let redis: ChildProcess | null = null;

afterEach(async () => {
  await bot?.close();
  bot = null;
  redis?.kill('SIGKILL');
  redis = null;
});

/** A redis-server that keeps nothing on disk: killed and started again, it comes back empty. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    const up = await probe.connect().then(() => probe.ping(), () => null);
    probe.disconnect();
    if (up === 'PONG') return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not start');
}

/** What a person would notice: the reply, and how long it took. */
async function timed(who: LocalUser, text: string): Promise<{ said: string; ms: number }> {
  const t0 = Date.now();
  const said = textOf(await bot!.say(who, text));
  return { said, ms: Date.now() - t0 };
}

describe('Redis down, then back empty', () => {
  it('answers within 3 s while Redis is down, saves a moved deadline, and recreates every reminder job when Redis is back', async () => {
    const port = await freePort();
    redis = await startRedis(port);
    const log = captureLog();
    bot = await startTestBot({ REDIS_URL: `redis://127.0.0.1:${port}`, LOG_LEVEL: 'info' }, { logDestination: log.destination, reminderTiming: { watchEveryMs: 300 } });
    bot.setNow('2027-02-01T10:00:00+08:00');
    const d = await setUpDistrict(bot);
    await bot.say(d.east, '/加入 东城街道工会');
    expect((await planStages(bot!)).get('2027-02-28')).toContain('d14');

    redis.kill('SIGKILL');
    await until(async () => !bot!.redis.up());
    const downSince = log.lines().length;

    // The admin moves the deadline: saved and answered at once, with a word that reminders follow.
    const moved = await timed(d.admin, '/竞赛 设置 计划截止=2027-03-10');
    expect(moved.ms).toBeLessThan(3000);
    expect(moved.said).toContain('✅ 已修改');
    expect(moved.said).toContain(REMINDERS_LATER);
    expect((await bot.app.db.campaign.findFirstOrThrow()).planDeadline).toBe('2027-03-10');

    // A filer files a plan and lists it; the guided form says it is unavailable instead of hanging.
    const filed = await timed(d.east, planText({ enterprise: '东城建设集团', project: '五比一创', participants: 120, period: '2027年3月—10月', key: false }));
    expect(filed.ms).toBeLessThan(3000);
    expect(filed.said).toContain('✅');
    const mine = await timed(d.east, '/我的');
    expect(mine.ms).toBeLessThan(3000);
    expect(mine.said).toContain('五比一创');
    const guided = await timed(d.east, '/填表 计划');
    expect(guided.ms).toBeLessThan(3000);
    expect(guided.said).toContain('逐项填写暂时用不了');
    expect(guided.said).toContain('/模板 计划');
    // Ordinary talk in the group is still read (and left alone) without waiting for Redis.
    const talk = await timed(d.west, '大家好');
    expect(talk.ms).toBeLessThan(3000);
    const view = await timed(d.admin, '/提醒');
    expect(view.ms).toBeLessThan(3000);
    expect(view.said).toContain('队列：暂时连不上');

    // Several seconds of a dead Redis: the log says so once, not on every reconnect attempt.
    await new Promise((r) => setTimeout(r, 3000));
    const complaints = log.lines().slice(downSince).filter((l) => String(l.msg).includes('redis connection error'));
    expect(complaints.length).toBeLessThanOrEqual(2);

    // Redis is back, empty: the jobs are rebuilt from the database, on the new deadline.
    redis = await startRedis(port);
    const stages = await until(async () => {
      const s = await planStages(bot!);
      return s.get('2027-03-10')?.length ? s : undefined;
    });
    expect(stages.get('2027-03-10')).toEqual(expect.arrayContaining(['d14', 'd7', 'd3', 'd1', 'd0']));
    expect(stages.has('2027-02-28')).toBe(false);
    expect(log.text()).toContain('redis connection is back');
    // And people are answered normally again, guided filing included.
    expect(textOf(await bot.say(d.east, '/填表 计划'))).not.toContain('暂时用不了');
  }, 60_000);

  it('a Redis flushed while running gets its reminder jobs back from the database', async () => {
    const port = await freePort();
    redis = await startRedis(port);
    bot = await startTestBot({ REDIS_URL: `redis://127.0.0.1:${port}` }, { reminderTiming: { watchEveryMs: 300 } });
    bot.setNow('2027-02-01T10:00:00+08:00');
    await setUpDistrict(bot);
    const before = (await planStages(bot!)).get('2027-02-28');
    expect(before?.length).toBeGreaterThan(0);
    const admin = new Redis(port, '127.0.0.1');
    await admin.flushall();
    admin.disconnect();
    const after = await until(async () => (await planStages(bot!)).get('2027-02-28'));
    expect([...after].sort()).toEqual([...before!].sort());
  }, 30_000);

  it('a bot asked to stop while Redis is down stops within seconds instead of waiting for it', async () => {
    const port = await freePort();
    redis = await startRedis(port);
    bot = await startTestBot({ REDIS_URL: `redis://127.0.0.1:${port}` });
    await setUpDistrict(bot);
    redis.kill('SIGKILL');
    await until(async () => !bot!.redis.up());
    const t0 = Date.now();
    const stopping = bot.close();
    bot = null;
    const outcome = await Promise.race([stopping.then(() => 'stopped'), new Promise((r) => setTimeout(() => r('still waiting'), 10_000))]);
    expect(outcome).toBe('stopped');
    expect(Date.now() - t0).toBeLessThan(5000);
  }, 30_000);
});
