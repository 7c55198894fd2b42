// /campaign: show the current campaign; /campaign add <年度> …; /campaign set 计划截止=… (admin).
import { defineCommand, type CommandContext } from '../src/commands/registry.js';
import { text, type Reply } from '../src/core/messages.js';
import { coerceDate } from '../src/forms/coerce.js';
import { createCampaign, DEADLINE_FORMS, DEADLINE_LABELS, deadlineOf } from '../src/services/campaigns.js';
import { currentCampaign } from '../src/services/current-campaign.js';
import { chineseDateWithWeekday } from '../src/util/dates.js';
import type { Campaign } from '../src/generated/sqlite/index.js';

const DATE_OPTIONS = { 计划截止: 'planDeadline', 总结截止: 'summaryDeadline', 年报截止: 'reportDeadline' } as const;
const USAGE = '/campaign add <年度> [标题=…] [计划截止=YYYY-MM-DD] [总结截止=YYYY-MM-DD] [年报截止=YYYY-MM-DD]';

function describe(c: Campaign): string {
  const lines = [`${c.title}（${c.year}年度）`];
  if (c.theme) lines.push(`主题：${c.theme}`);
  for (const form of DEADLINE_FORMS) lines.push(`${DEADLINE_LABELS[form]}截止：${chineseDateWithWeekday(deadlineOf(c, form))}`);
  return lines.join('\n');
}

/** Reads 计划截止=… style options into ISO dates, or the first error. */
function readDates(options: Record<string, string>, year: number): { dates: Partial<Record<(typeof DATE_OPTIONS)[keyof typeof DATE_OPTIONS], string>> } | { error: string } {
  const dates: Record<string, string> = {};
  for (const [label, key] of Object.entries(DATE_OPTIONS)) {
    if (options[label] === undefined) continue;
    const d = coerceDate(options[label], year);
    if (!d.ok) return { error: `${label}：${d.message}` };
    dates[key] = d.value;
  }
  return { dates };
}

async function add(ctx: CommandContext): Promise<Reply[]> {
  const year = Number(ctx.args[1]);
  if (!ctx.args[1] || !Number.isInteger(year)) return [text(`请写年度，例如：/campaign add 2027 标题=2027年度“建功新时代”劳动竞赛\n用法：${USAGE}`)];
  const read = readDates(ctx.options, year);
  if ('error' in read) return [text(read.error)];
  const created = await createCampaign(ctx.app.db, { year, title: ctx.options['标题'], theme: ctx.options['主题'], ...read.dates });
  if (!created.ok) return [text(created.message)];
  return [text(`✅ 已创建竞赛年度\n${describe(created.campaign)}\n接下来请在各工作群发送“/bind 单位名称 ${year}”绑定。`)];
}

async function set(ctx: CommandContext): Promise<Reply[]> {
  const campaign = await currentCampaign(ctx);
  if (!campaign) return [text('还没有竞赛年度，请先 /campaign add 年度')];
  const read = readDates(ctx.options, campaign.year);
  if ('error' in read) return [text(read.error)];
  const data: Record<string, string> = { ...read.dates };
  if (ctx.options['标题']) data.title = ctx.options['标题'];
  if (ctx.options['主题']) data.theme = ctx.options['主题'];
  if (!Object.keys(data).length) return [text('请写要修改的项目，例如：/campaign set 计划截止=2027-03-05')];
  const next = { ...campaign, ...data };
  if (!(next.planDeadline <= next.summaryDeadline && next.summaryDeadline <= next.reportDeadline)) {
    return [text('截止日期的先后不对：计划截止应早于总结截止，总结截止应早于年报截止')];
  }
  const updated = await ctx.app.db.campaign.update({ where: { id: campaign.id }, data });
  await ctx.app.hooks.campaignChanged(updated);
  return [text(`✅ 已修改\n${describe(updated)}`)];
}

export default defineCommand({
  name: 'campaign',
  aliases: ['竞赛'],
  usage: '/campaign [add <年度> | set 计划截止=…]',
  summary: '查看本年度竞赛；管理员可创建年度或修改截止日期',
  access: 'anyone',
  group: 'setup',
  async run(ctx) {
    const sub = ctx.args[0]?.toLowerCase();
    if (sub === 'add' || sub === '创建' || sub === '新建') return ctx.isAdmin ? add(ctx) : [text('只有管理员可以创建竞赛年度。')];
    if (sub === 'set' || sub === '修改') return ctx.isAdmin ? set(ctx) : [text('只有管理员可以修改截止日期。')];
    const campaign = await currentCampaign(ctx);
    if (!campaign) return [text(`还没有创建竞赛年度。管理员可发送：${USAGE}`)];
    return [text(describe(campaign))];
  },
});
