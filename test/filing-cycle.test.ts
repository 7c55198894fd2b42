// A full year through the local chat API: bind, join, plan by form and by text, progress, summary,
// report, /mine.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formOf, setUpDistrict, startTestBot, textOf, type TestBot } from './support/harness.js';

let bot: TestBot;
beforeEach(async () => {
  bot = await startTestBot();
  bot.setNow('2027-02-10T10:00:00+08:00');
});
afterEach(async () => bot.close());

describe('the filing cycle', () => {
  it('files a plan by form, a plan by template, progress, summary and report, and /mine shows them', async () => {
    const { east, chatId } = await setUpDistrict(bot);
    expect(textOf(await bot.say(east, '/join 东城街道工会'))).toContain('已登记为「东城街道工会」的联络员');

    const form = formOf(await bot.say(east, '/plan'));
    expect(form.fields.map((f) => f.label)).toEqual(['企业名称', '竞赛项目', '组织方式', '参与人数', '时间安排', '竞赛类型', '重点项目', '参与人员与其他竞赛不重复', '经费预算']);
    const receipt = textOf(await bot.submit(east, form.formId, {
      enterpriseName: '东城建设集团有限公司', project: '快速路“五比一创”劳动竞赛', organizer: '工会与项目部联合组织',
      participants: '320', period: '2027-03-01至2027-10-31', type: '五比一创', keyProject: '是', budget: '80000',
    }));
    expect(receipt).toMatch(/竞赛计划已收到：计划编号 #(\d+)/);
    expect(receipt).toContain('按时提交');
    const planId = Number(receipt.match(/#(\d+)/)![1]);

    const byText = textOf(await bot.say(east, '【竞赛计划】\n企业名称：东城供水有限公司\n竞赛项目：供水管网安康杯竞赛\n组织方式: 班组参加\n参与人数：约150人\n时间安排：2027年4月1日至11月30日\n竞赛类型：安康杯\n重点项目：否'));
    expect(byText).toContain('竞赛计划已收到');
    expect(byText).toContain('参与约150人');

    bot.setNow('2027-05-21T09:00:00+08:00');
    const progress = textOf(await bot.say(east, `【竞赛进度】\n计划编号：${planId}\n日期：5月20日\n进展情况：第二阶段比武结束\n累计参与人数：280`));
    expect(progress).toContain('竞赛进度已收到');

    bot.setNow('2027-10-10T09:00:00+08:00');
    const summary = textOf(await bot.say(east, `【竞赛总结】\n计划编号：${planId}\n实际参与人数：318\n经费支出：76,500.50\n获奖级别：市级\n获奖情况：市五一劳动奖状`));
    expect(summary).toContain('竞赛总结已收到');
    expect(summary).toContain('76,500.5元');

    const mine = textOf(await bot.say(east, '/mine'));
    expect(mine).toContain(`#${planId} 快速路“五比一创”劳动竞赛`);
    expect(mine).toContain('已交总结');
    expect(mine).toContain('未交总结'); // the second plan
    expect(mine).toContain('年度报告：未提交');

    const transcript = await bot.transcript(chatId);
    expect(transcript.some((m) => m.fromBot && m.text.includes('竞赛总结已收到'))).toBe(true);
  });
});

describe('receipts on a phone', () => {
  it('name a long text with its length and first words instead of echoing it whole, and say where the full text is', async () => {
    const { east } = await setUpDistrict(bot);
    await bot.say(east, '/join 东城街道工会');
    const experiences = `依托重点工程开展“五比一创”劳动竞赛，${'班组间比进度、比质量、比安全、比技术、比创新，'.repeat(12)}成效明显。`;
    const receipt = textOf(await bot.say(east, `【年度报告】\n主要经验：${experiences}\n存在问题：部分企业参与面不广\n意见建议：加大奖励力度`));
    expect(receipt).toContain('年度报告已收到');
    expect(receipt).toContain(`主要经验（${[...experiences].length}字）：依托重点工程开展“五比一创”劳动竞赛，班……`);
    expect(receipt).not.toContain(experiences);
    expect(receipt).toContain('存在问题：部分企业参与面不广');
    expect(receipt).toContain('全文：/导出 年报');
    expect(receipt.split('\n').length).toBeLessThanOrEqual(6);
    // Nothing was cut from what was stored.
    expect((await bot.app.db.yearReport.findFirstOrThrow()).experiences).toBe(experiences);
  });
});

describe('guided filing in the local chat', () => {
  it('asks one question at a time; a message to someone else in the group is not taken as an answer', async () => {
    const { east } = await setUpDistrict(bot);
    expect(textOf(await bot.say(east, '/join 东城街道工会'))).toContain('已登记');
    expect(textOf(await bot.say(east, '/填表 年报'))).toContain('（第 1/3 项）请回复「主要经验」');
    // Said to 张三 (an @mention, not the bot): none of the bot's business.
    expect(await bot.say(east, '@张三 明天下午开会', { mentions: [{ userId: 'zhang', userName: '张三' }] })).toEqual([]);
    expect(textOf(await bot.say(east, '以赛促学，班组练兵常态化'))).toContain('（第 2/3 项）请回复「存在问题」');
    // A command and a filled template pass through the open session; it then goes on where it was.
    expect(textOf(await bot.say(east, '/截止'))).toContain('2027年2月28日');
    const plan = '【竞赛计划】\n企业名称：东城建设集团\n竞赛项目：快速路劳动竞赛\n组织方式：班组\n参与人数：120\n时间安排：2027-03-01至2027-10-31\n竞赛类型：五比一创\n重点项目：否';
    expect(textOf(await bot.say(east, plan))).toContain('✅ 竞赛计划已收到');
    expect(textOf(await bot.say(east, '部分企业参与面不广'))).toContain('（第 3/3 项）请回复「意见建议」');
    expect(textOf(await bot.say(east, '取消'))).toContain('没有保存任何内容');
    expect(await bot.app.db.yearReport.count()).toBe(0);
    // After a cancel, the next message is ordinary talk again.
    expect(await bot.say(east, '好的')).toEqual([]);
  });

  it('does not take "稍等，我问一下" as an answer, and asks again', async () => {
    const { east } = await setUpDistrict(bot);
    await bot.say(east, '/join 东城街道工会');
    expect(textOf(await bot.say(east, '/填表 计划'))).toContain('请回复「企业名称」');
    const wait = textOf(await bot.say(east, '稍等，我问一下'));
    expect(wait).toContain('问清楚后再回复「企业名称」');
    expect(textOf(await bot.say(east, '好事达建材有限公司'))).toContain('请回复「竞赛项目」');
    expect(textOf(await bot.say(east, '好的我去问问领导'))).toContain('问清楚后再回复「竞赛项目」');
  });

  it('tells the person once when their session timed out, instead of ignoring the answer', async () => {
    const { east } = await setUpDistrict(bot);
    await bot.say(east, '/join 东城街道工会');
    await bot.say(east, '/填表 年报');
    // The session's half hour passes (its key expires in Redis).
    await bot.redis.connection.del(`${bot.config.redisPrefix}:guided:local:${east.chatId}:${east.userId}`);
    const late = textOf(await bot.say(east, '以赛促学'));
    expect(late).toContain('「年度报告」逐项填写已超过 30 分钟没有回复');
    expect(late).toContain('/填表 年报');
    expect(await bot.say(east, '以赛促学')).toEqual([]);
    expect(await bot.app.db.yearReport.count()).toBe(0);
  });
});
