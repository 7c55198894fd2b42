// State that decides what the bot does lives where every bot process sees it. A spreadsheet sent in a
// group waits for its sender's /导入 in Redis (with a time limit, a size limit, and a plain answer while
// Redis is away), so the command may reach another process. A Lark form submit that is handled again
// (a second click, or a redelivery that reached another process on the same PostgreSQL database)
// shows what the first submit saved instead of a bare "already handled". And a rush of filings from
// many units at once loses nothing.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { Bot } from '../src/bot.js';
import { createCommands } from '../handlers/index.js';
import { setUpDistrict, startTestBot, textOf, type LocalUser, type TestBot } from './support/harness.js';
import { BOT, EAST, LARK_GROUP, setUpLarkDistrict, startLarkBot, type LarkTestBot } from './support/lark-bot.js';
import { formSubmit } from './support/lark-payloads.js';
import { postgresProblem, tempDatabase } from './support/postgres.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const ROSTER = '单位名称,上级单位,职工数\n南城街道工会,测试区总工会,3000\n';
const attach = (fileName: string, data: string) => ({ file: { fileName, base64: Buffer.from(data).toString('base64') } });
const planText = (unit: string, project: string) =>
  `【竞赛计划】\n企业名称：${unit}建设集团\n竞赛项目：${project}\n组织方式：班组\n参与人数：120\n时间安排：2027-03-01至2027-10-31\n竞赛类型：五比一创\n重点项目：否`;

async function filingBot(env: Record<string, string> = {}): Promise<TestBot> {
  const bot = await startTestBot(env);
  cleanup.push(() => bot.close());
  bot.setNow('2027-02-10T10:00:00+08:00');
  return bot;
}

describe('a spreadsheet sent in a group', () => {
  it('waits in Redis for its sender\'s /导入, for 10 minutes, and is used once', async () => {
    const bot = await filingBot();
    const { admin } = await setUpDistrict(bot);
    expect(textOf(await bot.say(admin, '', attach('名单.csv', ROSTER)))).toContain('已收到「名单.csv」');
    const redis = bot.redis.connection;
    const keys = await redis.keys(`${bot.config.redisPrefix}:held-file:*`);
    expect(keys).toHaveLength(1);
    const ttl = await redis.pttl(keys[0]);
    expect(ttl).toBeGreaterThan(9 * 60_000);
    expect(ttl).toBeLessThanOrEqual(10 * 60_000);
    expect(textOf(await bot.say(admin, '/导入'))).toContain('单位名单已导入');
    expect(await bot.app.db.unit.findFirst({ where: { name: '南城街道工会' } })).toMatchObject({ headcount: 3000 });
    expect(await redis.exists(keys[0])).toBe(0);
    // Used up: the next /导入 has no file and sends the template.
    expect(textOf(await bot.say(admin, '/导入'))).not.toContain('已导入');
  });

  it('is refused above the size limit, and explained to an admin when Redis is away', async () => {
    const bot = await filingBot();
    await setUpDistrict(bot);
    const msg = { platform: 'local' as const, chatId: 'district-group', chatType: 'group' as const, userId: 'admin', userName: '王主席', text: '', mentions: [] };
    const big = { fileName: '大表.xlsx', data: Buffer.alloc(11 * 1024 * 1024) };
    expect(textOf(await bot.bot.handleMessage({ ...msg, eventId: randomUUID(), attachment: big }) as never)).toContain('太大（超过 10 MB）');
    expect(await bot.redis.connection.keys(`${bot.config.redisPrefix}:held-file:*`)).toEqual([]);

    // A Redis that does not answer: the file is not kept, and the admin knows what to do instead.
    const away = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    away.on('error', () => undefined);
    const without = new Bot(bot.app, createCommands(), [], away);
    const said = await without.handleMessage({ ...msg, eventId: randomUUID(), attachment: { fileName: '名单.csv', data: Buffer.from(ROSTER) } });
    expect(textOf(said as never)).toContain('暂时无法暂存「名单.csv」');
    // The command then runs without a file (the template), not with an error.
    expect(textOf(await without.handleMessage({ ...msg, eventId: randomUUID(), text: '/导入' }) as never)).not.toContain('出错');
  });
});

describe('a rush of filings', () => {
  it('20 units filing at once, twice each, all listed by /我的 with their revisions, a redelivery handled once', async () => {
    const bot = await filingBot();
    const { admin, chatId } = await setUpDistrict(bot);
    const filers: LocalUser[] = [];
    for (let i = 1; i <= 20; i++) {
      expect(textOf(await bot.say(admin, `/单位 添加 第${i}社区工会 上级=测试区总工会 职工数=300`))).toContain('✅');
      const filer = { userId: `f${i}`, userName: `第${i}社区联络员`, chatId };
      expect(textOf(await bot.say(filer, `/加入 第${i}社区工会`))).toContain('✅');
      filers.push(filer);
    }
    const first = await Promise.all(filers.map((f, i) => bot.say(f, planText(`第${i + 1}社区`, '岗位练兵劳动竞赛'), { messageId: `rush-${i}` })));
    // The same plan again (a revision) and one message delivered twice, all at once.
    const second = await Promise.all([
      ...filers.map((f, i) => bot.say(f, planText(`第${i + 1}社区`, '岗位练兵劳动竞赛').replace('参与人数：120', '参与人数：150'))),
      bot.say(filers[0], planText('第1社区', '岗位练兵劳动竞赛'), { messageId: 'rush-0' }),
    ]);
    expect(first.map(textOf).every((t) => t.includes('竞赛计划已收到'))).toBe(true);
    expect(second.slice(0, 20).map(textOf).every((t) => t.includes('第2版') && t.includes('参与人数 120人→150人'))).toBe(true);
    expect(second[20]).toEqual([]);
    expect(await bot.app.db.plan.count()).toBe(20);
    expect(await bot.app.db.revision.count({ where: { entity: 'plan' } })).toBe(40);
    for (const [i, f] of filers.entries()) expect(textOf(await bot.say(f, '/我的'))).toMatch(new RegExp(`#\\d+ 岗位练兵劳动竞赛（第${i + 1}社区建设集团，五比一创，150人`));
  });
});

describe('the sender of a message', () => {
  it('files under a new display name, kept before the filing uses it', async () => {
    const bot = await filingBot();
    const { east } = await setUpDistrict(bot);
    await bot.say(east, '/加入 东城街道工会');
    const renamed = { ...east, userName: '东城李主任' };
    expect(textOf(await bot.say(renamed, planText('东城', '快速路劳动竞赛')))).toContain('@东城李主任 ✅ 竞赛计划已收到');
    expect(await bot.app.db.member.findFirst({ where: { userId: east.userId } })).toMatchObject({ name: '东城李主任' });
    expect(await bot.app.db.plan.findFirst()).toMatchObject({ filedBy: '东城李主任' });
  });
});

const problem = await postgresProblem('the tests of two bot processes on one database');

describe.skipIf(Boolean(problem))('two bot processes on one PostgreSQL database and one Redis', () => {
  async function twoBots<T extends TestBot | LarkTestBot>(start: (env: Record<string, string>) => Promise<T>): Promise<[T, T]> {
    const db = await tempDatabase();
    cleanup.push(() => db.drop());
    const env = { DATABASE_URL: db.url, REDIS_PREFIX: `t${randomUUID().slice(0, 8)}` };
    const a = await start(env);
    cleanup.push(() => a.close());
    const b = await start(env);
    cleanup.push(() => b.close());
    return [a, b];
  }

  it('a file held by one process is imported by the other', async () => {
    const [a, b] = await twoBots((env) => startTestBot(env));
    const { admin } = await setUpDistrict(a);
    expect(textOf(await a.say(admin, '', attach('名单.csv', ROSTER)))).toContain('已收到「名单.csv」');
    expect(textOf(await b.say(admin, '/导入'))).toContain('单位名单已导入');
    expect(await b.app.db.unit.findFirst({ where: { name: '南城街道工会' } })).toMatchObject({ headcount: 3000 });
  }, 30_000);

  it('a card submit redelivered to the other process shows the receipt of what was saved', async () => {
    const [a, b] = await twoBots((env) => startLarkBot(env));
    for (const t of [a, b]) t.bot.setNow('2027-02-10T10:00:00+08:00');
    await setUpLarkDistrict(a);
    await a.say(EAST, '@_user_1 /plan', { mentions: [BOT] });
    const card = a.fake.messages.filter((m) => m.via === 'create' && m.msgType === 'interactive' && m.to === EAST.openId).at(-1)!.content as { body: { elements: any[] } };
    const button = card.body.elements.flatMap((e) => (e.tag === 'form' ? [e, ...e.elements] : [e])).find((e) => e.tag === 'button' && e.form_action_type === 'submit');
    const value = button.behaviors[0].value;
    const formValue = { enterpriseName: '东城建设集团', project: '快速路劳动竞赛', organizer: '班组', participants: '120', period_start: '2027-03-01 +0800', period_end: '2027-10-31 +0800', type: '五比一创', keyProject: '否' };

    // Before the first process has filed anything (it holds the claim), the other one says it has the
    // submit and leaves the card as it is.
    const early = formSubmit({ from: EAST, chatId: LARK_GROUP, value, formValue, eventId: 'ev-early' });
    await b.bot.app.db.processedEvent.create({ data: { platform: 'lark', eventId: `card-form:${value.instance}` } });
    const waiting = await b.dispatch(early);
    expect(waiting.toast).toMatchObject({ type: 'info' });
    expect(waiting.toast.content).toContain('已经收到');
    expect(waiting.card).toBeUndefined();
    await b.bot.app.db.processedEvent.deleteMany({ where: { eventId: `card-form:${value.instance}` } });

    // The first process files it; Lark redelivers the same callback to the second process.
    const payload = formSubmit({ from: EAST, chatId: LARK_GROUP, value, formValue, eventId: 'ev-1' });
    const first = await a.dispatch(payload);
    expect(first.toast.type).toBe('success');
    const again = await b.dispatch(payload);
    expect(again.toast).toMatchObject({ type: 'info' });
    expect(again.toast.content).toContain('已经处理过了');
    const receipt = JSON.stringify(again.card.data);
    const plan = await a.bot.app.db.plan.findFirstOrThrow();
    expect(receipt).toContain(`竞赛计划已保存：计划编号 #${plan.id} 东城街道工会「快速路劳动竞赛」`);
    // Filed once, whichever process saw it.
    expect(await a.bot.app.db.plan.count()).toBe(1);
    expect(await a.bot.app.db.revision.count({ where: { entity: 'plan' } })).toBe(1);
  }, 30_000);
});
