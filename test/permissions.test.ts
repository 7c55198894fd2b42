// Who may do what: only registered filers file, only admins set things up, and /join only
// reaches units under the group's own unit.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formOf, setUpDistrict, startTestBot, textOf, type LocalUser, type TestBot } from './support/harness.js';

let bot: TestBot;
let admin: LocalUser;
let east: LocalUser;
let chatId: string;
const stranger = (chat: string): LocalUser => ({ userId: 'stranger', userName: '路过的人', chatId: chat });
const PLAN = '【竞赛计划】\n企业名称：某公司\n竞赛项目：未经登记的竞赛\n组织方式：班组\n参与人数：50\n时间安排：2027-03-01至2027-10-31\n竞赛类型：其他\n重点项目：否';

beforeEach(async () => {
  bot = await startTestBot();
  bot.setNow('2027-02-10T10:00:00+08:00');
  ({ admin, east, chatId } = await setUpDistrict(bot));
});
afterEach(async () => bot.close());

describe('filing', () => {
  it('a person who has not joined a unit cannot file by command, template or form', async () => {
    const who = stranger(chatId);
    // The hint names this group's real units, not a made-up example.
    expect(textOf(await bot.say(who, '/plan'))).toContain('请先发送“/加入 单位名称”登记，例如：/加入 东城街道工会（本群可登记：东城街道工会、西城街道工会、高新园区工会）');
    expect(textOf(await bot.say(who, PLAN))).toContain('您还没有登记所属单位，暂时不能填报竞赛计划');

    // A form obtained by someone else and submitted by the stranger is refused just the same.
    await bot.say(east, '/join 东城街道工会');
    const form = formOf(await bot.say(east, '/plan'));
    const reply = textOf(await bot.submit(who, form.formId, { enterpriseName: '某公司', project: '冒名的竞赛', organizer: '班组', participants: '50', period: '2027-03-01至2027-10-31', type: '其他', keyProject: '否' }));
    expect(reply).toContain('您还没有登记所属单位');
    expect(await bot.app.db.plan.count()).toBe(0);
  });

  it('a filer files for their own unit only, and cannot report on another unit\'s plan', async () => {
    const west: LocalUser = { userId: 'west', userName: '西城张干事', chatId };
    await bot.say(east, '/join 东城街道工会');
    await bot.say(west, '/join 西城街道工会');
    const receipt = textOf(await bot.say(east, PLAN));
    expect(receipt).toContain('东城街道工会「未经登记的竞赛」');
    const planId = Number(receipt.match(/计划编号 #(\d+)/)![1]);
    const reply = textOf(await bot.say(west, `【竞赛进度】\n计划编号：${planId}\n日期：2027-05-01\n进展情况：冒名报进度`));
    expect(reply).toContain('西城街道工会还没有备案任何计划');
    expect(await bot.app.db.progressUpdate.count()).toBe(0);
  });
});

describe('setting up', () => {
  it('a non-admin cannot /bind, /unit add, /campaign add, /campaign set or /admin add, and nothing changes', async () => {
    await bot.say(east, '/join 东城街道工会'); // a registered filer is still not an admin
    const before = { units: await bot.app.db.unit.count(), campaigns: await bot.app.db.campaign.findMany(), bindings: await bot.app.db.chatBinding.findMany() };
    for (const who of [stranger(chatId), east]) {
      expect(textOf(await bot.say(who, '/bind 东城街道工会'))).toContain('“/绑定”只有管理员可以使用');
      expect(textOf(await bot.say(who, '/绑定 东城街道工会'))).toContain('只有管理员可以使用');
      expect(textOf(await bot.say(who, '/unit add 新单位 上级=测试区总工会'))).toContain('“/单位 添加”只有管理员可以使用');
      expect(textOf(await bot.say(who, '/campaign add 2028'))).toContain('只有管理员可以创建竞赛年度');
      expect(textOf(await bot.say(who, '/campaign set 计划截止=2027-03-31'))).toContain('只有管理员可以修改截止日期');
      expect(textOf(await bot.say(who, '/admin add', { mentions: [{ userId: who.userId, userName: who.userName }] }))).toContain('只有管理员可以使用');
    }
    expect(await bot.app.db.unit.count()).toBe(before.units);
    expect(await bot.app.db.campaign.findMany()).toEqual(before.campaigns);
    expect(await bot.app.db.chatBinding.findMany()).toEqual(before.bindings);
    expect(await bot.app.db.member.count({ where: { role: 'admin' } })).toBe(1);
  });

  it('an admin can make another admin with /admin add @someone, who can then set up', async () => {
    const deputy: LocalUser = { userId: 'deputy', userName: '李副主席', chatId };
    expect(textOf(await bot.say(deputy, '/unit add 北城街道工会 上级=测试区总工会'))).toContain('只有管理员可以使用');
    expect(textOf(await bot.say(admin, '/admin add'))).toContain('请在命令里@要设为管理员的人');
    expect(textOf(await bot.say(admin, '/admin add @李副主席', { mentions: [{ userId: 'deputy', userName: '李副主席' }] }))).toContain('已将 李副主席 设为管理员');
    expect(textOf(await bot.say(deputy, '/unit add 北城街道工会 上级=测试区总工会'))).toContain('✅ 已添加单位「北城街道工会」');
  });
});

describe('/join', () => {
  it('registers only for units under the group\'s unit', async () => {
    await bot.say(admin, '/unit add 邻区总工会 上级=无');
    await bot.say(admin, '/unit add 邻区某街道工会 上级=邻区总工会');
    await bot.say(admin, '/unit add 东城某企业工会 上级=东城街道工会');

    // A unit elsewhere reads exactly like one that does not exist (a stranger learns nothing).
    expect(textOf(await bot.say(east, '/join 邻区某街道工会'))).toContain('本群的「测试区总工会」下面没有「邻区某街道工会」');
    expect(textOf(await bot.say(east, '/join 邻区总工会'))).toContain('下面没有「邻区总工会」');
    expect(textOf(await bot.say(east, '/join 不存在的工会'))).toContain('本群的「测试区总工会」下面没有「不存在的工会」');
    expect(textOf(await bot.say(east, '/join 邻区某街道工会')).replace('邻区某街道工会', 'X')).toBe(textOf(await bot.say(east, '/join 不存在的工会')).replace('不存在的工会', 'X'));
    // A short name gets a suggestion from this group's units only.
    expect(textOf(await bot.say(east, '/join 东城'))).toContain('您要找的是不是：东城街道工会、东城某企业工会？');
    expect(textOf(await bot.say(east, '/join 邻区'))).not.toContain('您要找的是不是');
    expect((await bot.app.db.member.findUnique({ where: { platform_userId: { platform: 'local', userId: 'east' } } }))?.unitId ?? null).toBeNull();

    // An enterprise two levels down is still under the group's unit.
    expect(textOf(await bot.say(east, '/join 东城某企业工会'))).toContain('已登记为「东城某企业工会」的联络员');
    // Switching to a street union (it has units under it) waits for an admin.
    const asked = textOf(await bot.say(east, '/join 东城街道工会'));
    expect(asked).toContain('东城李干事 申请登记为「东城街道工会」的联络员，需要管理员同意');
    expect(asked).toContain('同意之前，东城李干事 仍为「东城某企业工会」填报');
    expect(textOf(await bot.say(admin, '/approve @东城李干事', { mentions: [{ userId: 'east', userName: '东城李干事' }] }))).toContain('已同意 东城李干事 登记为「东城街道工会」的联络员');
    expect(textOf(await bot.say(east, '/join 东城街道工会'))).toContain('已经是「东城街道工会」的联络员');
  });

  it('in the other district\'s group, the same unit is refused', async () => {
    await bot.say(admin, '/unit add 邻区总工会 上级=无');
    await bot.say(admin, '/campaign add 2027 单位=邻区总工会 标题=邻区2027年度竞赛');
    const other = { ...admin, chatId: 'other-district' };
    expect(textOf(await bot.say(other, '/bind 邻区总工会'))).toContain('✅');
    expect(textOf(await bot.say({ ...east, chatId: 'other-district' }, '/join 东城街道工会'))).toContain('本群的「邻区总工会」下面没有「东城街道工会」');
  });

  it('needs a bound group, and says so in a private chat', async () => {
    expect(textOf(await bot.say({ ...east, chatId: 'unbound-group' }, '/join 东城街道工会'))).toContain('本群还没有绑定单位，请管理员先发送“/绑定 单位名称”');
    expect(textOf(await bot.say({ ...east, chatId: 'east-p2p', chatType: 'p2p' }, '/join 东城街道工会'))).toContain('请在本单位所在的工作群里发送');
  });

  it('without a name, lists the units to choose from', async () => {
    expect(textOf(await bot.say(east, '/join'))).toContain('可选单位：东城街道工会、西城街道工会、高新园区工会');
  });
});
