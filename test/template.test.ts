// /template 模板 through the local chat: the text templates come back ready to copy and file when filled
// in; the blank 计划表 and the prefilled 汇总表 open in exceljs with the export's title, headers and
// borders, and print on one A4 landscape page.
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FORMS, planForm, type FormName } from '../src/forms/index.js';
import { renderTemplate } from '../src/forms/text-template.js';
import { PLAN_HEADERS, SUMMARY_HEADERS } from '../src/services/excel/filing-sheets.js';
import { startTestBot, setUpDistrict, textOf, type LocalUser, type Reply, type TestBot } from './support/harness.js';
import { download, planText } from './support/standings-fixture.js';
import { pageOfText, renderThroughLibreOffice, smallestCjkSize, SOFFICE } from './support/render.js';

let bot: TestBot;
beforeEach(async () => {
  bot = await startTestBot();
});
afterEach(async () => bot.close());

type FileReply = { kind: 'file'; fileName: string; url: string; caption?: string };
const texts = (replies: Reply[]) => replies.map((r) => (r.kind === 'text' ? r.text : `[${r.kind}]`));
const fileOf = (replies: Reply[]): FileReply => {
  const file = replies.find((r) => r.kind === 'file');
  if (!file) throw new Error(`no file in: ${textOf(replies)}`);
  return file as FileReply;
};

async function open(file: FileReply): Promise<ExcelJS.Worksheet> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await download(bot, file.url)) as unknown as ArrayBuffer);
  expect(wb.worksheets).toHaveLength(1);
  return wb.worksheets[0];
}

const rowValues = (ws: ExcelJS.Worksheet, n: number) => (ws.getRow(n).values as unknown[]).slice(1);
/** The column (1-based) whose header (row 3) is `header`. */
const columnOf = (ws: ExcelJS.Worksheet, header: string) => (rowValues(ws, 3) as string[]).indexOf(header) + 1;
const summaryTemplateHeaders = SUMMARY_HEADERS.filter((h) => h !== '备注');

/** Fills each `标签：` line of a template with the field's example (a plan reference with `planId`). */
function fill(form: FormName, template: string, planId?: number): string {
  return template.split('\n').map((line) => {
    const field = FORMS[form].fields.find((f) => line === `${f.label}：`);
    if (!field) return line;
    return `${line}${field.type === 'planRef' ? String(planId) : field.example ?? ''}`;
  }).join('\n');
}

/**
 * The district with East (two plans) and West (one plan) filed, 高新园区 with none; only plans, so
 * the summary form may change without touching these tests.
 */
async function filePlans() {
  bot.setNow('2027-02-10T10:00:00+08:00');
  const district = await setUpDistrict(bot);
  for (const [u, unit] of [[district.east, '东城街道工会'], [district.west, '西城街道工会'], [district.park, '高新园区工会']] as const) {
    expect(textOf(await bot.say(u, `/join ${unit}`))).toContain('已登记');
  }
  const file = async (u: LocalUser, p: Parameters<typeof planText>[0]) => {
    const reply = textOf(await bot.say(u, planText(p)));
    const id = Number(reply.match(/计划编号 #(\d+)/)?.[1]);
    if (!/^(@\S+ )?✅/.test(reply) || !id) throw new Error(`filing failed: ${reply}`);
    return id;
  };
  await file(district.east, { enterprise: '东城建设集团有限公司', project: '快速路五比一创劳动竞赛', participants: 1000, period: '2027年3月1日至10月31日', key: true });
  await file(district.east, { enterprise: '东城供水有限公司', project: '供水管网安康杯竞赛', participants: 500, period: '2027年4月1日至9月30日', key: false });
  await file(district.west, { enterprise: '西城地铁项目部', project: '地铁站点建设劳动竞赛', participants: 2000, period: '2027年3月10日至11月30日', key: true });
  const third = await file(district.east, { enterprise: '东城市政公司', project: '市政养护技能比武', participants: 300, period: '2027年5月1日至11月30日', key: false });
  return { ...district, third };
}

describe('/template text', () => {
  it('lists what can be asked, and names the choices for a word it does not know', async () => {
    const stranger: LocalUser = { userId: 'nobody', userName: '路人', chatId: 'somewhere', chatType: 'p2p' };
    const menu = textOf(await bot.say(stranger, '/模板'));
    for (const word of ['计划', '总结', '进度', '年报', '表格']) expect(menu).toContain(word);
    const unknown = textOf(await bot.say(stranger, '/模板 去年'));
    expect(unknown).toContain('没有“去年”模板');
    expect(unknown).toContain('计划、总结、进度、年报');
  });

  it('gives the guide, then the bare template — to anyone, registered or not — and a filled-in template files', async () => {
    bot.setNow('2027-02-10T10:00:00+08:00');
    const district = await setUpDistrict(bot);
    const stranger: LocalUser = { userId: 'nobody', userName: '路人', chatId: 'somewhere', chatType: 'p2p' };
    const replies = await bot.say(stranger, '/template plan');
    expect(replies.every((r) => r.kind === 'text')).toBe(true);
    const [guide, template] = texts(replies);
    expect(replies).toHaveLength(2);
    expect(guide).toContain('请复制下一条消息');
    expect(template).toBe(renderTemplate(planForm));
    expect(texts(await bot.say(district.east, '/模板 计划'))).toEqual(texts(replies));

    for (const [words, title] of [['总结', '【竞赛总结】'], ['汇总', '【竞赛总结】'], ['summary', '【竞赛总结】'], ['年报', '【年度报告】'], ['报告', '【年度报告】'], ['进度', '【竞赛进度】'], ['progress', '【竞赛进度】']]) {
      const got = texts(await bot.say(stranger, `/模板 ${words}`));
      expect(got, words).toHaveLength(2);
      expect(got[1].split('\n')[0], words).toBe(title);
    }

    // East's cadre fills the template in and sends it back: a plan, then its summary.
    await bot.say(district.east, '/join 东城街道工会');
    const filed = await bot.say(district.east, fill('plan', template));
    // In the group, the receipt @mentions the one who filed (a busy group hides whom it answers).
    expect(texts(filed)[0].startsWith(`@${district.east.userName} ✅`), textOf(filed)).toBe(true);
    const planId = Number(textOf(filed).match(/计划编号 #(\d+)/)?.[1]);
    expect(planId).toBeGreaterThan(0);
    bot.setNow('2027-10-10T10:00:00+08:00');
    const summary = texts(await bot.say(district.east, '/模板 总结'))[1];
    const summarised = await bot.say(district.east, fill('summary', summary, planId));
    expect(texts(summarised)[0].startsWith(`@${district.east.userName} ✅`), textOf(summarised)).toBe(true);
  });
});

describe('/template excel', () => {
  it('gives the blank 计划表 of the sender\'s unit: the export\'s title, deadline and header row, ten empty bordered rows, print-ready', async () => {
    bot.setNow('2027-02-10T10:00:00+08:00');
    const district = await setUpDistrict(bot);
    // Someone not registered gets the way to register, not a table.
    const refused = textOf(await bot.say(district.east, '/模板 计划 表格'));
    expect(refused).toContain('/加入');
    await bot.say(district.east, '/join 东城街道工会');

    const file = fileOf(await bot.say(district.east, '/模板 计划 表格'));
    expect(file.fileName).toBe('2027年度东城街道职工劳动竞赛活动计划表（填报模板）.xlsx');
    for (const words of ['/template plan excel', '/模板 计划表', '/模板 表格 计划', '/模板 计划 xlsx', '/模板 计划 表']) {
      expect(fileOf(await bot.say(district.east, words)).fileName, words).toBe(file.fileName);
    }
    const ws = await open(file);
    expect(ws.getCell('A1').value).toBe('2027年度东城街道职工劳动竞赛活动计划表');
    expect(ws.getCell('A2').value).toBe('单位：东城街道工会');
    expect(rowValues(ws, 2)).toContain('此表请于2027年2月28日前上报');
    expect(rowValues(ws, 3)).toEqual(PLAN_HEADERS);
    expect(rowValues(ws, 3)).not.toContain('所属单位');
    expect(ws.rowCount).toBe(13); // title, 单位, header and ten rows to fill; no 合计
    for (let r = 4; r <= 13; r++) {
      expect(rowValues(ws, r).filter((v) => v !== null && v !== undefined && v !== ''), `row ${r}`).toEqual([]);
      for (let c = 1; c <= PLAN_HEADERS.length; c++) {
        const border = ws.getCell(r, c).border;
        expect([border?.top?.style, border?.left?.style, border?.bottom?.style, border?.right?.style], `row ${r} col ${c}`).toEqual(['thin', 'thin', 'thin', 'thin']);
      }
    }
    expect(ws.getCell('A3').border?.left?.style).toBe('thin');
    expect(ws.getCell('A4').font.name).toBe('宋体');
    expect(ws.pageSetup).toMatchObject({ orientation: 'landscape', paperSize: 9, printTitlesRow: '3:3' });
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 3 });
  });

  it('gives an admin without a unit the federation\'s blank in its group', async () => {
    await setUpDistrict(bot);
    const file = fileOf(await bot.say({ userId: 'admin', userName: '王主席', chatId: 'district-group' }, '/模板 计划 表格'));
    expect(file.fileName).toBe('2027年度测试区职工劳动竞赛活动计划表（填报模板）.xlsx');
    const ws = await open(file);
    expect(ws.getCell('A2').value).toBe('单位：测试区总工会');
  });

  it('gives the 汇总表 with the unit\'s own active plans listed and the summary\'s columns left to fill', async () => {
    const known = await filePlans();
    // East's third plan, withdrawn: not to be summarised.
    expect(textOf(await bot.say(known.east, `/撤回 ${known.third}`))).toContain('✅');

    const file = fileOf(await bot.say(known.east, '/模板 总结 表格'));
    expect(file.fileName).toBe('2027年度东城街道职工劳动竞赛活动汇总表（填报模板）.xlsx');
    expect(fileOf(await bot.say(known.east, '/template summary excel')).fileName).toBe(file.fileName);
    const ws = await open(file);
    expect(ws.getCell('A1').value).toBe('2027年度东城街道职工劳动竞赛活动汇总表');
    expect(ws.getCell('A2').value).toBe('单位：东城街道工会');
    expect(rowValues(ws, 2)).toContain('此表请于2027年10月15日前上报');
    expect(rowValues(ws, 3)).toEqual(summaryTemplateHeaders);

    const project = columnOf(ws, '竞赛项目');
    const projects = [4, 5].map((r) => ws.getCell(r, project).value);
    expect(projects).toEqual(['快速路五比一创劳动竞赛', '供水管网安康杯竞赛']);
    expect(ws.getCell(4, columnOf(ws, '企业名称')).value).toBe('东城建设集团有限公司');
    expect(ws.getCell(4, columnOf(ws, '组织方式')).value).toBe('工会与行政联合组织');
    expect(String(ws.getCell(4, columnOf(ws, '时间安排')).value)).toContain('2027年3月1日');
    for (const header of ['参与人数(规模)', '经费支出(元)', '获奖情况']) {
      for (const r of [4, 5]) expect(ws.getCell(r, columnOf(ws, header)).value, `${header} row ${r}`).toBeNull();
      expect(ws.getCell(5, columnOf(ws, header)).border?.right?.style).toBe('thin');
    }
    // Under the table: how the two columns that differ from the plan are filled.
    expect(String(ws.getCell('A6').value)).toContain('参与人数(规模)填实际参与人数');
    expect(String(ws.getCell('A6').value)).toContain('多项用“；”分开');
    const all = JSON.stringify(ws.getSheetValues());
    expect(all).not.toContain('地铁站点建设劳动竞赛'); // West's
    expect(all).not.toContain('市政养护技能比武'); // withdrawn

    // 高新园区 filed no plan: nothing to summarise yet.
    const none = textOf(await bot.say(known.park, '/模板 总结 表格'));
    expect(none).toContain('还没有备案计划');
    expect(none).toContain('/计划');
  });

  it('has no table for the year-end report: says so and sends the text template', async () => {
    const district = await setUpDistrict(bot);
    await bot.say(district.east, '/join 东城街道工会');
    const replies = texts(await bot.say(district.east, '/模板 年报 表格'));
    expect(replies).toHaveLength(2);
    expect(replies[0]).toContain('没有表格');
    expect(replies[1].split('\n')[0]).toBe('【年度报告】');
  });
});

describe.skipIf(!SOFFICE)('/template excel printed through LibreOffice', () => {
  it('prints the blank 计划表 and the 汇总表 each on one A4 landscape page at full size', async () => {
    const known = await filePlans();
    for (const [words, title] of [['/模板 计划 表格', '2027年度东城街道职工劳动竞赛活动计划表'], ['/模板 总结 表格', '2027年度东城街道职工劳动竞赛活动汇总表']]) {
      const file = fileOf(await bot.say(known.east, words));
      const r = await renderThroughLibreOffice(await download(bot, file.url), file.fileName);
      expect([Math.round(r.width), Math.round(r.height)], words).toEqual([842, 595]); // A4 landscape
      expect(r.pages, words).toBe(1);
      expect(pageOfText(r, title), words).toBe(1);
      expect(pageOfText(r, '此表请于'), words).toBe(1);
      expect(smallestCjkSize(r), words).toBeGreaterThanOrEqual(9);
    }
  }, 120_000);
});
