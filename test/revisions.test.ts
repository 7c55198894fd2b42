// Re-filing keeps history: the same 竞赛项目 (or the same plan's summary, or the unit's year-end
// report) filed again becomes a new version and the previous values stay in the revision log; an
// identical re-filing changes nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFilingBot, formOf, textOf, type LocalUser, type TestBot } from './support/harness.js';

let bot: TestBot;
let east: LocalUser;
beforeEach(async () => ({ bot, east } = await startFilingBot()));
afterEach(async () => bot.close());

const plan = (project: string, participants: string, enterprise = '东城建设集团') =>
  `【竞赛计划】\n企业名称：${enterprise}\n竞赛项目：${project}\n组织方式：班组\n参与人数：${participants}\n时间安排：2027-03-01至2027-10-31\n竞赛类型：五比一创\n重点项目：否`;
const revisions = (entity: string, entityId: number) => bot.app.db.revision.findMany({ where: { entity, entityId }, orderBy: { version: 'asc' } });

describe('plans', () => {
  it('the same 竞赛项目 again is version 2 with the old values kept; identical again adds nothing', async () => {
    const first = textOf(await bot.say(east, plan('快速路劳动竞赛', '120'), { messageId: 'msg-1' }));
    const id = Number(first.match(/计划编号 #(\d+)/)![1]);

    bot.setNow('2027-02-12T09:00:00+08:00');
    const second = textOf(await bot.say({ ...east, userName: '东城李干事（改）' }, plan('快速路劳动竞赛', '150'), { messageId: 'msg-2' }));
    expect(second).toContain(`竞赛计划已更新（第2版）：计划编号 #${id}`);
    expect(second).toContain(`原内容已留存：/修改记录 ${id}`);
    expect(second).toContain('改了：参与人数 120人→150人');

    const row = await bot.app.db.plan.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ participants: 150, version: 2 });
    expect(await bot.app.db.plan.count()).toBe(1);

    const log = await revisions('plan', id);
    expect(log.map((r) => [r.version, r.action])).toEqual([[1, 'create'], [2, 'update']]);
    expect(log[0].previousValues).toBeNull();
    expect(JSON.parse(log[1].previousValues!)).toMatchObject({ participants: 120, enterpriseName: '东城建设集团', startDate: '2027-03-01' });
    expect(JSON.parse(log[1].newValues)).toMatchObject({ participants: 150 });
    // Who, when and from which message.
    expect(log[1]).toMatchObject({ actorPlatform: 'local', actorUserId: 'east', actorName: '东城李干事（改）', sourceMessageId: 'msg-2' });
    expect(log[1].createdAt.toISOString()).toBe('2027-02-12T01:00:00.000Z');

    const third = textOf(await bot.say(east, plan('快速路劳动竞赛', '150'), { messageId: 'msg-3' }));
    expect(third).toContain('内容与上次相同，未产生新版本');
    expect((await bot.app.db.plan.findUniqueOrThrow({ where: { id } })).version).toBe(2);
    expect(await revisions('plan', id)).toHaveLength(2);
  });

  it('a different 竞赛项目 is a new plan, not a change', async () => {
    await bot.say(east, plan('快速路劳动竞赛', '120'));
    const other = textOf(await bot.say(east, plan('供水安康杯', '80')));
    expect(other).toContain('竞赛计划已收到');
    expect(await bot.app.db.plan.count()).toBe(2);
  });

  it('warns when a re-filing names another enterprise, since it replaces the first one\'s plan', async () => {
    await bot.say(east, plan('安康杯竞赛', '120', '甲公司'));
    const reply = textOf(await bot.say(east, plan('安康杯竞赛', '120', '乙公司')));
    expect(reply).toContain('已更新（第2版');
    expect(reply).toContain('企业名称与原来不同（原为「甲公司」）');
    const [log] = (await revisions('plan', 1)).slice(-1);
    expect(JSON.parse(log.previousValues!).enterpriseName).toBe('甲公司');
  });

  it('re-filing through the form is versioned the same way', async () => {
    await bot.say(east, plan('快速路劳动竞赛', '120'));
    const form = formOf(await bot.say(east, '/plan'));
    const reply = textOf(await bot.submit(east, form.formId, {
      enterpriseName: '东城建设集团', project: '快速路劳动竞赛', organizer: '班组', participants: '120',
      period: '2027-04-01至2027-10-31', type: '五比一创', keyProject: '否', budget: '20000',
    }));
    expect(reply).toContain('第2版');
    // A long value is named, with the new one among the key facts; a short one shows old→new.
    expect(reply).toContain('改了：时间安排、经费预算 （未填）→20,000元');
    expect(reply).toContain('2027年4月1日至2027年10月31日');
    expect(JSON.parse((await revisions('plan', 1))[1].previousValues!)).toMatchObject({ startDate: '2027-03-01', budgetFen: null });
  });
});

describe('summaries and year-end reports', () => {
  it('a second summary of the same plan is version 2; identical again adds nothing', async () => {
    await bot.say(east, plan('快速路劳动竞赛', '120'));
    bot.setNow('2027-10-01T10:00:00+08:00');
    const summary = (spent: string) => `【竞赛总结】\n计划编号：1\n实际参与人数：118\n经费支出：${spent}\n获奖级别：市级\n获奖情况：市五一劳动奖状`;
    expect(textOf(await bot.say(east, summary('45,800')))).toContain('竞赛总结已收到');
    const again = textOf(await bot.say(east, summary('46,200.50')));
    expect(again).toContain('竞赛总结已更新（第2版）');
    expect(again).toContain('原内容已留存：/修改记录 1');
    expect(again).toContain('经费支出 45,800元→46,200.5元');
    const row = await bot.app.db.summary.findUniqueOrThrow({ where: { planId: 1 } });
    expect(row).toMatchObject({ expenditureFen: 4_620_050, version: 2 });
    const log = await revisions('summary', row.id);
    expect(log).toHaveLength(2);
    expect(JSON.parse(log[1].previousValues!)).toMatchObject({ expenditureFen: 4_580_000, awardLevel: 'city' });

    expect(textOf(await bot.say(east, summary('46,200.50')))).toContain('内容与上次相同');
    expect(await revisions('summary', row.id)).toHaveLength(2);
  });

  it('a second year-end report of the unit is version 2 with the old text kept', async () => {
    bot.setNow('2027-12-20T10:00:00+08:00');
    const report = (problems: string) => `【年度报告】\n主要经验：以重点工程为依托\n存在问题：${problems}\n意见建议：增加经费`;
    expect(textOf(await bot.say(east, report('参与面不广')))).toContain('年度报告已收到');
    const again = textOf(await bot.say(east, report('参与面不广，\n小微企业覆盖不够')));
    expect(again).toContain('年度报告已更新（第2版）');
    expect(again).toContain('原内容已留存：/修改记录 年报');
    expect(again).toContain('改了：存在问题');
    const row = await bot.app.db.yearReport.findFirstOrThrow();
    expect(row).toMatchObject({ version: 2, problems: '参与面不广，\n小微企业覆盖不够' });
    expect(JSON.parse((await revisions('report', row.id))[1].previousValues!)).toEqual({ experiences: '以重点工程为依托', problems: '参与面不广', suggestions: '增加经费' });
    expect(textOf(await bot.say(east, report('参与面不广，\n小微企业覆盖不够')))).toContain('内容与上次相同');
    expect(await bot.app.db.revision.count({ where: { entity: 'report' } })).toBe(2);
  });

  it('progress updates accumulate, each with its own revision', async () => {
    await bot.say(east, plan('快速路劳动竞赛', '120'));
    bot.setNow('2027-05-02T09:00:00+08:00');
    for (const day of ['2027-04-01', '2027-05-01']) {
      expect(textOf(await bot.say(east, `【竞赛进度】\n计划编号：1\n日期：${day}\n进展情况：阶段比武`))).toContain('竞赛进度已收到');
    }
    expect(await bot.app.db.progressUpdate.count()).toBe(2);
    expect(await bot.app.db.revision.count({ where: { entity: 'progress' } })).toBe(2);
  });
});

describe('/history', () => {
  it('shows every version of a plan and its summary with who changed what, and only to those allowed', async () => {
    const first = textOf(await bot.say(east, plan('快速路劳动竞赛', '120')));
    const id = Number(first.match(/计划编号 #(\d+)/)![1]);
    bot.setNow('2027-02-12T09:00:00+08:00');
    await bot.say({ ...east, userName: '东城钱干事' }, plan('快速路劳动竞赛', '150', '东城建设集团有限公司'));
    bot.setNow('2027-10-10T09:00:00+08:00');
    await bot.say(east, `【竞赛总结】\n计划编号：${id}\n实际参与人数：148\n经费支出：5万元\n获奖级别：无`);
    await bot.say(east, `【竞赛总结】\n计划编号：${id}\n实际参与人数：148\n经费支出：5万元\n获奖级别：市级\n获奖情况：市五一劳动奖状`);

    const history = textOf(await bot.say(east, `/history #${id}`));
    expect(history).toContain(`计划 #${id} 快速路劳动竞赛 的修改记录：`);
    expect(history).toContain('第1版 2027-02-10 10:00 东城李干事：首次提交');
    expect(history).toContain('第2版 2027-02-12 09:00 东城钱干事：企业名称 东城建设集团→东城建设集团有限公司；参与人数 120→150');
    expect(history).toContain('总结：\n总结首次提交于 2027-10-10 09:00，按现行截止日期（2027年10月15日）为按时。\n第1版 2027-10-10 09:00 东城李干事：首次提交');
    expect(history).toContain('第2版 2027-10-10 09:00 东城李干事：获奖情况 无→市级 市五一劳动奖状');

    // Someone who files for no unit cannot read it at all; a filer of another unit, not in a private chat.
    const outsider = { userId: 'out', userName: '外单位', chatId: 'p2p-out', chatType: 'p2p' as const };
    expect(textOf(await bot.say(outsider, `/history ${id}`))).toContain('您还没有登记所属单位，暂时不能使用“/修改记录”');
    const west = { userId: 'west', userName: '西城张干事', chatId: east.chatId };
    await bot.say(west, '/join 西城街道工会');
    expect(textOf(await bot.say({ ...west, chatId: 'p2p-west', chatType: 'p2p' }, `/history ${id}`))).toContain(`私聊中只能查看本单位的计划，本单位没有编号为 ${id} 的计划`);
    // In the district's group, everything under the district is visible to its filers.
    expect(textOf(await bot.say(west, `/history ${id}`))).toContain('第1版 2027-02-10 10:00 东城李干事：首次提交');
    expect(textOf(await bot.say(east, '/history 9999'))).toContain('本群单位之下没有编号为 9999 的计划');
  });
});
