// Cadres read Chinese first: no reply may tell anyone to type an English command or option word
// ("/join", "/unit set", "[plan|summary|report]", "on|off"). A stranger, a filer and an admin walk
// every command — bare, with each subcommand, with a word it does not know, and the usual mistakes —
// in a bound group, an unbound group and private chats, on a fresh install and on a running district.
// Every Chinese command a reply suggests must then be one the bot knows, and sent back, be understood.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommands } from '../handlers/index.js';
import { commandWord, type CommandSpec } from '../src/commands/registry.js';
import { setUpDistrict, startTestBot, type LocalUser, type Reply, type TestBot } from './support/harness.js';

const commands = createCommands();

/** English words people could be told to type: every English command, alias and subcommand word, and the option words. */
const ENGLISH_WORDS = new Set([
  ...commands.all.flatMap((c) => [c.name, ...c.aliases, ...(c.subcommands ?? []).flatMap((s) => s.words)]).filter((w) => /^[a-z]+$/.test(w)),
  'plan', 'summary', 'report', 'progress', 'all', 'on', 'off', 'confirm',
]);
/** What in a reply tells the reader to type English, after what is allowed is taken out. */
function englishIn(reply: string, sent: string): string[] {
  let s = reply
    .replace(/https?:\/\/\S+/g, '')
    // /帮助 <命令> names the English word once, on purpose.
    .replace(/（也可以写 \/[a-z]+）/g, '')
    // The WeChat login page is a web address, not a command.
    .replace(/\/wechat 页面/g, '');
  // The sender's own words quoted back ("没有“/foo”这个命令", "不认识「off」") are theirs, not advice.
  const typed = new Set(sent.split(/\s+/).map((t) => t.replace(/^[/／]/, '').toLowerCase()));
  s = s.replace(/[“「"]([^”」"\n]*)[”」"]/g, (quoted, inner: string) => (inner.split(/\s+/).filter(Boolean).every((t) => typed.has(t.replace(/^[/／]/, '').toLowerCase())) ? '' : quoted));
  const slashWords = [...s.matchAll(/(?<![\p{L}\p{N}])[/／][A-Za-z]+/gu)].map((m) => m[0]);
  const optionWords = [...s.matchAll(/(?<![A-Za-z])[a-z]+(?![A-Za-z])/g)].map((m) => m[0]).filter((w) => ENGLISH_WORDS.has(w));
  return [...slashWords, ...optionWords];
}

/** "/加入 单位名称", "/提醒 开启": a Chinese command a reply suggests, with the Chinese word after it. */
const SUGGESTION = /(?<![\p{L}\p{N}])[/／](\p{Script=Han}+)(?:[ \u3000]+(\p{Script=Han}+))?/gu;

/** Words a usage line shows for what the reader fills in ("/排名 单位名称"): not typed as they stand. */
const PLACEHOLDERS = new Set(['单位名称', '本单位名称', '竞赛名称', '命令名', '计划编号', '进度编号']);

interface Said { who: string; sent: string; reply: string }
const said: Said[] = [];

/** The words a reply shows: text, and a form's title and field errors. */
function readable(replies: Reply[]): string {
  return replies.map((r) => (r.kind === 'text' ? r.text : r.kind === 'form' ? [r.title, ...Object.values(r.errors ?? {})].join('\n') : '')).filter(Boolean).join('\n');
}

let bot: TestBot;
let fresh: TestBot;

/** Sends each line as `user` and keeps what the bot said back. */
async function talk(b: TestBot, user: LocalUser, lines: string[], extra: Record<string, unknown> = {}): Promise<void> {
  for (const sent of lines) said.push({ who: `${user.userName}@${user.chatId}`, sent, reply: readable(await b.say(user, sent, extra)) });
}

/** Every command bare, each subcommand bare, a word it does not know, and the English name. */
function walk(spec: CommandSpec): string[] {
  const word = `/${commandWord(spec)}`;
  return [word, ...(spec.subcommands ?? []).map((s) => `${word} ${s.words[0]}`), `${word} 乱写一气`, `/${spec.name}`];
}
const everyCommand = commands.all.flatMap(walk);

const csv = (body: string, fileName = '名单.csv') => ({ file: { fileName, base64: Buffer.from(body).toString('base64') } });

beforeAll(async () => {
  // A fresh install: no units, no campaign, nothing bound.
  fresh = await startTestBot();
  fresh.setNow('2027-02-10T10:00:00+08:00');
  const firstAdmin: LocalUser = { userId: 'admin', userName: '王主席', chatId: 'new-group' };
  const newcomer: LocalUser = { userId: 'newcomer', userName: '新来的', chatId: 'new-group' };
  await talk(fresh, newcomer, ['/帮助', '/加入 东城街道工会', '/我的', '/计划', '/截止', '/未交', '/统计', '/导出', '/join 东城', '/mine']);
  await talk(fresh, firstAdmin, [
    '/帮助', '/竞赛', '/截止', '/权重', '/提醒', '/催交', '/未交', '/单位', '/单位列表', '/重点项目', '/榜单', '/打分 地铁 一队 质量=9',
    '/绑定', '/绑定 测试区总工会', '/单位 添加 测试区总工会 职工数=20000', '/绑定 测试区总工会', '/绑定 测试区总工会 2030',
    '/竞赛 创建', '/竞赛 创建 1999', '/竞赛 创建 2027 计划截止=2027-01-20', '/竞赛 创建 2027 计划截止=2027-01-20',
    '/单位 添加 第二个顶级单位', '/竞赛 创建 2028 主办=某某',
  ]);

  bot = await startTestBot();
  bot.setNow('2027-02-10T10:00:00+08:00');
  const district = await setUpDistrict(bot);
  const { admin, east, chatId } = district;
  const stranger: LocalUser = { userId: 'stranger', userName: '路过的人', chatId };
  const second: LocalUser = { userId: 'east2', userName: '东城王干事', chatId };
  const p2p = (u: LocalUser): LocalUser => ({ ...u, chatId: `p2p-${u.userId}`, chatType: 'p2p' });
  const elsewhere = (u: LocalUser): LocalUser => ({ ...u, chatId: 'unbound-group' });

  // A stranger: what they may not do, and how to start.
  await talk(bot, stranger, [...everyCommand, '/加入', '/加入 东城', '/加入 东城 街道工会', '/abc', '/unit', '/join', '/missing plan', '/remind plan', '/reminders off', '/holiday import', '/campaign add 2027', '/weights']);
  await talk(bot, p2p(stranger), ['/帮助', '/加入 东城街道工会', '/我的', '/计划', '/单位列表', '/未交', '/排名']);
  await talk(bot, elsewhere(stranger), ['/加入 东城街道工会', '/单位列表', '/催交']);

  // A filer, and someone asking to file for the same unit.
  await talk(bot, east, ['/加入 东城街道工会', '/加入 东城街道工会', '/进度', '/总结', '/填表 表格']);
  await talk(bot, second, ['/加入 东城街道工会', '/我的']);
  await talk(bot, east, ['/同意', '/同意 不认识的人', '/拒绝 不认识的人']);
  await talk(bot, east, ['/同意 @东城王干事'], { mentions: [{ userId: second.userId, userName: second.userName }] });
  await talk(bot, east, [
    '【竞赛计划】\n企业名称：东城建设集团\n竞赛项目：快速路劳动竞赛\n组织方式：班组\n参与人数：120\n时间安排：2027-03-01至2027-10-31\n竞赛类型：五比一创\n重点项目：否',
    '【竞赛总结】\n计划编号：99\n实际参与人数：118\n经费支出：45800\n获奖情况：无',
    '【竞赛进度】\n企业名称：东城建设集团',
    ...everyCommand,
    '/未交 计划', '/未交 总结 全部', '/未交 计划 总结', '/未交 plan', '/missing all', '/未交 乱写',
    '/导出 计划', '/导出 乱写', '/模板 计划', '/模板 计划 总结', '/模板 乱写', '/模板 总结 表格',
    '/修改记录 1', '/修改记录 999', '/修改记录 年报', '/修改记录 单位 东城街道工会',
    '/撤回 999', '/撤回 进度', '/撤回 年报', '/撤回 1', '/恢复 1', '/恢复 999',
    '/成员 东城街道工会', '/成员 不存在的单位', '/权重 说明', '/排名 东城街道工会',
    '/导入', '/导入 确认', '/计划 编辑 1',
  ]);
  await talk(bot, east, ['/导入'], csv('随便,什么\n1,2', '随便.csv'));
  await talk(bot, east, ['/填表 计划', '取消', '【竞赛计划】\n计划编号：1\n日期：2027-06-01\n进展情况：比武结束\n累计参与人数：80']);
  // A unit with no plan yet, and one the admin removes while its filer still files.
  const west = district.west;
  const park = district.park;
  await talk(bot, west, ['/加入 西城街道工会', '【竞赛总结】\n计划编号：1\n实际参与人数：118\n经费支出：45800\n获奖情况：无', '/进度', '/我的']);
  await talk(bot, park, ['/加入 高新园区工会']);
  await talk(bot, admin, ['/单位 删除 高新园区工会']);
  await talk(bot, park, ['【竞赛计划】\n企业名称：园区建设集团\n竞赛项目：园区竞赛\n组织方式：班组\n参与人数：50\n时间安排：2027-03-01至2027-10-31\n竞赛类型：五比一创\n重点项目：否', '/计划', '/我的']);
  await talk(bot, admin, ['/单位 恢复 高新园区工会']);
  await talk(bot, p2p(east), ['/我的', '/统计', '/未交', '/单位列表', '/修改记录 1', '/成员', '/重点项目']);
  await talk(bot, elsewhere(east), ['/单位列表', '/未交']);

  // The admin: everything, the mistakes admins make, and the changes they undo.
  await talk(bot, admin, [
    // "/假期 导入" would wait for the notice to be pasted: walked on its own below.
    ...everyCommand.filter((line) => !/^\/(假期|holiday) (导入|import)/.test(line)),
    '/帮助 管理', ...commands.all.map((c) => `/帮助 ${commandWord(c)}`), '/帮助 乱写',
    '/同意', '/同意 不认识的人',
    '/竞赛 创建', '/竞赛 创建 2027', '/竞赛 创建 2027 计划截至=2027-03-01', '/竞赛 创建 2027 标题=新 竞赛', '/竞赛 #99', '/竞赛 设置', '/竞赛 设置 #99 计划截止=2027-03-01',
    '/竞赛 设置 计划截止=2027-01-05', '/竞赛 设置 计划范围=一半',
    '/单位 添加 东城街道工会', '/单位 添加 新单位', '/单位 添加 新 单位', '/单位 添加 别的单位 上级=不存在', '/单位 添加 又一个 职工数=很多', '/单位 添加 又一个 乱=1',
    '/单位 改名 新单位', '/单位 改名 新单位 新单位二', '/单位 移动 新单位二', '/单位 移动 新单位二 上级=东城街道工会', '/单位 移动 新单位二 上级=不存在',
    '/单位 设置 东城街道工会', '/单位 设置 东城街道工会 手机号=123', '/单位 设置 不存在', '/单位 删除 测试区总工会',
    '/单位 删除 新单位二', '/单位 删除 新单位二', '/单位 添加 新单位二', '/单位 添加 孙单位 上级=新单位二', '/绑定 新单位二',
    '/单位 恢复 新单位二', '/单位 恢复 新单位二',
    '/绑定', '/绑定 不存在的单位', '/绑定 测试区 总工会', '/绑定 测试区总工会 2030', '/绑定 测试区总工会 #99', '/绑定 测试区总工会',
    '/榜单 添加 地铁五比一创 质量=30 进度=70', '/榜单 添加 地铁五比一创 质量=30', '/榜单 添加 地铁', '/榜单 添加 坏的 质量=零', '/榜单 地铁五比一创', '/榜单 没有的',
    '/打分', '/打分 没有的 一队 质量=90', '/打分 地铁五比一创 一队 质量=90', '/打分 地铁五比一创 一队 难度=90', '/榜单 地铁五比一创', '/榜单',
    '/评委', '/评委 添加', '/评委 移除', '/管理员 查看', '/管理员 认领', '/管理员 添加', '/管理员 移除', '/成员', '/成员 移除', '/成员 东城街道工会',
    '/提醒 关闭', '/提醒', '/提醒 开启', '/提醒 设置', '/提醒 设置 时间=23:00', '/提醒 设置 时间=25:00', '/提醒 设置 提前天数=abc', '/提醒 乱写',
    '/催交', '/催交 计划', '/催交 总结', '/催交 乱写', '/未交 乱写', '/未交 全部', '/统计',
    '/假期', '/假期 2027', '/假期 添加', '/假期 添加 2月30日', '/假期 添加 3月', '/假期 添加 3月3日 名称=调整', '/假期 删除 3月3日', '/假期 删除 3月3日',
    '/假期 补班 2月15日', '/假期 添加 2月10日 2月1日', '/假期 导入 确认', '/假期 导入', '/假期 导入 确认',
    '/重点项目', '/重点项目 添加', '/重点项目 添加 地铁3号线 单位=东城街道工会', '/重点项目 添加 地铁4号线 单位=不存在', '/重点项目 添加 地铁5号线', '/重点项目',
    '/重点项目 删除', '/重点项目 删除 地铁3号线', '/重点项目 恢复 地铁3号线', '/重点项目 改名 地铁3号线', '/重点项目 改名 地铁3号线 新名称=地铁三号线',
    '/重点项目 导入', '/重点项目 #99', '/重点项目 帮助', '/重点项目 乱写',
    '/修改记录', '/修改记录 单位', '/修改记录 单位 东城街道工会', '/修改记录 竞赛', '/修改记录 年报',
    '/计划 编辑', '/计划 编辑 999', '/总结 编辑 1', '/撤回', '/撤回 1', '/计划 编辑 1', '/恢复 1',
    '/导入', '/导入 确认', '/导出 乱写', '/权重 设置', '/权重 设置 乱=1', '/权重 设置 参与率=-1',
    '/unit set 东城街道工会', '/unit add 新单位三', '/campaign set', '/remind plan', '/reminders on', '/missing report', '/export foo', '/holiday add',
  ]);
  await talk(bot, admin, ['/导入'], csv('随便,什么\n1,2', '随便.csv'));
  // A file put in the group on its own waits for the command that reads it.
  await talk(bot, admin, [''], csv('单位名称,上级单位\n新单位五,测试区总工会'));
  await talk(bot, admin, ['/单位 删除 孙单位']);
  await talk(bot, admin, ['/导入'], csv('单位名称,上级单位\n孙单位,新单位二\n新单位四,没有这个上级'));
  await talk(bot, admin, ['/导入'], csv('单位名称,上级单位\n东城街道工会,西城街道工会'));
  await talk(bot, admin, ['/导入 确认']);
  await talk(bot, admin, ['/重点项目 导入'], csv('名称,所在单位,开工日期\n地铁9号线,没有的单位,2027-03-01', '重点项目.csv'));
  await talk(bot, p2p(admin), ['/单位 添加 孤零零的单位', '/绑定 测试区总工会', '/单位列表', '/提醒 设置 时间=10:00', '/竞赛 设置 计划截止=2027-03-01', '/管理员 认领 12345678', '/帮助']);
  await talk(bot, elsewhere(admin), ['/催交', '/单位列表', '/加入 东城街道工会', '/未交']);
}, 600_000);

afterAll(async () => {
  await bot?.close();
  await fresh?.close();
});

describe('Chinese first', () => {
  it('walks every command for a stranger, a filer and an admin', () => {
    for (const spec of commands.all) {
      const word = `/${commandWord(spec)}`;
      for (const who of ['路过的人', '东城李干事', '王主席']) {
        expect(said.some((s) => s.who.startsWith(who) && (s.sent === word || s.sent.startsWith(`${word} `))), `${who} ${word}`).toBe(true);
      }
    }
    expect(said.length).toBeGreaterThan(500);
  });

  it('never tells anyone to type an English command or option word', () => {
    const offences = said.flatMap((s) => {
      const found = englishIn(s.reply, s.sent);
      return found.length ? [`${s.who} 发送「${s.sent.split('\n')[0]}」→ ${[...new Set(found)].join(' ')}\n    ${s.reply.replace(/\n/g, ' ⏎ ').slice(0, 300)}`] : [];
    });
    expect(offences, offences.join('\n')).toEqual([]);
  });

  it('suggests only commands the bot knows, with subcommands it takes', () => {
    const problems: string[] = [];
    for (const s of said) {
      for (const m of s.reply.matchAll(SUGGESTION)) {
        const spec = commands.find(m[1]);
        if (!spec) problems.push(`「${s.sent.split('\n')[0]}」→ ${m[0]}: no such command`);
        else if (m[2] && spec.onlySubcommands === true && !spec.subcommands?.some((sub) => sub.words.includes(m[2]))) problems.push(`「${s.sent.split('\n')[0]}」→ ${m[0]}: no such subcommand`);
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('understands every suggested Chinese command when it is sent back', async () => {
    const suggested = new Set<string>();
    for (const s of said) for (const m of s.reply.matchAll(SUGGESTION)) suggested.add(m[2] ? `/${m[1]} ${m[2]}` : `/${m[1]}`);
    expect(suggested.size).toBeGreaterThan(60);
    const admin: LocalUser = { userId: 'admin', userName: '王主席', chatId: 'district-group' };
    const misunderstood: string[] = [];
    for (const line of [...suggested].sort()) {
      const [word, second] = line.slice(1).split(' ');
      const reply = readable(await bot.say(admin, line));
      if (reply.includes(`没有“/${word}”这个命令`) || (second && !PLACEHOLDERS.has(second) && new RegExp(`(不认识|看不懂)[“「]${second}[”」]`).test(reply))) misunderstood.push(`${line} → ${reply.slice(0, 120)}`);
      const english = englishIn(reply, line);
      if (english.length) misunderstood.push(`${line} → English: ${english.join(' ')}`);
    }
    expect(misunderstood, misunderstood.join('\n')).toEqual([]);
  }, 120_000);
});
