// Platforms redeliver events; each is handled once. A redelivered message gets no second answer,
// and a form submitted twice is stored once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFilingBot, formOf, startTestBot, textOf, type LocalUser, type TestBot } from './support/harness.js';

let bot: TestBot;
let east: LocalUser;
beforeEach(async () => ({ bot, east } = await startFilingBot()));
afterEach(async () => bot.close());

const PLAN = '【竞赛计划】\n企业名称：东城建设集团\n竞赛项目：快速路劳动竞赛\n组织方式：班组\n参与人数：120\n时间安排：2027-03-01至2027-10-31\n竞赛类型：五比一创\n重点项目：否';
const VALUES = { enterpriseName: '东城建设集团', project: '表单竞赛', organizer: '班组', participants: '80', period: '2027-03-01至2027-10-31', type: '五小', keyProject: '否' };

describe('a redelivered message', () => {
  it('stores one plan, one revision, and the second delivery gets no replies', async () => {
    const first = await bot.say(east, PLAN, { messageId: 'om_same_message' });
    expect(textOf(first)).toContain('竞赛计划已收到');
    const second = await bot.say(east, PLAN, { messageId: 'om_same_message' });
    expect(second).toEqual([]);
    expect(await bot.app.db.plan.count()).toBe(1);
    expect(await bot.app.db.revision.count({ where: { entity: 'plan' } })).toBe(1);
    // The chat shows one receipt.
    const receipts = (await bot.transcript(east.chatId)).filter((m) => m.fromBot && m.text.includes('竞赛计划已收到'));
    expect(receipts).toHaveLength(1);
  });

  it('the same text as a new message is a re-filing, answered as such', async () => {
    await bot.say(east, PLAN, { messageId: 'm1' });
    expect(textOf(await bot.say(east, PLAN, { messageId: 'm2' }))).toContain('内容与上次相同，未产生新版本');
    expect(await bot.app.db.plan.count()).toBe(1);
  });

  it('a redelivered command is answered once', async () => {
    expect(textOf(await bot.say(east, '/deadlines', { messageId: 'cmd-1' }))).toContain('截止日期');
    expect(await bot.say(east, '/deadlines', { messageId: 'cmd-1' })).toEqual([]);
  });

  it('two deliveries arriving together still store one plan', async () => {
    const [a, b] = await Promise.all([bot.say(east, PLAN, { messageId: 'race' }), bot.say(east, PLAN, { messageId: 'race' })]);
    expect([a.length, b.length].sort()).toEqual([0, 1]);
    expect(await bot.app.db.plan.count()).toBe(1);
  });

  it('two different messages filing the same new project at once make one plan, not an error', async () => {
    const replies = await Promise.all([bot.say(east, PLAN, { messageId: 'x1' }), bot.say(east, PLAN, { messageId: 'x2' })]);
    const said = replies.map(textOf);
    expect(said.filter((t) => t.includes('竞赛计划已收到'))).toHaveLength(1);
    expect(said.filter((t) => t.includes('内容与上次相同'))).toHaveLength(1);
    expect(await bot.app.db.plan.count()).toBe(1);
  });

  it('ten versions of one new project written other ways, sent at once, make one plan', async () => {
    // Other quotes, spaces and widths: the unique key cannot tell they are one project; the check
    // before the write can, as long as no two checks run before either write.
    const ways = ['快速路劳动竞赛', '“快速路”劳动竞赛', '「快速路」劳动竞赛', '快速路 劳动竞赛', '《快速路》劳动竞赛', '快速路劳动竞赛 ', '"快速路"劳动竞赛', '『快速路』劳动竞赛', '‘快速路’劳动竞赛', '快速路　劳动竞赛'];
    const replies = await Promise.all(ways.map((w, i) => bot.say(east, PLAN.replace('快速路劳动竞赛', w), { messageId: `way-${i}` })));
    expect(replies.map(textOf).every((t) => !t.includes('抱歉'))).toBe(true);
    expect(await bot.app.db.plan.count()).toBe(1);
  });
});

describe('remembered event ids', () => {
  it('are kept for a month, so a redelivery is still recognised, and then forgotten', async () => {
    const fresh = await startTestBot();
    try {
      const day = 86_400_000;
      await fresh.app.db.processedEvent.createMany({
        data: [
          { platform: 'local', eventId: 'from-last-year', createdAt: new Date(Date.now() - 40 * day) },
          { platform: 'local', eventId: 'from-last-week', createdAt: new Date(Date.now() - 7 * day) },
        ],
      });
      const user = { userId: 'u', userName: '某人', chatId: 'c' };
      expect(textOf(await fresh.say(user, '/help'))).toContain('我是赛务助手');
      const ids = (await fresh.app.db.processedEvent.findMany()).map((e) => e.eventId);
      expect(ids).not.toContain('from-last-year');
      expect(await fresh.say(user, '/help', { messageId: 'from-last-week' })).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});

describe('a delivery that failed', () => {
  it('stores nothing, says so, and is handled when the platform delivers it again', async () => {
    // Break the revision table so the filing's transaction fails half-way.
    await bot.app.db.$executeRawUnsafe('ALTER TABLE "Revision" RENAME TO "Revision_away"');
    const failed = textOf(await bot.say(east, PLAN, { messageId: 'flaky' }));
    expect(failed).toContain('内容没有保存');
    await bot.app.db.$executeRawUnsafe('ALTER TABLE "Revision_away" RENAME TO "Revision"');
    expect(await bot.app.db.plan.count()).toBe(0);

    const retried = textOf(await bot.say(east, PLAN, { messageId: 'flaky' }));
    expect(retried).toContain('竞赛计划已收到');
    expect(await bot.app.db.plan.count()).toBe(1);
    expect(await bot.say(east, PLAN, { messageId: 'flaky' })).toEqual([]);
  });
});

describe('a form submitted twice', () => {
  it('with the same formId is stored once and the second submit gets no replies', async () => {
    const form = formOf(await bot.say(east, '/plan'));
    expect(textOf(await bot.submit(east, form.formId, VALUES))).toContain('竞赛计划已收到');
    expect(await bot.submit(east, form.formId, VALUES)).toEqual([]);
    expect(await bot.app.db.plan.count()).toBe(1);
    expect(await bot.app.db.revision.count({ where: { entity: 'plan' } })).toBe(1);
  });

  it('a double click (both at once) is stored once', async () => {
    const form = formOf(await bot.say(east, '/plan'));
    const [a, b] = await Promise.all([bot.submit(east, form.formId, VALUES), bot.submit(east, form.formId, VALUES)]);
    expect([a.length, b.length].sort()).toEqual([0, 1]);
    expect(await bot.app.db.plan.count()).toBe(1);
  });
});
