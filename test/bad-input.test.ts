// Bad input gets every bad field named in Chinese with the fix, nothing is stored, and what was typed
// comes back: in the template (a ❗ line with the fix under each wrong value) or in the form.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixFor, startFilingBot, formOf, textOf, type LocalUser, type TestBot } from './support/harness.js';

let bot: TestBot;
let east: LocalUser;
beforeEach(async () => ({ bot, east } = await startFilingBot()));
afterEach(async () => bot.close());

const GOOD: Record<string, string> = {
  企业名称: '东城建设集团', 竞赛项目: '快速路劳动竞赛', 组织方式: '工会与项目部联合组织', 参与人数: '120',
  时间安排: '2027-03-01至2027-10-31', 竞赛类型: '五比一创', 重点项目: '是',
};
const template = (lines: Record<string, string | null>) =>
  ['【竞赛计划】', ...Object.entries({ ...GOOD, ...lines }).filter(([, v]) => v !== null).map(([k, v]) => `${k}：${v}`)].join('\n');
const planCount = () => bot.app.db.plan.count();
// Filings' revisions (joining a unit writes one of its own).
const revisionCount = () => bot.app.db.revision.count({ where: { entity: { in: ['plan', 'progress', 'summary', 'report'] } } });

describe('a typed template with mistakes', () => {
  it('names a missing field with an example and stores nothing', async () => {
    const [message, corrected] = await bot.say(east, template({ 组织方式: null }));
    expect(message.kind === 'text' && message.text).toContain('竞赛计划未保存，有 1 处需要修改');
    expect(textOf([message])).toContain('组织方式');
    expect(fixFor([corrected], '组织方式')).toContain('必填，请补上，例如：');
    // The valid fields come back in the template (not repeated above it) so the user fixes only the bad one.
    expect(textOf([message])).not.toContain('企业名称：');
    expect(textOf([corrected])).toMatch(/^【竞赛计划】\n企业名称：东城建设集团\n竞赛项目：快速路劳动竞赛\n组织方式：\n❗ 必填，请补上，例如：[^\n]*\n参与人数：120/);
    expect(await planCount()).toBe(0);
    expect(await revisionCount()).toBe(0);
  });

  it.each([
    ['-5', '不能是负数'],
    ['0', '不能少于 1'],
    ['2000000', '不合常理'],
    ['许多', '请填写一个整数'],
    ['12.5', '不要带小数'],
    ['150-100人', '范围写反了'],
    ['🙂120', '请填写一个整数'],
  ])('refuses 参与人数 %j (%s)', async (raw, why) => {
    const reply = textOf(await bot.say(east, template({ 参与人数: raw })));
    expect(fixFor(reply, '参与人数')).toContain(why);
    expect(await planCount()).toBe(0);
  });

  it('refuses an end before the start, naming both dates', async () => {
    const reply = textOf(await bot.say(east, template({ 时间安排: '2027年10月31日至2027年3月1日' })));
    expect(fixFor(reply, '时间安排')).toContain('结束时间（2027年3月1日）早于开始时间（2027年10月31日）');
    expect(await planCount()).toBe(0);
  });

  it('refuses a period far from the campaign year', async () => {
    const reply = textOf(await bot.say(east, template({ 时间安排: '2072-03-01至2072-10-31' })));
    expect(reply).toContain('时间安排应在2027年度内');
    expect(await planCount()).toBe(0);
  });

  it('names every bad field at once', async () => {
    const reply = textOf(await bot.say(east, template({ 企业名称: null, 参与人数: '-3', 时间安排: '10月31日至3月1日', 竞赛类型: '拔河', 重点项目: '也许', 经费预算: '很多' })));
    expect(reply).toContain('有 6 处需要修改');
    for (const label of ['企业名称', '参与人数', '时间安排', '竞赛类型', '重点项目', '经费预算']) expect(fixFor(reply, label), label).toBeDefined();
    expect(reply).toContain('请从以下选项中选一个：五比一创、安康杯');
    expect(reply).toContain('请填“是”或“否”');
    expect(reply).toContain('竞赛项目：快速路劳动竞赛'); // kept in the template
    expect(await planCount()).toBe(0);
  });

  it('names a line that is no field, and a field given twice with different values', async () => {
    const text = `${template({})}\n备注：请尽快审核\n参与人数：150`;
    const reply = textOf(await bot.say(east, text));
    expect(reply).toContain('「备注」不是竞赛计划的填报项目');
    expect(fixFor(reply, '参与人数')).toContain('写了两次且内容不同');
    expect(await planCount()).toBe(0);
  });

  it('refuses 10 KB in one field with the limit, and stores nothing', async () => {
    const reply = textOf(await bot.say(east, template({ 组织方式: '工会组织'.repeat(2560) })));
    expect(fixFor(reply, '组织方式')).toContain('内容太长（10240 字），请精简到 200 字以内');
    expect(await planCount()).toBe(0);
  });

  it('refuses 10 KB of progress text with the limit', async () => {
    await bot.say(east, template({}));
    const reply = textOf(await bot.say(east, `【竞赛进度】\n计划编号：1\n日期：2027-02-08\n进展情况：${'进展'.repeat(5120)}`));
    expect(fixFor(reply, '进展情况')).toContain('内容太长（10240 字），请精简到 2000 字以内');
    expect(await bot.app.db.progressUpdate.count()).toBe(0);
  });

  it('stores emoji and SQL-looking names literally, and the tables survive', async () => {
    const project = "Robert'); DROP TABLE Plan;--";
    const enterprise = '🏗️东城建设 "集团" OR 1=1; --';
    const reply = textOf(await bot.say(east, template({ 企业名称: enterprise, 竞赛项目: project, 组织方式: '班组🔥比武' })));
    expect(reply).toContain('竞赛计划已收到');
    expect(reply).toContain(`「${project}」`);
    const rows = await bot.app.db.plan.findMany();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ enterpriseName: enterprise, project, organizer: '班组🔥比武' });
    // The plan can be found again by that exact name.
    const progress = textOf(await bot.say(east, `【竞赛进度】\n竞赛项目：${project}\n日期：2027-02-08\n进展情况：启动`));
    expect(progress).toContain('竞赛进度已收到');
    expect(await bot.app.db.unit.count()).toBe(4);
  });

  it('stores an SQL-looking unit name literally', async () => {
    const admin: LocalUser = { userId: 'admin', userName: '王主席', chatId: east.chatId };
    const name = "x');DELETE/**/FROM/**/Unit;--";
    expect(textOf(await bot.say(admin, `/unit add ${name} 上级=测试区总工会`))).toContain('✅');
    expect((await bot.app.db.unit.findUniqueOrThrow({ where: { name } })).name).toBe(name);
    expect(await bot.app.db.unit.count()).toBe(5);
  });

  it('names the plan that cannot be found and lists the unit\'s plans', async () => {
    await bot.say(east, template({}));
    const reply = textOf(await bot.say(east, '【竞赛总结】\n计划编号：999\n实际参与人数：100\n经费支出：1000\n获奖级别：无'));
    expect(fixFor(reply, '计划编号')).toContain('本单位没有编号 999 的计划。本单位的计划有：#1 快速路劳动竞赛');
    expect(await bot.app.db.summary.count()).toBe(0);
  });
});

describe('messages too long to read', () => {
  it('answers an over-long template but ignores a long article pasted into the group', async () => {
    const long = '很长的内容'.repeat(5000);
    expect(await bot.say(east, `今天的学习材料\n${long}`)).toEqual([]);
    expect(textOf(await bot.say(east, `【竞赛计划】\n企业名称：${long}`))).toContain('这条消息太长');
    expect(await planCount()).toBe(0);
  });
});

describe('the form path', () => {
  it('sends the form back with the user\'s values kept and an error beside each bad field', async () => {
    const form = formOf(await bot.say(east, '/plan'));
    const values = { enterpriseName: '东城建设集团', project: '', organizer: '班组', participants: '-20', period: '2027-05-01至2027-04-01', type: '五比一创', keyProject: '是', budget: '3万' };
    const replies = await bot.submit(east, form.formId, values);
    expect(replies.map((r) => r.kind)).toEqual(['text', 'form']);
    const message = textOf([replies[0]]);
    expect(message).toContain('竞赛计划未保存，有 3 处需要修改');
    expect(message).toContain('· 竞赛项目：必填');
    // The form itself holds the values; the message does not repeat them (a phone screen).
    expect(message).not.toContain('企业名称：东城建设集团');
    const again = formOf(replies);
    expect(again.formId).not.toBe(form.formId);
    expect(again.values).toMatchObject({ enterpriseName: '东城建设集团', participants: '-20', period: '2027-05-01至2027-04-01', budget: '3万' });
    expect(Object.keys(again.errors ?? {}).sort()).toEqual(['participants', 'period', 'project']);
    expect(again.errors?.participants).toContain('不能是负数');
    expect(again.errors?.period).toContain('早于开始时间');
    expect(await planCount()).toBe(0);

    // Fixing only the bad fields in the returned form files the plan.
    const fixed = textOf(await bot.submit(east, again.formId, { ...values, project: '快速路劳动竞赛', participants: '200', period: '2027-04-01至2027-05-01' }));
    expect(fixed).toContain('竞赛计划已收到');
    expect(fixed).toContain('预算30,000元'); // 3万 as it was read
    expect(await planCount()).toBe(1);
  });

  it('refuses an empty submission naming every required field', async () => {
    const form = formOf(await bot.say(east, '/plan'));
    const replies = await bot.submit(east, form.formId, {});
    expect(textOf(replies)).toContain('有 7 处需要修改');
    expect(Object.keys(formOf(replies).errors ?? {})).toHaveLength(7);
    expect(await planCount()).toBe(0);
  });
});
