// Redis behind Sentinel, as a federation running Saiwu for high availability would set it up: a master,
// a replica and a sentinel, each a redis-server of this test's own on a free port, with passwords on
// both. REDIS_URL=redis+sentinel://… names the sentinels (the first listed is down, as one of three
// may be) and the master's name. People file and get reminder jobs through it; the master dies, the
// sentinel promotes the replica, and the bot goes on against the new master without a restart: a
// guided filing started before the failover is finished after it, and a moved deadline is re-planned.
// Then a planned failover back: the bot leaves the demoted (still running) master at once.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { captureLog, setUpDistrict, startTestBot, textOf, type LocalUser, type TestBot } from './support/harness.js';
import { freePort, until } from './support/wait.js';
import { planStages } from './support/reminder-jobs.js';
import { loadConfig, secretsOf, type Config } from '../src/config.js';
import { connectRedis } from '../src/redis.js';
import { createLogger } from '../src/logger.js';
import type { StageJobData } from '../jobs/reminder-queue.js';

const MASTER = 'mymaster';
let bot: TestBot | null = null;
const processes: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await bot?.close();
  bot = null;
  for (const p of processes.splice(0)) if (p.exitCode === null) p.kill('SIGKILL');
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saiwu-sentinel-'));
  dirs.push(dir);
  return dir;
}

/** A client of the test's own (not Saiwu's) to one server or sentinel. */
function client(port: number, password?: string): Redis {
  const c = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, ...(password ? { password } : {}) });
  c.on('error', () => undefined);
  return c;
}

async function answers(port: number, password?: string): Promise<boolean> {
  const c = client(port, password);
  try {
    await c.connect();
    return (await c.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    c.disconnect();
  }
}

/** Runs redis-server with `args` until the test ends, once it answers on `port`. */
async function redisServer(args: string[], port: number, password?: string): Promise<ChildProcess> {
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  processes.push(child);
  const failed = new Promise<never>((_, reject) => child.once('error', (err) => reject(new Error(`redis-server could not be run (is it installed?): ${err.message}`))));
  failed.catch(() => undefined);
  await Promise.race([failed, until(() => answers(port, password), 15_000, `redis-server on port ${port}`)]);
  return child;
}

/**
 * A data server that keeps nothing on disk, optionally a replica of `replicaOf`. (A replica still
 * writes the copy it receives to its directory: a temporary one, not the repository.)
 */
function dataServer(port: number, password: string, replicaOf?: number): Promise<ChildProcess> {
  return redisServer([
    '--port', String(port), '--bind', '127.0.0.1', '--dir', tempDir(), '--save', '', '--appendonly', 'no', '--requirepass', password, '--masterauth', password,
    ...(replicaOf ? ['--replicaof', '127.0.0.1', String(replicaOf)] : []),
  ], port, password);
}

/** A sentinel watching `masterPort` under MASTER; it fails over one second after the master stops answering. */
function sentinel(port: number, masterPort: number, opts: { masterPassword: string; password: string }): Promise<ChildProcess> {
  const dir = tempDir();
  const conf = path.join(dir, 'sentinel.conf');
  fs.writeFileSync(conf, [
    `port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `logfile ${path.join(dir, 'sentinel.log')}`, `requirepass ${opts.password}`,
    `sentinel monitor ${MASTER} 127.0.0.1 ${masterPort} 1`,
    `sentinel auth-pass ${MASTER} ${opts.masterPassword}`,
    `sentinel down-after-milliseconds ${MASTER} 1000`,
    `sentinel failover-timeout ${MASTER} 5000`,
    `sentinel parallel-syncs ${MASTER} 1`,
    '',
  ].join('\n'));
  return redisServer([conf, '--sentinel'], port, opts.password);
}

/** Where the sentinel says the master is now. */
async function masterPortPer(sentinelPort: number, password: string): Promise<number | undefined> {
  const c = client(sentinelPort, password);
  try {
    await c.connect();
    const addr = (await c.call('SENTINEL', 'get-master-addr-by-name', MASTER)) as string[] | null;
    return addr ? Number(addr[1]) : undefined;
  } catch {
    return undefined;
  } finally {
    c.disconnect();
  }
}

/** The plan deadlines that reminder stage jobs on a server (read directly, not through Saiwu) are for. */
async function planDeadlinesOn(port: number, password: string): Promise<Set<string>> {
  const c = client(port, password);
  await c.connect();
  const found = new Set<string>();
  try {
    for (const key of await c.keys(`${bot!.config.redisPrefix}:*`)) {
      if ((await c.type(key)) !== 'hash') continue;
      const data = await c.hget(key, 'data');
      const d = data?.startsWith('{') ? (JSON.parse(data) as Partial<StageJobData>) : null;
      if (d?.kind === 'stage' && d.form === 'plan' && d.deadline) found.add(d.deadline);
    }
    return found;
  } finally {
    c.disconnect();
  }
}

/** How many of Saiwu's keys (under its prefix) a server holds. */
async function saiwuKeys(port: number, password: string): Promise<number> {
  const c = client(port, password);
  await c.connect();
  try {
    return (await c.keys(`${bot!.config.redisPrefix}:*`)).length;
  } finally {
    c.disconnect();
  }
}

describe('Redis Sentinel', () => {
  it('files and plans reminders through Sentinel, keeps going on the promoted replica when the master dies, and follows a planned failover at once', async () => {
    const masterPassword = `m-${randomBytes(8).toString('hex')}`;
    const sentinelPassword = `s-${randomBytes(8).toString('hex')}`;
    const [masterPort, replicaPort, sentinelPort, deadSentinelPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const master = await dataServer(masterPort, masterPassword);
    await dataServer(replicaPort, masterPassword, masterPort);
    await until(async () => {
      const r = client(replicaPort, masterPassword);
      const info = await r.connect().then(() => r.info('replication'), () => '');
      r.disconnect();
      return info.includes('master_link_status:up');
    }, 15_000, 'the replica to sync');
    await sentinel(sentinelPort, masterPort, { masterPassword, password: sentinelPassword });
    // The sentinel learns of the replica from the master's INFO; only then can it promote it.
    await until(async () => {
      const c = client(sentinelPort, sentinelPassword);
      const replicas = await c.connect().then(() => c.call('SENTINEL', 'replicas', MASTER) as Promise<string[][]>, () => []);
      c.disconnect();
      return replicas.some((r) => r.includes(String(replicaPort)));
    }, 15_000, 'the sentinel to see the replica');

    const log = captureLog();
    const url = `redis+sentinel://:${masterPassword}@127.0.0.1:${deadSentinelPort},127.0.0.1:${sentinelPort}/${MASTER}?sentinel_password=${sentinelPassword}`;
    bot = await startTestBot({ REDIS_URL: url, LOG_LEVEL: 'info' }, { logDestination: log.destination, reminderTiming: { watchEveryMs: 300 } });
    bot.setNow('2027-02-01T10:00:00+08:00');
    const d = await setUpDistrict(bot);
    await bot.say(d.east, '/加入 东城街道工会');
    expect((await planStages(bot!)).get('2027-02-28')).toContain('d14');
    // The jobs are on the master the sentinel named.
    expect(await saiwuKeys(masterPort, masterPassword)).toBeGreaterThan(0);
    expect(textOf(await bot.say(d.admin, '/提醒'))).toContain('队列：待发');

    // East starts a guided filing and answers the first question.
    const ask = async (who: LocalUser, said: string) => textOf(await bot!.say(who, said));
    expect(await ask(d.east, '/填表 计划')).toContain('「企业名称」');
    expect(await ask(d.east, '东城建设集团有限公司')).toContain('「竞赛项目」');

    // Everything so far has reached the replica; then the master dies.
    const sync = client(masterPort, masterPassword);
    await sync.connect();
    expect(await sync.call('WAIT', '1', '5000')).toBe(1);
    sync.disconnect();
    master.kill('SIGKILL');
    await until(async () => (await masterPortPer(sentinelPort, sentinelPassword)) === replicaPort, 30_000, 'the sentinel to promote the replica');
    await until(async () => bot!.redis.up() && bot!.redis.requests.status === 'ready', 20_000, 'Saiwu to reconnect to the new master');

    // East goes on where they were: the answer given before the failover is still there.
    expect(await ask(d.east, '地铁3号线五比一创劳动竞赛')).toContain('「组织方式」');
    expect(await ask(d.east, '工会与项目部联合组织')).toContain('「参与人数」');
    expect(await ask(d.east, '120')).toContain('「时间安排」');
    expect(await ask(d.east, '2027年3月1日至10月31日')).toContain('「竞赛类型」');
    expect(await ask(d.east, '五比一创')).toContain('「重点项目」');
    expect(await ask(d.east, '否')).toContain('「参与人员与其他竞赛不重复」');
    expect(await ask(d.east, '跳过')).toContain('「经费预算」');
    expect(await ask(d.east, '跳过')).toContain('请核对【竞赛计划】');
    expect(await ask(d.east, '确认')).toContain('竞赛计划已收到');
    expect(await bot.app.db.plan.findFirstOrThrow()).toMatchObject({ enterpriseName: '东城建设集团有限公司', project: '地铁3号线五比一创劳动竞赛' });

    // The admin moves the deadline: the reminders are planned again, on the new master.
    const moved = await ask(d.admin, '/竞赛 设置 计划截止=2027-03-10');
    expect(moved).toContain('✅ 已修改');
    expect(moved).not.toContain('暂时连不上');
    const stages = await until(async () => {
      const s = await planStages(bot!);
      return s.get('2027-03-10')?.length && !s.has('2027-02-28') ? s : undefined;
    }, 15_000, 'the reminders on the new deadline');
    expect(stages.get('2027-03-10')).toEqual(expect.arrayContaining(['d14', 'd7', 'd3', 'd1', 'd0']));
    expect(await planDeadlinesOn(replicaPort, masterPassword)).toContain('2027-03-10');
    expect(textOf(await bot.say(d.admin, '/提醒'))).toContain('队列：待发');

    // The old master comes back as a replica, and the operator moves the master back to it (a planned
    // failover, e.g. for maintenance). The demoted master is still up and would take writes for about
    // ten seconds, until Sentinel turns it into a replica: Saiwu must leave it within moments.
    await dataServer(masterPort, masterPassword, replicaPort);
    await until(async () => {
      const c = client(sentinelPort, sentinelPassword);
      const ok = await c.connect().then(() => c.call('SENTINEL', 'failover', MASTER), () => null).catch(() => null);
      c.disconnect();
      return ok === 'OK';
    }, 20_000, 'the sentinel to accept a planned failover');
    await until(async () => (await masterPortPer(sentinelPort, sentinelPassword)) === masterPort, 15_000, 'the sentinel to switch back');
    await until(async () => bot!.redis.up() && bot!.redis.connection.stream?.remotePort === masterPort, 5000, 'Saiwu to leave the demoted master');
    expect(await ask(d.admin, '/竞赛 设置 计划截止=2027-03-12')).toContain('✅ 已修改');
    await until(async () => (await planDeadlinesOn(masterPort, masterPassword)).has('2027-03-12'), 5000, 'the re-planned reminders on the new master');

    // The operator reads where Redis is, before and after, and never a password.
    const lines = log.lines();
    expect(lines.find((l) => l.msg === 'connected to the Redis master through Sentinel')).toMatchObject({ master: `127.0.0.1:${masterPort}` });
    expect(lines.filter((l) => l.msg === 'redis connection is back').map((l) => l.master)).toEqual(expect.arrayContaining([`127.0.0.1:${replicaPort}`, `127.0.0.1:${masterPort}`]));
    expect(lines.find((l) => l.msg === 'Sentinel switched the Redis master; reconnecting to it' && l.to === `127.0.0.1:${masterPort}`)).toBeDefined();
    expect(log.text()).not.toContain(masterPassword);
    expect(log.text()).not.toContain(sentinelPassword);
  }, 60_000);

  it('says what each sentinel knows when the master cannot be reached, never prints a password, and starts no redis-server', async () => {
    const masterPassword = `m-${randomBytes(8).toString('hex')}`;
    const sentinelPassword = `s-${randomBytes(8).toString('hex')}`;
    const [deadMasterPort, sentinelPort, deadSentinelPort] = [await freePort(), await freePort(), await freePort()];
    await sentinel(sentinelPort, deadMasterPort, { masterPassword, password: sentinelPassword });
    const dataDir = tempDir();
    const log = createLogger('silent');
    const attempt = async (name: string, sentinelPass = sentinelPassword): Promise<string> => {
      // REDIS_AUTOSTART=on: with a local redis:// URL this would start a redis-server.
      const config = loadConfig({
        DATA_DIR: dataDir, REDIS_AUTOSTART: 'on',
        REDIS_URL: `redis+sentinel://:${masterPassword}@127.0.0.1:${deadSentinelPort},127.0.0.1:${sentinelPort}/${name}?sentinel_password=${sentinelPass}`,
      });
      const err = await connectRedis(config, log).then(async (h) => { await h.close(); return null; }, (e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      return err!.message;
    };

    const unknown = await attempt('nosuchmaster');
    expect(unknown).toContain(`Cannot reach the Redis master "nosuchmaster" through Sentinel at 127.0.0.1:${deadSentinelPort},127.0.0.1:${sentinelPort}`);
    expect(unknown).toContain(`sentinel 127.0.0.1:${sentinelPort}: knows no master named "nosuchmaster"`);
    expect(unknown).toMatch(new RegExp(`sentinel 127\\.0\\.0\\.1:${deadSentinelPort}: .*ECONNREFUSED`));
    const masterDown = await attempt(MASTER);
    expect(masterDown).toContain(`sentinel 127.0.0.1:${sentinelPort}: says the master is 127.0.0.1:${deadMasterPort}`);
    const wrongPassword = await attempt(MASTER, 'not-the-sentinel-password');
    expect(wrongPassword).toMatch(/WRONGPASS|invalid password|NOAUTH/i);
    for (const message of [unknown, masterDown, wrongPassword]) {
      expect(message).toContain('With Sentinel Saiwu starts no redis-server');
      expect(message).not.toContain(masterPassword);
      expect(message).not.toContain(sentinelPassword);
      expect(message).not.toContain('not-the-sentinel-password');
    }
    expect(fs.existsSync(path.join(dataDir, 'redis'))).toBe(false);
  }, 30_000);
});

describe('REDIS_URL', () => {
  const configWith = (url: string): Config => loadConfig({ REDIS_URL: url, DATA_DIR: os.tmpdir() });
  const problemWith = (url: string): string => {
    try {
      configWith(url);
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('the configuration was accepted');
  };

  it('takes the Sentinel form: sentinels (port 26379 when left out), master name, database, and both passwords as secrets', () => {
    const config = configWith('redis+sentinel://:p%40ss-word@10.0.0.1,10.0.0.2:26380,[fd00::3]:26381/mymaster/2?sentinel_password=sentinel%26pass+1');
    expect(config.redis).toEqual({
      kind: 'sentinel', masterName: 'mymaster', db: 2, tls: false, password: 'p@ss-word', sentinelPassword: 'sentinel&pass+1',
      sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '10.0.0.2', port: 26380 }, { host: 'fd00::3', port: 26381 }],
    });
    expect(secretsOf(config)).toEqual(expect.arrayContaining(['p@ss-word', 'sentinel&pass+1']));
    expect(configWith('rediss+sentinel://sentinel.example.com/cache').redis).toMatchObject({ kind: 'sentinel', tls: true, db: 0, sentinels: [{ host: 'sentinel.example.com', port: 26379 }] });
    expect(configWith('redis://:pw@127.0.0.1:6390/1').redis).toEqual({ kind: 'server', url: 'redis://:pw@127.0.0.1:6390/1', host: '127.0.0.1', port: 6390 });
  });

  it('says what is wrong and how to write it, without repeating the password', () => {
    expect(problemWith('redis+sentinel://:hunter2@10.0.0.1:26379')).toMatch(/REDIS_URL must end with the master's name .*redis\+sentinel:\/\/10\.0\.0\.1:26379,10\.0\.0\.2:26379\/mymaster/);
    expect(problemWith('sentinel://:hunter2@10.0.0.1:26379/mymaster')).toContain('REDIS_URL must start with redis://, rediss:// or redis+sentinel://');
    expect(problemWith('redis://:hunter2@10.0.0.1:26379,10.0.0.2:26379')).toContain('REDIS_URL lists several hosts; for Redis Sentinel write redis+sentinel://');
    expect(problemWith('redis+sentinel://:hunter2@10.0.0.1:99999/mymaster')).toContain('REDIS_URL: sentinel number 1 is not host or host:port');
    expect(problemWith('redis+sentinel://:hunter2@10.0.0.1/mymaster/zero')).toContain('only a database number may follow');
    expect(problemWith('redis+sentinel://:hunter2@10.0.0.1/mymaster?password=x')).toContain('unknown option "password"');
    // A password with an unescaped "/" cuts the URL short: the message still does not show any of it.
    expect(problemWith('redis+sentinel://:hunt/er2@10.0.0.1/mymaster')).toContain('REDIS_URL: sentinel number 1');
    for (const url of ['redis+sentinel://:hunter2@10.0.0.1:26379', 'redis+sentinel://:hunter2@10.0.0.1:99999/mymaster', 'redis+sentinel://:hunt/er2@10.0.0.1/mymaster']) {
      expect(problemWith(url)).not.toMatch(/hunter2|hunt|er2@/);
    }
  });
});
