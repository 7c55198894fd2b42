// Setting up an organisation in chat: /unit add, /campaign add and set (with the default
// deadlines), /bind. Mistyped options and names are refused with the fix, never half-applied.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setUpDistrict, startTestBot, textOf, type LocalUser, type TestBot } from './support/harness.js';

let bot: TestBot;
const admin: LocalUser = { userId: 'admin', userName: '王主席', chatId: 'setup-group' };
beforeEach(async () => {
  bot = await startTestBot();
  bot.setNow('2027-01-05T10:00:00+08:00');
});
afterEach(async () => bot.close());

const say = async (text: string, who: LocalUser = admin) => textOf(await bot.say(who, text));
const campaign = (year: number) => bot.app.db.campaign.findFirst({ where: { year } });

describe('/campaign add', () => {
  it('uses the default deadlines (last day of February, 15 October, 31 December) and a title naming the federation', async () => {
    await say('/unit add 测试区总工会');
    const reply = await say('/campaign add 2027');
    expect(reply).toContain('✅ 已创建竞赛年度');
    expect(reply).toContain('计划备案截止：2027年2月28日（星期日）');
    expect(await campaign(2027)).toMatchObject({ title: '2027年度测试区职工劳动和技能竞赛', planDeadline: '2027-02-28', summaryDeadline: '2027-10-15', reportDeadline: '2027-12-31' });
  });

  it('knows 2028 is a leap year', async () => {
    expect(await say('/campaign add 2028')).toContain('计划备案截止：2028年2月29日（星期二）');
    expect(await campaign(2028)).toMatchObject({ planDeadline: '2028-02-29', summaryDeadline: '2028-10-15', reportDeadline: '2028-12-31' });
  });

  it('takes a title and deadlines as options, defaulting the rest', async () => {
    const reply = await say('/竞赛 创建 2027年度 标题=2027年度“建功新时代”劳动竞赛 计划截止=2027-03-15 总结截止=2027年10月20日');
    expect(reply).toContain('#1 2027年度“建功新时代”劳动竞赛');
    expect(await campaign(2027)).toMatchObject({ title: '2027年度“建功新时代”劳动竞赛', planDeadline: '2027-03-15', summaryDeadline: '2027-10-20', reportDeadline: '2027-12-31' });
  });

  it('refuses a mistyped option, deadlines out of order, a wrong year and a second campaign for a year', async () => {
    expect(await say('/campaign add 2027 总结截至=2027-10-20')).toContain('不认识的选项：总结截至=');
    expect(await say('/campaign add 2027 计划截止=2027-11-01')).toContain('截止日期的先后不对：计划截止（2027年11月1日）应早于总结截止（2027年10月15日）');
    expect(await say('/campaign add 2027 计划截止=2072-02-28')).toContain('不在2027年度前后');
    expect(await say('/campaign add 2027 计划截止=2027-02-30')).toContain('计划截止：「2027-02-30」不是有效的日期');
    expect(await say('/campaign add 27')).toContain('请写四位数的年度');
    expect(await say('/campaign add 2027 标题=2027年度 劳动竞赛')).toContain('选项的值里不要有空格');
    expect(await bot.app.db.campaign.count()).toBe(0);
    await say('/campaign add 2027');
    // Before any unit exists, the title names no federation.
    expect(await say('/campaign add 2027')).toContain('2027年度的「2027年度职工劳动和技能竞赛」已经创建过了');
    expect(await bot.app.db.campaign.count()).toBe(1);
  });
});

describe('/campaign and /campaign set', () => {
  it('shows the current campaign and moves its deadlines', async () => {
    expect(await say('/campaign')).toContain('还没有创建竞赛年度');
    await say('/campaign add 2027');
    expect(await say('/campaign')).toContain('总结表截止：2027年10月15日（星期五）');
    const reply = await say('/campaign set 计划截止=2027-03-05 标题=新标题');
    expect(reply).toContain('✅ 已修改');
    expect(reply).toContain('计划备案截止：2027年3月5日');
    expect(await campaign(2027)).toMatchObject({ title: '新标题', planDeadline: '2027-03-05', summaryDeadline: '2027-10-15' });
  });

  it('refuses a change that puts the deadlines out of order, and a change with nothing in it', async () => {
    await say('/campaign add 2027');
    expect(await say('/campaign set 年报截止=2027-06-30')).toContain('截止日期的先后不对');
    expect(await say('/campaign set')).toContain('请写要修改的项目');
    expect(await say('/campaign set 截止=2027-03-01')).toContain('不认识的选项：截止=');
    expect(await campaign(2027)).toMatchObject({ reportDeadline: '2027-12-31', planDeadline: '2027-02-28' });
  });

  it('changes the group\'s own campaign, not just the latest one', async () => {
    await say('/campaign add 2027');
    await say('/campaign add 2028');
    await say('/unit add 测试区总工会');
    await say('/bind 测试区总工会 2027');
    await say('/campaign set 总结截止=2027-10-31');
    expect((await campaign(2027))?.summaryDeadline).toBe('2027-10-31');
    expect((await campaign(2028))?.summaryDeadline).toBe('2028-10-15');
  });
});

describe('/unit add', () => {
  it('builds the hierarchy with levels and headcounts', async () => {
    expect(await say('/unit add 测试区总工会 职工数=20000')).toContain('✅ 已添加单位「测试区总工会」（总工会，顶级单位，职工数：20000）');
    expect(await say('/unit add 东城街道工会 上级=测试区总工会 职工数=1,200人')).toContain('（街道/园区/产业工会，上级：测试区总工会，职工数：1200）');
    expect(await say('/单位 添加 东城建设集团工会 上级=东城街道工会')).toContain('企业工会');
    const units = await bot.app.db.unit.findMany({ orderBy: { id: 'asc' }, include: { parent: true } });
    expect(units.map((u) => [u.name, u.level, u.parent?.name ?? null, u.headcount])).toEqual([
      ['测试区总工会', 1, null, 20000], ['东城街道工会', 2, '测试区总工会', 1200], ['东城建设集团工会', 3, '东城街道工会', null],
    ]);
  });

  it('refuses what it cannot do, saying why, and adds nothing', async () => {
    await say('/unit add 测试区总工会');
    await say('/unit add 东城街道工会 上级=测试区总工会');
    await say('/unit add 某企业工会 上级=东城街道工会');
    const before = await bot.app.db.unit.count();
    expect(await say('/unit add 新单位 上级=不存在的工会')).toContain('上级单位「不存在的工会」不存在');
    expect(await say('/unit add 新单位 上级=东城')).toContain('您要找的是不是：东城街道工会？');
    expect(await say('/unit add 新单位 上极=测试区总工会')).toContain('不认识的选项：上极=');
    expect(await say('/unit add 东城街道工会')).toContain('单位「东城街道工会」已经存在');
    // A second top-level unit is almost always a forgotten 上级=: it must be asked for.
    expect(await say('/unit add 学院路街道工会 职工数=5100')).toContain('如果确实要再建一个顶级单位，请写 上级=无');
    expect(await say('/unit add 西城 街道工会')).toContain('单位名称中不要有空格');
    expect(await say('/unit add 新单位 职工数=很多')).toContain('职工数：请填写一个整数');
    expect(await say('/unit add 新单位 职工数=-5')).toContain('职工数：不能是负数');
    expect(await say('/unit add')).toContain('用法：/单位 添加 <名称>');
    expect(await bot.app.db.unit.count()).toBe(before);
  });
});

describe('/bind', () => {
  it('binds to the latest campaign by default, a given year when asked, and rebinds', async () => {
    await say('/unit add 测试区总工会');
    await say('/unit add 邻区总工会 上级=无');
    // Two federations in one installation: each campaign says whose it is.
    expect(await say('/campaign add 2027')).toContain('有 2 个顶级单位（测试区总工会、邻区总工会），请写明由哪个单位组织');
    await say('/campaign add 2027 单位=测试区总工会');
    await say('/campaign add 2028 单位=测试区总工会');
    await say('/campaign add 2027 单位=邻区总工会 标题=邻区2027年度劳动竞赛');
    expect(await say('/bind 测试区总工会')).toContain('✅ 本群已绑定到「测试区总工会」· 2028年度测试区职工劳动和技能竞赛');
    expect(await say('/bind 测试区总工会 2027年')).toContain('✅ 本群已改为绑定到「测试区总工会」· 2027年度');
    expect(await say('/绑定 邻区总工会 2027')).toContain('已改为绑定到「邻区总工会」· 邻区2027年度劳动竞赛');
    const bindings = await bot.app.db.chatBinding.findMany({ include: { unit: true, campaign: true } });
    expect(bindings.map((b) => [b.chatId, b.unit.name, b.campaign.title])).toEqual([['setup-group', '邻区总工会', '邻区2027年度劳动竞赛']]);
  });

  it('refuses an unknown unit or year, a name with spaces and a private chat', async () => {
    await say('/unit add 测试区总工会');
    expect(await say('/bind 测试区总工会')).toContain('「测试区总工会」还没有可参加的竞赛，请先发送“/竞赛 创建 年度”');
    await say('/campaign add 2027');
    expect(await say('/bind 不存在的工会')).toContain('没有找到单位「不存在的工会」');
    expect(await say('/bind 测试区')).toContain('您要找的是不是：测试区总工会？');
    expect(await say('/bind 测试区总工会 2030')).toContain('没有2030年度的竞赛');
    expect(await say('/bind 测试区 总工会')).toContain('单位名称中不要有空格');
    expect(await say('/bind', admin)).toContain('请写要绑定的单位');
    expect(await say('/bind 测试区总工会', { ...admin, chatId: 'admin-p2p', chatType: 'p2p' })).toContain('私聊不能绑定');
    expect(await bot.app.db.chatBinding.count()).toBe(0);
  });
});

describe('a district set up from scratch', () => {
  it('works end to end with the harness helper', async () => {
    const { east } = await setUpDistrict(bot);
    expect(await say('/join 东城街道工会', east)).toContain('已登记为「东城街道工会」的联络员');
  });
});
