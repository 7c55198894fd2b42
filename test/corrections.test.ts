// Every mistake can be put right, through the local chat as a district would set up: units renamed,
// moved, removed and restored; duplicate plans recognised; filings withdrawn and restored; a roster
// with a 合计 row and moved units; an admin correcting a unit's plan; deep trees. Nothing is deleted.
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setUpDistrict, startTestBot, textOf, type LocalUser, type TestBot } from './support/harness.js';

let bot: TestBot;
let admin: LocalUser;
let east: LocalUser;
let west: LocalUser;
beforeEach(async () => {
  bot = await startTestBot();
  bot.setNow('2027-02-10T10:00:00+08:00');
  ({ admin, east, west } = await setUpDistrict(bot));
});
afterEach(async () => bot.close());

const say = async (who: LocalUser, text: string, extra?: Record<string, unknown>) => textOf(await bot.say(who, text, extra));
const at = (who: LocalUser) => ({ mentions: [{ userId: who.userId, userName: who.userName }] });
const PLAN = (project: string, participants = '120') => `【竞赛计划】\n企业名称：东城建设集团\n竞赛项目：${project}\n组织方式：班组\n参与人数：${participants}\n时间安排：2027-03-01至2027-10-31\n竞赛类型：五比一创\n重点项目：是`;
const planNo = (receipt: string) => Number(receipt.match(/计划编号 #(\d+)/)![1]);
const unitNamed = (name: string) => bot.app.db.unit.findUniqueOrThrow({ where: { name } });

/** The plan sheet's unit and project cells of an export, as text. */
async function exportedText(who: LocalUser): Promise<string> {
  const file = (await bot.say(who, '/export all')).find((r) => r.kind === 'file');
  if (!file || file.kind !== 'file') throw new Error('no export');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await (await fetch(bot.url + file.url)).arrayBuffer()) as ArrayBuffer);
  const cells: string[] = [];
  wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => void cells.push(String(c.value ?? '')))));
  return cells.join('|');
}

describe('units', () => {
  it('a typo\'d top-level unit is refused, then renamed and moved under the district; its filings follow', async () => {
    // Unbound chat, 上级= forgotten: refused instead of a second federation.
    const setup: LocalUser = { ...admin, chatId: 'admin-p2p', chatType: 'p2p' };
    expect(await say(setup, '/unit add 学院路街遒工会 职工数=5100')).toContain('如果确实要再建一个顶级单位，请写 上级=无');
    expect(await bot.app.db.unit.count({ where: { name: '学院路街遒工会' } })).toBe(0);
    // Made anyway (上级=无), joined, filed for, then corrected.
    expect(await say(setup, '/unit add 学院路街遒工会 上级=无 职工数=5100')).toContain('顶级单位');
    await say(admin, '/unit move 学院路街遒工会 上级=测试区总工会');
    const cadre: LocalUser = { userId: 'xyl', userName: '学院路刘干事', chatId: admin.chatId };
    await say(cadre, '/join 学院路街遒工会');
    expect(await say(cadre, PLAN('学院路安康杯'))).toContain('学院路街遒工会「学院路安康杯」');
    expect(await say(admin, '/单位 改名 学院路街遒工会 学院路街道工会')).toContain('✅ 已把「学院路街遒工会」改名为「学院路街道工会」');
    expect(await say(cadre, '/mine')).toContain('学院路街道工会 · 2027年度填报情况');
    expect(await say(admin, '/units')).toContain('· 学院路街道工会，职工5100人：学院路刘干事');
    expect(await exportedText(admin)).toContain('学院路街道工会');
    expect(await exportedText(admin)).not.toContain('街遒');
    // Every step is in the unit's history, with the old values.
    const log = await bot.app.db.revision.findMany({ where: { entity: 'unit', entityId: (await unitNamed('学院路街道工会')).id }, orderBy: { id: 'asc' } });
    expect(log.map((r) => r.action)).toEqual(['add', 'move', 'rename']);
    expect(JSON.parse(log[2].previousValues!).name).toBe('学院路街遒工会');
  });

  it('/unit add in a bound group puts the unit under the group\'s unit and says so', async () => {
    const reply = await say(admin, '/unit add 北城街道工会 职工数=3000');
    expect(reply).toContain('没有写上级，已放在本群单位「测试区总工会」下面');
    expect(await unitNamed('北城街道工会')).toMatchObject({ level: 2, parentId: (await unitNamed('测试区总工会')).id });
  });

  it('a removed unit leaves /missing, /standings and /export, keeps its filings, and comes back with /unit restore', async () => {
    await say(west, '/join 西城街道工会');
    await say(west, PLAN('西城节能竞赛'));
    expect(await say(admin, '/missing')).toContain('高新园区工会');
    expect(await say(admin, '/unit remove 高新园区工会')).toContain('✅ 已删除（归档）「高新园区工会」');
    expect(await say(admin, '/missing')).not.toContain('高新园区工会');
    expect(await say(admin, '/standings')).not.toContain('高新园区工会');
    expect(await exportedText(admin)).not.toContain('高新园区工会');
    expect(await say(admin, '/units')).not.toContain('高新园区工会');
    // A unit with a filing is removed too; its plan stays in the database and comes back.
    expect(await say(admin, '/unit remove 西城街道工会')).toContain('已保留1 位联络员的登记');
    expect(await exportedText(admin)).not.toContain('西城节能竞赛');
    expect(await bot.app.db.plan.count({ where: { project: '西城节能竞赛' } })).toBe(1);
    expect(await say(west, PLAN('西城第二项'))).toContain('已被管理员删除（归档），暂时不能填报');
    expect(await say(admin, '/单位 恢复 西城街道工会')).toContain('✅ 已恢复「西城街道工会」');
    expect(await exportedText(admin)).toContain('西城节能竞赛');
    expect(await say(admin, '/unit restore 高新园区工会')).toContain('✅ 已恢复');
    expect(await say(admin, '/missing')).toContain('高新园区工会');
  });

  it('refuses a cycle, a unit with units under it, a missing unit and a non-admin, writing nothing', async () => {
    await say(admin, '/unit add 东城建设集团工会 上级=东城街道工会');
    await say(east, '/join 东城建设集团工会');
    const before = JSON.stringify(await bot.app.db.unit.findMany({ orderBy: { id: 'asc' } }));
    const revisions = await bot.app.db.revision.count({ where: { entity: 'unit' } });
    expect(await say(admin, '/unit move 东城街道工会 上级=东城建设集团工会')).toContain('会形成循环');
    expect(await say(admin, '/unit move 东城街道工会 上级=东城街道工会')).toContain('不能做自己的上级');
    expect(await say(admin, '/unit remove 东城街道工会')).toContain('下面还有 1 个单位（东城建设集团工会），不能删除');
    expect(await say(admin, '/unit rename 不存在的工会 新名字')).toContain('单位「不存在的工会」不存在');
    expect(await say(admin, '/unit rename 东城街道工会 西城街道工会')).toContain('已经有单位叫「西城街道工会」');
    expect(await say(admin, '/unit move 东城街道工会 上级=不存在')).toContain('新的上级单位「不存在」不存在');
    expect(await say(admin, '/unit set 东城街道工会 手机号=12345')).toContain('手机号“12345”不对');
    expect(await say(east, '/unit rename 东城街道工会 东城工会')).toContain('“/单位 改名”只有管理员可以使用');
    expect(await say(east, '/单位 删除 东城建设集团工会')).toContain('只有管理员可以使用');
    expect(JSON.stringify(await bot.app.db.unit.findMany({ orderBy: { id: 'asc' } }))).toBe(before);
    expect(await bot.app.db.revision.count({ where: { entity: 'unit' } })).toBe(revisions);
  });

  it('a four-level tree rolls up: a branch union\'s plan counts for its enterprise, street and district', async () => {
    await say(admin, '/unit add 东城建设集团工会 上级=东城街道工会 职工数=800');
    expect(await say(admin, '/unit add 一分公司分工会 上级=东城建设集团工会 职工数=300')).toContain('分工会/基层工会');
    expect((await unitNamed('一分公司分工会')).level).toBe(4);
    const branch: LocalUser = { userId: 'branch', userName: '分工会孙干事', chatId: admin.chatId };
    await say(branch, '/join 一分公司分工会');
    await say(branch, PLAN('分公司技能比武', '150'));
    // The district's roll-call counts 东城 as filed; /missing all lists the deep unit as filed too.
    expect(await say(admin, '/missing plan')).not.toContain('东城街道工会 —');
    const standings = await say(admin, '/standings plan all');
    expect(standings).toMatch(/一分公司分工会/);
    const stats = await say(admin, '/stats');
    expect(stats).toContain('计划150人');
    // A city federation above the district: every depth shifts by one, and the roll-up still holds.
    await say(admin, '/unit add 测试市总工会 上级=无');
    expect(await say(admin, '/unit move 测试区总工会 上级=测试市总工会')).toContain('现为街道/园区/产业工会');
    expect((await unitNamed('一分公司分工会')).level).toBe(5);
    expect(await say(admin, '/stats')).toContain('计划150人');
    await say(admin, '/unit move 测试区总工会 上级=无');
    // Moving the enterprise moves its branch; depths follow.
    await say(admin, '/unit move 东城建设集团工会 上级=西城街道工会');
    expect((await unitNamed('一分公司分工会')).level).toBe(4);
    expect(await say(admin, '/missing plan')).toContain('东城街道工会');
    expect(await say(admin, '/missing plan')).not.toContain('西城街道工会 —');
  });

  it('/unit set keeps the roster\'s contact, shown to admins only', async () => {
    expect(await say(admin, '/unit set 东城街道工会 联系人=李干事 手机号=138 0013 8000 编码=DC01')).toContain('手机号：13800138000');
    await say(east, '/join 东城街道工会');
    expect(await say(admin, '/units')).toContain('〔联系人：李干事 13800138000〕');
    expect(await say(east, '/units')).not.toContain('13800138000');
  });
});

describe('plans typed twice', () => {
  it('the same 竞赛项目 with other quotes is a revision of the plan, not a new one', async () => {
    await say(east, '/join 东城街道工会');
    const first = planNo(await say(east, PLAN('地铁3号线“五比一创”劳动竞赛')));
    const again = await say(east, PLAN('地铁3号线"五比一创"劳动竞赛。', '150'));
    expect(again).toContain(`已作为计划 #${first} 的修改保存`);
    expect(again).toContain('第2版');
    expect(await bot.app.db.plan.count()).toBe(1);
    expect(await bot.app.db.plan.findUniqueOrThrow({ where: { id: first } })).toMatchObject({ participants: 150, version: 2 });
  });

  it('a merely similar one is stored new with a hint, withdrawn, and gone from every count until restored', async () => {
    await say(east, '/join 东城街道工会');
    const first = planNo(await say(east, PLAN('地铁3号线五比一创劳动竞赛')));
    const similar = await say(east, PLAN('地铁3号线五比一创劳动竞赛活动', '400'));
    const dup = planNo(similar);
    expect(dup).not.toBe(first);
    expect(similar).toContain(`与计划 #${first}「地铁3号线五比一创劳动竞赛」相似；如果重复了，发送 /撤回 ${dup}`);
    expect(await say(admin, '/stats')).toContain('竞赛项目：备案2项');
    // West (another unit) cannot withdraw it; East can.
    await say(west, '/join 西城街道工会');
    expect(await say(west, `/撤回 ${dup}`)).toContain(`本单位没有编号为 ${dup} 的计划`);
    expect(await say(east, `/撤回 ${dup}`)).toContain(`✅ 已撤回计划 #${dup}`);
    const stats = await say(admin, '/stats');
    expect(stats).toContain('竞赛项目：备案1项');
    expect(stats).toContain('计划120人');
    expect(await exportedText(admin)).not.toContain('五比一创劳动竞赛活动');
    const mine = await say(east, '/mine');
    expect(mine).toContain(`已撤回 1 项（不计入统计）：#${dup}`);
    expect(mine).toContain('计划 1 项');
    expect(await say(east, `/history ${dup}`)).toContain('撤回（不再计入统计和导出）');
    // A progress report cannot name it while withdrawn.
    expect(await say(east, `【竞赛进度】\n计划编号：${dup}\n日期：2027-02-09\n进展情况：启动`)).toContain(`计划 #${dup}「地铁3号线五比一创劳动竞赛活动」已撤回`);
    // Restored, it counts again; the row was never deleted.
    expect(await say(admin, `/restore ${dup}`)).toContain(`✅ 已恢复计划 #${dup}`);
    expect(await say(admin, '/stats')).toContain('竞赛项目：备案2项');
    expect(await exportedText(admin)).toContain('五比一创劳动竞赛活动');
  });

  it('a progress entry and a year-end report are withdrawn and restored too; every receipt shows the progress number', async () => {
    await say(east, '/join 东城街道工会');
    const plan = planNo(await say(east, PLAN('快速路劳动竞赛')));
    const progress = await say(east, `【竞赛进度】\n计划编号：${plan}\n日期：2027-02-09\n进展情况：动员大会`);
    const progressId = Number(progress.match(/进度编号 #(\d+)/)![1]);
    expect(await say(east, `/撤回 进度 ${progressId}`)).toContain(`✅ 已撤回进度 #${progressId}`);
    expect(await say(east, '/mine')).toContain('进度0次');
    expect(await say(east, `/恢复 进度 ${progressId}`)).toContain('✅ 已恢复');
    expect(await say(east, '/mine')).toContain('进度1次');
    await say(east, '【年度报告】\n主要经验：经验\n存在问题：问题\n意见建议：建议');
    expect(await say(east, '/撤回 年报')).toContain('✅ 已撤回「东城街道工会」的年度报告');
    expect(await say(east, '/mine')).toContain('年度报告：已撤回');
    expect(await say(admin, '/missing report')).toContain('东城街道工会');
    expect(await say(east, '/恢复 年报')).toContain('✅ 已恢复');
    expect(await say(admin, '/missing report')).not.toContain('· 东城街道工会');
  });
});

describe('an admin correcting a unit\'s filing', () => {
  it('/plan 编辑 returns the form filled in; submitting it is a new version marked as the admin\'s', async () => {
    await say(east, '/join 东城街道工会');
    const id = planNo(await say(east, PLAN('快速路劳动竞赛')));
    expect(await say(east, `/plan 编辑 ${id}`)).toContain('只有管理员可以代单位修改计划');
    const replies = await bot.say(admin, `/计划 编辑 ${id}`);
    expect(textOf(replies)).toContain(`代「东城街道工会」修改计划 #${id}「快速路劳动竞赛」`);
    const form = replies.find((r) => r.kind === 'form');
    if (form?.kind !== 'form') throw new Error('no form');
    expect(form.title).toBe(`竞赛计划（修改 #${id}）`);
    expect(form.values).toMatchObject({ project: '快速路劳动竞赛', participants: '120人', keyProject: '是' });
    // The admin's own plan meanwhile is their own (and they file for no unit): the edit is the form's, not the chat's.
    expect(await say(admin, PLAN('另一项'))).toContain('您还没有登记所属单位');
    const receipt = textOf(await bot.submit(admin, form.formId, { ...form.values, participants: '200' } as Record<string, string>));
    expect(receipt).toContain(`竞赛计划已由管理员王主席代为修改（第2版）：计划编号 #${id} 东城街道工会「快速路劳动竞赛」`);
    expect(receipt).toContain(`原内容已留存：/修改记录 ${id}`);
    expect(await bot.app.db.plan.findUniqueOrThrow({ where: { id } })).toMatchObject({ participants: 200, unitId: (await unitNamed('东城街道工会')).id, version: 2 });
    expect(await say(east, `/history ${id}`)).toContain('第2版 2027-02-10 10:00 王主席（管理员代为修改）：参与人数 120→200');
  });

  it('the typed template carries the edit in its title: 【竞赛计划】修改 #N, for admins only', async () => {
    await say(east, '/join 东城街道工会');
    const id = planNo(await say(east, PLAN('快速路劳动竞赛')));
    const edited = PLAN('快速路劳动竞赛', '300').replace('【竞赛计划】', `【竞赛计划】修改 #${id}`);
    expect(await say(east, edited)).toContain(`只有管理员可以代单位修改（标题里的“修改 #${id}”）`);
    expect(await bot.app.db.plan.findUniqueOrThrow({ where: { id } })).toMatchObject({ participants: 120 });
    expect(await say(admin, edited)).toContain(`已由管理员王主席代为修改（第2版`);
    expect(await bot.app.db.plan.findUniqueOrThrow({ where: { id } })).toMatchObject({ participants: 300 });
    // A withdrawn plan is not edited behind the filer's back.
    await say(east, `/撤回 ${id}`);
    expect(await say(admin, edited.replace('300', '400'))).toContain(`计划 #${id} 已被撤回，修改没有保存`);
  });
});

describe('admins and filers', () => {
  it('/admin list and remove; the last admin cannot be removed; /members lists and removes filers', async () => {
    const deputy: LocalUser = { userId: 'deputy', userName: '李副主席', chatId: admin.chatId };
    expect(await say(admin, '/管理员 列表')).toContain('管理员（1人）：王主席（ADMINS 配置）');
    expect(await say(admin, '/admin remove @王主席', at(admin))).toContain('ADMINS 配置的管理员');
    await say(admin, '/admin add @李副主席', at(deputy));
    expect(await say(admin, '/admin list')).toContain('管理员（2人）');
    expect(await say(deputy, '/管理员 移除 @李副主席', at(deputy))).toContain('✅ 已移除 李副主席 的管理员身份');
    expect(await say(deputy, '/unit add 某单位')).toContain('只有管理员可以使用');
    await say(east, '/join 东城街道工会');
    expect(await say(east, '/成员 东城街道工会')).toContain('「东城街道工会」的联络员（1人）：');
    expect(await say(east, '/members remove @东城李干事', at(east))).toContain('只有管理员可以移除联络员');
    expect(await say(admin, '/members remove @东城李干事', at(east))).toContain('✅ 已把 东城李干事 从「东城街道工会」的联络员中移除');
    expect(await say(east, PLAN('之后的计划'))).toContain('您还没有登记所属单位');
    const log = await bot.app.db.revision.findMany({ where: { entity: 'member' }, orderBy: { id: 'asc' } });
    expect(log.map((r) => r.action)).toEqual(expect.arrayContaining(['admin-add', 'admin-remove', 'join', 'unit-remove']));
  });

  it('the last admin cannot remove themselves', async () => {
    const b2 = await startTestBot({ ADMINS: '' });
    try {
      await b2.app.db.member.create({ data: { platform: 'local', userId: 'solo', name: '唯一管理员', role: 'admin' } });
      const solo: LocalUser = { userId: 'solo', userName: '唯一管理员', chatId: 'g' };
      expect(textOf(await b2.say(solo, '/admin remove @唯一管理员', at(solo)))).toContain('是最后一位管理员，不能移除');
      expect((await b2.app.db.member.findFirstOrThrow({ where: { userId: 'solo' } })).role).toBe('admin');
    } finally {
      await b2.close();
    }
  });
});

describe('/import', () => {
  const attach = (fileName: string, data: Buffer) => ({ file: { fileName, base64: data.toString('base64') } });

  it('skips a merged 合计 row and notes, keeps 联系人 and 手机号, and never creates "合计"', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名单');
    ws.addRow(['2027年单位名单']);
    ws.mergeCells('A1:F1');
    ws.addRow(['单位名称', '上级单位', '职工数', '单位代码', '联系人', '手机号']);
    ws.addRow(['南城街道工会', '测试区总工会', 3000, '', '周干事', '13900139000']);
    ws.addRow(['南城物流企业工会', '南城街道工会', 80, '', '', '']);
    ws.addRow(['合计', '', 3080, '', '', '']);
    ws.mergeCells('A5:B5');
    ws.addRow(['说明：请各单位核对', '', '', '', '', '']);
    ws.mergeCells('A6:F6');
    const reply = await say(admin, '/import', attach('名单.xlsx', Buffer.from(await wb.xlsx.writeBuffer())));
    expect(reply).toContain('✅ 单位名单已导入：新增2个');
    expect(reply).toContain('跳过 2 行');
    expect(reply).toContain('第5行「合计」');
    expect(await bot.app.db.unit.count({ where: { name: { in: ['合计', '说明：请各单位核对'] } } })).toBe(0);
    expect(await unitNamed('南城街道工会')).toMatchObject({ contactName: '周干事', contactPhone: '13900139000' });
  });

  it('a roster that moves units waits for /import 确认, then moves them', async () => {
    await say(admin, '/unit add 东城建设集团工会 上级=东城街道工会');
    const csv = ['单位名称,上级单位,职工数', '东城建设集团工会,西城街道工会,800', '新企业工会,西城街道工会,60'].join('\n');
    const asked = await say(admin, '/import', attach('名单.csv', Buffer.from(csv)));
    expect(asked).toContain('这份名单会调整 1 个已有单位的上级，还没有导入');
    expect(asked).toContain('东城建设集团工会：东城街道工会 → 西城街道工会');
    expect(asked).toContain('发送“/导入 确认”');
    expect(await bot.app.db.unit.count({ where: { name: '新企业工会' } })).toBe(0);
    expect((await unitNamed('东城建设集团工会')).parentId).toBe((await unitNamed('东城街道工会')).id);
    // Someone else's 确认 does nothing; the admin's does it all.
    expect(await say({ ...admin, userId: 'admin2', userName: '另一人' }, '/import 确认')).toContain('暂时不能使用“/导入”');
    const done = await say(admin, '/导入 确认');
    expect(done).toContain('✅ 单位名单已导入：新增1个');
    expect(done).toContain('调整上级1个');
    expect((await unitNamed('东城建设集团工会')).parentId).toBe((await unitNamed('西城街道工会')).id);
    expect(await say(admin, '/import 确认')).toContain('没有等待确认的名单');
    const moved = await bot.app.db.revision.findFirstOrThrow({ where: { entity: 'unit', action: 'import-move' } });
    expect(JSON.parse(moved.previousValues!).parentId).toBe((await unitNamed('东城街道工会')).id);
  });

  it('a roster whose moves would make a loop is refused, naming the row', async () => {
    await say(admin, '/unit add 东城建设集团工会 上级=东城街道工会');
    const csv = ['单位名称,上级单位', '东城街道工会,东城建设集团工会'].join('\n');
    expect(await say(admin, '/import', attach('名单.csv', Buffer.from(csv)))).toContain('第2行：上级关系形成了循环');
  });
});

describe('corrections, the review\'s cases', () => {
  const attach = (fileName: string, data: Buffer) => ({ file: { fileName, base64: data.toString('base64') } });

  it('a roster from a real office: a two-row header, spaced names, 合 计 and sign-off rows, odd phones', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名单');
    ws.addRow(['单位名称', '上级单位', '职工数', '联系人', '联系人']);
    ws.mergeCells('D1:E1');
    ws.addRow(['', '', '', '姓名', '手机号']);
    ws.addRow(['南城 街道工会', '测试区总工会', 3000, '周干事', '0571-88888888-801']);
    ws.addRow(['合  计', '', 3000, '', '']);
    ws.addRow(['填表人：张三', '', '审核人：李四', '', '']);
    ws.addRow(['Total', '', 3000, '', '']);
    const reply = await say(admin, '/import', attach('名单.xlsx', Buffer.from(await wb.xlsx.writeBuffer())));
    expect(reply).toContain('✅ 单位名单已导入：新增1个');
    expect(reply).toContain('“南城 街道工会”中的空格已去掉');
    expect(reply).toContain('手机号“0571-88888888-801”格式不像手机号');
    expect(reply).toContain('表头第二行');
    expect(await unitNamed('南城街道工会')).toMatchObject({ contactName: '周干事', contactPhone: '0571-88888888-801', headcount: 3000 });
    expect(await bot.app.db.unit.count({ where: { OR: [{ name: { contains: '计' } }, { name: { contains: '填表' } }, { name: 'Total' }] } })).toBe(0);
  });

  it('a new file replaces a roster waiting for 确认, and a tree changed since the preview is not applied', async () => {
    await say(admin, '/unit add 东城建设集团工会 上级=东城街道工会');
    const moving = Buffer.from(['单位名称,上级单位', '东城建设集团工会,西城街道工会'].join('\n'));
    expect(await say(admin, '/import', attach('a.csv', moving))).toContain('还没有导入');
    await say(admin, '/import', attach('b.csv', Buffer.from(['单位名称,上级单位', '北城街道工会,测试区总工会'].join('\n'))));
    expect(await say(admin, '/import 确认')).toContain('没有等待确认的名单');
    expect((await unitNamed('东城建设集团工会')).parentId).toBe((await unitNamed('东城街道工会')).id);
    expect(await say(admin, '/import', attach('a.csv', moving))).toContain('还没有导入');
    // Someone moves it meanwhile: the preview no longer tells the truth.
    await say(admin, '/unit move 东城建设集团工会 上级=高新园区工会');
    expect(await say(admin, '/import 确认')).toContain('预览之后单位的上下级有了变化');
    expect((await unitNamed('东城建设集团工会')).parentId).toBe((await unitNamed('高新园区工会')).id);
  });

  it('a withdrawn report filed again counts again; a withdrawn duplicate does not come back instead of the original', async () => {
    await say(east, '/join 东城街道工会');
    await say(east, '【年度报告】\n主要经验：经验\n存在问题：问题\n意见建议：建议');
    await say(east, '/撤回 年报');
    expect(await say(east, '【年度报告】\n主要经验：新的经验\n存在问题：问题\n意见建议：建议')).toContain('本单位的年度报告原已撤回，重新提交后已恢复');
    expect(await say(east, '/mine')).toContain('年度报告：已提交');
    expect(await say(admin, '/missing report')).not.toContain('· 东城街道工会');
    // Old data: #a (curly quotes) and #b (straight quotes) of one competition; #b withdrawn.
    const a = planNo(await say(east, PLAN('“安康杯”竞赛')));
    const unit = await unitNamed('东城街道工会');
    const campaign = await bot.app.db.campaign.findFirstOrThrow();
    const b = await bot.app.db.plan.create({ data: { campaignId: campaign.id, unitId: unit.id, enterpriseName: '东城建设集团', project: '"安康杯"竞赛', organizer: '班组', participants: 1, startDate: '2027-03-01', endDate: '2027-10-31', type: 'ankangbei', filedBy: 'x', withdrawnAt: new Date() } });
    const again = await say(east, PLAN('"安康杯"竞赛', '160'));
    expect(again).toContain(`已作为计划 #${a} 的修改保存`);
    expect(await bot.app.db.plan.findUniqueOrThrow({ where: { id: b.id } })).toMatchObject({ withdrawnAt: expect.any(Date), participants: 1 });
    expect(await bot.app.db.plan.findUniqueOrThrow({ where: { id: a } })).toMatchObject({ participants: 160, project: '“安康杯”竞赛' });
  });

  it('the same competition for another enterprise is another plan, with a hint', async () => {
    await say(east, '/join 东城街道工会');
    const first = planNo(await say(east, PLAN('“安康杯”竞赛')));
    const other = await say(east, PLAN('安康杯竞赛').replace('东城建设集团', '东城供水公司'));
    expect(planNo(other)).not.toBe(first);
    expect(other).toContain(`与计划 #${first}「“安康杯”竞赛」相似`);
  });

  it('/history 单位 shows every change of a unit to admins; /unit set and move say what was there before', async () => {
    await say(admin, '/unit set 东城街道工会 职工数=5200');
    expect(await say(admin, '/unit set 东城街道工会 职工数=')).toContain('原为：职工数：5200');
    expect((await unitNamed('东城街道工会')).headcount).toBeNull();
    expect(await say(admin, '/unit move 东城街道工会 上级=无')).toContain('原上级：测试区总工会；移回请发送 /单位 移动 东城街道工会 上级=测试区总工会');
    const history = await say(admin, '/history 单位 东城街道工会');
    expect(history).toContain('修改 · ');
    expect(history).toContain('职工数 5000→5200');
    expect(history).toContain('移动 · ');
    expect(history).toContain('上级 测试区总工会→无');
    await say(east, '/join 西城街道工会');
    expect(await say(east, '/history 单位 东城街道工会')).toContain('单位的修改记录只有管理员可以查看');
  });

  it('refuses unit names with hidden characters or 无; an archived top unit does not get in an admin\'s way', async () => {
    expect(await say(admin, '/unit add 东城\u200D街道工会')).toContain('看不见的字符');
    expect(await say(admin, '/unit add 无')).toContain('不能用作单位名称');
    const p2p: LocalUser = { ...admin, chatId: 'admin-p2p', chatType: 'p2p' };
    await say(p2p, '/unit add 临时总工会 上级=无');
    await say(p2p, '/unit remove 临时总工会');
    expect(await say(p2p, '/standings')).toContain('「测试区总工会」下属单位综合排名');
  });

  it('a filer of a removed unit is told at once, not after filling in the form', async () => {
    await say(east, '/join 东城街道工会');
    await say(admin, '/unit remove 东城街道工会');
    expect(await say(east, '/plan')).toContain('已被管理员删除（归档）');
  });
});

