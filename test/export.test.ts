// /export through the local chat: the workbook is read back with exceljs and checked cell by cell
// against a known year of filings.
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestBot, textOf, type TestBot } from './support/harness.js';
import { download, fileKnownYear } from './support/standings-fixture.js';

let bot: TestBot;
beforeEach(async () => {
  bot = await startTestBot();
});
afterEach(async () => bot.close());

async function exportWorkbook(what: string): Promise<{ wb: ExcelJS.Workbook; fileName: string; caption?: string }> {
  const replies = await bot.say({ userId: 'admin', userName: '王主席', chatId: 'district-group' }, `/export ${what}`);
  const file = replies.find((r) => r.kind === 'file') as { fileName: string; url: string; caption?: string } | undefined;
  if (!file) throw new Error(`no file in: ${textOf(replies)}`);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await download(bot, file.url)) as unknown as ArrayBuffer);
  return { wb, fileName: file.fileName, caption: file.caption };
}

const rowValues = (ws: ExcelJS.Worksheet, n: number) => (ws.getRow(n).values as unknown[]).slice(1);

describe('/export', () => {
  it('writes the plan and summary tables as the official attachments, with numbers as numbers and totals', async () => {
    await fileKnownYear(bot);
    const { wb, fileName } = await exportWorkbook('all');
    expect(fileName).toBe('2027年度测试区劳动竞赛汇总_20271020.xlsx');
    expect(wb.worksheets.map((w) => w.name)).toEqual(['竞赛计划', '竞赛总结', '单位排名', '未交单位']);

    const plan = wb.getWorksheet('竞赛计划')!;
    expect(plan.getCell('A1').value).toBe('2027年度测试区职工劳动竞赛活动计划表');
    expect(plan.getCell('A2').value).toBe('单位：测试区总工会');
    expect(plan.getCell('D2').value).toBe('导出日期：2027年10月20日');
    expect(rowValues(plan, 3)).toEqual(['企业名称', '竞赛项目', '组织方式', '参与人数(规模)', '时间安排']);
    expect(plan.views[0]).toMatchObject({ state: 'frozen', ySplit: 3 });
    expect(plan.getCell('A4').value).toBe('东城街道工会（2项）');
    expect(rowValues(plan, 5)).toEqual(['东城建设集团有限公司', '快速路五比一创劳动竞赛', '工会与行政联合组织', 1000, '2027年3月1日至2027年10月31日']);
    expect(plan.getCell('D5').type).toBe(ExcelJS.ValueType.Number);
    expect(rowValues(plan, 6)).toEqual(['东城供水有限公司', '供水管网安康杯竞赛', '工会与行政联合组织', 500, '2027年4月1日至2027年9月30日']);
    expect(plan.getCell('A7').value).toBe('小计（2项）');
    expect(plan.getCell('D7').value).toBe(1500);
    expect(plan.getCell('A8').value).toBe('西城街道工会（1项）');
    expect(plan.getCell('D9').value).toBe(2000);
    expect(plan.getCell('A10').value).toBe('小计（1项）');
    expect(plan.getCell('A11').value).toBe('合计（3项）');
    expect(plan.getCell('D11').value).toBe(3500);
    expect(plan.getCell('D11').type).toBe(ExcelJS.ValueType.Number);
    // Chinese text fits: the 竞赛项目 column is at least as wide as its longest entry (2 units per character).
    expect(plan.getColumn(2).width).toBeGreaterThanOrEqual('快速路五比一创劳动竞赛'.length * 2);

    const summary = wb.getWorksheet('竞赛总结')!;
    expect(summary.getCell('A1').value).toBe('2027年度测试区职工劳动竞赛活动总结表');
    expect(rowValues(summary, 3)).toEqual(['企业名称', '竞赛项目', '组织方式', '参与人数(规模)', '时间安排', '经费支出(元)', '获奖情况']);
    expect(rowValues(summary, 5)).toEqual(['东城建设集团有限公司', '快速路五比一创劳动竞赛', '工会与行政联合组织', 1000, '2027年3月1日至2027年10月31日', 50000, '市级：市五一劳动奖状']);
    expect(summary.getCell('F5').type).toBe(ExcelJS.ValueType.Number);
    expect(summary.getCell('F5').numFmt).toBe('#,##0.00');
    expect(summary.getCell('G6').value).toBe('无');
    expect(summary.getCell('F9').value).toBe(30000.5);
    expect(summary.getCell('G9').value).toBe('省级：省工人先锋号');
    expect(summary.getCell('A11').value).toBe('合计（3项）');
    expect(summary.getCell('D11').value).toBe(3500);
    expect(summary.getCell('F11').value).toBe(100000.5);

    const standings = wb.getWorksheet('单位排名')!;
    expect(standings.getCell('A1').value).toBe('2027年度测试区职工劳动竞赛活动单位排名表');
    expect(rowValues(standings, 3).slice(0, 3)).toEqual(['排名', '单位', '综合得分']);
    expect(rowValues(standings, 4).slice(0, 3)).toEqual([1, '东城街道工会', 62]);
    expect(rowValues(standings, 5).slice(0, 3)).toEqual([2, '西城街道工会', 60]);
    expect(rowValues(standings, 6).slice(0, 3)).toEqual([3, '高新园区工会（未填报）', 0]);
    expect(String(standings.getCell('A8').value)).toContain('计分权重');

    const missing = wb.getWorksheet('未交单位')!;
    expect(rowValues(missing, 3)).toEqual(['单位', '上级单位', '计划备案', '总结表', '年度报告', '联络员']);
    const names = [4, 5, 6].map((n) => missing.getCell(`A${n}`).value);
    expect(names).toEqual(['东城街道工会', '西城街道工会', '高新园区工会']);
    expect(rowValues(missing, 6)).toEqual(['高新园区工会', '测试区总工会', '未交', '未交', '未交', '园区赵干事']);
    expect(rowValues(missing, 5)).toEqual(['西城街道工会', '测试区总工会', '已交（逾期）', '已交', '未交', '西城张干事']);
    expect(String(missing.getCell('A7').value)).toContain('说明：“—”表示本竞赛不要求该单位提交这张表');
  });

  it('exports one table on request and says what is in it', async () => {
    await fileKnownYear(bot);
    const { wb, caption } = await exportWorkbook('计划');
    expect(wb.worksheets.map((w) => w.name)).toEqual(['竞赛计划']);
    expect(caption).toContain('计划3项，总结3项');
    const replies = await bot.say({ userId: 'admin', userName: '王主席', chatId: 'district-group' }, '/export 去年');
    expect(textOf(replies)).toContain('看不懂“去年”');
  });
});
