// /holiday 假期 (admin): holidays and make-up workdays (调休上班) for years the built-in calendar
// does not know yet, so reminders skip the right days. Changes reschedule every campaign's reminders.
import { defineCommand, type CommandContext } from '../src/commands/registry.js';
import { text, type Reply } from '../src/core/messages.js';
import { coerceDate } from '../src/forms/coerce.js';
import { addDays, chineseDateWithWeekday, daysBetween, shanghaiDate } from '../src/util/dates.js';
import { PACKAGE_YEARS, YEAR_SOURCE_LABELS, loadCalendar } from '../jobs/working-days.js';

const USAGE = [
  '/holiday [年份] — 查看某年的放假安排来源和管理员录入的日期',
  '/holiday add 2027-02-10 [2027-02-17] [名称=春节] — 录入放假日（可写起止日期）',
  '/holiday workday 2027-02-07 [名称=春节调休] — 录入调休上班日',
  '/holiday remove 2027-02-10 [2027-02-17] — 删除录入的日期',
].join('\n');

const SUBS: Record<string, 'add' | 'workday' | 'remove' | 'list'> = {
  add: 'add', 放假: 'add', 休息: 'add', 假日: 'add',
  workday: 'workday', 补班: 'workday', 上班: 'workday', 调休: 'workday',
  remove: 'remove', del: 'remove', delete: 'remove', 删除: 'remove',
  list: 'list', 查看: 'list',
};

function readRange(ctx: CommandContext, defaultYear: number): { dates: string[] } | { error: string } {
  const [, first, second] = ctx.args;
  if (!first) return { error: `请写日期，例如：/holiday add 2027-02-10 2027-02-17 名称=春节\n${USAGE}` };
  const start = coerceDate(first, defaultYear);
  if (!start.ok) return { error: `日期「${first}」：${start.message}` };
  let endDate = start.value;
  if (second) {
    const end = coerceDate(second, Number(start.value.slice(0, 4)));
    if (!end.ok) return { error: `结束日期「${second}」：${end.message}` };
    endDate = end.value;
  }
  const span = daysBetween(start.value, endDate);
  if (span < 0) return { error: `结束日期（${endDate}）早于开始日期（${start.value}），请改正` };
  if (span > 31) return { error: '一次最多录入 32 天，请分段录入' };
  return { dates: Array.from({ length: span + 1 }, (_, i) => addDays(start.value, i)) };
}

async function reschedule(ctx: CommandContext): Promise<void> {
  const campaigns = await ctx.app.db.campaign.findMany();
  for (const c of campaigns) await ctx.app.hooks.campaignChanged(c);
}

async function list(ctx: CommandContext, yearText?: string): Promise<Reply[]> {
  const thisYear = Number(shanghaiDate(ctx.app.now()).slice(0, 4));
  const years = yearText ? [Number(yearText)] : [thisYear, thisYear + 1];
  if (years.some((y) => !Number.isInteger(y) || y < 2000 || y > 2100)) return [text(`年份请写四位数字，例如：/holiday 2027\n${USAGE}`)];
  const calendar = await loadCalendar(ctx.app.db);
  const rows = await ctx.app.db.calendarOverride.findMany({ orderBy: { date: 'asc' } });
  const lines: string[] = [];
  for (const year of years) {
    const source = calendar.yearSource(year);
    lines.push(`${year}年：${YEAR_SOURCE_LABELS[source]}${source === 'weekends' ? '。⚠️ 请用 /holiday add 和 /holiday workday 录入当年放假和调休安排。' : ''}`);
    const own = rows.filter((r) => r.date.startsWith(`${year}-`));
    for (const r of own) lines.push(`  · ${chineseDateWithWeekday(r.date)} ${r.kind === 'workday' ? '调休上班' : '放假'}${r.note ? `（${r.note}）` : ''}`);
    if (!own.length && source !== 'weekends') lines.push('  （无管理员录入的调整）');
  }
  lines.push('', USAGE);
  return [text(lines.join('\n'))];
}

async function change(ctx: CommandContext, kind: 'holiday' | 'workday'): Promise<Reply[]> {
  const read = readRange(ctx, Number(shanghaiDate(ctx.app.now()).slice(0, 4)));
  if ('error' in read) return [text(read.error)];
  const note = ctx.options['名称'] ?? ctx.options['说明'] ?? null;
  for (const date of read.dates) {
    await ctx.app.db.calendarOverride.upsert({
      where: { date }, create: { date, kind, note, createdBy: ctx.msg.userId }, update: { kind, note, createdBy: ctx.msg.userId },
    });
  }
  await reschedule(ctx);
  const label = kind === 'holiday' ? '放假' : '调休上班';
  const range = read.dates.length > 1 ? `${chineseDateWithWeekday(read.dates[0])}至${chineseDateWithWeekday(read.dates[read.dates.length - 1])}（${read.dates.length}天）` : chineseDateWithWeekday(read.dates[0]);
  const known = PACKAGE_YEARS.has(Number(read.dates[0].slice(0, 4))) ? '\n提示：该年已有国务院公布的放假安排，您录入的日期会覆盖它。' : '';
  return [text(`✅ 已录入${label}：${range}${note ? `（${note}）` : ''}\n催交提醒已按新的日历重新安排。${known}`)];
}

async function remove(ctx: CommandContext): Promise<Reply[]> {
  const read = readRange(ctx, Number(shanghaiDate(ctx.app.now()).slice(0, 4)));
  if ('error' in read) return [text(read.error)];
  const { count } = await ctx.app.db.calendarOverride.deleteMany({ where: { date: { in: read.dates } } });
  if (!count) return [text('这些日期没有管理员录入的调整，无需删除。发送 /holiday 查看已录入的日期。')];
  await reschedule(ctx);
  return [text(`✅ 已删除 ${count} 个录入的日期，催交提醒已重新安排。`)];
}

export default defineCommand({
  name: 'holiday',
  aliases: ['假期'],
  usage: '/holiday [年份 | add 日期 [结束日期] | workday 日期 | remove 日期]',
  summary: '查看或录入放假和调休安排（用于催交提醒避开节假日）',
  access: [],
  group: 'setup',
  async run(ctx) {
    const first = ctx.args[0];
    if (!first || /^\d{4}$/.test(first)) return list(ctx, first);
    const sub = SUBS[first.toLowerCase()];
    if (!sub) return [text(`不认识「${first}」。用法：\n${USAGE}`)];
    if (sub === 'list') return list(ctx, ctx.args[1]);
    if (sub === 'remove') return remove(ctx);
    return change(ctx, sub === 'add' ? 'holiday' : 'workday');
  },
});
