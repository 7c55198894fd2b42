// What /help says. On a phone a help bubble must fit a screen, so /help shows only what the asker may
// use, Chinese names first, one short line per group; "/帮助 管理" lists the admin commands and
// "/帮助 <命令>" explains one command with its subcommands.
import { allows, type Viewer } from '../services/access.js';
import { commandWord, type CommandRegistry, type CommandSpec } from './registry.js';

const HAN = /[\u4e00-\u9fa5]/;
const GROUP_TITLES = { filing: '填报', query: '查看' } as const;

/** The usage line with the Chinese words first: "/竞赛 [创建 <年度> … | 设置 …]". */
function chineseUsage(spec: CommandSpec): string {
  let usage = spec.usage.replace(new RegExp(`/${spec.name}\\b`, 'g'), `/${commandWord(spec)}`);
  for (const sub of spec.subcommands ?? []) {
    const english = sub.words.filter((w) => /^[a-z]+$/i.test(w));
    for (const w of english) usage = usage.replace(new RegExp(`(^|[\\s\\[|(])${w}(?=[\\s\\]|)]|$)`, 'g'), `$1${sub.words[0]}`);
  }
  return usage;
}

/** /help: what this person may use, grouped, under 500 characters for a filer. */
export function fullHelp(commands: CommandRegistry, botName: string, viewer: Viewer): string {
  const lines = [`我是${botName}，帮工会办理劳动和技能竞赛的计划、进度、总结和年报。`];
  for (const group of ['filing', 'query'] as const) {
    const words = commands.all.filter((c) => c.group === group && c.name !== 'help' && allows(c.access, viewer)).map((c) => `/${commandWord(c)}`);
    if (words.length) lines.push(`【${GROUP_TITLES[group]}】${words.join(' ')}`);
  }
  if (!viewer.unit && !viewer.admin) lines.push('您还没有登记所属单位：发送“/加入 单位名称”登记后，就可以备案计划、报进度、交总结。');
  else lines.push('也可以直接发送填好的模板（第一行是【竞赛计划】等标题），或发“/填表 计划”一项一项地填。');
  if (viewer.admin) lines.push('管理员命令：发送“/帮助 管理”。');
  lines.push('某个命令怎么用：发送“/帮助 命令名”，例如“/帮助 计划”。');
  return lines.join('\n');
}

/** /帮助 管理: the admin commands, one line each. */
export function adminHelp(commands: CommandRegistry, viewer: Viewer): string {
  const setup = commands.all.filter((c) => c.group === 'setup');
  const lines = setup.map((c) => {
    const subs = c.subcommands?.length ? ` ${c.subcommands.map((s) => s.words[0]).join('|')}` : '';
    return `/${commandWord(c)}${subs} — ${c.summary.split('；')[0]}`;
  });
  const note = viewer.admin ? '' : '（以下命令只有管理员可以使用）\n';
  return `${note}【管理】\n${lines.join('\n')}\n某个命令怎么用：发送“/帮助 命令名”。`;
}

/** /帮助 <命令>: one command — what it does, how to write it, its subcommands. */
export function commandHelp(spec: CommandSpec): string {
  const english = spec.name === commandWord(spec) ? '' : `（也可以写 /${spec.name}）`;
  const lines = [`/${commandWord(spec)}${english}：${spec.summary}`, `用法：${chineseUsage(spec)}`];
  if (spec.subcommands?.length) lines.push(`后面可以跟：${spec.subcommands.map((s) => s.words.filter((w) => HAN.test(w)).join('/')).join('、')}`);
  return lines.join('\n');
}

/** The few commands named when a message was not understood. */
export function shortHelp(commands: CommandRegistry): string {
  const common = ['plan', 'progress', 'summary', 'report', 'fill', 'mine', 'missing', 'standings'].map((n) => commands.find(n)).filter((c): c is CommandSpec => Boolean(c));
  return `常用命令：${common.map((c) => `/${commandWord(c)}`).join(' ')}。发送“/帮助”查看全部。`;
}
