// The federation's key-project list kept from a spreadsheet: the template the bot hands out, filled in
// as an office would, imported whole or not at all (bad rows named), imported again to update, sent
// privately on its own; and the list changed by hand, every change in the revision log.
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixFor, setUpDistrict, startTestBot, textOf, type LocalUser, type TestBot } from './support/harness.js';
import { download } from './support/standings-fixture.js';

let bot: TestBot;
beforeEach(async () => {
  bot = await startTestBot();
  bot.setNow('2027-01-15T10:00:00+08:00');
});
afterEach(async () => bot.close());

const attach = (fileName: string, data: Buffer) => ({ file: { fileName, base64: data.toString('base64') } });

/** The template the bot sends, with `rows` (名称, 所在单位, 开工日期) filled in under its header. */
async function filledList(admin: LocalUser, rows: (string | Date | null)[][]): Promise<Buffer> {
  const file = (await bot.say(admin, '/重点项目 导入')).find((r) => r.kind === 'file') as { url: string } | undefined;
  if (!file) throw new Error('no template');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await download(bot, file.url)) as unknown as ArrayBuffer);
  const ws = wb.getWorksheet('重点项目名单')!;
  rows.forEach((r, i) => r.forEach((v, j) => (ws.getCell(i + 2, j + 1).value = v)));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('/重点项目 导入', () => {
  it('hands out the template, refuses a list with bad rows as a whole, then imports and updates it', async () => {
    const d = await setUpDistrict(bot);
    const say = async (t: string, extra?: Parameters<TestBot['say']>[2]) => textOf(await bot.say(d.admin, t, extra));
    expect(await say('/重点项目 导入')).toContain('按列填写（名称、所在单位、开工日期）');

    const bad = await filledList(d.admin, [
      ['地铁3号线', '东城街道工会', '2027年3月1日'],
      ['滨江大道改造工程', '西城街道', null],
      ['科创园二期', '高新园区工会', '2027年13月1日'],
      ['地铁 3号线', '东城街道工会', null],
    ]);
    const refused = await say('/重点项目 导入', attach('重点项目.xlsx', bad));
    expect(refused).toContain('❗ 重点项目名单没有导入（任何一行有错都不会导入），有 3 处需要修改：');
    expect(refused).toContain('· 第3行 · 所在单位：「测试区总工会」下属单位中没有「西城街道」。是不是：西城街道工会？');
    expect(refused).toContain('· 第4行 · 开工日期：');
    expect(refused).toContain('· 第5行 · 名称：与第2行重复，请只保留一行');
    expect(await bot.app.db.keyProject.count()).toBe(0);

    // A date typed into Excel as a date cell comes through as that date.
    const good = await filledList(d.admin, [
      ['地铁3号线', '东城街道工会', new Date(Date.UTC(2027, 2, 1))],
      ['滨江大道改造工程', '西城街道工会', null],
      ['区行政服务中心', null, null],
    ]);
    expect(await say('/重点项目 导入', attach('重点项目.xlsx', good))).toContain('✅ 重点项目名单已导入：新增3个，修改0个，未变0个。');
    const list = await say('/重点项目');
    expect(list).toContain('重点项目3个，已有竞赛0个');
    expect(list).toContain('· 地铁3号线（东城街道工会，2027年3月1日开工）');
    expect(list).toContain('· 区行政服务中心（组织单位直属）');

    // Imported again with a project moved to another unit: updated, the rest unchanged, nothing doubled.
    const moved = await filledList(d.admin, [
      ['地铁3号线', '东城街道工会', '2027-03-01'],
      ['滨江大道改造工程', '高新园区工会', null],
    ]);
    expect(await say('/重点项目 导入', attach('重点项目.xlsx', moved))).toContain('新增0个，修改1个，未变1个。');
    const rows = await bot.app.db.keyProject.findMany({ include: { unit: true }, orderBy: { id: 'asc' } });
    expect(rows.map((k) => [k.name, k.unit?.name ?? null, k.startDate])).toEqual([
      ['地铁3号线', '东城街道工会', '2027-03-01'],
      ['滨江大道改造工程', '高新园区工会', null],
      ['区行政服务中心', null, null],
    ]);
    const history = await bot.app.db.revision.findMany({ where: { entity: 'keyProject', entityId: rows[1].id }, orderBy: { id: 'asc' } });
    expect(history.map((r) => r.action)).toEqual(['create', 'update']);
  });

  it('takes the list sent privately on its own, and keeps it from a filer', async () => {
    const d = await setUpDistrict(bot);
    expect(textOf(await bot.say(d.east, '/join 东城街道工会'))).toContain('已登记');
    const file = await filledList(d.admin, [['地铁3号线', '东城街道工会', null]]);
    expect(textOf(await bot.say(d.east, '/重点项目 导入', attach('重点项目.xlsx', file)))).toContain('只有管理员');
    expect(await bot.app.db.keyProject.count()).toBe(0);
    const privately: LocalUser = { ...d.admin, chatId: 'admin-p2p', chatType: 'p2p' };
    expect(textOf(await bot.say(privately, '', attach('重点项目.xlsx', file)))).toContain('✅ 重点项目名单已导入');
    expect(await bot.app.db.keyProject.count()).toBe(1);
  });
});

describe('/重点项目 by hand', () => {
  it('adds, changes, removes and restores, and a removed project can no longer be named in a plan', async () => {
    const d = await setUpDistrict(bot);
    expect(textOf(await bot.say(d.east, '/join 东城街道工会'))).toContain('已登记');
    const say = async (t: string) => textOf(await bot.say(d.admin, t));
    expect(await say('/重点项目 添加 地铁3号线 单位=东城')).toContain('「测试区总工会」下属单位中没有「东城」。是不是：东城街道工会？');
    expect(await say('/重点项目 添加 地铁3号线')).toContain('没有写所在单位：算组织单位自己的项目');
    expect(await say('/重点项目 添加 地铁3号线 单位=东城街道工会 开工=3月1日')).toContain('✅ 已修改重点项目：地铁3号线（东城街道工会，2027年3月1日开工）');
    expect(await say('/重点项目 添加 “地铁3号线”')).toContain('名单上已有：地铁3号线（东城街道工会，2027年3月1日开工），内容未变。');
    expect(await say('/重点项目 添加 是')).toContain('「是」在计划的“重点项目”一项里会被当作“是/否”，不能用作名称');

    expect(await say('/重点项目 删除 地铁3号线')).toContain('✅ 已从名单删除重点项目「地铁3号线」');
    const plan = '【竞赛计划】\n企业名称：东城建设\n竞赛项目：地铁竞赛\n组织方式：班组\n参与人数：100\n时间安排：2027年3月1日至10月31日\n竞赛类型：五比一创\n重点项目：地铁3号线';
    // No list left: a name is refused, 是 is accepted.
    expect(textOf(await bot.say(d.east, plan))).toContain('本年度还没有公布重点项目名单，请填“是”或“否”');
    expect(await say('/重点项目 恢复 地铁3号线')).toContain('✅ 已恢复重点项目「地铁3号线」');
    const filed = textOf(await bot.say(d.east, plan));
    expect(filed).toContain('✅ 竞赛计划已收到');
    expect(filed).toContain('重点项目：地铁3号线');
    // Changing a plan's project shows by name in its history.
    const id = Number(filed.match(/计划编号 #(\d+)/)![1]);
    await say('/重点项目 添加 滨江大道 单位=东城街道工会');
    expect(textOf(await bot.say(d.east, plan.replace('重点项目：地铁3号线', '重点项目：滨江大道')))).toContain('改了：重点项目 地铁3号线→滨江大道');
    expect(textOf(await bot.say(d.admin, `/history ${id}`))).toContain('重点项目名称 地铁3号线→滨江大道');
  });
});

describe('what a cadre types is never read as a project they did not mean', () => {
  const plan = (key: string, participants = 100) => `【竞赛计划】\n企业名称：东城建设\n竞赛项目：地铁竞赛\n组织方式：班组\n参与人数：${participants}\n时间安排：2027年3月1日至10月31日\n竞赛类型：五比一创\n重点项目：${key}`;

  it('refuses a "no" that names a project, a short fragment, and a withdrawn project\'s name', async () => {
    const d = await setUpDistrict(bot);
    expect(textOf(await bot.say(d.east, '/join 东城街道工会'))).toContain('已登记');
    for (const step of ['/重点项目 添加 快速路 单位=高新园区工会', '/重点项目 添加 园区智能制造基地 单位=高新园区工会', '/重点项目 添加 地铁3号线 单位=东城街道工会', '/重点项目 添加 地铁3号线二期 单位=西城街道工会']) {
      expect(textOf(await bot.say(d.admin, step))).toContain('✅');
    }
    for (const typed of ['不是快速路', '与快速路无关', '非快速路项目']) {
      expect(fixFor(await bot.say(d.east, plan(typed)), '重点项目')).toContain('请填“是”或“否”');
    }
    expect(fixFor(await bot.say(d.east, plan('园区')), '重点项目')).toContain('重点项目名单里没有「园区」');
    expect(textOf(await bot.say(d.east, plan('地铁3号线')))).toContain('✅');
    // Taken off the list, then the same plan re-sent: said so, never moved to 地铁3号线二期.
    expect(textOf(await bot.say(d.admin, '/重点项目 删除 地铁3号线'))).toContain('✅');
    expect(fixFor(await bot.say(d.east, plan('地铁3号线', 120)), '重点项目')).toContain('「地铁3号线」已从重点项目名单删除，不再计入。请改填名单上的项目或“否”');
    expect((await bot.app.db.plan.findFirstOrThrow({ include: { keyProjectRef: true } })).keyProjectRef?.name).toBe('地铁3号线');
    expect(await bot.app.db.plan.count({ where: { participants: 120 } })).toBe(0);
  });

  it('without a list keeps 是 with a remark; a renamed project keeps its plans', async () => {
    const d = await setUpDistrict(bot);
    expect(textOf(await bot.say(d.east, '/join 东城街道工会'))).toContain('已登记');
    expect(textOf(await bot.say(d.east, plan('是（市级重点）')))).toContain('✅');
    expect((await bot.app.db.plan.findFirstOrThrow()).keyProject).toBe(true);
    expect(textOf(await bot.say(d.admin, '/重点项目 添加 地铁三号线 单位=东城街道工会'))).toContain('✅');
    expect(textOf(await bot.say(d.east, plan('是，地铁三号线')))).toContain('重点项目：地铁三号线');
    expect(textOf(await bot.say(d.admin, '/重点项目 改名 地铁三号线 新名称=地铁3号线'))).toContain('✅ 重点项目「地铁三号线」已改名为「地铁3号线」');
    expect(textOf(await bot.say(d.admin, '/重点项目'))).toContain('✅ 已有竞赛（1个）：\n· 地铁3号线（东城街道工会）：#');
  });

  it('a sheet without a 重点项目 column leaves a filed plan\'s project alone', async () => {
    const d = await setUpDistrict(bot);
    expect(textOf(await bot.say(d.east, '/join 东城街道工会'))).toContain('已登记');
    expect(textOf(await bot.say(d.admin, '/重点项目 添加 地铁3号线 单位=东城街道工会'))).toContain('✅');
    expect(textOf(await bot.say(d.east, plan('地铁3号线')))).toContain('✅');
    const file = (await bot.say(d.east, '/模板 计划 表格')).find((r) => r.kind === 'file') as { url: string };
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await download(bot, file.url)) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    const headers = (ws.getRow(3).values as unknown[]).map((v) => String(v ?? ''));
    const row = { 企业名称: '东城建设', 竞赛项目: '地铁竞赛', 组织方式: '班组', '参与人数(规模)': 150, 时间安排: '2027年3月1日至10月31日' };
    for (const [h, v] of Object.entries(row)) ws.getCell(4, headers.indexOf(h)).value = v;
    const reply = textOf(await bot.say({ ...d.east, chatId: 'east-p2p', chatType: 'p2p' }, '', attach('计划表.xlsx', Buffer.from(await wb.xlsx.writeBuffer()))));
    expect(reply).toContain('修改 1 项');
    const stored = await bot.app.db.plan.findFirstOrThrow({ include: { keyProjectRef: true } });
    expect([stored.participants, stored.keyProjectRef?.name]).toEqual([150, '地铁3号线']);
  });
});

describe('who may keep which part of the list', () => {
  it('an admin in a street\'s group changes only the projects of that street', async () => {
    const d = await setUpDistrict(bot);
    expect(textOf(await bot.say(d.admin, '/重点项目 添加 快速路 单位=高新园区工会'))).toContain('✅');
    const street: LocalUser = { ...d.admin, chatId: 'east-group' };
    expect(textOf(await bot.say(street, '/bind 东城街道工会'))).toContain('✅');
    expect(textOf(await bot.say(street, '/重点项目 删除 快速路'))).toContain('「快速路」不在「东城街道工会」的范围内');
    expect(textOf(await bot.say(street, '/重点项目 添加 快速路 单位=东城街道工会'))).toContain('「快速路」不在「东城街道工会」的范围内');
    expect(textOf(await bot.say(street, '/重点项目 添加 东城地铁站 单位=东城街道工会'))).toContain('✅');
    expect((await bot.app.db.keyProject.findMany({ include: { unit: true }, orderBy: { id: 'asc' } })).map((k) => [k.name, k.unit?.name, k.withdrawnAt])).toEqual([
      ['快速路', '高新园区工会', null],
      ['东城地铁站', '东城街道工会', null],
    ]);
  });

  it('a list longer than a select holds is typed, not chosen', async () => {
    const d = await setUpDistrict(bot);
    expect(textOf(await bot.say(d.east, '/join 东城街道工会'))).toContain('已登记');
    const names = Array.from({ length: 61 }, (_, i) => [`东城第${i + 1}号重点工程`, '东城街道工会', null]);
    const list = await filledList(d.admin, names);
    expect(textOf(await bot.say(d.admin, '/重点项目 导入', attach('名单.xlsx', list)))).toContain('新增61个');
    const form = (await bot.say(d.east, '/plan')).find((r) => r.kind === 'form');
    const field = form?.kind === 'form' ? form.fields.find((f) => f.key === 'keyProject') : undefined;
    expect(field?.type).toBe('keyProjectRef');
    expect(field?.options).toBeUndefined();
  });
});
