// Units send the spreadsheets they already use: the blank 计划表 / 汇总表 from /模板 … 表格, filled in
// with exceljs as a cadre would in Excel and sent back to the bot (privately, or with /import in the
// group), is filed for the sender's unit — every row or none, bad rows named by row and column, and the
// same sheet sent again revises instead of duplicating.
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setUpDistrict, startTestBot, textOf, type LocalUser, type TestBot } from './support/harness.js';
import { download, planText } from './support/standings-fixture.js';

let bot: TestBot;
beforeEach(async () => {
  bot = await startTestBot();
});
afterEach(async () => bot.close());

const attach = (fileName: string, data: Buffer) => ({ file: { fileName, base64: data.toString('base64') } });
const privately = (u: LocalUser): LocalUser => ({ ...u, chatId: `${u.userId}-p2p`, chatType: 'p2p' });

async function district() {
  bot.setNow('2027-02-10T10:00:00+08:00');
  const d = await setUpDistrict(bot);
  for (const [u, unit] of [[d.east, '东城街道工会'], [d.west, '西城街道工会']] as const) expect(textOf(await bot.say(u, `/join ${unit}`))).toContain('已登记');
  return d;
}

/** The blank table the bot hands out, with `rows` written under its header as a cadre fills it in. */
async function filledTemplate(user: LocalUser, what: '计划' | '总结', fill: (ws: ExcelJS.Worksheet, col: (header: string) => number) => void): Promise<Buffer> {
  const file = (await bot.say(user, `/模板 ${what} 表格`)).find((r) => r.kind === 'file') as { url: string } | undefined;
  if (!file) throw new Error('no template file');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await download(bot, file.url)) as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  const headers = (ws.getRow(3).values as unknown[]).map((v) => String(v ?? ''));
  fill(ws, (header) => {
    const i = headers.indexOf(header);
    if (i < 1) throw new Error(`no column ${header} in ${headers.join(',')}`);
    return i;
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const PLANS = [
  ['东城建设集团有限公司', '快速路“五比一创”劳动竞赛', '工会与行政联合组织', 1000, '2027年3月1日至10月31日'],
  ['东城供水有限公司', '供水管网安康杯竞赛', '班组对抗', '100-150人', '3月中旬至5月中旬'],
  ['东城市政公司', '市政养护技能比武', '岗位练兵', 300, '第二季度'],
] as const;

function writePlans(rows: readonly (readonly (string | number)[])[]) {
  return (ws: ExcelJS.Worksheet, col: (h: string) => number) => {
    rows.forEach((r, i) => {
      ['企业名称', '竞赛项目', '组织方式', '参与人数(规模)', '时间安排'].forEach((h, j) => (ws.getCell(4 + i, col(h)).value = r[j]));
    });
  };
}

const say = async (u: LocalUser, text: string, extra?: Record<string, unknown>) => textOf(await bot.say(u, text, extra));

describe('a filled 计划表 sent to the bot', () => {
  it('files every row for the sender\'s unit, privately with the file alone, keeping the wording; the same sheet again changes nothing', async () => {
    const d = await district();
    const sheet = await filledTemplate(d.east, '计划', writePlans(PLANS));
    const reply = await say(privately(d.east), '', attach('东城计划表.xlsx', sheet));
    expect(reply).toContain('✅ 已从「东城计划表.xlsx」导入竞赛计划 3 项（填报单位：东城街道工会）：新提交 3 项，修改 0 项，内容未变 0 项。');
    // The official table has no 竞赛类型 or 重点项目: said so, not guessed silently.
    expect(reply).toContain('表中没有“竞赛类型”列');
    expect(reply).toContain('表中没有“重点项目”列：已备案的竞赛保留原来填的重点项目，新的记为“否”');
    expect(reply).toContain('供水管网安康杯竞赛（新提交）：时间安排「3月中旬至5月中旬」按2027年3月11日至2027年5月20日计');
    const plans = await bot.app.db.plan.findMany({ orderBy: { id: 'asc' } });
    expect(plans.map((p) => [p.project, p.type, p.participants, p.participantsText, p.startDate, p.endDate, p.periodText])).toEqual([
      ['快速路“五比一创”劳动竞赛', 'wubiyichuang', 1000, null, '2027-03-01', '2027-10-31', null],
      ['供水管网安康杯竞赛', 'ankangbei', 150, '100-150人', '2027-03-11', '2027-05-20', '3月中旬至5月中旬'],
      ['市政养护技能比武', 'skills', 300, null, '2027-04-01', '2027-06-30', '第二季度'],
    ]);
    expect(plans.every((p) => p.unitId === plans[0].unitId && !p.keyProject)).toBe(true);

    // The same sheet again: no duplicates, no new versions.
    const again = await say(privately(d.east), '', attach('东城计划表.xlsx', sheet));
    expect(again).toContain('新提交 0 项，修改 0 项，内容未变 3 项');
    expect(await bot.app.db.plan.count()).toBe(3);
    expect(await bot.app.db.revision.count({ where: { entity: 'plan' } })).toBe(3);

    // One cell changed: that plan gets its second version, its history says what changed.
    const changed = await filledTemplate(d.east, '计划', writePlans([PLANS[0], [...PLANS[1].slice(0, 3), 180, PLANS[1][4]], PLANS[2]]));
    expect(await say(privately(d.east), '', attach('东城计划表.xlsx', changed))).toContain('修改 1 项');
    const second = await bot.app.db.plan.findFirstOrThrow({ where: { project: '供水管网安康杯竞赛' } });
    expect([second.version, second.participants, second.participantsText]).toEqual([2, 180, null]);
    expect(await say(d.east, `/history ${second.id}`)).toContain('参与人数 150→180');
  });

  it('files nothing when one row is wrong, and names the row, the column and the fix', async () => {
    const d = await district();
    const sheet = await filledTemplate(d.east, '计划', writePlans([PLANS[0], ['东城供水有限公司', '供水管网安康杯竞赛', '班组对抗', '很多人', '2027年10月31日至2027年3月1日'], PLANS[2], PLANS[0]]));
    const reply = await say(d.east, '/import', attach('计划表.xlsx', sheet));
    expect(reply).toContain('❗ 没有导入：「计划表.xlsx」有 3 处需要修改，整张表都没有保存。');
    expect(reply).toContain('第5行 · 参与人数：请填写一个整数');
    expect(reply).toContain('第5行 · 时间安排：结束时间（2027年3月1日）早于开始时间（2027年10月31日）');
    expect(reply).toContain('第7行 · 竞赛项目：与第4行是同一项竞赛，请只保留一行');
    expect(await bot.app.db.plan.count()).toBe(0);
    expect(await bot.app.db.revision.count()).toBe(await bot.app.db.revision.count({ where: { entity: { notIn: ['plan'] } } }));
  });

  it('reads the columns a unit adds (竞赛类型, 重点项目), refuses another unit\'s rows, and tells a file it cannot read', async () => {
    const d = await district();
    const sheet = await filledTemplate(d.east, '计划', (ws, col) => {
      writePlans([PLANS[0]])(ws, col);
      ws.getCell(3, 6).value = '竞赛类型';
      ws.getCell(3, 7).value = '重点项目';
      ws.getCell(4, 6).value = '五比一创';
      ws.getCell(4, 7).value = '是';
    });
    const reply = await say(privately(d.east), '', attach('计划表.xlsx', sheet));
    expect(reply).toContain('新提交 1 项');
    expect(reply).not.toContain('表中没有');
    expect((await bot.app.db.plan.findFirstOrThrow()).keyProject).toBe(true);

    // An export of the whole district sent back by East: West's rows are not East's to file.
    const other = await filledTemplate(d.east, '计划', (ws, col) => {
      writePlans([PLANS[1], PLANS[2]])(ws, col);
      ws.spliceColumns(1, 0, []);
      ws.getCell('A3').value = '所属单位';
      ws.getCell('A4').value = '东城街道工会';
      ws.getCell('A5').value = '西城街道工会';
    });
    const refused = await say(privately(d.east), '', attach('全区计划表.xlsx', other));
    expect(refused).toContain('第5行 · 所属单位：「西城街道工会」不是您登记的单位（东城街道工会）');
    expect(await bot.app.db.plan.count()).toBe(1);

    expect(await say(privately(d.east), '', attach('照片清单.xlsx', await roster()))).toContain('不是计划表或汇总表');
    // In the group a file goes with /import; a filer's roster is not theirs to import.
    expect(await say(d.east, '/import', attach('单位名单.xlsx', await roster()))).toContain('不是计划表或汇总表');
    expect(await bot.app.db.unit.count({ where: { name: '南城街道工会' } })).toBe(0);
  });
});

async function roster(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('名单');
  ws.addRow(['单位名称', '上级单位', '职工数']);
  ws.addRow(['南城街道工会', '测试区总工会', 3000]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('a filled 汇总表 sent to the bot', () => {
  it('files the summaries of the rows filled in, naming each plan by its 竞赛项目, and leaves the rest for later', async () => {
    const d = await district();
    for (const p of PLANS) {
      const r = await say(d.east, planText({ enterprise: p[0], project: p[1], participants: 100, period: '2027年3月1日至10月31日', key: false }));
      expect(r).toContain('✅');
    }
    bot.setNow('2027-10-10T10:00:00+08:00');
    const sheet = await filledTemplate(d.east, '总结', (ws, col) => {
      // The template lists East's plans; the cadre fills two of them.
      const filled: Record<string, [number, number, string]> = { [PLANS[0][1]]: [960, 45800.5, '市级 五一劳动奖状；区级 工人先锋号'], [PLANS[1][1]]: [140, 0, '无'] };
      for (const r of [4, 5, 6]) {
        const values = filled[String(ws.getCell(r, col('竞赛项目')).value)];
        if (!values) continue;
        ['参与人数(规模)', '经费支出(元)', '获奖情况'].forEach((h, i) => (ws.getCell(r, col(h)).value = values[i]));
      }
    });
    const reply = await say(privately(d.east), '', attach('汇总表.xlsx', sheet));
    expect(reply).toContain('✅ 已从「汇总表.xlsx」导入竞赛总结 2 项（填报单位：东城街道工会）');
    expect(reply).toContain('1 项计划在表中还没有填总结，未导入。');
    const summaries = await bot.app.db.summary.findMany({ include: { plan: true }, orderBy: { planId: 'asc' } });
    expect(summaries.map((s) => [s.plan.project, s.actualParticipants, s.expenditureFen, JSON.parse(s.awards), s.awardLevel])).toEqual([
      [PLANS[0][1], 960, 4_580_050, [{ level: 'city', name: '五一劳动奖状' }, { level: 'district', name: '工人先锋号' }], 'city'],
      [PLANS[1][1], 140, 0, [], 'none'],
    ]);
    // Sent again: the same summaries, no duplicates.
    expect(await say(privately(d.east), '', attach('汇总表.xlsx', sheet))).toContain('新提交 0 项，修改 0 项，内容未变 2 项');
    expect(await bot.app.db.summary.count()).toBe(2);
    // A fresh 汇总表 template shows what is filed, so it goes back unchanged; the third plan still to fill.
    const fresh = await filledTemplate(d.east, '总结', (ws, col) => {
      const row = [4, 5, 6].find((r) => ws.getCell(r, col('竞赛项目')).value === PLANS[0][1])!;
      expect(ws.getCell(row, col('获奖情况')).value).toBe('市级 五一劳动奖状；区县级 工人先锋号');
    });
    const back = await say(privately(d.east), '', attach('汇总表.xlsx', fresh));
    expect(back).toContain('内容未变 2 项');
    expect(back).toContain('1 项计划在表中还没有填总结');
  });

  it('refuses a summary row naming a plan the unit does not have, and files none', async () => {
    const d = await district();
    await say(d.east, planText({ enterprise: PLANS[0][0], project: PLANS[0][1], participants: 100, period: '2027年3月1日至10月31日', key: false }));
    bot.setNow('2027-10-10T10:00:00+08:00');
    const sheet = await filledTemplate(d.east, '总结', (ws, col) => {
      ws.getCell(4, col('参与人数(规模)')).value = 90;
      ws.getCell(4, col('经费支出(元)')).value = 100;
      ws.getCell(4, col('获奖情况')).value = '无';
      // A row added below the template's note (row 5) still counts.
      ws.getCell(7, col('竞赛项目')).value = '不存在的竞赛';
      ws.getCell(7, col('参与人数(规模)')).value = 10;
      ws.getCell(7, col('经费支出(元)')).value = 1;
      ws.getCell(7, col('获奖情况')).value = '金奖';
    });
    const reply = await say(privately(d.east), '', attach('汇总表.xlsx', sheet));
    expect(reply).toContain('有 2 处需要修改，整张表都没有保存');
    expect(reply).toContain('第7行 · 获奖情况：「金奖」没有写清级别');
    expect(reply).toContain('第7行 · 竞赛项目：本单位没有「不存在的竞赛」的计划');
    expect(await bot.app.db.summary.count()).toBe(0);
  });
});

describe('spreadsheets as offices make them', () => {
  it('reads a hand-made 计划表: title with the year, a two-row header, 企业名称 merged over rows, 万元, a hidden row, sign-off lines', async () => {
    const d = await district();
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('附件一');
    ws.addRow(['附件一']);
    ws.addRow(['2027年度东城街道职工劳动竞赛活动计划表']);
    ws.addRow(['序号', '企业名称', '竞赛项目', '组织方式', '参与人数', '时间安排', '', '经费预算（万元）']);
    ws.addRow(['', '', '', '', '（规模）', '开始时间', '结束时间', '']);
    ws.mergeCells('F3:G3');
    ws.addRow([1, '东城建设集团', '快速路“五比一创”劳动竞赛', '工会与行政联合组织', '100人-150人', '2027年3月1日', '2027年10月31日', 5]);
    ws.addRow([2, '', '快速路安康杯竞赛', '班组对抗', 80, '2027年4月1日', '2027年6月30日', '']);
    ws.mergeCells('B5:B6');
    ws.addRow([3, '东城供水公司', '（2026年）管网技能比武——已结束', '岗位练兵', 30, '2026年5月1日', '2026年5月31日', '']);
    ws.getRow(7).hidden = true;
    ws.addRow([4]);
    ws.addRow(['合计', '', '', '', 230]);
    ws.addRow(['填表人：李四', '', '联系电话：13800000000']);
    ws.addRow(['单位负责人：', '', '报送时间：2027年2月20日']);
    const reply = await say(privately(d.east), '', attach('附件一.xlsx', Buffer.from(await wb.xlsx.writeBuffer())));
    expect(reply).toContain('导入竞赛计划 2 项');
    expect(reply).toContain('1 行在表格里是隐藏的，未导入');
    const plans = await bot.app.db.plan.findMany({ orderBy: { id: 'asc' } });
    expect(plans.map((p) => [p.enterpriseName, p.project, p.participants, p.participantsText, p.startDate, p.endDate, p.budgetFen])).toEqual([
      ['东城建设集团', '快速路“五比一创”劳动竞赛', 150, '100人-150人', '2027-03-01', '2027-10-31', 5_000_000],
      ['东城建设集团', '快速路安康杯竞赛', 80, null, '2027-04-01', '2027-06-30', null],
    ]);

    // The same table titled 2026: not filed into the 2027 campaign.
    ws.getCell('A2').value = '2026年度东城街道职工劳动竞赛活动计划表';
    const wrongYear = await say(privately(d.east), '', attach('附件一.xlsx', Buffer.from(await wb.xlsx.writeBuffer())));
    expect(wrongYear).toContain('标题是2026年度');
    expect(await bot.app.db.revision.count({ where: { entity: 'plan' } })).toBe(2);
  });

  it('files both sheets of one workbook, the 计划表 first; a CSV keeps a full-width comma inside a cell', async () => {
    const d = await district();
    const wb = new ExcelJS.Workbook();
    // The summary sheet comes first in the workbook; the plans are still filed before it.
    const sums = wb.addWorksheet('汇总表');
    sums.addRow(['企业名称', '竞赛项目', '组织方式', '参与人数(规模)', '时间安排', '经费支出(元)', '获奖情况']);
    sums.addRow(['东城建设集团', '快速路安康杯竞赛', '班组对抗', 118, '全年', 3000, '无']);
    const plans = wb.addWorksheet('计划表');
    plans.addRow(['企业名称', '竞赛项目', '组织方式', '参与人数(规模)', '时间安排']);
    plans.addRow(['东城建设集团', '快速路安康杯竞赛', '班组对抗', 120, '全年']);
    const replies = await bot.say(privately(d.east), '', attach('全年.xlsx', Buffer.from(await wb.xlsx.writeBuffer())));
    const texts = replies.map((r) => (r.kind === 'text' ? r.text : ''));
    expect(texts[0]).toContain('“计划表”导入竞赛计划 1 项');
    expect(texts[1]).toContain('“汇总表”导入竞赛总结 1 项');

    bot.setNow('2027-10-10T10:00:00+08:00');
    const csv = '企业名称,竞赛项目,组织方式,参与人数(规模),时间安排,经费支出(元),获奖情况\r\n东城建设集团,快速路安康杯竞赛,班组对抗,118,全年,3000,市级 五一劳动奖状，区级 工人先锋号\r\n';
    expect(await say(privately(d.east), '', attach('汇总表.csv', Buffer.from(csv)))).toContain('修改 1 项');
    const s = await bot.app.db.summary.findFirstOrThrow();
    expect(JSON.parse(s.awards)).toEqual([{ level: 'city', name: '五一劳动奖状' }, { level: 'district', name: '工人先锋号' }]);
  });

  it('refuses one name for two enterprises and a 计划编号 that disagrees with its 竞赛项目; says when a withdrawn plan comes back', async () => {
    const d = await district();
    const sheet = await filledTemplate(d.east, '计划', writePlans([
      ['东城建设集团', '安康杯竞赛', '班组', 100, '全年'],
      ['东城供水公司', '“安康杯”竞赛', '班组', 50, '全年'],
    ]));
    const refused = await say(privately(d.east), '', attach('计划表.xlsx', sheet));
    expect(refused).toContain('第5行 · 竞赛项目：与第4行同名，但企业不同（东城建设集团）');
    expect(await bot.app.db.plan.count()).toBe(0);

    const good = await filledTemplate(d.east, '计划', writePlans([PLANS[0], PLANS[1]]));
    expect(await say(privately(d.east), '', attach('计划表.xlsx', good))).toContain('新提交 2 项');
    const [first, second] = await bot.app.db.plan.findMany({ orderBy: { id: 'asc' } });
    expect(await say(d.east, `/撤回 ${second.id}`)).toContain('✅');
    const again = await say(privately(d.east), '', attach('计划表.xlsx', good));
    expect(again).toContain(`#${second.id} 供水管网安康杯竞赛（第2版，原已撤回，已恢复）`);

    bot.setNow('2027-10-10T10:00:00+08:00');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('汇总表');
    ws.addRow(['计划编号', '竞赛项目', '参与人数(规模)', '经费支出(元)', '获奖情况']);
    ws.addRow([second.id, first.project, 90, 100, '无']);
    const mismatch = await say(privately(d.east), '', attach('汇总表.xlsx', Buffer.from(await wb.xlsx.writeBuffer())));
    expect(mismatch).toContain(`第2行 · 计划编号：计划 #${second.id} 是「供水管网安康杯竞赛」，与本行的竞赛项目「${first.project}」不一致`);
    expect(await bot.app.db.summary.count()).toBe(0);
  });

  it('refuses a sheet of more rows than a unit files, and still imports an admin\'s roster sent privately', async () => {
    const d = await district();
    const many = await filledTemplate(d.east, '计划', writePlans(Array.from({ length: 301 }, (_, i) => ['东城建设集团', `竞赛${i + 1}`, '班组', 10, '全年'])));
    expect(await say(privately(d.east), '', attach('计划表.xlsx', many))).toContain('一次最多导入 300 行');
    expect(await bot.app.db.plan.count()).toBe(0);
    expect(await say(privately(d.admin), '', attach('单位名单.xlsx', await roster()))).toContain('单位名单已导入');
    expect(await bot.app.db.unit.count({ where: { name: '南城街道工会' } })).toBe(1);
  });
});

