// Deadlines that stay right all year: which form plain /missing and /remind are about, late marks
// that follow the deadline in force, who must file what (the campaign's scope), partial summaries,
// every level at once, late filings counted at every level, and admin changes checked for slips.
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setUpDistrict, startTestBot, textOf, type LocalUser, type TestBot } from './support/harness.js';
import { download, standingsRows } from './support/standings-fixture.js';

let bot: TestBot;
beforeEach(async () => {
  bot = await startTestBot({ JOIN_APPROVAL: 'never' });
  bot.setNow('2027-02-10T10:00:00+08:00');
});
afterEach(async () => bot.close());

const say = async (who: LocalUser, text: string) => textOf(await bot.say(who, text));
const plan = (enterprise: string, project: string) =>
  `【竞赛计划】\n企业名称：${enterprise}\n竞赛项目：${project}\n组织方式：工会与项目部联合组织\n参与人数：120\n时间安排：2027年3月1日至10月31日\n竞赛类型：五比一创\n重点项目：是`;
const summary = (planId: number) => `【竞赛总结】\n计划编号：${planId}\n实际参与人数：110\n经费支出：5000\n获奖级别：无`;
const report = '【年度报告】\n主要经验：以重点工程为依托开展竞赛\n存在问题：参与面不广\n意见建议：增加经费支持';

/** The district with a fourth level: 测试区 → 东城/西城/高新 → 东城甲/乙企业 → 甲企业一车间. */
async function fourLevels() {
  const d = await setUpDistrict(bot);
  for (const step of ['/unit add 东城甲企业工会 上级=东城街道工会', '/unit add 东城乙企业工会 上级=东城街道工会', '/unit add 甲企业一车间工会 上级=东城甲企业工会']) {
    expect(await say(d.admin, step)).toContain('✅');
  }
  const street = (userId: string, userName: string): LocalUser => ({ userId, userName, chatId: 'district-group' });
  const people = {
    east: d.east, west: d.west, park: d.park,
    ejia: street('ejia', '甲企业钱干事'), eyi: street('eyi', '乙企业孙干事'), shop: street('shop', '车间周干事'),
  };
  const joins: [LocalUser, string][] = [[people.east, '东城街道工会'], [people.west, '西城街道工会'], [people.park, '高新园区工会'], [people.ejia, '东城甲企业工会'], [people.eyi, '东城乙企业工会'], [people.shop, '甲企业一车间工会']];
  for (const [who, unit] of joins) expect(await say(who, `/join ${unit}`)).toContain('已登记');
  return { ...d, people };
}

describe('which form plain /missing and /remind are about', () => {
  it('an overdue plan with missing units comes before next October\'s summary; then the summary, without @mentions that far ahead', async () => {
    const d = await setUpDistrict(bot);
    for (const [who, unit] of [[d.east, '东城街道工会'], [d.west, '西城街道工会'], [d.park, '高新园区工会']] as const) await say(who, `/join ${unit}`);
    expect(await say(d.east, plan('东城建设集团', '快速路劳动竞赛'))).toContain('竞赛计划已收到');

    bot.setNow('2027-03-03T10:00:00+08:00'); // plan deadline (28 February) passed, West and the park overdue
    const replies = await bot.say(d.admin, '/remind');
    const r = replies[0];
    if (r.kind !== 'text') throw new Error('expected text');
    expect(r.text).toContain('【计划备案】逾期催交');
    expect(r.mentions.sort()).toEqual([d.park.userId, d.west.userId].sort());
    expect(r.mentions).not.toContain(d.east.userId);
    expect(await say(d.east, '/missing')).toContain('【计划备案】未交名单');

    // Everyone files: the plan form is done with, and the summary is 226 days away.
    await say(d.west, plan('西城电力', '电力技能比武'));
    await say(d.park, plan('园区科技', '五小创新'));
    const later = await bot.say(d.admin, '/remind');
    const l = later[0];
    if (l.kind !== 'text') throw new Error('expected text');
    expect(l.text).toContain('【总结表】未交名单');
    expect(l.mentions).toEqual([]);
    expect(l.text).toContain('距截止还有 226 天，现在不@各单位。自动催交将于2027年9月30日（星期四）开始');
  });
});

describe('late is relative to the deadline in force', () => {
  it('extending the deadline past a late filing makes it on time everywhere; shortening it makes it late again', async () => {
    const d = await setUpDistrict(bot);
    await say(d.east, '/join 东城街道工会');
    bot.setNow('2027-03-02T10:00:00+08:00');
    expect(await say(d.east, plan('东城建设集团', '快速路劳动竞赛'))).toContain('记为逾期提交');
    expect(await say(d.east, '/mine')).toContain('逾期备案');
    expect(await say(d.admin, '/stats')).toContain('已交1（按时0，逾期1）');

    const extended = await say(d.admin, '/campaign set 计划截止=2027-03-05');
    expect(extended).toContain('✅ 已修改');
    expect(extended).toContain('逾期标记已按新的截止日期重新判定：1 份改为按时');
    expect(await say(d.east, '/mine')).not.toContain('逾期备案');
    expect(await say(d.admin, '/stats')).toContain('已交1（按时1，逾期0）');
    const planId = (await bot.app.db.plan.findFirstOrThrow()).id;
    expect(await say(d.east, `/history ${planId}`)).toContain('计划首次提交于 2027-03-02 10:00，按现行截止日期（2027年3月5日）为按时');

    // Back to a date before the filing (already past, so only with 确认): late again.
    expect(await say(d.admin, '/campaign set 计划截止=2027-02-28')).toContain('这一天已经过去');
    expect(await say(d.admin, '/campaign set 计划截止=2027-02-28 确认')).toContain('1 份改为逾期');
    expect(await say(d.east, '/mine')).toContain('逾期备案');
    const history = await bot.app.db.revision.findMany({ where: { entity: 'campaign' }, orderBy: { version: 'asc' } });
    expect(history.map((h) => JSON.parse(h.newValues).planDeadline)).toEqual(['2027-03-05', '2027-02-28']);
    const log = await say(d.admin, '/history 竞赛');
    expect(log).toContain('计划截止 2027年2月28日→2027年3月5日');
    expect(log).toContain('计划截止 2027年3月5日→2027年2月28日');
    expect(await say(d.east, '/history 竞赛')).toContain('只有管理员可以查看');
  });

  it('a late filing counts as late at every level it rolls up to', async () => {
    const d = await fourLevels();
    bot.setNow('2027-02-20T10:00:00+08:00');
    expect(await say(d.people.ejia, plan('东城甲企业', '甲企业技能比武'))).toContain('按时提交');
    bot.setNow('2027-03-02T10:00:00+08:00');
    // The street's own plan is late; its enterprise's on time.
    expect(await say(d.people.east, plan('东城街道', '街道安康杯'))).toContain('记为逾期提交');
    const stats = await say(d.admin, '/stats');
    expect(stats).toContain('计划备案（截止2027年2月28日）：应交3个单位，已交1（按时0，逾期1），未交2');
    const standings = standingsRows(await bot.say(d.admin, '/standings plan'));
    // 计划按时: 10 × (1 on time + 1 late × 0.5) / 2
    expect(standings.rows.find((r) => r[1] === '东城街道工会')?.[3]).toBe('7.5');
    expect(standings.labels[0]).toBe('计划按时');
  });
});

describe('who must file (the campaign\'s scope)', () => {
  it('the year-end report is asked of the units directly under the federation, each for itself', async () => {
    const d = await fourLevels();
    bot.setNow('2027-12-20T10:00:00+08:00');
    // An enterprise's report does not count for its street.
    expect(await say(d.people.ejia, report)).toContain('已收到');
    const missing = await say(d.admin, '/missing report');
    expect(missing).toContain('已交 0/3 个单位');
    expect(missing).toContain('· 东城街道工会 — 联络员：东城李干事');
    expect(await say(d.admin, '/missing report 全部')).not.toContain('东城甲企业工会');
    // The street's own group asks the street itself, not its enterprises.
    const streetGroup = { ...d.admin, chatId: 'east-group' };
    expect(await say(streetGroup, '/bind 东城街道工会 2027')).toContain('✅');
    const own = await say({ ...d.people.east, chatId: 'east-group' }, '/missing report');
    expect(own).toContain('已交 0/1 个单位');
    expect(own).toContain('· 东城街道工会');
    expect(await say(d.people.east, report)).toContain('已收到');
    expect(await say(d.admin, '/missing report')).toContain('已交 1/3 个单位');

    // Every unit must report once the admin says so.
    const set = await say(d.admin, '/campaign set 年报范围=全部');
    expect(set).toContain('应交单位：计划 全部；总结 全部；年报 全部');
    const all = await say(d.admin, '/missing report 全部');
    expect(all).toContain('合计：已交 2/6 个单位');
    expect(all).toContain('▸ 东城街道工会 下属：已交 1/2');
    expect(all).toContain('· 东城乙企业工会');
    expect(await say(d.admin, '/campaign set 年报范围=部分')).toContain('年报范围：请写“全部”');
  });

  it('/missing all shows every level of a four-level tree, grouped by the unit above, with counts', async () => {
    const d = await fourLevels();
    await say(d.people.shop, plan('甲企业一车间', '车间岗位练兵'));
    await say(d.people.west, plan('西城电力', '电力技能比武'));
    const all = await say(d.admin, '/未交 计划 全部');
    const lines = all.split('\n');
    expect(lines[0]).toBe('【计划备案】未交名单（全部层级，2027年度）');
    expect(all).toContain('合计：已交 4/6 个单位'); // 东城 (through its workshop), 东城甲 (same), 车间, 西城
    expect(lines.slice(3)).toEqual([
      '▸ 测试区总工会 下属：已交 2/3',
      '  · 高新园区工会 — 联络员：园区赵干事',
      '▸ 东城街道工会 下属：已交 1/2',
      '  · 东城乙企业工会 — 联络员：乙企业孙干事',
      '▸ 东城甲企业工会 下属：已交 1/1 ✅',
    ]);
    // The plain roll-call still stands for each street's whole subtree.
    expect(await say(d.admin, '/missing plan')).toContain('已交 2/3 个单位');
  });
});

describe('groups below the federation', () => {
  it('a street\'s own group counts each enterprise once; an enterprise\'s group is told the report is not its to file', async () => {
    const d = await fourLevels();
    const streetGroup = { ...d.admin, chatId: 'east-group' };
    expect(await say(streetGroup, '/bind 东城街道工会 2027')).toContain('✅');
    await say(d.people.ejia, plan('东城甲企业', '甲企业技能比武'));
    // The street (its cadre registered) is a row of its own beside its two enterprises.
    const missing = await say({ ...d.people.east, chatId: 'east-group' }, '/missing plan');
    expect(missing).toContain('已交 1/3 个单位');
    expect(missing).toContain('· 东城街道工会 — 联络员：东城李干事');
    const all = await say({ ...d.people.east, chatId: 'east-group' }, '/missing plan 全部');
    expect(all.split('\n')[3]).toBe('▸ 本单位：已交 0/1');
    expect(await say(d.admin, '/stats')).toContain('各级合计应交6个，已交2'); // 东城 (through 甲) and 甲 itself

    const shopGroup = { ...d.admin, chatId: 'shop-group' };
    expect(await say(shopGroup, '/bind 甲企业一车间工会 2027')).toContain('✅');
    bot.setNow('2027-12-20T10:00:00+08:00');
    expect(await say({ ...d.people.shop, chatId: 'shop-group' }, '/missing report')).toContain('本竞赛的年度报告只需组织单位的直属单位提交，本群单位不在其中，不用交');
    expect(await say(d.people.shop, '/mine')).toContain('本竞赛的年度报告只需直属单位提交，本单位不用交');
    expect(await say(d.people.shop, report)).toContain('本单位的报告已保存，供上级参考，不计入统计');
  });

  it('/missing 全部 answers for a federation of 1,500 units', async () => {
    const d = await setUpDistrict(bot);
    const db = bot.app.db;
    const east = (await db.unit.findUniqueOrThrow({ where: { name: '东城街道工会' } })).id;
    const rows = Array.from({ length: 1500 }, (_, i) => ({ name: `东城第${i + 1}企业工会`, level: 3, parentId: east }));
    for (let i = 0; i < rows.length; i += 500) await db.unit.createMany({ data: rows.slice(i, i + 500) });
    const all = await say(d.admin, '/missing plan 全部');
    expect(all).toContain('合计：已交 0/1503 个单位');
    expect(all).toContain('……另有 1353 个单位未交，完整名单请发送“/导出”下载表格。');
  });
});

describe('summaries are per plan', () => {
  it('a unit with 1 of 2 plans summarised is 部分提交 1/2 in /missing, /stats and the Excel sheet, never 已交', async () => {
    const d = await setUpDistrict(bot);
    await say(d.east, '/join 东城街道工会');
    await say(d.east, plan('东城建设集团', '快速路劳动竞赛'));
    await say(d.east, plan('东城市政', '市政安康杯'));
    const first = (await bot.app.db.plan.findFirst({ orderBy: { id: 'asc' } }))!;
    bot.setNow('2027-10-08T10:00:00+08:00');
    expect(await say(d.east, summary(first.id))).toContain('已收到');
    const missing = await say(d.admin, '/missing summary');
    expect(missing).toContain('已交 0/3 个单位');
    expect(missing).toContain('· 东城街道工会 — 部分提交 1/2；联络员：东城李干事');
    const reminder = await say(d.admin, '/remind summary');
    expect(reminder).toContain('东城街道工会（部分提交 1/2）');
    expect(await say(d.admin, '/stats')).toContain('总结表（截止2027年10月15日）：应交3个单位，已交0（按时0，逾期0），部分提交1，未交2');

    const replies = await bot.say(d.admin, '/export all');
    const file = replies.find((r) => r.kind === 'file') as { url: string } | undefined;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await download(bot, file!.url)) as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('未交单位')!;
    const rows: unknown[][] = [];
    sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    const east = rows.find((r) => r[0] === '东城街道工会')!;
    expect(east).toEqual(['东城街道工会', '测试区总工会', '已交', '部分提交 1/2', '未交', '东城李干事']);
  });
});

describe('admin changes are checked for slips', () => {
  it('a past deadline or deadlines out of order need 确认; a reminder at 06:30 needs 确认', async () => {
    const d = await setUpDistrict(bot);
    const past = await say(d.admin, '/campaign set 计划截止=2027-02-01');
    expect(past).toContain('⚠️ 没有修改');
    expect(past).toContain('计划截止改为2027年2月1日，这一天已经过去');
    expect(past).toContain('/竞赛 设置 计划截止=2027-02-01 确认');
    expect((await bot.app.db.campaign.findFirst())!.planDeadline).toBe('2027-02-28');
    const order = await say(d.admin, '/campaign set 总结截止=2027-02-20');
    expect(order).toContain('截止日期的先后不对');
    expect(await say(d.admin, '/campaign set 总结截止=2027-02-20 确认')).toContain('✅ 已修改');
    expect(await say(d.admin, '/campaign set 计划截止=2027-02-28')).toContain('和现在的设置一样');

    expect(await say(d.admin, '/reminders set 时间=06:30')).toContain('提醒时间 06:30 不在 07:00–21:00 之间');
    expect(await say(d.admin, '/reminders set 时间=06:30 确认')).toContain('✅ 已修改催交提醒');
    expect(await say(d.admin, '/reminders set 时间=08:30')).toContain('✅');
  });

  it('a campaign created mid-year says which deadlines have passed', async () => {
    bot.setNow('2027-06-01T10:00:00+08:00');
    const admin = { userId: 'admin', userName: '王主席', chatId: 'g' };
    await say(admin, '/unit add 测试区总工会');
    const created = await say(admin, '/campaign add 2027');
    expect(created).toContain('✅ 已创建竞赛年度');
    expect(created).toContain('⚠️ 计划备案截止（2027年2月28日）已过：现在提交的会记为逾期');
    expect(created).not.toContain('总结表截止（2027年10月15日）已过');
  });
});
