// Who may read what, who may join which unit, and who may score. Through the local chat API, as a
// cadre's phone would: an admin sees everything; a filer sees the group's unit and everything under it
// in a bound group and only their own unit in a private chat; someone unregistered gets /help,
// /join and /deadlines and a polite refusal for the rest.
import { afterEach, describe, expect, it } from 'vitest';
import { setUpDistrict, startTestBot, textOf, type LocalUser, type TestBot } from './support/harness.js';

let bot: TestBot;
afterEach(async () => bot.close());

async function district(env: Record<string, string> = {}) {
  bot = await startTestBot(env);
  bot.setNow('2027-02-10T10:00:00+08:00');
  const d = await setUpDistrict(bot);
  await bot.say(d.admin, '/unit add 东城建设集团工会 上级=东城街道工会 职工数=800');
  await bot.say(d.admin, '/unit add 西城供水公司工会 上级=西城街道工会 职工数=300');
  return d;
}
const say = async (who: LocalUser, text: string, extra?: Record<string, unknown>) => textOf(await bot.say(who, text, extra));
/** /join, with the admin's yes when the unit needs one (the streets here have enterprises under them). */
async function join(who: LocalUser, unit: string): Promise<void> {
  if ((await say(who, `/join ${unit}`)).includes('申请登记')) {
    await say({ userId: 'admin', userName: '王主席', chatId: who.chatId }, `/approve @${who.userName}`, { mentions: [{ userId: who.userId, userName: who.userName }] });
  }
  const member = await bot.app.db.member.findUnique({ where: { platform_userId: { platform: 'local', userId: who.userId } }, include: { unit: true } });
  if (member?.unit?.name !== unit) throw new Error(`${who.userName} could not join ${unit}`);
}
const at = (who: LocalUser) => ({ mentions: [{ userId: who.userId, userName: who.userName }] });
const p2p = (who: LocalUser): LocalUser => ({ ...who, chatId: `p2p-${who.userId}`, chatType: 'p2p' });
const PLAN = (project: string) => `【竞赛计划】\n企业名称：某公司\n竞赛项目：${project}\n组织方式：班组\n参与人数：50\n时间安排：2027-03-01至2027-10-31\n竞赛类型：其他\n重点项目：否`;

describe('someone who files for no unit', () => {
  it('gets /help, /join and /deadlines, and a polite refusal naming the command for everything else', async () => {
    const { chatId } = await district();
    const stranger: LocalUser = { userId: 'stranger', userName: '路过的人', chatId };
    expect(await say(stranger, '/help')).toContain('/加入');
    expect(await say(stranger, '/deadlines')).toContain('计划备案');
    for (const [command, label] of [['/units', '/单位列表'], ['/export all', '/导出'], ['/standings all', '/排名'], ['/stats', '/统计'], ['/history 1', '/修改记录'], ['/missing', '/未交'], ['/campaign', '/竞赛'], ['/weights', '/权重'], ['/board', '/榜单']]) {
      const reply = await say(stranger, command);
      expect(reply, command).toContain(`您还没有登记所属单位，暂时不能使用“${label}”`);
      expect(reply, command).toContain('/加入 东城街道工会');
      expect(reply, command).not.toContain('西城街道工会，职工');
    }
    // Nothing was produced for them.
    expect((await bot.transcript(chatId)).some((m) => m.reply?.kind === 'file' && m.senderId === 'bot' && m.text.endsWith('.xlsx'))).toBe(false);
  });

  it('in a private chat or an unbound group gets no unit list at all', async () => {
    await district();
    for (const chat of ['p2p-stranger', 'random-group']) {
      const who: LocalUser = { userId: 'stranger', userName: '路过的人', chatId: chat, chatType: chat.startsWith('p2p') ? 'p2p' : 'group' };
      const reply = await say(who, '/units');
      expect(reply).toContain('暂时不能使用“/单位列表”');
      expect(reply).not.toContain('东城街道工会，职工');
      expect(reply).not.toContain('测试区总工会（');
    }
  });
});

describe('a registered filer', () => {
  it('sees the group\'s unit and everything under it in a bound group', async () => {
    const { east, west } = await district();
    await join(east, '东城街道工会');
    await join(west, '西城街道工会');
    await say(west, PLAN('西城供水安康杯'));
    const units = await say(east, '/units');
    expect(units).toContain('· 西城街道工会，职工4000人：西城张干事');
    expect(units).toContain('　· 西城供水公司工会，职工300人');
    expect(await say(east, '/standings all')).toContain('西城供水公司工会');
    expect(await say(east, '/history 1')).toContain('计划 #1 西城供水安康杯 的修改记录');
    expect((await bot.say(east, '/export plan')).some((r) => r.kind === 'file')).toBe(true);
  });

  it('sees only their own unit in a private chat: no other unit, no filer names, no tables', async () => {
    const { east, west } = await district();
    await join(east, '东城街道工会');
    await join(west, '西城街道工会');
    await say(west, PLAN('西城供水安康杯'));
    await say(east, PLAN('东城快速路竞赛'));
    const me = p2p(east);
    const units = await say(me, '/units');
    expect(units).toContain('本单位：东城街道工会');
    expect(units).not.toContain('西城');
    expect(units).not.toContain('东城建设集团工会');
    for (const command of ['/standings all', '/stats', '/missing', '/export all']) {
      const reply = await say(me, command);
      expect(reply, command).toContain('私聊中只能查看您本单位（东城街道工会）的情况');
      expect(reply, command).not.toContain('西城');
    }
    expect((await bot.say(me, '/export all')).some((r) => r.kind === 'file')).toBe(false);
    // Another unit's plan reads exactly like a plan that does not exist.
    expect(await say(me, '/history 1')).toBe(await say(me, '/history 999').then((t) => t.replace('999', '1')));
    expect(await say(me, '/history 2')).toContain('计划 #2 东城快速路竞赛 的修改记录');
    expect(await say(me, '/mine')).toContain('东城快速路竞赛');
  });

  it('in another district\'s group sees that group\'s units, not their own district\'s', async () => {
    const { admin, east } = await district();
    await join(east, '东城街道工会');
    await say(admin, '/unit add 邻区总工会 上级=无');
    await say(admin, '/unit add 邻区某街道工会 上级=邻区总工会');
    await say(admin, '/campaign add 2027 单位=邻区总工会 标题=邻区2027年度竞赛');
    await say({ ...admin, chatId: 'other' }, '/bind 邻区总工会');
    const units = await say({ ...east, chatId: 'other' }, '/units');
    expect(units).toContain('邻区某街道工会');
    expect(units).not.toContain('西城街道工会');
  });
});

describe('an admin', () => {
  it('sees the whole organisation in a private chat', async () => {
    const { admin } = await district();
    const units = await say(p2p(admin), '/units');
    expect(units).toContain('全部单位（6个）');
    expect(await say(p2p(admin), '/standings')).toContain('「测试区总工会」下属单位综合排名');
    expect((await bot.say(p2p(admin), '/export all')).some((r) => r.kind === 'file')).toBe(true);
  });
});

describe('/join when the unit is taken', () => {
  it('needs a yes from the unit\'s filer; until then the newcomer files nothing for it; everything is in the log', async () => {
    const { admin, east, chatId } = await district();
    await bot.say(admin, '/unit add 北城街道工会 上级=测试区总工会');
    const first: LocalUser = { userId: 'north1', userName: '北城周干事', chatId };
    const second: LocalUser = { userId: 'north2', userName: '冒名者', chatId };
    // Nobody files for 北城 yet and it has no units under it: immediate.
    expect(await say(first, '/join 北城街道工会')).toContain('✅ 北城周干事 已登记为「北城街道工会」的联络员');
    // Taken: a request that @mentions the unit's filer.
    const asked = (await bot.say(second, '/join 北城街道工会'))[0];
    expect(asked.kind === 'text' && asked.text).toContain('冒名者 申请登记为「北城街道工会」的联络员，需要「北城街道工会」已登记的联络员或管理员同意');
    expect(asked.kind === 'text' && asked.mentions).toEqual(['north1']);
    // Pending: no filing, no form, and the reply says why.
    expect(await say(second, PLAN('冒名计划'))).toContain('您登记为「北城街道工会」联络员的申请还在等待同意');
    expect(await say(second, '/plan')).toContain('还在等待同意');
    expect(await bot.app.db.plan.count()).toBe(0);
    // Someone from another unit cannot approve it.
    await join(east, '东城街道工会');
    const refused = await say(east, '/approve @冒名者', at(second));
    expect(refused).toContain('只有申请登记的那个单位已登记的联络员或管理员可以同意 冒名者 的申请');
    expect(refused).not.toContain('北城');
    // The unit's filer refuses it.
    expect(await say(first, '/reject @冒名者', at(second))).toContain('已拒绝 冒名者 登记为「北城街道工会」联络员的申请');
    expect(await say(second, PLAN('冒名计划'))).toContain('您还没有登记所属单位');
    expect((await bot.app.db.member.findUnique({ where: { platform_userId: { platform: 'local', userId: 'north2' } } }))?.unitId ?? null).toBeNull();
    // Asked again and approved, they file.
    await say(second, '/join 北城街道工会');
    expect(await say(first, '/approve')).toContain('冒名者 → 北城街道工会');
    expect(await say(first, '/同意 冒名者')).toContain('已同意 冒名者 登记为「北城街道工会」的联络员');
    expect(await say(second, PLAN('北城第二项'))).toContain('竞赛计划已收到');
    const log = await bot.app.db.revision.findMany({ where: { entity: { in: ['member', 'joinRequest'] } }, orderBy: { id: 'asc' } });
    const actions = log.map((r) => `${r.entity}:${r.action}:${r.actorName}`);
    expect(actions).toEqual(expect.arrayContaining(['member:join:北城周干事', 'joinRequest:request:冒名者', 'joinRequest:reject:北城周干事', 'joinRequest:approve:北城周干事', 'member:join-approved:北城周干事']));
  });

  it('switching units and joining a unit with units under it wait for an admin', async () => {
    const { admin, east, west } = await district();
    await say(west, '/join 西城供水公司工会');
    // 东城街道工会 has an enterprise under it: an admin decides, even with no filer there.
    const asked = await say(east, '/join 东城街道工会');
    expect(asked).toContain('需要管理员同意');
    // West switching from the enterprise to the street: also a request, and West keeps filing for the old unit.
    const switching = await say(west, '/join 西城街道工会');
    expect(switching).toContain('仍为「西城供水公司工会」填报');
    expect(await say(west, PLAN('供水竞赛'))).toContain('西城供水公司工会「供水竞赛」');
    expect(await say(admin, '/approve')).toMatch(/东城李干事 → 东城街道工会[\s\S]*西城张干事 → 西城街道工会/);
    expect(await say(admin, '/approve @东城李干事 @西城张干事', { mentions: [{ userId: 'east', userName: '东城李干事' }, { userId: 'west', userName: '西城张干事' }] })).toMatch(/已同意 东城李干事[\s\S]*已同意 西城张干事/);
    expect(await say(west, '/mine')).toContain('西城街道工会 · 2027年度');
  });

  it('JOIN_APPROVAL=always asks every time; never asks never', async () => {
    const { admin, east } = await district({ JOIN_APPROVAL: 'always' });
    expect(await say(east, '/join 西城街道工会')).toContain('需要管理员同意');
    expect(await say(admin, '/approve @东城李干事', at(east))).toContain('已同意');
    await bot.close();
    const d = await district({ JOIN_APPROVAL: 'never' });
    await say(d.east, '/join 东城街道工会');
    expect(await say(d.west, '/join 东城街道工会')).toContain('✅ 西城张干事 已登记为「东城街道工会」的联络员');
  });
});

describe('scores', () => {
  it('are for admins and judges only; /judge is an admin\'s', async () => {
    const { admin, east } = await district();
    await join(east, '东城街道工会');
    await say(admin, '/board add 地铁竞赛 质量=60 安全=40');
    expect(await say(east, '/score 地铁竞赛 一标段 质量=90')).toContain('“/打分”只有管理员和评委可以使用');
    expect(await say(east, '/judge add @东城李干事', at(east))).toContain('“/评委”只有管理员可以使用');
    expect(await say(east, '/board add 另一个竞赛 质量=100')).toContain('只有管理员可以创建竞赛榜单');
    expect(await bot.app.db.score.count()).toBe(0);
    const expert: LocalUser = { userId: 'expert', userName: '外聘评委', chatId: east.chatId };
    expect(await say(admin, '/judge add @外聘评委', at(expert))).toContain('已将 外聘评委 设为评委');
    expect(await say(expert, '/score 地铁竞赛 一标段 质量=90 安全=80')).toContain('✅ 已记录');
    expect(await say(expert, '/board 地铁竞赛')).toContain('一标段');
    // A judge filing for no unit still sees nothing else.
    expect(await say(expert, '/units')).toContain('暂时不能使用“/单位列表”');
    expect(await say(admin, '/judge')).toContain('评委（1人）：外聘评委');
    expect(await say(admin, '/judge remove @外聘评委', at(expert))).toContain('已取消 外聘评委 的评委身份');
    expect(await say(expert, '/score 地铁竞赛 一标段 质量=95')).toContain('只有管理员和评委可以使用');
  });
});
