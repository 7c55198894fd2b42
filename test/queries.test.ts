// What people look up: /deadlines with days left, /mine (my unit's filings and what is still due),
// /units with who is registered for each.
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
const PLAN = '【竞赛计划】\n企业名称：东城建设集团\n竞赛项目：快速路劳动竞赛\n组织方式：班组\n参与人数：120\n时间安排：2027-03-01至2027-10-31\n竞赛类型：五比一创\n重点项目：是';

describe('/deadlines', () => {
  it('lists each deadline with its weekday and the days left, counted in Shanghai', async () => {
    const reply = await say(east, '/deadlines');
    expect(reply).toContain('2027年度测试区职工劳动和技能竞赛截止日期');
    expect(reply).not.toContain('（2027年度）');
    expect(reply).toContain('· 计划备案：2027年2月28日（星期日）（2027年放假安排尚未公布，按预估），还有 18 天');
    expect(reply).toContain('· 总结表：2027年10月15日（星期五）（2027年放假安排尚未公布，按预估），还有 247 天');
    expect(reply).toContain('· 年度报告：2027年12月31日（星期五）（2027年放假安排尚未公布，按预估），还有 324 天');

    // 20:00 UTC on the 27th is already the 28th in Shanghai.
    bot.setNow('2027-02-27T20:00:00Z');
    expect(await say(east, '/截止')).toContain('· 计划备案：2027年2月28日（星期日）（2027年放假安排尚未公布，按预估），就是今天');
    bot.setNow('2027-03-03T09:00:00+08:00');
    expect(await say(east, '/deadlines')).toContain('· 计划备案：2027年2月28日（星期日）（2027年放假安排尚未公布，按预估），已过 3 天');
  });

  it('says what to do when there is no campaign yet', async () => {
    const fresh = await startTestBot();
    try {
      expect(textOf(await fresh.say(east, '/deadlines'))).toContain('还没有创建竞赛年度');
    } finally {
      await fresh.close();
    }
  });
});

describe('/mine', () => {
  it('asks a person with no unit to join first', async () => {
    expect(await say(east, '/mine')).toContain('您还没有登记所属单位，暂时不能使用“/我的”。请先发送“/加入 单位名称”登记，例如：/加入 东城街道工会');
    expect(await say({ ...east, chatId: 'east-p2p', chatType: 'p2p' }, '/mine')).toContain('在本单位的工作群里发送');
  });

  it('shows the unit\'s filings and what is still due, with days left', async () => {
    await say(east, '/join 东城街道工会');
    let mine = await say(east, '/我的');
    expect(mine).toContain('东城街道工会 · 2027年度填报情况');
    expect(mine).toContain('计划：还没有备案（发送“/计划”备案）');
    expect(mine).toContain('· 计划备案（截止 2027年2月28日，还有 18 天）/计划');

    await say(east, PLAN);
    await say(east, '【竞赛进度】\n计划编号：1\n日期：2027-02-09\n进展情况：启动');
    mine = await say(east, '/mine');
    expect(mine).toContain('计划 1 项：');
    expect(mine).toContain('#1 快速路劳动竞赛（东城建设集团，五比一创，重点项目，120人，进度1次，未交总结）');
    expect(mine).not.toContain('· 计划备案（截止');
    expect(mine).toContain('· 总结表（截止 2027年10月15日，还有 247 天）/总结');
    expect(mine).toContain('年度报告：未提交');

    bot.setNow('2027-10-20T10:00:00+08:00');
    await say(east, '【竞赛总结】\n计划编号：1\n实际参与人数：118\n经费支出：1000\n获奖级别：无');
    await say(east, '【年度报告】\n主要经验：有\n存在问题：有\n意见建议：有');
    mine = await say(east, '/mine');
    expect(mine).toContain('已交总结（逾期）');
    expect(mine).toContain('年度报告：已提交');
    expect(mine).toContain('本年度材料都已提交，辛苦了！');
  });

  it('shows only the sender\'s own unit', async () => {
    await say(east, '/join 东城街道工会');
    await say(west, '/join 西城街道工会');
    await say(east, PLAN);
    const mine = await say(west, '/mine');
    expect(mine).toContain('西城街道工会 · 2027年度填报情况');
    expect(mine).not.toContain('快速路劳动竞赛');
  });
});

describe('/units', () => {
  it('lists the units under the group\'s unit with headcounts and registered filers', async () => {
    await say(east, '/join 东城街道工会');
    // A second cadre for the same street needs the first one's yes.
    expect(await say({ ...east, userId: 'east2', userName: '东城钱干事' }, '/join 东城街道工会')).toContain('申请登记为「东城街道工会」的联络员');
    expect(await say(east, '/approve @东城钱干事', { mentions: [{ userId: 'east2', userName: '东城钱干事' }] })).toContain('已同意 东城钱干事');
    await say(admin, '/unit add 东城建设集团工会 上级=东城街道工会 职工数=800');
    await say({ ...east, userId: 'ent', userName: '企业孙主席' }, '/join 东城建设集团工会');
    const reply = await say(east, '/units');
    expect(reply).toContain('「测试区总工会」下属单位（4个）：');
    // The enterprise sits right under its street union, indented.
    expect(reply).toContain('· 东城街道工会，职工5000人：东城李干事、东城钱干事\n　· 东城建设集团工会，职工800人：企业孙主席\n· 西城街道工会');
    expect(reply).toContain('· 西城街道工会，职工4000人：未登记联络员');
  });

  it('answers "/单位" from a registered filer with the same list, while adding a unit stays with admins', async () => {
    expect(await say(west, '/单位')).toContain('您还没有登记所属单位，暂时不能使用“/单位”');
    await say(west, '/join 西城街道工会');
    const list = await say(west, '/单位');
    expect(list).toContain('「测试区总工会」下属单位（3个）：');
    expect(list).toContain('· 西城街道工会，职工4000人：西城张干事');
    expect(list).toContain('· 高新园区工会，职工8000人：未登记联络员');
    expect(await say(west, '/单位 添加 北城街道工会 上级=测试区总工会')).toContain('只有管理员可以使用');
    expect(await say(admin, '/单位 添加 北城街道工会 上级=测试区总工会')).toContain('✅ 已添加单位「北城街道工会」');
  });

  it('lists every unit to an admin in a private chat (not in an unbound group), and only a filer\'s own unit', async () => {
    const reply = await say({ ...admin, chatId: 'admin-p2p', chatType: 'p2p' }, '/units');
    expect(reply).toContain('全部单位（4个）');
    expect(reply).toContain('测试区总工会');
    expect(await say({ ...admin, chatId: 'unbound' }, '/units')).toContain('本群还没有绑定单位，不在群里列出全部单位');
    await say(east, '/join 东城街道工会');
    const own = await say({ ...east, chatId: 'unbound' }, '/units');
    expect(own).toContain('本单位：东城街道工会，职工5000人：东城李干事');
    expect(own).not.toContain('西城街道工会');
  });
});
