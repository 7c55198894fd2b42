// Assessment (考核) as a federation would defend it: designated key projects (one with a competition,
// one without), two streets whose competitions share workers (one also has a competition of other
// people), an enterprise below a street, a late summary, missing summaries, a missing year-end report
// and a unit with no designated project. Every part of every score is computed by hand here and checked
// against what /standings says in the chat.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixFor, setUpDistrict, startTestBot, textOf, type LocalUser, type Reply, type TestBot } from './support/harness.js';
import { standingsRows } from './support/standings-fixture.js';

let bot: TestBot;
let admin: LocalUser, east: LocalUser, west: LocalUser, park: LocalUser, ent: LocalUser;
const say = async (u: LocalUser, t: string, extra?: Parameters<TestBot['say']>[2]) => textOf(await bot.say(u, t, extra));

const plan = (p: { enterprise: string; project: string; participants: number; key: string; distinct?: boolean }) =>
  `【竞赛计划】\n企业名称：${p.enterprise}\n竞赛项目：${p.project}\n组织方式：工会与项目部联合组织\n参与人数：${p.participants}\n时间安排：2027年3月1日至10月31日\n竞赛类型：五比一创\n重点项目：${p.key}${p.distinct ? '\n参与人员与其他竞赛不重复：是' : ''}`;
const summary = (id: number, actual: number, award = '无') => `【竞赛总结】\n计划编号：${id}\n实际参与人数：${actual}\n经费支出：10000\n获奖情况：${award}`;
const REPORT = '【年度报告】\n主要经验：经验\n存在问题：问题\n意见建议：建议';

async function filePlan(u: LocalUser, text: string): Promise<number> {
  const reply = await say(u, text);
  const m = reply.match(/计划编号 #(\d+)/);
  if (!/^(@\S+ )?✅/.test(reply) || !m) throw new Error(reply);
  return Number(m[1]);
}

/** The standings reply's rows as [单位, 得分, parts…]. */
function rows(replies: Reply[]): string[][] {
  return standingsRows(replies).rows.map((r) => r.slice(1));
}

beforeAll(async () => {
  bot = await startTestBot();
  bot.setNow('2027-01-20T10:00:00+08:00');
  const d = await setUpDistrict(bot);
  ({ admin, east, west, park } = d);
  ent = { userId: 'ent', userName: '企业孙主席', chatId: d.chatId };
  for (const [u, unit] of [[east, '东城街道工会'], [west, '西城街道工会'], [park, '高新园区工会']] as const) {
    expect(await say(u, `/join ${unit}`)).toContain('已登记');
  }
  expect(await say(admin, '/unit add 东城建设集团工会 上级=东城街道工会 职工数=1200')).toContain('✅');
  expect(await say(ent, '/join 东城建设集团工会')).toContain('已登记');
  // The federation's list: one project in 东城, one in 西城; 高新园区 has none.
  expect(await say(admin, '/重点项目 添加 地铁3号线 单位=东城街道工会 开工=2027年3月1日')).toContain('✅ 已添加重点项目：地铁3号线（东城街道工会，2027年3月1日开工）');
  expect(await say(admin, '/重点项目 添加 滨江大道改造工程 单位=西城街道工会')).toContain('✅ 已添加重点项目');
}, 60_000);

afterAll(async () => {
  await bot?.stop();
});

describe('designated key projects', () => {
  it('a plan names a listed project; a near miss is refused with did-you-mean, a bare 是 asks which one', async () => {
    bot.setNow('2027-02-10T10:00:00+08:00');
    const miss = await say(east, plan({ enterprise: '东城建设集团', project: '地铁3号线五比一创劳动竞赛', participants: 800, key: '地铁三号线' }));
    expect(miss).toContain('❗ 竞赛计划未保存');
    expect(fixFor(miss, '重点项目')).toContain('重点项目名单里没有「地铁三号线」，是不是「地铁3号线」？');
    const which = await say(east, plan({ enterprise: '东城建设集团', project: '地铁3号线五比一创劳动竞赛', participants: 800, key: '是' }));
    expect(fixFor(which, '重点项目')).toContain('请写明是名单上的哪个重点项目：「地铁3号线」、「滨江大道改造工程」；不是重点项目请填“否”');
    // Shortened, but only one listed project contains it: read as that one, and the receipt says so.
    const ok = await say(east, plan({ enterprise: '东城建设集团', project: '地铁3号线五比一创劳动竞赛', participants: 800, key: '地铁3号' }));
    expect(ok).toContain('✅ 竞赛计划已收到');
    expect(ok).toContain('重点项目「地铁3号」按名单记为「地铁3号线」。');
    expect(ok).toContain('重点项目：地铁3号线');
  });

  it('the plan form offers the list as choices', async () => {
    const form = (await bot.say(east, '/plan')).find((r) => r.kind === 'form');
    const field = form?.kind === 'form' ? form.fields.find((f) => f.key === 'keyProject') : undefined;
    expect(field?.options?.map((o) => o.value)).toEqual(['否', '地铁3号线', '滨江大道改造工程']);
  });
});

describe('the assessment, part by part', () => {
  let a = 0, b = 0, c = 0, d = 0, e = 0;
  beforeAll(async () => {
    bot.setNow('2027-02-12T10:00:00+08:00');
    a = await filePlan(east, plan({ enterprise: '东城建设集团', project: '地铁3号线五比一创劳动竞赛', participants: 800, key: '地铁3号线' }));
    // The same crews in a second competition: not stated to be other people.
    b = await filePlan(east, plan({ enterprise: '东城建设集团', project: '地铁3号线安康杯竞赛', participants: 600, key: '否' }));
    c = await filePlan(ent, plan({ enterprise: '东城建设集团', project: '集团技能比武', participants: 300, key: '否' }));
    d = await filePlan(west, plan({ enterprise: '西城市政公司', project: '西城市政劳动竞赛', participants: 1000, key: '否' }));
    // 西城 too: a second competition of the same crews, and a third of other people (stated so); neither
    // gets its summary.
    await filePlan(west, plan({ enterprise: '西城市政公司', project: '西城市政安康杯竞赛', participants: 700, key: '否' }));
    await filePlan(west, plan({ enterprise: '西城物业公司', project: '西城物业服务技能比武', participants: 200, key: '否', distinct: true }));
    e = await filePlan(park, plan({ enterprise: '园区科技公司', project: '园区五小创新竞赛', participants: 2000, key: '否' }));
    bot.setNow('2027-10-10T10:00:00+08:00');
    expect(await say(east, summary(a, 900, '市级 市工人先锋号'))).toContain('✅');
    expect(await say(east, summary(b, 500))).toContain('✅');
    expect(await say(ent, summary(c, 300))).toContain('✅');
    expect(await say(park, summary(e, 2000))).toContain('✅');
    // 西城's summary comes after the 15 October deadline.
    bot.setNow('2027-10-20T10:00:00+08:00');
    expect(await say(west, summary(d, 1000, '省级 省劳动竞赛先进集体'))).toContain('记为逾期');
    // Year-end reports: 东城 and 高新园区 on time, 西城 none.
    bot.setNow('2027-12-20T10:00:00+08:00');
    expect(await say(east, REPORT)).toContain('✅');
    expect(await say(park, REPORT)).toContain('✅');
  }, 60_000);

  it('/standings: every part equals the hand computation, and units without a designated project are re-weighted', async () => {
    const table = await bot.say(admin, '/standings');
    expect(standingsRows(table).labels).toEqual(['计划按时', '总结按时', '竞赛项数', '重点项目', '参与率', '获奖', '年报按时']);
    // 东城 (with its enterprise): 3 plans on time 10; 3 summaries on time 10; 3 competitions × 5 = 15;
    //   key projects 1 designated, 1 covered: 20 × 1/1 = 20; participants: its own two share workers, so
    //   the larger (900 as summarised) + the enterprise's 300 = 1200 of 5000: 20 × 0.24 = 4.8;
    //   市级 6; report on time 10. Sum 75.8.
    // 高新园区: plan 10; summary 10; 1 × 5 = 5; no designated project: —; 2000 of 8000: 5; no award 0;
    //   report 10. Sum 40 of the 105 that apply, scaled to 125: 40 × 125 / 105 = 47.6.
    // 西城: 3 plans on time 10; 1 summary of 3, late: 10 × 0.5 / 3 = 1.7 (the two missing summaries cost
    //   only here); 3 × 5 = 15; its project has no competition: 0; participants: the larger of the two
    //   that share crews (1000 as summarised, 700 planned) + the 200 stated to be others = 1200 of 4000:
    //   20 × 0.3 = 6; 省级 10; no report 0. Sum 42.7.
    expect(rows(table)).toEqual([
      ['东城街道工会', '75.8', '10', '10', '15', '20', '4.8', '6', '10'],
      ['高新园区工会', '47.6', '10', '10', '5', '—', '5', '0', '10'],
      ['西城街道工会', '42.7', '10', '1.7', '15', '0', '6', '10', '0'],
    ]);
  });

  it('ranks one level at a time: 全部 ranks the enterprises alone, never against the streets above them', async () => {
    const table = await bot.say(admin, '/standings 全部');
    expect(textOf(table)).toContain('基层单位（下2级）');
    // 东城建设集团工会: plan 10; summary 10; 5; no designated project: —; 300 of 1200: 5; no award 0;
    //   not asked for a report (the report is asked of the streets): —. 30 of 95, scaled: 30 × 125 / 95 = 39.5.
    expect(rows(table)).toEqual([['东城建设集团工会', '39.5', '10', '10', '5', '—', '5', '0', '—']]);
    // And the streets' table holds streets only.
    expect(rows(await bot.say(admin, '/standings')).map((r) => r[0])).not.toContain('东城建设集团工会');
  });

  it('/standings <单位> shows the figures behind each part and what would raise it', async () => {
    const west = await say(admin, '/standings 西城街道工会');
    expect(west).toContain('得分：42.7分，在「测试区总工会」下属3个单位中排第3名');
    expect(west).toContain('参与率30%：得6分（满分20）。参与1,200人，职工4,000人；再有2,800人参与可得满分');
    expect(west).toContain('总结按时：得1.7分（满分10）。计划3项，已交总结1项，其中逾期1项；补交2项总结');
    expect(west).toContain('重点项目：得0分（满分20）。名单内重点项目1个，已开展竞赛0个，覆盖0%；「滨江大道改造工程」还没有竞赛，每覆盖1个加20分');
    const park = await say(admin, '/standings 高新园区工会');
    expect(park).toContain('重点项目：本单位没有名单内的重点项目，不计此项（其余各项按比例折算到满分125分）');
    const eastLines = await say(admin, '/standings 东城街道工会');
    expect(eastLines).toContain('参与率24%：得4.8分（满分20）。参与1,200人，职工5,000人');
  });

  it('/keyproject lists the project without a competition first — the list the federation chases', async () => {
    const list = await say(admin, '/重点项目');
    expect(list).toContain('重点项目2个，已有竞赛1个');
    const open = list.indexOf('❗ 还没有竞赛（1个）：\n· 滨江大道改造工程（西城街道工会）');
    const covered = list.indexOf(`✅ 已有竞赛（1个）：\n· 地铁3号线（东城街道工会，2027年3月1日开工）：#${a} 地铁3号线五比一创劳动竞赛`);
    expect(open).toBeGreaterThan(0);
    expect(covered).toBeGreaterThan(open);
    // A filer sees it in the group too; only admins change it.
    expect(await say(west, '/重点项目')).toContain('滨江大道改造工程');
    expect(await say(west, '/重点项目 删除 滨江大道改造工程')).toContain('只有管理员');
  });

  it('/weights 说明 states the key-project rule in plain words', async () => {
    const method = await say(admin, '/weights 说明');
    expect(method).toContain('4. 重点项目（满分20）：组织单位公布重点项目名单');
    expect(method).toContain('没有名单内重点项目的单位不计此项，其余各项按比例折算到同样的满分');
  });

  it('removing a project is undoable and moves the scores with it', async () => {
    expect(await say(admin, '/重点项目 删除 滨江大道改造工程')).toContain('✅ 已从名单删除重点项目「滨江大道改造工程」');
    // 西城 now has no designated project: 42.7 of 105, scaled: 42.7 × 125 / 105 = 50.8.
    expect(rows(await bot.say(admin, '/standings')).find((r) => r[0] === '西城街道工会')).toEqual(['西城街道工会', '50.8', '10', '1.7', '15', '—', '6', '10', '0']);
    expect(await say(admin, '/重点项目 恢复 滨江大道改造工程')).toContain('✅ 已恢复重点项目「滨江大道改造工程」');
    expect(rows(await bot.say(admin, '/standings')).find((r) => r[0] === '西城街道工会')?.[1]).toBe('42.7');
    const history = await bot.app.db.revision.findMany({ where: { entity: 'keyProject' }, orderBy: { id: 'asc' } });
    expect(history.map((r) => r.action)).toEqual(['create', 'create', 'withdraw', 'restore']);
  });
});
