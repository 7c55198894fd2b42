import type { CommandRegistry, CommandSpec } from './registry.js';

const GROUP_TITLES = { filing: '填报', query: '查询', setup: '设置（管理员）' } as const;

function line(spec: CommandSpec): string {
  return `${spec.usage}（${spec.aliases[0] ?? spec.name}）— ${spec.summary}`;
}

export function fullHelp(commands: CommandRegistry, botName: string): string {
  const parts = [`我是${botName}，帮各级工会办理劳动和技能竞赛的计划备案、进度、总结和年报。命令前加“/”，也可以用中文，例如“/计划”。`];
  for (const group of ['filing', 'query', 'setup'] as const) {
    const specs = commands.all.filter((c) => c.group === group);
    if (specs.length) parts.push('', `【${GROUP_TITLES[group]}】`, ...specs.map(line));
  }
  parts.push('', '也可以直接发送填好的模板（第一行是【竞赛计划】等标题）。');
  return parts.join('\n');
}

export function shortHelp(commands: CommandRegistry): string {
  const filing = commands.all.filter((c) => c.group !== 'setup').map((c) => `/${c.name}（${c.aliases[0] ?? ''}）`);
  return `常用命令：${filing.join('、')}。发送 /help 查看全部说明。`;
}
