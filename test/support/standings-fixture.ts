// A small, known year of filings for the standings and export tests, typed through the local chat
// the way filers send them. Hand-computed standings (default weights) are in standings.test.ts.
import { setUpDistrict, textOf, type LocalUser, type Reply, type TestBot } from './harness.js';

/** A plan template; `key` is false, true (a bare 是) or the name of a designated key project. */
export function planText(p: { enterprise: string; project: string; participants: number; period: string; key: boolean | string }): string {
  return `【竞赛计划】\n企业名称：${p.enterprise}\n竞赛项目：${p.project}\n组织方式：工会与行政联合组织\n参与人数：${p.participants}\n时间安排：${p.period}\n竞赛类型：五比一创\n重点项目：${typeof p.key === 'string' ? p.key : p.key ? '是' : '否'}`;
}

export function summaryText(s: { planId: number; actual: number; expenditure: string; level: string; award?: string }): string {
  return `【竞赛总结】\n计划编号：${s.planId}\n实际参与人数：${s.actual}\n经费支出：${s.expenditure}\n获奖情况：${s.award ? `${s.level} ${s.award}` : s.level}`;
}

async function file(bot: TestBot, user: LocalUser, message: string): Promise<number> {
  const reply = textOf(await bot.say(user, message));
  const m = reply.match(/计划编号 #(\d+)/);
  if (!reply.includes('✅') || !m) throw new Error(`filing failed: ${reply}`);
  return Number(m[1]);
}

/**
 * Designated key projects: 快速路工程 and 供水管网改造 in 东城, 地铁站点工程 in 西城.
 * 东城 (5000人): plans A (on 快速路工程, 1000人) and B (500人) on time, both summarised on time (A 市级 award,
 * 50,000元; B 20,000元). 西城 (4000人): plan C (key, 2000人) filed late, summarised on time (省级,
 * 30,000.5元). 高新园区: nothing. So 东城 covers 1 of its 2 key projects, 西城 1 of 1.
 */
export async function fileKnownYear(bot: TestBot) {
  const district = await setUpDistrict(bot);
  const { east, west, park } = district;
  bot.setNow('2027-02-10T10:00:00+08:00');
  for (const [u, unit] of [[east, '东城街道工会'], [west, '西城街道工会'], [park, '高新园区工会']] as const) {
    const r = textOf(await bot.say(u, `/join ${unit}`));
    if (!r.includes('已登记')) throw new Error(r);
  }
  for (const step of ['/重点项目 添加 快速路工程 单位=东城街道工会 开工=2027年3月1日', '/重点项目 添加 供水管网改造 单位=东城街道工会', '/重点项目 添加 地铁站点工程 单位=西城街道工会']) {
    const r = textOf(await bot.say(district.admin, step));
    if (!r.includes('✅')) throw new Error(r);
  }
  const a = await file(bot, east, planText({ enterprise: '东城建设集团有限公司', project: '快速路五比一创劳动竞赛', participants: 1000, period: '2027年3月1日至10月31日', key: '快速路工程' }));
  const b = await file(bot, east, planText({ enterprise: '东城供水有限公司', project: '供水管网安康杯竞赛', participants: 500, period: '2027年4月1日至9月30日', key: false }));
  bot.setNow('2027-03-05T10:00:00+08:00');
  const c = await file(bot, west, planText({ enterprise: '西城地铁项目部', project: '地铁站点建设劳动竞赛', participants: 2000, period: '2027年3月10日至11月30日', key: '地铁站点工程' }));
  bot.setNow('2027-10-10T10:00:00+08:00');
  await file(bot, east, summaryText({ planId: a, actual: 1000, expenditure: '50000', level: '市级', award: '市五一劳动奖状' }));
  await file(bot, east, summaryText({ planId: b, actual: 500, expenditure: '20000', level: '无' }));
  await file(bot, west, summaryText({ planId: c, actual: 2000, expenditure: '30000.5', level: '省级', award: '省工人先锋号' }));
  bot.setNow('2027-10-20T10:00:00+08:00');
  return { ...district, plans: { a, b, c } };
}

/** Downloads a file the bot posted in the local chat. */
export async function download(bot: TestBot, url: string): Promise<Buffer> {
  const res = await fetch(bot.url + url);
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/**
 * A standings reply's table as the local chat API gives it beside the text (`table`: its columns and
 * rows, the points of every part): [名次, 单位, 得分, …parts], a part that does not apply as "—", an
 * unfiled unit as "名称（未填报）".
 */
export function standingsRows(replies: Reply[]): { labels: string[]; rows: string[][] } {
  const table = replies.map((r) => (r.kind === 'text' ? r.table : undefined)).find(Boolean);
  if (!table) throw new Error(`no table in replies: ${textOf(replies)}`);
  return { labels: table.columns.slice(3), rows: table.rows.map((r) => r.map(String)) };
}
