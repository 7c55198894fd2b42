// /import: the roster template, a file with bad rows that imports nothing, and a good Excel file.
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setUpDistrict, startTestBot, textOf, type TestBot } from './support/harness.js';
import { download } from './support/standings-fixture.js';

let bot: TestBot;
beforeEach(async () => {
  bot = await startTestBot();
});
afterEach(async () => bot.close());

const attach = (fileName: string, data: Buffer | string) => ({ file: { fileName, base64: Buffer.from(data).toString('base64') } });

describe('/import', () => {
  it('sends the template when no file comes with the command, and only to admins', async () => {
    const { admin, east } = await setUpDistrict(bot);
    expect(textOf(await bot.say(east, '/import'))).toContain('请先发送“/加入');
    await bot.say(east, '/join 东城街道工会');
    // A unit's filer imports filled 计划表 / 汇总表, never the roster.
    const filer = textOf(await bot.say(east, '/import'));
    expect(filer).toContain('把填好的计划表或汇总表和“/导入”一起发送');
    expect(filer).not.toContain('模板，按列填写');
    expect(textOf(await bot.say(east, '/import 确认'))).toContain('只有管理员');
    const replies = await bot.say(admin, '/导入');
    expect(textOf(replies)).toContain('请下载下面的模板');
    const file = replies.find((r) => r.kind === 'file') as { fileName: string; url: string };
    expect(file.fileName).toBe('单位名单导入模板.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await download(bot, file.url)) as unknown as ArrayBuffer);
    expect((wb.worksheets[0].getRow(1).values as unknown[]).slice(1)).toEqual(['单位名称', '上级单位', '职工数', '单位代码', '联系人', '手机号']);
  });

  it('imports nothing when two rows are bad, and names both row numbers', async () => {
    const { admin } = await setUpDistrict(bot);
    const csv = [
      '单位名称,上级单位,职工数,单位代码',
      '南城街道工会,测试区总工会,3000,',
      '南城一号企业工会,南城街道工会,很多,',
      '北城街道工会,测试区总工会,2500,',
      '北城某企业工会,不存在的街道工会,120,',
      '"城东,物流企业工会",北城街道工会,80,',
      // The parent written short: asked back with the full name, from the file or the system.
      '南城二号企业工会,南城街道,90,',
      '东城新企业工会,东城街道,60,',
    ].join('\r\n');
    const reply = textOf(await bot.say(admin, '/import', attach('名单.csv', csv)));
    expect(reply).toContain('名单没有导入');
    expect(reply).toContain('有 4 行需要修改');
    expect(reply).toContain('第3行：“职工数”应为整数，现在是“很多”');
    expect(reply).toContain('第5行：上级单位“不存在的街道工会”不存在');
    expect(reply).toContain('第7行：上级单位“南城街道”不存在（既不在系统中，也不在本表中），是不是“南城街道工会”？');
    expect(reply).toContain('第8行：上级单位“东城街道”不存在（既不在系统中，也不在本表中），是不是“东城街道工会”？');
    expect(await bot.app.db.unit.count()).toBe(4);
    expect(textOf(await bot.say(admin, '/units'))).not.toContain('南城街道工会');
  });

  it('imports a good Excel file in one go, children before their parents included, 职工数 written as people write it', async () => {
    const { admin } = await setUpDistrict(bot);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名单');
    ws.addRows([
      ['单位名称', '上级单位', '职工数', '单位代码'],
      ['南城物流企业工会', '南城街道工会', '约80人', 'N001'],
      ['南城街道工会', '测试区总工会', 3000, null],
      ['东城街道工会', null, '五千二百', null],
    ]);
    const data = Buffer.from(await wb.xlsx.writeBuffer());
    const reply = textOf(await bot.say(admin, '/import', attach('名单.xlsx', data)));
    expect(reply).toContain('✅ 单位名单已导入：新增2个，更新1个');
    const south = await bot.app.db.unit.findUniqueOrThrow({ where: { name: '南城街道工会' } });
    const firm = await bot.app.db.unit.findUniqueOrThrow({ where: { name: '南城物流企业工会' } });
    expect([south.level, south.headcount, firm.parentId, firm.level, firm.code, firm.headcount]).toEqual([2, 3000, south.id, 3, 'N001', 80]);
    expect((await bot.app.db.unit.findUniqueOrThrow({ where: { name: '东城街道工会' } })).headcount).toBe(5200);
    const units = textOf(await bot.say(admin, '/units'));
    expect(units).toContain('南城物流企业工会');
  });

  it('explains a file it cannot read', async () => {
    const { admin } = await setUpDistrict(bot);
    expect(textOf(await bot.say(admin, '/import', attach('名单.xls', 'x')))).toContain('不支持旧版 .xls 文件');
    expect(textOf(await bot.say(admin, '/import', attach('名单.csv', '姓名,电话\n张三,1')))).toContain('没有找到表头');
  });
});
