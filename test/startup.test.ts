// Start-up as a person running `npm start` meets it: the compiled bot in a child process (the very
// `node … dist/src/main.js` that package.json's start script execs), a temporary DATA_DIR and a free port.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { startTestBot } from './support/harness.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
// As `npm start` runs it: the node arguments of package.json's start script ("exec node … dist/src/main.js"),
// one Node process running compiled JavaScript, so a SIGTERM reaches the bot itself.
const START = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start as string;
const MAIN_ARGS = START.replace(/^exec node\s+/, '').split(/\s+/).map((a) => (a.endsWith('.js') ? path.join(ROOT, a) : a));

// The build npm install runs; incremental, so a checkout built at install only checks it is current.
beforeAll(() => {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit', timeout: 180_000 });
}, 180_000);

interface Running {
  child: ChildProcess;
  dataDir: string;
  port: number;
  output(): string;
  /** Resolves with the exit code, or rejects after `ms`. */
  exited(ms?: number): Promise<number | null>;
}

const started: Running[] = [];
afterEach(async () => {
  for (const r of started.splice(0)) {
    if (r.child.exitCode === null && r.child.signalCode === null) {
      // SIGTERM first, so the bot (and any redis-server it started) stops too.
      r.child.kill('SIGTERM');
      await r.exited(10_000).catch(() => r.child.kill('SIGKILL'));
    }
    fs.rmSync(r.dataDir, { recursive: true, force: true });
  }
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs the bot as `npm start` does, from its own temp directory (also the DATA_DIR), where `dotEnv` becomes `.env`. */
async function startMain(env: Record<string, string>, args: string[] = [], dotEnv?: string, opts: { viaNpm?: boolean } = {}): Promise<Running> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'saiwu-start-'));
  if (dotEnv) fs.writeFileSync(path.join(dataDir, '.env'), dotEnv);
  const port = await freePort();
  // viaNpm: `npm start` itself, in the project folder, as a service manager would run it.
  const child = spawn(opts.viaNpm ? 'npm' : process.execPath, opts.viaNpm ? ['start', '--silent'] : [...MAIN_ARGS, ...args], {
    cwd: opts.viaNpm ? ROOT : dataDir,
    env: {
      PATH: process.env.PATH, HOME: process.env.HOME,
      DATA_DIR: dataDir, PORT: String(port), REDIS_PREFIX: `t${randomUUID().slice(0, 8)}`, LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running: Running = {
    child, dataDir, port,
    output: () => out,
    exited: (ms = 15_000) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`process did not exit within ${ms} ms:\n${out}`)), ms)));
      return Promise.race([exit, late]).finally(() => clearTimeout(timer));
    },
  };
  started.push(running);
  return running;
}

/** Waits until /healthz answers, failing early (with the output) if the process exits. */
async function waitHealthy(r: Running, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (r.child.exitCode !== null) throw new Error(`exited with ${r.child.exitCode} before serving:\n${r.output()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${r.port}/healthz`);
      if (res.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`no /healthz within ${ms} ms:\n${r.output()}`);
}

async function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.setTimeout(1000);
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => { resolve(d.toString().startsWith('+PONG')); s.destroy(); });
    s.once('error', () => resolve(false));
    s.once('timeout', () => { resolve(false); s.destroy(); });
  });
}

describe('configuration', () => {
  it('names the bad variable and the fix', () => {
    const message = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error(`no error for ${JSON.stringify(env)}`);
    };
    expect(message({ PORT: 'abc' })).toMatch(/PORT/);
    expect(message({ REDIS_PREFIX: 'has space' })).toMatch(/REDIS_PREFIX may only contain letters, digits/);
    expect(message({ ADMINS: 'zhang' })).toMatch(/ADMINS: "zhang" must look like platform:userId/);
    expect(message({ LARK_APP_ID: 'cli_x' })).toMatch(/LARK_APP_ID and LARK_APP_SECRET must be set together/);
    expect(message({ LOCAL_CHAT: 'yes' })).toMatch(/LOCAL_CHAT/);
    expect(message({ SAIWU_NOW: 'next spring' })).toMatch(/SAIWU_NOW: "next spring" is not a date-time/);
    // A rehearsal clock with a real platform would remind real people on the wrong days.
    expect(message({ SAIWU_NOW: '2027-03-03T10:00:00+08:00', LARK_APP_ID: 'cli_x', LARK_APP_SECRET: 'secret' })).toMatch(/SAIWU_NOW .* works only with the local web chat/);
    expect(loadConfig({ SAIWU_NOW: '2027-03-03' }).startAt?.toISOString()).toBe('2027-03-03T01:00:00.000Z');
  });

  it('keeps the local chat on 127.0.0.1, and off once a real platform is configured unless LOCAL_CHAT=on', () => {
    const plain = loadConfig({});
    expect(plain.host).toBe('127.0.0.1');
    expect(plain.port).toBe(3000);
    expect(plain.localChat).toBe(true);
    const lark = { LARK_APP_ID: 'cli_x', LARK_APP_SECRET: 'secret' };
    expect(loadConfig(lark).localChat).toBe(false);
    expect(loadConfig({ WECHAT_ENABLED: '1' }).localChat).toBe(false);
    expect(loadConfig({ ...lark, LOCAL_CHAT: 'on' }).localChat).toBe(true);
    expect(loadConfig({ LOCAL_CHAT: 'off' }).localChat).toBe(false);
  });

  it('with the local chat off, neither the page nor its speak-as-anyone API is served', async () => {
    const bot = await startTestBot({ LOCAL_CHAT: 'off' });
    try {
      expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${bot.url}/`)).status).toBe(404);
      const res = await fetch(`${bot.url}/api/local/messages`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chatId: 'g', userId: 'admin', userName: '冒充者', text: '/admin add @x' }),
      });
      expect(res.status).toBe(404);
    } finally {
      await bot.close();
    }
  });

  it('treats an empty value copied from .env.example as "use the default"', () => {
    const c = loadConfig({ PORT: '', LOCAL_CHAT: '', REDIS_AUTOSTART: '', DATABASE_URL: '', DATA_DIR: '/tmp/saiwu-x' });
    expect(c.port).toBe(3000);
    expect(c.localChat).toBe(true);
    expect(c.databaseUrl).toBe('file:/tmp/saiwu-x/saiwu.db');
  });

  it('never writes secrets into the logs, however deep they sit in a logged object', () => {
    const script = [
      "import { createLogger } from './src/logger.ts';",
      'const log = createLogger("info");',
      'log.info({ config: { lark: { appSecret: "S-lark", encryptKey: "S-enc" }, redisUrl: "redis://:S-redis@h:1" }, adminToken: "S-admin" }, "config loaded");',
      'log.warn({ headers: { authorization: "Bearer S-auth" }, wechat: { puppetToken: "S-puppet" } }, "request");',
    ].join('\n');
    const run = spawnSync(TSX, ['--eval', script], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
    expect(run.stdout).toContain('config loaded');
    expect(run.stdout).toContain('[redacted]');
    expect(run.stdout).not.toMatch(/S-(lark|enc|redis|admin|auth|puppet)/);
  });

  it('refuses to start with a bad variable, saying which one', async () => {
    const r = await startMain({ PORT: 'not-a-port' });
    expect(await r.exited()).toBe(2);
    expect(r.output()).toMatch(/Invalid configuration[\s\S]*PORT/);
  });
});

describe('npm start', () => {
  it('applies migrations, serves /healthz and the local chat, reads .env, and exits 0 on SIGTERM', async () => {
    // .env fills in what the environment leaves unset and never overrides it.
    const r = await startMain({ LOG_LEVEL: 'info' }, [], 'BOT_NAME=工会小助手\nLOG_LEVEL=silent\n');
    await waitHealthy(r);
    expect(await (await fetch(`http://127.0.0.1:${r.port}/healthz`)).json()).toEqual({ ok: true });
    const page = await fetch(`http://127.0.0.1:${r.port}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('工会小助手 · 本地聊天');
    expect(r.output()).toContain(`Open http://127.0.0.1:${r.port} to use the local web chat`);

    const committed = fs.readdirSync(path.join(ROOT, 'prisma', 'migrations'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    const db = new Database(path.join(r.dataDir, 'saiwu.db'), { readonly: true });
    try {
      const applied = db.prepare('SELECT name FROM _saiwu_migrations ORDER BY name').all().map((row) => (row as { name: string }).name);
      expect(applied).toEqual(committed);
      expect(db.prepare("SELECT name FROM sqlite_master WHERE type='table' AND name='Plan'").get()).toBeTruthy();
    } finally {
      db.close();
    }

    r.child.kill('SIGTERM');
    expect(await r.exited()).toBe(0);
    expect(r.output()).toContain('"msg":"stopped"');
  });

  it('runs compiled JavaScript with plain node, and a SIGTERM sent to npm stops the bot cleanly', async () => {
    const r = await startMain({}, [], undefined, { viaNpm: true });
    await waitHealthy(r);
    // npm execs node (no tsx, no second process), so the signal reaches the bot, which finishes and logs.
    r.child.kill('SIGTERM');
    expect(await r.exited()).toBe(0);
    expect(r.output()).toContain('"signal":"SIGTERM","msg":"shutting down"');
    expect(r.output()).toContain('"msg":"stopped"');
    expect(START).toMatch(/^exec node .*dist\/src\/main\.js$/);
  });

  it('exits non-zero with install instructions when Redis is unreachable and REDIS_AUTOSTART=off, without printing its password', async () => {
    const deadPort = await freePort();
    const r = await startMain({ REDIS_URL: `redis://:hunter2secret@127.0.0.1:${deadPort}`, REDIS_AUTOSTART: 'off' });
    expect(await r.exited()).not.toBe(0);
    const out = r.output();
    expect(out).toContain(`Cannot reach Redis at 127.0.0.1:${deadPort}`);
    expect(out).toContain('apt-get install redis-server');
    expect(out).toContain('brew install redis');
    expect(out).not.toContain('hunter2secret');
  });

  const haveRedisServer = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!haveRedisServer)('starts its own redis-server (append-only, under DATA_DIR/redis) when none answers, and stops it on SIGINT', async () => {
    const redisPort = await freePort();
    const r = await startMain({ REDIS_URL: `redis://127.0.0.1:${redisPort}` });
    await waitHealthy(r);
    expect(await redisAnswers(redisPort)).toBe(true);
    expect(r.output()).toContain('started redis-server (append-only persistence on)');
    expect(fs.existsSync(path.join(r.dataDir, 'redis', 'appendonlydir'))).toBe(true);

    r.child.kill('SIGINT');
    expect(await r.exited()).toBe(0);
    expect(await redisAnswers(redisPort)).toBe(false);
  });

  it('SAIWU_NOW rehearses another day: the demo and the deadlines run on that clock', async () => {
    const r = await startMain({ SAIWU_NOW: '2027-03-03T10:00:00+08:00', LOG_LEVEL: 'info' }, ['--demo']);
    await waitHealthy(r);
    // Under a loaded CI machine the demo can take a few seconds to load after the health check.
    for (let i = 0; i < 300 && !r.output().includes('demo organisation loaded'); i++) await new Promise((res) => setTimeout(res, 100));
    expect(r.output()).toContain('demo organisation loaded');
    expect(r.output()).toContain('rehearsal clock');
    const res = await fetch(`http://127.0.0.1:${r.port}/api/local/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chatId: 'demo-district-group', chatType: 'group', userId: 'demo-dongcheng', userName: '东城街道李干事', text: '/deadlines' }),
    });
    const said = ((await res.json()) as { replies: { text?: string }[] }).replies.map((x) => x.text ?? '').join('\n');
    // March 2027: the plan deadline (28 February) has passed, the summary is months away.
    expect(said).toContain('2027年度');
    expect(said).toMatch(/计划备案：2027年2月28日（星期日）（2027年放假安排尚未公布，按预估），已过 3 天/);
    r.child.kill('SIGTERM');
    expect(await r.exited()).toBe(0);
  });

  it('npm run demo loads a populated district that the demo group can use at once', async () => {
    const r = await startMain({}, ['--demo']);
    await waitHealthy(r);
    const base = `http://127.0.0.1:${r.port}`;
    // The demo is loaded right after the server starts listening; wait for its log line.
    for (let i = 0; i < 50 && !r.output().includes('demo organisation loaded'); i++) await new Promise((res) => setTimeout(res, 100));
    expect(await (await fetch(`${base}/api/local/chats`)).json()).toContain('demo-district-group');
    const say = async (userId: string, userName: string, text: string) => {
      const res = await fetch(`${base}/api/local/messages`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chatId: 'demo-district-group', chatType: 'group', userId, userName, text }),
      });
      return ((await res.json()) as { replies: { text?: string }[] }).replies.map((x) => x.text ?? '').join('\n');
    };
    const units = await say('demo-admin', '区总工会王主席', '/units');
    expect(units).toContain('东城街道工会');
    expect(units).toContain('公交集团工会');
    expect(units.match(/职工\d+人/g)?.length).toBeGreaterThanOrEqual(16);
    const mine = await say('demo-dongcheng', '东城街道李干事', '/mine');
    expect(mine).toContain('东城快速路工程“五比一创”劳动竞赛');
    const deadlines = await say('demo-dongcheng', '东城街道李干事', '/deadlines');
    expect(deadlines).toMatch(/2月2[89]日/);
    expect(deadlines).toContain('10月15日');
    r.child.kill('SIGTERM');
    expect(await r.exited()).toBe(0);
  });
});
