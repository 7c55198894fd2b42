// Replies that fit a phone: a receipt is about six short lines (which filing, on time or late, what
// changed, a few key facts, where to see the rest), and a correction template gives back every value
// the cadre typed — the wrong ones too — with a ❗ line under each wrong one saying what to fix.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formAsText } from '../src/platforms/present.js';
import { formReply } from '../src/services/form-reply.js';
import { FORMS } from '../src/forms/index.js';
import { fixFor, startFilingBot, textOf, type LocalUser, type Reply, type TestBot } from './support/harness.js';

let bot: TestBot;
let east: LocalUser;
beforeEach(async () => ({ bot, east } = await startFilingBot()));
afterEach(async () => bot.close());

const PLAN = {
  企业名称: '东城建设集团有限公司', 竞赛项目: '快速路劳动竞赛', 组织方式: '工会与行政联合组织，按班组开展', 参与人数: '120',
  时间安排: '2027年3月1日至6月30日', 竞赛类型: '五比一创', 重点项目: '否', 参与人员与其他竞赛不重复: '否', 经费预算: '50000',
};
const plan = (changes: Partial<Record<keyof typeof PLAN, string>> = {}) =>
  ['【竞赛计划】', ...Object.entries({ ...PLAN, ...changes }).map(([k, v]) => `${k}：${v}`)].join('\n');

/** The replies' texts, one per message (a rejection is the message, then the template). */
const texts = (replies: Reply[]) => replies.map((r) => (r.kind === 'text' ? r.text : `[${r.kind}]`));

describe('a receipt on a phone', () => {
  it('for a full plan is at most six lines: number, unit and project, on time, key facts, what to write next', async () => {
    const [receipt, ...more] = texts(await bot.say(east, plan()));
    expect(more).toEqual([]);
    const lines = receipt.split('\n');
    expect(lines.length).toBeLessThanOrEqual(6);
    expect(lines[0]).toMatch(/✅ 竞赛计划已收到：计划编号 #1 东城街道工会「快速路劳动竞赛」$/);
    expect(lines[1]).toBe('按时提交（截止 2027年2月28日）');
    expect(receipt).toContain('东城建设集团有限公司 · 五比一创');
    expect(receipt).toContain('参与120人 · 2027年3月1日至2027年6月30日 · 预算50,000元');
    expect(receipt).toContain('报进度、交总结时写“计划编号：1”');
    // The form's other fields are not listed one per line.
    expect(receipt).not.toContain('组织方式：');
    expect(receipt).not.toContain('填报单位：');
  });

  it('for an update names what changed, old→new where the values are short', async () => {
    await bot.say(east, plan());
    bot.setNow('2027-03-05T10:00:00+08:00');
    const receipt = textOf(await bot.say(east, plan({ 参与人数: '150', 时间安排: '2027年4月1日至10月31日' })));
    const lines = receipt.split('\n');
    expect(lines.length).toBeLessThanOrEqual(7);
    expect(lines[0]).toContain('✅ 竞赛计划已更新（第2版）：计划编号 #1 东城街道工会「快速路劳动竞赛」');
    // Corrected after the deadline, the plan keeps its first filing's mark, and says so.
    expect(lines[1]).toBe('首次按时提交（截止 2027年2月28日）');
    expect(lines[2]).toBe('改了：参与人数 120人→150人、时间安排');
    expect(receipt).toContain('参与150人 · 2027年4月1日至2027年10月31日');
    expect(receipt).toContain('原内容已留存：/修改记录 1');
  });

  it('says how many days late a filing is', async () => {
    bot.setNow('2027-03-03T10:00:00+08:00');
    const receipt = textOf(await bot.say(east, plan()));
    expect(receipt.split('\n')[1]).toBe('⚠️ 逾期3天（截止 2027年2月28日），记为逾期提交');
  });

  it('for progress, a summary and a report stays short, and a long text is named with its length', async () => {
    await bot.say(east, plan());
    bot.setNow('2027-05-21T09:00:00+08:00');
    const progress = textOf(await bot.say(east, '【竞赛进度】\n计划编号：1\n日期：5月20日\n进展情况：第二阶段比武结束，评出优胜班组3个\n累计参与人数：86'));
    expect(progress.split('\n').length).toBeLessThanOrEqual(5);
    expect(progress).toContain('竞赛进度已收到：计划编号 #1 东城街道工会「快速路劳动竞赛」');
    expect(progress).toContain('进度编号 #1 · 2027年5月20日 · 累计86人');
    expect(progress).toContain('进展情况：第二阶段比武结束，评出优胜班组3个');

    bot.setNow('2027-10-10T09:00:00+08:00');
    const summary = textOf(await bot.say(east, '【竞赛总结】\n计划编号：1\n实际参与人数：118\n经费支出：45800\n获奖情况：市级 五一劳动奖状；区级 工人先锋号；企业级 优秀班组；企业级 安全标兵'));
    expect(summary.split('\n').length).toBeLessThanOrEqual(6);
    expect(summary).toContain('竞赛总结已收到：计划编号 #1 东城街道工会「快速路劳动竞赛」');
    expect(summary).toContain('按时提交（截止 2027年10月15日）');
    expect(summary).toContain('实际参与118人 · 经费支出45,800元');
    expect(summary).toContain('获奖情况：市级 五一劳动奖状 等4项');

    const experiences = `以重点工程为依托，${'班组间比进度、比质量、比安全、比技术、比创新，'.repeat(13)}成效明显。`;
    const report = textOf(await bot.say(east, `【年度报告】\n主要经验：${experiences}\n存在问题：部分企业参与面不广\n意见建议：加大奖励力度`));
    expect(report.split('\n').length).toBeLessThanOrEqual(6);
    expect(report).toContain('年度报告已收到：东城街道工会');
    expect(report).toContain(`主要经验（${[...experiences].length}字）：以重点工程为依托，班组间比进度、比质量、……`);
    expect(report).not.toContain(experiences);
    expect(report).toContain('全文：/导出 年报');
  });
});

describe('a correction template', () => {
  it('keeps a reversed date range with the ❗ line under it, and is accepted with only the date fixed', async () => {
    const replies = await bot.say(east, plan({ 时间安排: '2027年6月30日至3月1日' }));
    const [message, template] = texts(replies);
    expect(message).toContain('❗ 竞赛计划未保存，有 1 处需要修改：时间安排。');
    // The message above does not repeat the recognised values: they are in the template.
    expect(message.split('\n').length).toBeLessThanOrEqual(3);
    expect(message).not.toContain('企业名称');
    const lines = template.split('\n');
    const at = lines.indexOf('时间安排：2027年6月30日至3月1日');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toMatch(/^❗ 结束时间（2027年3月1日）早于开始时间（2027年6月30日）/);
    // Every other value as typed.
    for (const [label, value] of Object.entries(PLAN)) if (label !== '时间安排') expect(lines).toContain(`${label}：${value}`);
    expect(await bot.app.db.plan.count()).toBe(0);

    // Sent back with the date fixed and the ❗ line left in: filed, with the values typed the first time.
    const fixed = template.replace('时间安排：2027年6月30日至3月1日', '时间安排：2027年3月1日至6月30日');
    expect(fixed).toContain('\n❗ ');
    expect(textOf(await bot.say(east, fixed))).toContain('✅ 竞赛计划已收到：计划编号 #1');
    expect(await bot.app.db.plan.findFirstOrThrow()).toMatchObject({
      enterpriseName: '东城建设集团有限公司', organizer: '工会与行政联合组织，按班组开展', participants: 120,
      startDate: '2027-03-01', endDate: '2027-06-30', budgetFen: 5_000_000,
    });
  });

  it('gives back a 5,200-character 主要经验 over the limit, whole, with the limit under it', async () => {
    bot.setNow('2027-12-20T10:00:00+08:00');
    const experiences = `以重点工程为依托。${'班组间比进度、比质量、比安全、比技术、比创新，'.repeat(230)}`.slice(0, 5200);
    expect([...experiences]).toHaveLength(5200);
    const replies = await bot.say(east, `【年度报告】\n主要经验：${experiences}\n存在问题：部分企业参与面不广\n意见建议：加大奖励力度`);
    const [message, template] = texts(replies);
    expect(message).toContain('年度报告未保存，有 1 处需要修改：主要经验');
    expect(template).toContain(`主要经验：${experiences}\n❗ 内容太长（5200 字），请精简到 5000 字以内\n存在问题：部分企业参与面不广`);
    expect(fixFor(replies, '主要经验')).toContain('请精简到 5000 字以内');
    expect(await bot.app.db.yearReport.count()).toBe(0);

    // Shortened in place and sent back: filed without the ❗ line.
    const shortened = template.replace(experiences, experiences.slice(0, 4800));
    expect(textOf(await bot.say(east, shortened))).toContain('✅ 年度报告已收到');
    const stored = await bot.app.db.yearReport.findFirstOrThrow();
    expect(stored.experiences).toBe(experiences.slice(0, 4800));
    expect(stored.problems).toBe('部分企业参与面不广');
  });

  it('marks a line given twice, keeping the later value to check', async () => {
    const replies = await bot.say(east, `${plan()}\n参与人数：150`);
    expect(fixFor(replies, '参与人数')).toBe('❗ 写了两次且内容不同，这里留的是后写的，请核对');
    expect(texts(replies)[1]).toContain('参与人数：150\n❗');
    expect(textOf(await bot.say(east, texts(replies)[1]))).toContain('✅ 竞赛计划已收到');
    expect((await bot.app.db.plan.findFirstOrThrow()).participants).toBe(150);
  });

  it('shows a value without the invisible controls it was refused for, and says they were taken out', async () => {
    const replies = await bot.say(east, plan({ 企业名称: '\u202E团集设建城东' }));
    expect(texts(replies)[1]).toContain('企业名称：团集设建城东\n❗ 含有看不见的文字方向控制符');
    expect(fixFor(replies, '企业名称')).toContain('已替您去掉，请核对这一行');
    expect(textOf(replies)).not.toContain('\u202E');
  });
});

describe('a ❗ line in a sent template', () => {
  it('is ignored, also right after a long text that runs on several lines', async () => {
    bot.setNow('2027-12-20T10:00:00+08:00');
    const reply = textOf(await bot.say(east, [
      '【年度报告】',
      '主要经验：以重点工程为依托，',
      '班组间比进度、比质量。',
      '❗ 内容太长（5200 字），请精简到 5000 字以内',
      '⚠️ 旧的提示',
      '存在问题：参与面不广',
      '❗ 必填，请补上',
      '意见建议：增加经费',
    ].join('\n')));
    expect(reply).toContain('✅ 年度报告已收到');
    expect(await bot.app.db.yearReport.findFirstOrThrow()).toMatchObject({
      experiences: '以重点工程为依托，\n班组间比进度、比质量。', problems: '参与面不广', suggestions: '增加经费',
    });
  });
});

describe('a form shown as a text template (a platform without cards)', () => {
  it('puts the ❗ line under each wrong value, keeps the wrong values, and lists only which lines above', () => {
    const form = formReply(FORMS.plan, {
      values: { enterpriseName: '东城建设集团', project: '快速路劳动竞赛', period: '2027-06-30至2027-03-01', participants: '-5' },
      errors: { period: '结束时间（2027年3月1日）早于开始时间（2027年6月30日），请检查是否写反了', participants: '参与人数不能是负数' },
    });
    const [guide, template] = formAsText(form).map((r) => r.text);
    expect(guide).toContain('需要修改：参与人数、时间安排（见模板里 ❗ 所指的行');
    expect(template).toContain('参与人数：-5\n❗ 参与人数不能是负数\n时间安排：2027-06-30至2027-03-01\n❗ 结束时间（2027年3月1日）早于开始时间');
    expect(template).toContain('企业名称：东城建设集团\n竞赛项目：快速路劳动竞赛\n组织方式：\n参与人数');
  });
});
