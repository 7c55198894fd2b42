// What people type on phones, read correctly: first each rule on the form definitions themselves,
// then whole messages through the real bot, checking what was stored.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planForm, summaryForm } from '../src/forms/index.js';
import { coerceAwards, coerceBoolean, coerceChoice, coerceDate, coerceDateRange, coerceHeadcount, coerceInteger, coerceMoney } from '../src/forms/coerce.js';
import { detectTemplate, parseTemplate } from '../src/forms/text-template.js';
import { validateForm } from '../src/forms/validate.js';
import { startFilingBot, textOf, type LocalUser, type TestBot } from './support/harness.js';

const field = (key: string) => planForm.fields.find((f) => f.key === key)!;
const value = <T>(r: { ok: true; value: T } | { ok: false; message: string }): T => {
  if (!r.ok) throw new Error(`expected a value, got: ${r.message}`);
  return r.value;
};

describe('numbers', () => {
  it.each([
    ['120', 120], ['120人', 120], ['1,200', 1200], ['12,000人', 12000], ['约300', 300], ['约 300 人', 300],
    ['１２０人', 120], ['共计86名', 86], ['300余人', 300], ['1.2万', 12000], ['1,200人次', 1200], ['120\u200b', 120],
    // Chinese numerals, as people type them.
    ['一百二十人', 120], ['约两百人', 200], ['三十', 30], ['十五人', 15], ['一千零五十', 1050], ['两万', 20000],
  ])('participants %j → %i', (raw, expected) => {
    expect(value(coerceInteger(raw, field('participants')))).toBe(expected);
  });

  it.each(['120，150', '1，200人', '50,60', '50、60', '1,20'])('refuses %j: two numbers, or a comma that is no thousands separator', (raw) => {
    const r = coerceInteger(raw, field('participants'));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toContain('请只填一个数字');
  });

  it.each([
    ['50000', 5_000_000], ['5万', 5_000_000], ['5万元', 5_000_000], ['1,234.56元', 123_456], ['¥5,000', 500_000], ['￥5000', 500_000], ['人民币8000元', 800_000], ['5千元', 500_000], ['3.5万元', 3_500_000],
    ['两万元', 2_000_000], ['三千五百元', 350_000],
  ])('money %j → %i fen', (raw, fen) => {
    expect(value(coerceMoney(raw, field('budget')))).toBe(fen);
  });
});

describe('dates', () => {
  it.each([
    ['2027-03-01', '2027-03-01'], ['2027年3月1日', '2027-03-01'], ['2027.3.1', '2027-03-01'], ['2027/3/1', '2027-03-01'],
    ['2027年3月1号', '2027-03-01'], ['２０２７年３月１日', '2027-03-01'], ['3月1日', '2027-03-01'], ['20270301', '2027-03-01'],
  ])('date %j → %s', (raw, iso) => {
    expect(value(coerceDate(raw, 2027))).toBe(iso);
  });

  it.each([
    ['3月1日至10月31日', '2027-03-01', '2027-10-31'],
    ['2027年3月1日至10月31日', '2027-03-01', '2027-10-31'],
    ['2027-03-01至2027-10-31', '2027-03-01', '2027-10-31'],
    ['2027.3.1-2027.10.31', '2027-03-01', '2027-10-31'],
    ['2027-03-01-2027-10-31', '2027-03-01', '2027-10-31'],
    ['2027年3月1日-2027年10月31日', '2027-03-01', '2027-10-31'],
    ['3.1-10.31', '2027-03-01', '2027-10-31'],
    ['2027-03-01 ~ 2027-10-31', '2027-03-01', '2027-10-31'],
    ['3月1日到10月31日', '2027-03-01', '2027-10-31'],
    ['3月1日—10月31日', '2027-03-01', '2027-10-31'],
    ['2027年11月1日至2028年1月31日', '2027-11-01', '2028-01-31'],
  ])('range %j → %s … %s', (raw, start, end) => {
    expect(value(coerceDateRange(raw, 2027))).toEqual({ start, end });
  });

  // The cadre's wording is kept (shown in receipts and tables) and read as the days it covers.
  it.each([
    ['3月中旬至5月中旬', '2027-03-11', '2027-05-20'],
    ['3月上旬至4月下旬', '2027-03-01', '2027-04-30'],
    ['3月至10月', '2027-03-01', '2027-10-31'],
    ['全年', '2027-01-01', '2027-12-31'],
    ['2027年全年', '2027-01-01', '2027-12-31'],
    ['第二季度', '2027-04-01', '2027-06-30'],
    ['三季度', '2027-07-01', '2027-09-30'],
    ['二季度至三季度', '2027-04-01', '2027-09-30'],
    ['上半年', '2027-01-01', '2027-06-30'],
    ['5月份', '2027-05-01', '2027-05-31'],
    ['2月份', '2027-02-01', '2027-02-28'],
    ['2027.3-2027.11', '2027-03-01', '2027-11-30'],
    ['7月—11月', '2027-07-01', '2027-11-30'],
    ['3月初至年底', '2027-03-01', '2027-12-31'],
    ['2027年5月20日', '2027-05-20', '2027-05-20'],
    ['4-6月', '2027-04-01', '2027-06-30'],
    ['2027年3-11月', '2027-03-01', '2027-11-30'],
    ['3月中下旬至10月', '2027-03-11', '2027-10-31'],
    ['第一、二季度', '2027-01-01', '2027-06-30'],
    ['11月至次年3月', '2027-11-01', '2028-03-31'],
    ['三月至十一月', '2027-03-01', '2027-11-30'],
    ['二〇二七年三月', '2027-03-01', '2027-03-31'],
    ['2027年度', '2027-01-01', '2027-12-31'],
    ['全年（分阶段）', '2027-01-01', '2027-12-31'],
    ['2027年3月1日至10月31日（分三个阶段）', '2027-03-01', '2027-10-31'],
  ])('wording %j → %s … %s, kept as written', (raw, start, end) => {
    expect(value(coerceDateRange(raw, 2027))).toEqual({ start, end, text: raw });
  });

  it.each([
    ['3-10', '请写开始和结束时间'],
    ['3-10日', '请写开始和结束时间'],
    ['至10月31日', '只写了结束时间'],
    ['到10月底', '只写了结束时间'],
    ['3月1日至', '只写了开始时间'],
    ['2027-05-20', '请写开始和结束时间'],
    ['13月', '月份应在 1 到 12 之间'],
    ['5月中旬至3月', '早于开始时间'],
  ])('refuses %j, saying %s', (raw, why) => {
    const r = coerceDateRange(raw, 2027);
    expect(!r.ok && r.message).toContain(why);
  });

  it.each([
    ['2027-02-30', '2027年2月没有30日'],
    ['2028-02-30', '2028年2月没有30日'],
    ['2027-13-01', '月份应在 1 到 12 之间'],
    ['1927-03-01', '请写四位年份'],
    ['下个月', '请写成 2027-03-01 或 2027年3月1日'],
  ])('names what is wrong with %j instead of guessing', (raw, why) => {
    const r = coerceDate(raw, 2027);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toContain(why);
  });

  it('accepts 29 February only in a leap year', () => {
    expect(value(coerceDate('2028-02-29', 2028))).toBe('2028-02-29');
    expect(coerceDate('2027-02-29', 2027).ok).toBe(false);
  });
});

describe('是/否 and choices', () => {
  it.each([
    ['是', true], ['否', false], ['是的', true], ['不是', false], ['Y', true], ['no', false], ['√', true], ['是（市级重点工程）', true], ['否，一般项目', false],
  ])('%j → %s', (raw, expected) => {
    expect(value(coerceBoolean(raw))).toBe(expected);
  });

  it.each([
    ['五比一创', 'wubiyichuang'], ['安康杯竞赛', 'ankangbei'], ['岗位练兵', 'skills'], ['职业技能竞赛', 'skills'], ['五小创新', 'wuxiao'],
    ['节能降耗', 'energy'], ['服务竞赛', 'service'], ['其它', 'other'], [' 技能比武 ', 'skills'],
  ])('competition type %j → %s', (raw, expected) => {
    expect(value(coerceChoice(raw, field('type')))).toBe(expected);
  });

  const awards = summaryForm.fields.find((f) => f.key === 'awards')!;
  it.each([
    ['市级 五一劳动奖状；区级 工人先锋号', [{ level: 'city', name: '五一劳动奖状' }, { level: 'district', name: '工人先锋号' }]],
    ['全国 五一劳动奖章', [{ level: 'national', name: '五一劳动奖章' }]],
    ['省部级：技术能手', [{ level: 'provincial', name: '技术能手' }]],
    ['县级优秀组织奖', [{ level: 'district', name: '优秀组织奖' }]],
    ['厂级 先进班组\n街道 优秀组织奖', [{ level: 'enterprise', name: '先进班组' }, { level: 'street', name: '优秀组织奖' }]],
    ['院级 科技进步奖', [{ level: 'enterprise', name: '科技进步奖' }]],
    ['市级 五一劳动奖状，工人先锋号', [{ level: 'city', name: '五一劳动奖状' }, { level: 'city', name: '工人先锋号' }]],
    ['五一劳动奖状（市级）', [{ level: 'city', name: '五一劳动奖状' }]],
    ['暂无', []],
    ['无', []],
    ['暂未获奖', []],
    ['无（未参评）', []],
    ['区级 先进集体 省级 技能大赛一等奖', [{ level: 'district', name: '先进集体' }, { level: 'provincial', name: '技能大赛一等奖' }]],
    ['市级 五一劳动奖状、区级 工人先锋号', [{ level: 'city', name: '五一劳动奖状' }, { level: 'district', name: '工人先锋号' }]],
    ['市级：五一劳动奖状、工人先锋号', [{ level: 'city', name: '五一劳动奖状' }, { level: 'city', name: '工人先锋号' }]],
    ['市级 “安全生产，质量第一”竞赛优胜奖', [{ level: 'city', name: '“安全生产，质量第一”竞赛优胜奖' }]],
    ['省级 劳动模范（张三；李四）', [{ level: 'provincial', name: '劳动模范（张三；李四）' }]],
    ['荣获市级五一劳动奖状', [{ level: 'city', name: '五一劳动奖状' }]],
    ['1. 市级 五一劳动奖状\n2. 区级 工人先锋号', [{ level: 'city', name: '五一劳动奖状' }, { level: 'district', name: '工人先锋号' }]],
  ])('awards %j', (raw, expected) => {
    expect(value(coerceAwards(raw, awards))).toEqual(expected);
  });

  it.each([
    ['100-150人', 150, '100-150人'], ['100至150人', 150, '100至150人'], ['100人-150人', 150, '100人-150人'], ['1万-2万人', 20000, '1万-2万人'],
    ['120人', 120, undefined], ['1,200人', 1200, undefined], ['约300人', 300, '约300人'], ['100人以上', 100, '100人以上'],
  ])('参与人数 %j counts %i, keeps %j', (raw, count, text) => {
    expect(value(coerceHeadcount(raw, field('participants')))).toEqual(text ? { count, text } : { count });
  });
});

describe('the text template', () => {
  const messy = [
    '',
    '  【竞赛计划】  ',
    '企业名称：东城建设集团',
    '',
    '竞赛项目:  快速路劳动竞赛  ',
    '组织方式 ： 工会与项目部联合组织',
    '',
    '参与人数（规模）：1,200人',
    '时间安排：2027年3月1日至10月31日',
    '竞赛类型：五比一创',
    '重点项目：是',
    '',
  ].join('\n');

  it('reads both colon widths, extra spaces, blank lines and label aliases', () => {
    const parsed = parseTemplate(messy)!;
    expect(parsed.form).toBe('plan');
    expect(parsed.unknownLabels).toEqual([]);
    expect(parsed.raw).toMatchObject({ enterpriseName: '东城建设集团', project: '快速路劳动竞赛', organizer: '工会与项目部联合组织', participants: '1,200人', period: '2027年3月1日至10月31日' });
    const v = validateForm(planForm, parsed.raw, { defaultYear: 2027 });
    expect(v.errors).toEqual([]);
    expect(v.values).toMatchObject({ participants: { count: 1200 }, period: { start: '2027-03-01', end: '2027-10-31' }, type: 'wubiyichuang', keyProject: true });
  });

  it('reads an older summary template, whose 获奖级别 had its own line, as one 获奖情况', () => {
    const parsed = parseTemplate('【竞赛总结】\n计划编号：1\n实际参与人数：90\n经费支出：0\n获奖级别：市级\n获奖情况：市五一劳动奖状')!;
    expect(parsed.unknownLabels).toEqual([]);
    expect(parsed.raw.awards).toBe('市级 市五一劳动奖状');
    expect(parseTemplate('【竞赛总结】\n计划编号：1\n获奖级别：无\n获奖情况：')!.raw.awards).toBe('无');
  });

  it('skips a leading @mention, with the U+2005 space WeChat puts after it', () => {
    expect(parseTemplate('@赛务助手\u2005【竞赛计划】\n企业名称：甲公司')?.raw).toEqual({ enterpriseName: '甲公司' });
    expect(parseTemplate('@赛务助手\u2005\n【竞赛计划】\n企业名称：甲公司')?.raw).toEqual({ enterpriseName: '甲公司' });
  });

  it('reads labels copied from the guide with （必填）/（选填）', () => {
    expect(parseTemplate('【竞赛计划】\n企业名称（必填）：甲\n经费预算（选填）：5000')?.raw).toEqual({ enterpriseName: '甲', budget: '5000' });
  });

  it('reads numbered labels and a title on the same line as the first field', () => {
    expect(parseTemplate('【竞赛计划】\n1. 企业名称：甲\n2、竞赛项目：乙\n(3) 组织方式：丙')?.raw).toEqual({ enterpriseName: '甲', project: '乙', organizer: '丙' });
    expect(parseTemplate('【竞赛计划】企业名称：甲\n竞赛项目：乙')?.raw).toEqual({ enterpriseName: '甲', project: '乙' });
  });

  it('takes a bare title as a template only when a form label follows', () => {
    expect(detectTemplate('竞赛计划\n企业名称：甲')).toBe('plan');
    expect(detectTemplate('竞赛计划')).toBeNull();
    expect(detectTemplate('年度报告\n大家月底前记得交')).toBeNull();
    expect(detectTemplate('【年度报告】')).toBe('report');
    // An admin's notice headed like a template is not one.
    expect(detectTemplate('【竞赛计划】请各单位2月底前提交')).toBeNull();
    expect(detectTemplate('【竞赛计划】\n请各单位2月底前提交，逾期将通报。')).toBeNull();
    expect(detectTemplate('【竞赛计划】\n请各单位注意：2月底前提交')).toBeNull();
    // …but one written with the wrong labels is, so the user hears which labels are wrong.
    expect(parseTemplate('【竞赛计划】\n单位：甲公司\n项目：乙\n人数：5')?.unknownLabels).toEqual(['单位', '项目', '人数']);
  });

  it('ignores the invisible zero-width characters that copying from WeChat adds', () => {
    const parsed = parseTemplate('\ufeff【竞赛计划】\n企业名称\u200b：甲公司\u200b\n竞赛项目：\u200b乙')!;
    expect(parsed.unknownLabels).toEqual([]);
    expect(validateForm(planForm, parsed.raw, { defaultYear: 2027 }).values).toMatchObject({ enterpriseName: '甲公司', project: '乙' });
  });

  it('keeps a value that itself contains a colon', () => {
    expect(parseTemplate('【竞赛计划】\n竞赛项目：安康杯：安全生产月')?.raw.project).toBe('安康杯：安全生产月');
  });
});

describe('through the bot', () => {
  let bot: TestBot;
  let east: LocalUser;
  beforeEach(async () => ({ bot, east } = await startFilingBot()));
  afterEach(async () => bot.close());

  const plan = (project: string, lines: Record<string, string>) =>
    ['【竞赛计划】', '企业名称：东城建设集团', `竞赛项目：${project}`, '组织方式：班组参加', ...Object.entries({ 参与人数: '120', 时间安排: '2027-03-01至2027-10-31', 竞赛类型: '五比一创', 重点项目: '否', ...lines }).map(([k, v]) => `${k}：${v}`)].join('\n');

  it.each([
    ['120人', 120], ['1,200', 1200], ['约300', 300], ['约 300 人', 300], ['１２０', 120], ['一百二十人', 120],
  ])('stores 参与人数 %j as %i', async (raw, expected) => {
    const reply = textOf(await bot.say(east, plan('人数测试', { 参与人数: raw })));
    expect(reply).toContain('竞赛计划已收到');
    const row = await bot.app.db.plan.findFirstOrThrow({ where: { project: '人数测试' } });
    expect(row.participants).toBe(expected);
  });

  it.each([
    ['2027-03-01至2027-10-31', '2027-03-01', '2027-10-31'],
    ['2027年3月1日至2027年10月31日', '2027-03-01', '2027-10-31'],
    ['2027.3.1-2027.10.31', '2027-03-01', '2027-10-31'],
    ['3月1日至10月31日', '2027-03-01', '2027-10-31'],
    ['2027年4月1日-2027年6月30日', '2027-04-01', '2027-06-30'],
  ])('stores 时间安排 %j as %s … %s', async (raw, start, end) => {
    const reply = textOf(await bot.say(east, plan('日期测试', { 时间安排: raw })));
    expect(reply).toContain('竞赛计划已收到');
    const row = await bot.app.db.plan.findFirstOrThrow({ where: { project: '日期测试' } });
    expect([row.startDate, row.endDate]).toEqual([start, end]);
  });

  it('reads half- and full-width colons, blank lines, 是/否 and choice aliases in one message', async () => {
    const text = '【竞赛计划】\n\n企业名称:东城供水公司\n  竞赛项目 ：  管网安康杯  \n\n组织方式：班组\n参与人数: 1,200人\n时间安排：2027年3月1日至10月31日\n竞赛类型：安全生产\n重点项目：是的\n经费预算：¥50,000';
    expect(textOf(await bot.say(east, text))).toContain('竞赛计划已收到');
    const row = await bot.app.db.plan.findFirstOrThrow({ where: { project: '管网安康杯' } });
    expect(row).toMatchObject({ enterpriseName: '东城供水公司', participants: 1200, startDate: '2027-03-01', endDate: '2027-10-31', type: 'ankangbei', keyProject: true, budgetFen: 5_000_000 });
  });

  it('accepts a template addressed to the bot with "@赛务助手" and U+2005', async () => {
    const reply = textOf(await bot.say(east, `@赛务助手\u2005${plan('点名测试', { 重点项目: '否' })}`));
    expect(reply).toContain('竞赛计划已收到');
    expect((await bot.app.db.plan.findFirstOrThrow({ where: { project: '点名测试' } })).keyProject).toBe(false);
  });

  it('accepts "@赛务助手 /plan" and "@赛务助手\u2005计划" as commands', async () => {
    for (const text of ['@赛务助手 /plan', '@赛务助手\u2005计划']) {
      const replies = await bot.say(east, text);
      expect(replies.map((r) => r.kind)).toEqual(['form']);
    }
  });

  it.each([
    ['计划编号：1', '1'], ['计划编号：#1', '#1'], ['计划编号：1号', '1号'], ['计划编号：#1 快速路“五比一创”劳动竞赛', 'the line /mine shows'],
    ['竞赛项目：快速路"五比一创"劳动竞赛', 'straight quotes'], ['竞赛项目：快速路 “五比一创” 劳动竞赛', 'extra spaces'],
  ])('finds the plan from %j (%s)', async (line) => {
    await bot.say(east, plan('快速路“五比一创”劳动竞赛', {}));
    bot.setNow('2027-04-02T09:00:00+08:00');
    const reply = textOf(await bot.say(east, `【竞赛进度】\n${line}\n日期：2027-04-01\n进展情况：动员大会`));
    expect(reply).toContain('竞赛进度已收到：计划编号 #1 东城街道工会「快速路“五比一创”劳动竞赛」');
  });

  it('reads the progress date in the campaign year and a plan named by its 竞赛项目', async () => {
    await bot.say(east, plan('进度测试', {}));
    bot.setNow('2027-05-20T18:00:00+08:00');
    const reply = textOf(await bot.say(east, '【竞赛进度】\n竞赛项目：进度测试\n日期：5月20日\n进展情况：第一阶段比武\n累计参与人数：约80人'));
    expect(reply).toContain('竞赛进度已收到');
    const row = await bot.app.db.progressUpdate.findFirstOrThrow({ include: { plan: true } });
    expect(row).toMatchObject({ date: '2027-05-20', participants: 80, content: '第一阶段比武' });
    expect(row.plan.project).toBe('进度测试');
  });
});
