// WeChat as the real protocols behave, where wechaty-puppet-mock is kinder than they are: messages
// delivered the way wechat4u delivers them and parsed by puppet-wechat4u's own parser
// (test/support/wechat4u-raw.ts), throttle notices as system messages, backlog after a login, the real
// puppet-wechat4u restarting itself without a network, and the real entry point crashing.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
import { types } from 'wechaty';
import { FileBox } from 'file-box';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLog, startTestBot, type TestBot } from './support/harness.js';
import { BOT_NAME, setUpWechatDistrict, startWechatWorld, type WechatWorld, type WorldOptions } from './support/wechat-world.js';
import { Wechat4uRawPuppet, removeWechat4uCrashListener, webwx } from './support/wechat4u-raw.js';
import type { WechatAdapter } from '../src/platforms/wechat/wechat-adapter.js';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(import.meta.dirname, '..');

let world: WechatWorld | null = null;
let bot: TestBot | null = null;
afterEach(async () => {
  await world?.close();
  await bot?.close();
  world = null;
  bot = null;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const after = (w: WechatWorld, from: number, needle: string) => (m: { text?: string }) => w.sent.indexOf(m as never) >= from && Boolean(m.text?.includes(needle));

async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 4000): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(20);
  }
}

// Ids as the web protocol hands them out: "@@…" for rooms, "@…" for people (new at every login).
const W4U_IDS = {
  bot: '@6b1e0f3a9d2c4e5f8a7b6c5d4e3f2a1b',
  admin: '@0a9f8e7d6c5b4a39281706f5e4d3c2b1',
  east: '@1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a',
  west: '@2e3d4c5b6a7f8e9d0c1b2a3f4e5d6c7b',
  park: '@3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c',
  room: '@@8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b',
};

/** A world whose messages can also arrive as wechat4u's raw messages through puppet-wechat4u's parser. */
async function wechat4uWorld(opts: WorldOptions = {}): Promise<{ w: WechatWorld; raw: Wechat4uRawPuppet }> {
  let raw: Wechat4uRawPuppet | undefined;
  const w = await startWechatWorld({ ...opts, ids: W4U_IDS, puppet: (mocker) => (raw = new Wechat4uRawPuppet({ mocker })) });
  world = w;
  return { w, raw: raw! };
}

const FILLED_PLAN = [
  '【竞赛计划】',
  '企业名称：东城建设集团有限公司',
  '竞赛项目：快速路“五比一创”劳动竞赛',
  '组织方式：工会与项目部联合组织',
  '参与人数：约120人',
  '时间安排：2027年3月1日至10月31日',
  '竞赛类型：五比一创',
  '重点项目：是',
].join('\n');

describe('quoted replies (引用) as puppet-wechat4u writes them', () => {
  it('files a template sent as a quote of the bot\'s template', async () => {
    const { w, raw } = await wechat4uWorld();
    await setUpWechatDistrict(w, ['east']);
    let from = w.sent.length;
    w.say(w.people.east, '/plan', { atBot: true });
    const template = await w.waitForSent(after(w, from, '【竞赛计划】\n'));
    from = w.sent.length;
    raw.deliver(webwx.quote({ room: w.room.id, talker: w.people.east.id, reply: FILLED_PLAN, quoted: { fromUser: w.botUser.id, displayName: BOT_NAME, text: template.text! } }));
    const receipt = await w.waitForSent(after(w, from, '竞赛计划已收到'));
    expect(receipt.text).not.toContain('- - -');
    const plans = await w.bot.app.db.plan.findMany();
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatchObject({ enterpriseName: '东城建设集团有限公司', participants: 120, startDate: '2027-03-01', endDate: '2027-10-31', keyProject: true });
  });

  it('takes a guided answer given by quoting the question, and stores only the answer', async () => {
    const { w, raw } = await wechat4uWorld();
    await setUpWechatDistrict(w, ['east']);
    let from = w.sent.length;
    w.say(w.people.east, '/填表 计划');
    const question = await w.waitForSent(after(w, from, '（第 1/9 项）请回复「企业名称」'));
    from = w.sent.length;
    raw.deliver(webwx.quote({ room: w.room.id, talker: w.people.east.id, reply: '东城建设集团有限公司', quoted: { fromUser: w.botUser.id, displayName: BOT_NAME, text: question.text! } }));
    await w.waitForSent(after(w, from, '「竞赛项目」'));
    from = w.sent.length;
    w.say(w.people.east, '上一步');
    const back = await w.waitForSent(after(w, from, '（第 1/9 项）请回复「企业名称」'));
    expect(back.text).toContain('已填：东城建设集团有限公司');
    expect(back.text).not.toContain('- - -');
    expect(back.text).not.toMatch(/已填：[^\n]*「/);
  });

  it('answers a quoted "@赛务助手 /missing" as the command', async () => {
    const { w, raw } = await wechat4uWorld();
    await setUpWechatDistrict(w, ['east']);
    const from = w.sent.length;
    raw.deliver(webwx.quote({
      room: w.room.id, talker: w.people.admin.id, reply: `@${BOT_NAME}\u2005/missing`,
      // The quoted message itself holds newlines, 「」 and an @mention of someone else.
      quoted: { fromUser: w.people.east.id, displayName: '东城李干事', text: '「进度」说明：\n@西城张干事 明天交\n第二行' },
    }));
    const answer = await w.waitForSent((m) => w.sent.indexOf(m) >= from);
    expect(answer.text).toMatch(/^(@王主席\s)?【计划备案】未交名单/);
    expect(answer.text).toContain('东城街道工会 — 联络员：东城李干事');
  });
});

describe('the ASCII-colon cut (puppet-wechat4u keeps Content.split(":\\n")[1])', () => {
  const CUT_PLAN = FILLED_PLAN.replace('时间安排：2027年3月1日至10月31日', '时间安排:\n2027年3月1日至10月31日');

  it('files the whole template, rebuilt from wechat4u\'s raw message', async () => {
    const { w, raw } = await wechat4uWorld();
    await setUpWechatDistrict(w, ['east']);
    const from = w.sent.length;
    const id = raw.deliver(webwx.text({ room: w.room.id, talker: w.people.east.id, text: CUT_PLAN }));
    // What the puppet itself made of it: the template up to "时间安排".
    const parsed = await w.puppet.messagePayload(id);
    expect(parsed.text).toMatch(/参与人数：约120人\n时间安排$/);
    await w.waitForSent(after(w, from, '竞赛计划已收到'));
    expect(await w.bot.app.db.plan.findFirstOrThrow()).toMatchObject({ startDate: '2027-03-01', endDate: '2027-10-31', type: 'wubiyichuang', keyProject: true });
  });

  it('says exactly what happened when the raw message is gone, and saves nothing', async () => {
    const { w, raw } = await wechat4uWorld();
    await setUpWechatDistrict(w, ['east']);
    const from = w.sent.length;
    raw.deliver(webwx.text({ room: w.room.id, talker: w.people.east.id, text: CUT_PLAN }), { evictAfterParse: true });
    const said = await w.waitForSent(after(w, from, '只收到了前半段'));
    expect(said.text).toContain('到“时间安排”为止');
    expect(said.text).toContain('“时间安排：内容”');
    expect(said.mentionIds).toEqual([w.people.east.id]);
    expect(await w.settle(from)).toHaveLength(1);
    expect(await w.bot.app.db.plan.count()).toBe(0);
  });
});

describe('throttling reported as a system message', () => {
  it('pauses the whole account when WeChat says "发送消息过于频繁" in a chat, not when a member types it', async () => {
    const { w, raw } = await wechat4uWorld();
    const adapter = w.bot.adapter<WechatAdapter>('wechat')!;
    // A member typing the words is not WeChat speaking.
    w.say(w.people.east, '发送消息过于频繁，可稍后再试。');
    await sleep(300);
    expect(adapter.sender.throttleState().pausedUntil).toBeNull();
    const id = raw.deliver(webwx.system({ room: w.room.id, text: '发送消息过于频繁，可稍后再试。' }));
    await eventually(() => adapter.sender.throttleState().pausedUntil !== null);
    const state = adapter.sender.throttleState();
    expect(state.last?.reason).toBe('发送消息过于频繁，可稍后再试。');
    expect(state.pausedUntil! - Date.now()).toBeGreaterThan(4 * 60_000);
    // puppet-wechat4u makes MsgType 10000 an Unknown message.
    expect((await w.puppet.messagePayload(id)).type).toBe(types.Message.Unknown);
  });
});

describe('messages sent while the bot was offline', () => {
  it('answers a 2-hour-old command with a note, lists 13-hour-old commands and templates in one note per group, and handles replays once', async () => {
    const w = (world = await startWechatWorld({ adapter: { offlineNoteDelayMs: 300 } }));
    await setUpWechatDistrict(w, ['east', 'west']);
    let from = w.sent.length;
    const recent = w.inject(w.people.east, '/help', 2 * 3600_000);
    // The help text is long (sent in parts): the note ends its first reply.
    await w.waitForSent(after(w, from, '（机器人离线期间收到，现已处理）'));
    expect(w.sent.slice(from).map((m) => m.text).join('')).toMatch(new RegExp(`^我是${BOT_NAME}[\\s\\S]*（机器人离线期间收到，现已处理）$`));
    const answered = (await w.settle(from)).length;
    // A replay is handled once; chatter is not for the bot, however recent.
    w.inject(w.people.east, '/help', 2 * 3600_000, { id: recent });
    w.inject(w.people.park, '大家好，今天开会', 2 * 3600_000);
    expect(await w.settle(from)).toHaveLength(answered);

    from = w.sent.length;
    const old = w.inject(w.people.west, '/mine', 13 * 3600_000);
    w.inject(w.people.east, FILLED_PLAN, 13 * 3600_000);
    w.inject(w.people.park, '收到', 13 * 3600_000);
    w.inject(w.people.west, '/mine', 13 * 3600_000, { id: old });
    w.inject(w.people.admin, '帮助', 14 * 3600_000, { atBot: true });
    const note = await w.waitForSent(after(w, from, '机器人离线期间，以下同志'));
    expect(note.text).toBe('机器人离线期间，以下同志发的消息没有处理（已超过 12 小时），请重新发送：西城张干事、东城李干事、王主席');
    // Once per login, however much old backlog still arrives.
    w.inject(w.people.east, '/mine', 20 * 3600_000);
    expect(await w.settle(from, 600)).toHaveLength(1);
    expect(await w.bot.app.db.plan.count()).toBe(0);
  });
});

describe('files: who and how big, before any download', () => {
  it('never downloads a spreadsheet shared by someone who is neither admin nor filer', async () => {
    const w = (world = await startWechatWorld());
    await setUpWechatDistrict(w, ['east']);
    const fetched: string[] = [];
    const messageFile = w.puppet.messageFile.bind(w.puppet);
    w.puppet.messageFile = async (id: string) => {
      fetched.push(id);
      return messageFile(id);
    };
    const share = (who: WechatWorld['people']['east'], name: string) => {
      const id = `file-${randomUUID()}`;
      w.mocker.cacheFileBoxPayload.set(id, FileBox.fromBase64(Buffer.from('a,b\n1,2\n').toString('base64'), name).toJSON());
      w.mocker.MessageMock.create({ id, talkerId: who.id, roomId: w.room.id, timestamp: Date.now(), type: types.Message.Attachment, text: name } as never);
      w.puppet.emit('message', { messageId: id });
      return id;
    };
    const from = w.sent.length;
    const stranger = share(w.people.park, '活动名单.xlsx');
    await sleep(300);
    expect(fetched).not.toContain(stranger);
    // An admin's (and a filer's) file is fetched: the pipeline keeps it for their /import.
    const admins = share(w.people.admin, '单位名单.csv');
    await w.waitForSent(after(w, from, '已收到「单位名单.csv」'));
    expect(fetched).toContain(admins);
    const filers = share(w.people.east, '东城计划表.xlsx');
    await eventually(() => fetched.includes(filers));
  });

  it('does not download a file wechat4u says is over 10 MB', async () => {
    const { w, raw } = await wechat4uWorld();
    await setUpWechatDistrict(w, ['east']);
    const from = w.sent.length;
    raw.deliver(webwx.file({ room: w.room.id, talker: w.people.admin.id, fileName: '全区名单.xlsx', size: 25 * 1024 * 1024 }), { doc: Buffer.alloc(16) });
    raw.deliver(webwx.file({ room: w.room.id, talker: w.people.admin.id, fileName: '单位名单.csv', size: 60 }), { doc: Buffer.from('单位名称,上级单位\n南城街道工会,测试区总工会\n') });
    await w.waitForSent(after(w, from, '已收到「单位名单.csv」'));
    expect(raw.downloaded).toHaveLength(1);
    expect(w.sent.slice(from).map((m) => m.text).join('\n')).not.toContain('全区名单');
  });
});

describe('wechat4u without a network', () => {
  it('stops the real puppet-wechat4u restarting in a tight loop, logs it once and retries on Saiwu\'s own backoff', async () => {
    const { PuppetWechat4u } = await import('wechaty-puppet-wechat4u');
    removeWechat4uCrashListener();
    // wechat4u's own class: its requests fail at once, as they do with no route to login.wx.qq.com.
    const Wechat4u = require('wechat4u') as { prototype: Record<string, unknown> };
    const proto = Wechat4u.prototype;
    // getUUID and logout are inherited from WechatCore (own properties shadow them); start is Wechat's own.
    const original = { start: proto.start as (...a: unknown[]) => unknown };
    let starts = 0;
    proto.getUUID = () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND login.wx.qq.com'), { code: 'ENOTFOUND' }));
    proto.logout = () => Promise.resolve('可能登出成功');
    proto.start = function (this: unknown, ...args: unknown[]) {
      starts += 1;
      return original.start.apply(this, args);
    };
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      const log = captureLog();
      bot = await startTestBot({ WECHAT_ENABLED: '1', LOG_LEVEL: 'info' }, { platformOptions: { wechat: { puppet: new PuppetWechat4u() } }, logDestination: log.destination });
      const adapter = bot.adapter<WechatAdapter>('wechat')!;
      await eventually(() => adapter.loginState().status === 'error' && log.text().includes('kept restarting'));
      const settled = starts;
      await sleep(500);
      expect(starts).toBe(settled);
      // puppet-wechat4u's logout → start() loop, unchecked, runs thousands of times a second.
      expect(starts).toBeLessThanOrEqual(30);
      expect(log.text().split('kept restarting')).toHaveLength(2);
      expect(adapter.loginState().error).toMatch(/微信连接反复失败.*1 分钟后重试/);
      await bot.close();
      bot = null;
      await sleep(50);
      expect(unhandled).toEqual([]);
      expect(log.text()).not.toContain('restart after a logout failed');
    } finally {
      process.off('unhandledRejection', onUnhandled);
      delete proto.getUUID;
      delete proto.logout;
      proto.start = original.start;
    }
  });
});

describe('a crash in the real process', () => {
  it('is logged through the app logger and exits non-zero, even with wechat4u loaded', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'saiwu-crash-'));
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    // Throws from a timer once the test drops a file: an exception nothing catches.
    const preload = path.join(dataDir, 'crash-on-signal.mjs');
    fs.writeFileSync(preload, [
      "import fs from 'node:fs';",
      'const t = setInterval(() => {',
      "  if (!fs.existsSync('crash-now')) return;",
      '  clearInterval(t);',
      "  setTimeout(() => { throw new Error('test crash after the puppet loaded'); });",
      '}, 25);',
      't.unref();',
    ].join('\n'));
    const child = spawn(process.execPath, ['--import', pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href, '--import', pathToFileURL(preload).href, path.join(ROOT, 'src', 'main.ts')], {
      cwd: dataDir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, PORT: String(port), REDIS_PREFIX: `t${randomUUID().slice(0, 8)}`, LOG_LEVEL: 'info', WECHAT_ENABLED: '1', WECHATY_LOG: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await eventually(() => out.includes('WeChat puppet started') || child.exitCode !== null, 20_000);
      expect(out).toContain('WeChat puppet started');
      fs.writeFileSync(path.join(dataDir, 'crash-now'), '');
      const code = await Promise.race([exited, sleep(15_000).then(() => 'timeout')]);
      expect(code).toBe(1);
      expect(out).toMatch(/"level":60[^\n]*"origin":"uncaughtException"[^\n]*Saiwu crashed/);
      expect(out).toContain('test crash after the puppet loaded');
      // wechat4u's own listener (console.log('uncaughtException', err)) was taken off.
      expect(out).toContain('removed a crash listener a library installed');
      expect(out).not.toMatch(/^uncaughtException Error/m);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});
