// WeChat identity on a puppet whose ids change at every login (wechat4u): a display name proves
// nothing. Real Saiwu, real Wechaty, wechaty-puppet-mock; mentions resolved by wechat4u's own parser.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { types } from 'wechaty';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLog } from './support/harness.js';
import { BOT_NAME, setUpWechatDistrict, startWechatWorld, type WechatWorld } from './support/wechat-world.js';

let world: WechatWorld | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const after = (w: WechatWorld, from: number, needle: string) => (m: { text?: string }) => w.sent.indexOf(m as never) >= from && Boolean(m.text?.includes(needle));

/** The records a previous login left: the district, East, a 2027 campaign and the bound room's topic. */
async function plantOldSession(bot: WechatWorld['bot'], extra: (db: WechatWorld['bot']['app']['db'], ids: { district: number; east: number; campaign: number }) => Promise<void>) {
  const admin = { userId: 'admin', userName: '王主席', chatId: 'setup' };
  for (const step of ['/unit add 测试区总工会', '/unit add 东城街道工会 上级=测试区总工会', '/campaign add 2027']) await bot.say(admin, step);
  const db = bot.app.db;
  const district = (await db.unit.findFirstOrThrow({ where: { name: '测试区总工会' } })).id;
  const east = (await db.unit.findFirstOrThrow({ where: { name: '东城街道工会' } })).id;
  const campaign = (await db.campaign.findFirstOrThrow()).id;
  await db.chatBinding.create({ data: { platform: 'wechat', chatId: '@@old-district', topic: '测试区竞赛工作群', unitId: district, campaignId: campaign } });
  await extra(db, { district, east, campaign });
}

describe('a contact renamed "王主席"', () => {
  it('does not become admin or judge; the real admin proves who they are with the claim code', async () => {
    const log = captureLog();
    const w = (world = await startWechatWorld({
      stableIds: false,
      env: { ADMINS: 'local:admin', LOG_LEVEL: 'info' },
      logDestination: log.destination,
      extraMembers: [{ id: 'wx-impostor', name: '王主席' }, { id: 'wx-fake-judge', name: '外聘评委' }],
      async beforeLogin(bot, { room, people }) {
        // The real admin has left the room; only the impostor answers to 王主席 there.
        room.payload.memberIdList.splice(room.payload.memberIdList.indexOf(people.admin.id), 1);
        await plantOldSession(bot, async (db, ids) => {
          await db.member.create({ data: { platform: 'wechat', userId: '@old-admin', name: '王主席', role: 'admin' } });
          await db.member.create({ data: { platform: 'wechat', userId: '@old-judge', name: '外聘评委', judge: true } });
          await db.competition.create({ data: { campaignId: ids.campaign, name: '地铁竞赛', criteria: JSON.stringify([{ name: '质量', weight: 1 }]) } });
        });
      },
    }));
    const db = w.bot.app.db;
    const impostor = w.mocker.ContactMock.load('wx-impostor');
    let login = { problems: [] as string[], claimCode: undefined as string | undefined };
    await eventually(async () => {
      login = (await (await fetch(`${w.bot.url}/api/wechat/login`)).json()) as typeof login;
      return login.problems.length >= 2;
    });
    // Admin and judge rights stay with their old records; the page says who must re-confirm.
    expect(login.problems.join('\n')).toContain('管理员「王主席」重新登录后需要确认身份');
    expect(login.problems.join('\n')).toContain('评委「外聘评委」重新登录后需要确认身份');
    const units = await db.unit.count();
    let from = w.sent.length;
    impostor.say(`@${BOT_NAME}\u2005/unit add 冒名单位 上级=测试区总工会`, [w.botUser]).to(w.room);
    await w.waitForSent(after(w, from, '只有管理员可以使用'));
    expect(await db.unit.count()).toBe(units);
    from = w.sent.length;
    w.mocker.ContactMock.load('wx-fake-judge').say(`@${BOT_NAME}\u2005/score 地铁竞赛 一标段 质量=1`, [w.botUser]).to(w.room);
    await w.waitForSent(after(w, from, '只有管理员和评委可以使用'));
    expect(await db.score.count()).toBe(0);
    expect(await db.member.findFirstOrThrow({ where: { name: '王主席', platform: 'wechat' } })).toMatchObject({ userId: '@old-admin', role: 'admin' });
    expect(await db.member.findFirstOrThrow({ where: { name: '外聘评委' } })).toMatchObject({ userId: '@old-judge', judge: true });

    // The code is in the log and on the (loopback-only) page.
    const code = /WeChat admin claim code: (\d{8})/.exec(log.text())?.[1];
    expect(code).toBeDefined();
    expect(login.claimCode).toBe(code);
    // The real admin claims it in a private chat and is an admin again.
    from = w.sent.length;
    w.people.admin.say(`/admin claim ${code}`).to(w.botUser);
    await w.waitForSent(after(w, from, '您已确认为管理员'));
    // The old admin record (the code proved its owner) now carries the new id.
    expect(await db.member.findUnique({ where: { platform_userId: { platform: 'wechat', userId: w.people.admin.id } } })).toMatchObject({ role: 'admin' });
    expect(await db.member.count({ where: { userId: '@old-admin' } })).toBe(0);
    // Used once: the impostor cannot use it again, and the page shows a new one.
    from = w.sent.length;
    impostor.say(`/admin claim ${code}`).to(w.botUser);
    await w.waitForSent(after(w, from, '认领码不对或已失效'));
    expect(await db.member.count({ where: { userId: 'wx-impostor', role: 'admin' } })).toBe(0);
    const next = (await (await fetch(`${w.bot.url}/api/wechat/login`)).json()) as { claimCode?: string };
    expect(next.claimCode).toMatch(/^\d{8}$/);
    expect(next.claimCode).not.toBe(code);
    const claims = await db.revision.findMany({ where: { entity: 'member', action: 'admin-claim' } });
    expect(claims).toHaveLength(1);
  });

  it('gets nobody\'s record when two people in the room answer to the name', async () => {
    const w = (world = await startWechatWorld({
      stableIds: false,
      env: { ADMINS: 'local:admin' },
      extraMembers: [{ id: 'wx-impostor', name: '王主席' }, { id: 'wx-fake-east', name: '东城李干事' }],
      async beforeLogin(bot) {
        await plantOldSession(bot, async (db, ids) => {
          await db.member.create({ data: { platform: 'wechat', userId: '@old-admin', name: '王主席', role: 'admin' } });
          await db.member.create({ data: { platform: 'wechat', userId: '@old-east', name: '东城李干事', unitId: ids.east } });
        });
      },
    }));
    const db = w.bot.app.db;
    let login = { problems: [] as string[] };
    await eventually(async () => {
      login = (await (await fetch(`${w.bot.url}/api/wechat/login`)).json()) as typeof login;
      return login.problems.some((p) => p.includes('都叫「东城李干事」'));
    });
    expect(await db.member.findFirstOrThrow({ where: { name: '东城李干事' } })).toMatchObject({ userId: '@old-east' });
    let from = w.sent.length;
    w.mocker.ContactMock.load('wx-fake-east').say(`@${BOT_NAME}\u2005/mine`, [w.botUser]).to(w.room);
    await w.waitForSent(after(w, from, '您还没有登记所属单位'));
    expect(await db.member.findFirstOrThrow({ where: { name: '东城李干事' } })).toMatchObject({ userId: '@old-east' });
    from = w.sent.length;
    w.mocker.ContactMock.load('wx-impostor').say('/bind 测试区总工会').to(w.room);
    await w.waitForSent(after(w, from, '只有管理员可以使用'));
    expect(await db.member.findFirstOrThrow({ where: { name: '王主席', platform: 'wechat' } })).toMatchObject({ userId: '@old-admin' });
  });
});

describe('a record moves to a new id by name only', () => {
  it('when the old id is gone from every bound room, not merely from the room where the name spoke', async () => {
    const w = (world = await startWechatWorld({
      stableIds: false,
      env: { ADMINS: 'local:admin' },
      async beforeLogin(bot, { mocker, botUser, people }) {
        const fake = mocker.createContact({ id: 'wx-fake', name: '东城李干事' });
        const second = mocker.createRoom({ id: 'east@chatroom', topic: '东城工作群', memberIdList: [botUser.id, fake.id] });
        await plantOldSession(bot, async (db, ids) => {
          await db.member.create({ data: { platform: 'wechat', userId: people.east.id, name: '东城李干事', unitId: ids.east } });
          await db.chatBinding.create({ data: { platform: 'wechat', chatId: second.id, topic: '东城工作群', unitId: ids.district, campaignId: ids.campaign } });
        });
      },
    }));
    const db = w.bot.app.db;
    const from = w.sent.length;
    // East is still in the district room under their id; someone called 东城李干事 speaks in the other room.
    w.mocker.ContactMock.load('wx-fake').say(`@${BOT_NAME}\u2005/mine`, [w.botUser]).to(w.mocker.RoomMock.load('east@chatroom'));
    await w.waitForSent(after(w, from, '您还没有登记所属单位'));
    expect(await db.member.findFirstOrThrow({ where: { name: '东城李干事' } })).toMatchObject({ userId: w.people.east.id });
    expect(await db.member.count({ where: { userId: 'wx-fake' } })).toBe(0);
  });
});

describe('the admin claim code', () => {
  it('is refused, and burnt, when posted in a group; wrong codes are refused', async () => {
    const log = captureLog();
    const w = (world = await startWechatWorld({ env: { ADMINS: 'local:admin', LOG_LEVEL: 'info' }, logDestination: log.destination }));
    const code = /WeChat admin claim code: (\d{8})/.exec(log.text())![1];
    let from = w.sent.length;
    const wrong = `${code[0] === '1' ? '2' : '1'}${code.slice(1)}`;
    w.people.park.say(`/admin claim ${wrong}`).to(w.botUser);
    await w.waitForSent(after(w, from, '认领码不对或已失效'));
    from = w.sent.length;
    w.people.park.say(`@${BOT_NAME}\u2005/管理员 认领 ${code}`, [w.botUser]).to(w.room);
    await w.waitForSent(after(w, from, '认领码只能私聊机器人发送'));
    from = w.sent.length;
    w.people.park.say(`/admin claim ${code}`).to(w.botUser);
    await w.waitForSent(after(w, from, '认领码不对或已失效'));
    expect(await w.bot.app.db.member.count({ where: { platform: 'wechat', role: 'admin' } })).toBe(0);
  });

  it('is not shown through a reverse proxy on this machine when ADMIN_TOKEN is not set', async () => {
    const w = (world = await startWechatWorld({ env: { ADMINS: 'local:admin', PUBLIC_BASE_URL: 'https://bot.example.org' } }));
    const get = (headers: Record<string, string>) => new Promise<number>((resolve, reject) => {
      const u = new URL(`${w.bot.url}/api/wechat/login`);
      http.get({ hostname: u.hostname, port: u.port, path: u.pathname, headers }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    // nginx on the same host: the connection comes from 127.0.0.1, the Host is the public name.
    expect(await get({ host: 'bot.example.org' })).toBe(401);
    expect(await get({ host: `127.0.0.1:${new URL(w.bot.url).port}`, 'x-forwarded-for': '203.0.113.9' })).toBe(401);
    expect(await get({ host: `127.0.0.1:${new URL(w.bot.url).port}` })).toBe(200);
  });

  it('is shown only to this machine when ADMIN_TOKEN is not set, and with the token when it is', async () => {
    const w = (world = await startWechatWorld({ env: { ADMINS: 'local:admin', ADMIN_TOKEN: 'page-token-8Hs2' } }));
    expect((await fetch(`${w.bot.url}/api/wechat/login`)).status).toBe(401);
    const ok = (await (await fetch(`${w.bot.url}/api/wechat/login?token=page-token-8Hs2`)).json()) as { claimCode?: string };
    expect(ok.claimCode).toMatch(/^\d{8}$/);
  });
});

describe('the WeChat memory card', () => {
  it('is readable by the server\'s user only', async () => {
    const w = (world = await startWechatWorld());
    const card = path.join(w.bot.dataDir, 'saiwu.memory-card.json');
    expect(fs.statSync(card).mode & 0o777).toBe(0o600);
    expect(fs.statSync(w.bot.dataDir).mode & 0o777).toBe(0o700);
  });
});

describe('/admin add @某人', () => {
  /** A message as wechat4u delivers it: mention ids found by its own parser, by display name. */
  async function sayAsWechat4u(w: WechatWorld, from: { id: string }, text: string): Promise<void> {
    const parser = path.join(process.cwd(), 'node_modules/wechaty-puppet-wechat4u/dist/esm/src/wechat4u/utils/parse-mention-id-list.js');
    const { parseMentionIdList } = (await import(pathToFileURL(parser).href)) as { parseMentionIdList: (puppet: unknown, roomId: string, text: string) => Promise<string[]> };
    const mentionIdList = await parseMentionIdList(w.puppet, w.room.id, text);
    const id = `wx4u-${Math.random().toString(36).slice(2)}`;
    w.mocker.MessageMock.create({ id, talkerId: from.id, roomId: w.room.id, timestamp: Date.now(), type: types.Message.Text, text, mentionIdList } as never);
    w.puppet.emit('message', { messageId: id });
  }

  it('refuses when the @name matches more people than were @-mentioned (wechat4u resolves by name)', async () => {
    const w = (world = await startWechatWorld({ extraMembers: [{ id: 'wx-li-1', name: '李四' }, { id: 'wx-li-2', name: '李四' }, { id: 'wx-wang5', name: '王五' }] }));
    await setUpWechatDistrict(w, []);
    let from = w.sent.length;
    await sayAsWechat4u(w, w.people.admin, `@${BOT_NAME}\u2005/admin add @李四\u2005`);
    await w.waitForSent(after(w, from, '群里不止一人叫这个名字'));
    expect(await w.bot.app.db.member.count({ where: { userId: { in: ['wx-li-1', 'wx-li-2'] }, role: 'admin' } })).toBe(0);
    // A name only one person has works.
    from = w.sent.length;
    await sayAsWechat4u(w, w.people.admin, `@${BOT_NAME}\u2005/admin add @王五\u2005`);
    await w.waitForSent(after(w, from, '已将 王五 设为管理员'));
    expect(await w.bot.app.db.member.findFirstOrThrow({ where: { userId: 'wx-wang5' } })).toMatchObject({ role: 'admin' });
  });
});
