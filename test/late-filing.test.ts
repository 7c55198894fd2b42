// Deadlines are days in Asia/Shanghai: anything before midnight there is on time; anything after
// is stored and marked late, never refused.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setUpDistrict, startTestBot, textOf, type LocalUser, type TestBot } from './support/harness.js';

let bot: TestBot;
let east: LocalUser;
beforeEach(async () => {
  bot = await startTestBot();
  bot.setNow('2027-02-10T10:00:00+08:00');
  ({ east } = await setUpDistrict(bot)); // default deadlines: 2027-02-28, 2027-10-15, 2027-12-31
  await bot.say(east, '/join 东城街道工会');
});
afterEach(async () => bot.close());

const plan = (project: string) =>
  `【竞赛计划】\n企业名称：东城建设集团\n竞赛项目：${project}\n组织方式：班组\n参与人数：100\n时间安排：2027-03-01至2027-10-31\n竞赛类型：技能比武\n重点项目：否`;

describe('the plan deadline', () => {
  it('23:59 on the deadline day in Shanghai is on time, though it is already the 28th 15:59 UTC', async () => {
    bot.setNow('2027-02-28T23:59:30+08:00');
    const reply = textOf(await bot.say(east, plan('最后一分钟')));
    expect(reply).toContain('按时提交（截止 2027年2月28日）');
    expect((await bot.app.db.plan.findFirstOrThrow({ where: { project: '最后一分钟' } })).late).toBe(false);
  });

  it('just after midnight in Shanghai is late: stored, marked, and said so', async () => {
    // 16:00 UTC on the 28th is already 1 March in Shanghai.
    bot.setNow('2027-02-28T16:00:01Z');
    const reply = textOf(await bot.say(east, plan('晚了一秒')));
    expect(reply).toContain('竞赛计划已收到');
    expect(reply).toContain('⚠️ 逾期1天（截止 2027年2月28日），记为逾期提交');
    expect((await bot.app.db.plan.findFirstOrThrow({ where: { project: '晚了一秒' } })).late).toBe(true);
    expect(textOf(await bot.say(east, '/mine'))).toContain('逾期备案');
  });

  it('months late is still accepted', async () => {
    bot.setNow('2027-09-01T10:00:00+08:00');
    expect(textOf(await bot.say(east, plan('补报的计划')))).toContain('⚠️ 逾期185天（截止 2027年2月28日），记为逾期提交');
    expect(await bot.app.db.plan.count({ where: { late: true } })).toBe(1);
  });

  it('follows a deadline moved with /campaign set', async () => {
    const admin: LocalUser = { userId: 'admin', userName: '王主席', chatId: east.chatId };
    expect(textOf(await bot.say(admin, '/campaign set 计划截止=2027-03-15'))).toContain('✅ 已修改');
    bot.setNow('2027-03-10T10:00:00+08:00');
    expect(textOf(await bot.say(east, plan('延期后按时')))).toContain('按时提交（截止 2027年3月15日）');
  });

  it('keeps an on-time plan on time when it is corrected after the deadline', async () => {
    await bot.say(east, plan('早交的计划'));
    bot.setNow('2027-04-01T10:00:00+08:00');
    const reply = textOf(await bot.say(east, plan('早交的计划').replace('参与人数：100', '参与人数：130')));
    expect(reply).toContain('第2版');
    expect(reply).toContain('首次按时提交（截止 2027年2月28日）');
    expect((await bot.app.db.plan.findFirstOrThrow()).late).toBe(false);
  });
});

describe('summary and report deadlines', () => {
  it('marks a summary after 15 October and a report after 31 December as late', async () => {
    await bot.say(east, plan('快速路'));
    bot.setNow('2027-10-15T23:59:00+08:00');
    expect(textOf(await bot.say(east, '【竞赛总结】\n计划编号：1\n实际参与人数：90\n经费支出：0\n获奖级别：无'))).toContain('按时提交（截止 2027年10月15日）');
    await bot.say(east, plan('第二项'));
    bot.setNow('2027-10-16T00:00:00+08:00');
    expect(textOf(await bot.say(east, '【竞赛总结】\n计划编号：2\n实际参与人数：90\n经费支出：0\n获奖级别：无'))).toContain('记为逾期提交');
    expect((await bot.app.db.summary.findMany({ orderBy: { planId: 'asc' } })).map((s) => s.late)).toEqual([false, true]);

    bot.setNow('2028-01-01T00:00:05+08:00');
    expect(textOf(await bot.say(east, '【年度报告】\n主要经验：有\n存在问题：有\n意见建议：有'))).toContain('⚠️ 逾期1天（截止 2027年12月31日）');
    expect((await bot.app.db.yearReport.findFirstOrThrow()).late).toBe(true);
  });
});
