// WeChat identity on a puppet whose ids change at every login (wechat4u): a display name proves
// nothing. Real Saiwu, real Wechaty, wechaty-puppet-mock; mentions resolved by wechat4u's own parser.
import fs from 'node:fs';
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
  it('does not become admin: the admin record moves without its rights, until a claim code proves who is who', async () => {
    const log = captureLog();
    const w = (world = await startWechatWorld({
      stableIds: false,
      env: { ADMINS: 'local:admin', LOG_LEVEL: 'info' },
      logDestination: log.destination,
      extraMembers: [{ id: 'wx-impostor', name: '王主席' }],
      async beforeLogin(bot, { room, people }) {
        // The real admin has left the room; only the impostor answers to 王主席 there.
        room.payload.memberIdList.splice(room.payload.memberIdList.indexOf(people.admin.id), 1);
        await plantOldSession(bot, async (db) => {
          await db.member.create({ data: { platform: 'wechat', userId: '@old-admin', name: '王主席', role: 'admin' } });
        });
      },
    }));
    const db = w.bot.app.db;
    const impostor = w.mocker.ContactMock.load('wx-impostor');
    await eventually(async () => (await db.member.findFirst({ where: { userId: 'wx-impostor' } })) !== null);
    // The record followed the name (it is unique in the room and the old id is gone), the rights did not.
    const moved = await db.member.findFirstOrThrow({ where: { name: '王主席', platform: 'wechat' } });
    expect(moved).toMatchObject({ userId: 'wx-impostor', role: 'filer' });
    const units = await db.unit.count();
    let from = w.sent.length;
    impostor.say(`@${BOT_NAME}\u2005/unit add 冒名单位 上级=测试区总工会`, [w.botUser]).to(w.room);
    await w.waitForSent(after(w, from, '只有管理员可以使用'));
    expect(await db.unit.count()).toBe(units);
    const login = (await (await fetch(`${w.bot.url}/api/wechat/login`)).json()) as { problems: string[]; claimCode?: string };
    expect(login.problems.join('\n')).toContain('管理员「王主席」重新登录后需要确认身份');

    // The code is in the log and on the (loopback-only) page.
    const code = /WeChat admin claim code: (\d{8})/.exec(log.text())?.[1];
    expect(code).toBeDefined();
    expect(login.claimCode).toBe(code);
    // The real admin claims it in a private chat and is an admin again.
    from = w.sent.length;
    w.people.admin.say(`/admin claim ${code}`).to(w.botUser);
    await w.waitForSent(after(w, from, '您已确认为管理员'));
    expect(await db.member.findUnique({ where: { platform_userId: { platform: 'wechat', userId: w.people.admin.id } } })).toMatchObject({ role: 'admin' });
    // Used once: the impostor cannot use it again, and the page shows a new one.
    from = w.sent.length;
    impostor.say(`/admin claim ${code}`).to(w.botUser);
    await w.waitForSent(after(w, from, '认领码不对或已失效'));
    expect(await db.member.findFirstOrThrow({ where: { userId: 'wx-impostor' } })).toMatchObject({ role: 'filer' });
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
      extraMembers: [{ id: 'wx-impostor', name: '王主席' }],
      async beforeLogin(bot) {
        await plantOldSession(bot, async (db) => {
          await db.member.create({ data: { platform: 'wechat', userId: '@old-admin', name: '王主席', role: 'admin' } });
        });
      },
    }));
    const db = w.bot.app.db;
    expect(await db.member.findFirstOrThrow({ where: { name: '王主席', platform: 'wechat' } })).toMatchObject({ userId: '@old-admin', role: 'admin' });
    const from = w.sent.length;
    w.mocker.ContactMock.load('wx-impostor').say('/bind 测试区总工会').to(w.room);
    await w.waitForSent(after(w, from, '只有管理员可以使用'));
    const login = (await (await fetch(`${w.bot.url}/api/wechat/login`)).json()) as { problems: string[] };
    expect(login.problems.join('\n')).toContain('都叫「王主席」');
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
