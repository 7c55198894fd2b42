// A federation with thousands of units under one parent (a city's enterprise unions filed directly
// under it): every roll-up command answers. SQLite refuses a statement with more than 999 bound
// parameters in older builds (and 32,766 in newer ones), so no query may grow its parameter list with
// the number of units.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUpDistrict, startTestBot, textOf, type LocalUser, type TestBot } from './support/harness.js';

const UNITS = Number(process.env.MANY_UNITS) || 2_000;
let bot: TestBot;
let admin: LocalUser;

beforeAll(async () => {
  bot = await startTestBot();
  bot.setNow('2027-03-10T10:00:00+08:00');
  ({ admin } = await setUpDistrict(bot));
  const street = await bot.app.db.unit.findUniqueOrThrow({ where: { name: '东城街道工会' } });
  const district = await bot.app.db.unit.findUniqueOrThrow({ where: { name: '测试区总工会' } });
  // Straight into the database: 2,000 /单位 添加 would only test the chat's patience. Directly under the
  // group's unit, beside its streets.
  const rows = Array.from({ length: UNITS }, (_, i) => ({ name: `东城第${i + 1}企业工会`, level: 2, parentId: district.id, headcount: 50 + (i % 7) }));
  for (let i = 0; i < rows.length; i += 200) await bot.app.db.unit.createMany({ data: rows.slice(i, i + 200) });
  const east: LocalUser = { userId: 'east', userName: '东城李干事', chatId: 'district-group' };
  await bot.say(east, '/加入 东城街道工会');
  // With 2,000 units below it the street needs an admin's yes (a join is approved, never assumed).
  const approved = textOf(await bot.say(admin, '/同意 @东城李干事', { mentions: [{ userId: east.userId, userName: east.userName }] }));
  if (!(await bot.app.db.member.findFirst({ where: { userId: 'east', unitId: street.id } }))) throw new Error(approved);
  const plan = '【竞赛计划】\n企业名称：东城第1企业\n竞赛项目：安康杯竞赛\n组织方式：班组\n参与人数：40\n时间安排：2027-03-01至2027-10-31\n竞赛类型：安康杯\n重点项目：否';
  expect(textOf(await bot.say(east, plan))).toContain('✅');
}, 120_000);
afterAll(async () => bot?.close());

describe(`${UNITS} units directly under the group's unit`, () => {
  it.each([
    ['/单位列表', /东城第2000企业工会|2003/],
    ['/未交 计划 全部', /未交/],
    ['/统计', /计划备案/],
    ['/排名', /东城第\d+企业工会/],
    ['/催交 计划', /催交|未交/],
    ['/成员', /联络员/],
  ])('%s answers', async (command, expected) => {
    const said = textOf(await bot.say(admin, command));
    expect(said).not.toContain('出错');
    expect(said).toMatch(expected);
  }, 60_000);

  it('/导出 全部 gives a workbook with every unit', async () => {
    const replies = await bot.say(admin, '/导出 全部');
    const file = replies.find((r) => r.kind === 'file');
    expect(file, textOf(replies)).toBeDefined();
  }, 60_000);
});
