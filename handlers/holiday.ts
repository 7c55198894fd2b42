// /holiday 假期 (admin): the working-day calendar reminders follow. `/holiday import` reads the State
// Council's yearly notice pasted with it (or right after it) and, after `/holiday import 确认`,
// makes it that year's calendar; `/holiday add|workday|remove` set single dates by hand. Every
// change reschedules every campaign's reminders at once.
import type { ScheduleOutcome } from '../src/core/app.js';
import { REMINDERS_LATER } from '../src/core/wording.js';
import { defineCommand, inChinese, type CommandContext } from '../src/commands/registry.js';
import { text, type Reply } from '../src/core/messages.js';
import { coerceDate, toHalfWidth } from '../src/forms/coerce.js';
import { currentCampaign } from '../src/services/current-campaign.js';
import { parseHolidayNotice, storeHolidayNotice, type ParsedNotice } from '../src/services/holiday-notice.js';
import { actorOf } from '../src/services/members.js';
import { awaitNextMessage, clearPending, getPending, setPending } from '../src/services/pending.js';
import { addDays, chineseDate, daysBetween, shanghaiDate, shanghaiDateTimeText, weekday, type IsoDate } from '../src/util/dates.js';
import { estimateHolidays } from '../jobs/holiday-estimate.js';
import { YEAR_SOURCE_LABELS, buildCalendar, loadCalendarSources, officialDay, packageDays } from '../jobs/working-days.js';

const USAGE = [
  '/假期 [年份] — 查看某年的放假安排',
  '/假期 导入 — 粘贴国务院放假通知全文，核对后 /假期 导入 确认',
  '/假期 添加 2月10日 [2月17日] [名称=春节] — 手工录入放假日',
  '/假期 补班 2月7日 [名称=春节调休] — 手工录入调休上班日',
  '/假期 删除 2月10日 [2月17日] — 删除手工录入的日期',
].join('\n');

const SUBCOMMANDS = [
  { key: 'add', words: ['添加', '放假', '休息', '假日', 'add'] },
  { key: 'workday', words: ['补班', '上班', '调休', 'workday'] },
  { key: 'remove', words: ['删除', '移除', 'remove', 'del', 'delete'] },
  { key: 'list', words: ['查看', 'list'] },
  // "/假期 确认", "/假期 导入确认": phones drop the space, people drop the word.
  { key: 'import', words: ['导入', '通知', '确认', '导入确认', 'import', 'confirm'] },
];
const CONFIRM_WORDS = ['确认', 'confirm'];
const CONFIRM_TTL_MS = 10 * 60_000;
const WEEKDAYS = '日一二三四五六';

const md = (d: IsoDate) => `${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;
const mdw = (d: IsoDate) => `${md(d)}（周${WEEKDAYS[weekday(d)]}）`;

/** Consecutive dates as runs: "2月15日至2月23日（9天）、5月1日". */
function runs(dates: IsoDate[]): string {
  const sorted = [...dates].sort();
  const out: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && addDays(sorted[j], 1) === sorted[j + 1]) j++;
    out.push(i === j ? mdw(sorted[i]) : `${md(sorted[i])}至${md(sorted[j])}（${j - i + 1}天）`);
    i = j + 1;
  }
  return out.join('、');
}

/** Reschedules every campaign's reminders on the new calendar; the note to add when the queue is down. */
async function reschedule(ctx: CommandContext): Promise<string> {
  const campaigns = await ctx.app.db.campaign.findMany();
  // One after another: a down queue answers 'later' at once, so this cannot add up to a long wait.
  let outcome: ScheduleOutcome = 'scheduled';
  for (const c of campaigns) if ((await ctx.app.hooks.campaignChanged(c)) === 'later') outcome = 'later';
  return outcome === 'later' ? `\n${REMINDERS_LATER}` : '';
}

// ---- viewing ----------------------------------------------------------------------------------

async function list(ctx: CommandContext, yearText?: string): Promise<Reply[]> {
  const thisYear = Number(shanghaiDate(ctx.app.now()).slice(0, 4));
  const asked = yearText ? Number(toHalfWidth(yearText).replace(/年$/, '')) : null;
  const years = asked !== null ? [asked] : [thisYear, thisYear + 1];
  if (years.some((y) => !Number.isInteger(y) || y < 2000 || y > 2100)) return [text(`年份请写四位数字，例如：/假期 2027\n${USAGE}`)];
  const sources = await loadCalendarSources(ctx.app.db);
  const calendar = buildCalendar(sources);
  const lines: string[] = [];
  for (const year of years) {
    const source = calendar.yearSource(year);
    lines.push(`📅 ${year}年：${YEAR_SOURCE_LABELS[source]}`);
    if (source === 'estimate') {
      for (const h of estimateHolidays(year)) lines.push(`  · ${h.name}：${h.start === h.end ? mdw(h.start) : `${md(h.start)}至${md(h.end)}`}（预估）`);
      lines.push(`  国务院公布“关于${year}年部分节假日安排的通知”后，请发送 /假期 导入 并粘贴通知全文。`);
    }
    if (source === 'package') {
      for (const h of packageDays(year)) lines.push(`  · ${h.name}：${runs(h.off)}放假${h.work.length ? `；${h.work.map(mdw).join('、')}上班` : ''}`);
    }
    if (source === 'notice') {
      const own = sources.notices.filter((n) => n.year === year);
      const names = [...new Set(own.map((n) => n.name))];
      for (const name of names) {
        const off = own.filter((n) => n.name === name && n.kind === 'holiday').map((n) => n.date);
        const work = own.filter((n) => n.name === name && n.kind === 'workday').map((n) => n.date);
        lines.push(`  · ${name}：${runs(off)}放假${work.length ? `；${work.map(mdw).join('、')}上班` : ''}`);
      }
      const last = own.reduce((a, b) => (a.importedAt > b.importedAt ? a : b));
      lines.push(`  （${last.importedBy} 于 ${shanghaiDateTimeText(last.importedAt)} 导入）`);
    }
    const manual = sources.overrides.filter((r) => r.date.startsWith(`${year}-`));
    if (manual.length) {
      lines.push('  手工录入：');
      for (const r of manual) lines.push(`  · ${mdw(r.date)} ${r.kind === 'workday' ? '调休上班' : '放假'}${r.note ? `（${r.note}）` : ''}`);
    }
  }
  lines.push('', USAGE);
  return [text(lines.join('\n'))];
}

// ---- the State Council notice ------------------------------------------------------------------

/** What a message must look like to be taken as the notice pasted after "/假期 导入": an item heading and 放假. */
const NOTICE_SHAPE = ['放假', '[一二三四五六七八九十][、.．]\\s*[^：:\\s]{1,16}[：:]'];

/** The notice text: what follows "/假期 导入" on the message, or the whole message when it came on its own. */
function noticeText(ctx: CommandContext): string {
  return ctx.msg.text.replace(/^\s*[/／]?\s*(?:holiday|假期)\s*(?:import|导入|通知)?\s*/i, '');
}

function preview(notice: ParsedNotice, replaced: { notice: boolean; manual: string[]; packaged: boolean }): string {
  const lines = [`📋 识别出${notice.year}年放假安排，请核对：`, '节日｜放假｜调休上班'];
  for (const item of notice.items) lines.push(`${item.name}｜${runs(item.off)}｜${item.work.length ? item.work.map(mdw).join('、') : '—'}`);
  const off = notice.items.reduce((n, i) => n + i.off.length, 0);
  const work = notice.items.reduce((n, i) => n + i.work.length, 0);
  lines.push(`共放假 ${off} 天，调休上班 ${work} 天。`);
  if (replaced.notice) lines.push(`⚠️ 将替换之前导入的${notice.year}年通知（旧的留在修改记录里）。`);
  if (replaced.manual.length) lines.push(`⚠️ 您手工录入的${notice.year}年日期将由通知取代（删除，记入修改记录）：${replaced.manual.slice(0, 10).map(mdw).join('、')}${replaced.manual.length > 10 ? ` 等${replaced.manual.length}个` : ''}`);
  if (notice.warnings.length) lines.push('请特别核对：', ...notice.warnings.map((w) => `· ${w}`));
  if (replaced.packaged) lines.push(`提示：系统已内置${notice.year}年安排，导入后以您导入的通知为准。`);
  lines.push('', `核对无误请在 10 分钟内发送“/假期 导入 确认”，催交提醒会立即按新日历重排。`);
  return lines.join('\n');
}

async function importNotice(ctx: CommandContext): Promise<Reply[]> {
  const db = ctx.app.db;
  let rest = noticeText(ctx).trim();
  const word = rest.split(/\s+/)[0]?.toLowerCase() ?? '';
  if (CONFIRM_WORDS.includes(word) || /^(?:导入)?确认$/.test(word)) {
    const pending = await getPending<ParsedNotice>(db, 'holiday-import', ctx.msg, ctx.app.now());
    if (!pending) return [text('没有等待确认的放假通知（确认要在粘贴后 10 分钟内）。请发送“/假期 导入”并重新粘贴通知全文。')];
    const result = await storeHolidayNotice(db, pending, { ...actorOf(ctx.msg), name: ctx.msg.userName || ctx.msg.userId });
    await clearPending(db, 'holiday-import', ctx.msg);
    const later = await reschedule(ctx);
    const off = pending.items.reduce((n, i) => n + i.off.length, 0);
    const work = pending.items.reduce((n, i) => n + i.work.length, 0);
    const notes = [result.replacedNotice ? '已替换之前导入的通知' : '', result.replacedManual ? `手工录入的 ${result.replacedManual} 个日期已由通知取代` : ''].filter(Boolean);
    return [text(`✅ 已导入${pending.year}年放假安排：放假 ${off} 天，调休上班 ${work} 天${notes.length ? `（${notes.join('，')}）` : ''}。\n${later ? later.trim() : '催交提醒已按新日历重新安排，发送“/提醒”查看。'}`)];
  }
  // "/假期 导入 2027 …": a year written first backs up a pasted body without the title; so does the
  // year of an earlier "/假期 导入 2027" whose text this message is.
  const lead = rest.match(/^(\d{4})\s*年?(?:\s+|$)/);
  const fallback = lead ? Number(lead[1]) : ctx.args[1] && /^\d{4}$/.test(ctx.args[1]) ? Number(ctx.args[1]) : undefined;
  if (lead) rest = rest.slice(lead[0].length).trim();
  const awaited = !/^\s*[/／]/.test(ctx.msg.text);
  const waitForText = () => awaitNextMessage(db, ctx.msg, { command: 'holiday', args: ['import', ...(fallback ? [String(fallback)] : [])], expects: NOTICE_SHAPE }, CONFIRM_TTL_MS, ctx.app.now());
  if (!rest) {
    await waitForText();
    return [text('请把“国务院办公厅关于XXXX年部分节假日安排的通知”全文（含标题）粘贴发给我（10 分钟内）。也可以写在“/假期 导入”后面一起发。')];
  }
  const parsed = parseHolidayNotice(rest, fallback);
  if (!parsed.ok) {
    // A notice pasted after "/假期 导入" that did not read: the next paste is still taken.
    if (awaited) await waitForText();
    return [text(['❗ 放假通知没有导入，请核对后重新粘贴：', ...parsed.problems.slice(0, 10).map((p) => `· ${p}`)].join('\n'))];
  }
  const notice = parsed.notice;
  const sources = await loadCalendarSources(db);
  const replaced = {
    notice: sources.notices.some((n) => n.year === notice.year),
    manual: sources.overrides.filter((o) => o.date.startsWith(`${notice.year}-`)).map((o) => o.date),
    packaged: buildCalendar().yearSource(notice.year) === 'package',
  };
  await setPending(db, 'holiday-import', ctx.msg, notice, CONFIRM_TTL_MS, ctx.app.now());
  return [text(preview(notice, replaced))];
}

// ---- single dates by hand ----------------------------------------------------------------------

/**
 * A date as typed. Without a year it means the campaign's year when that day is still ahead, else
 * its next occurrence: "2月5日" typed in November is next February, never a day already past.
 */
function readDate(raw: string, campaignYear: number | undefined, today: IsoDate, label: string): { date: IsoDate } | { error: string } {
  const hasYear = /\d{4}/.test(toHalfWidth(raw));
  // "3月" alone would read as 1 March.
  if (/^\s*(?:\d{4}\s*年\s*)?\d{1,2}\s*月份?\s*$/.test(toHalfWidth(raw))) return { error: `${label}「${raw}」：请写到哪一天，例如 2月10日` };
  const thisYear = Number(today.slice(0, 4));
  const first = coerceDate(raw, hasYear ? thisYear : (campaignYear ?? thisYear));
  if (!first.ok) return { error: `${label}「${raw}」：${first.message}` };
  if (hasYear || first.value >= today) return { date: first.value };
  for (const year of [thisYear, thisYear + 1]) {
    const again = coerceDate(raw, year);
    if (again.ok && again.value >= today) return { date: again.value };
  }
  return { date: first.value };
}

async function readRange(ctx: CommandContext, args: string[]): Promise<{ dates: IsoDate[] } | { error: string }> {
  // "2月10日至2月17日" / "2月10日-17日" typed as one word: the two ends.
  const joined = args[0]?.match(/^(.+?日)\s*(?:至|到|~|～|—+|–|-)\s*(.+)$/);
  const [first, rawSecond] = joined ? [joined[1], joined[2]] : args;
  if (!first) return { error: `请写日期，例如：/假期 添加 2月10日 2月17日 名称=春节\n${USAGE}` };
  const today = shanghaiDate(ctx.app.now());
  const campaignYear = (await currentCampaign(ctx))?.year;
  const start = readDate(first, campaignYear, today, '日期');
  if ('error' in start) return start;
  let end = start.date;
  // "2月10日 17日": the end's month is the start's.
  const second = rawSecond && /^\s*\d{1,2}\s*[日号]\s*$/.test(toHalfWidth(rawSecond)) ? `${Number(start.date.slice(5, 7))}月${toHalfWidth(rawSecond).trim()}` : rawSecond;
  if (second) {
    const hasYear = /\d{4}/.test(toHalfWidth(second));
    const e = coerceDate(second, Number(start.date.slice(0, 4)));
    if (!e.ok) return { error: `结束日期「${second}」：${e.message}` };
    end = e.value;
    // "12月30日 1月2日": a range across the new year.
    if (!hasYear && end < start.date) {
      const next = coerceDate(second, Number(start.date.slice(0, 4)) + 1);
      if (next.ok) end = next.value;
    }
  }
  const span = daysBetween(start.date, end);
  if (span < 0) return { error: `结束日期（${chineseDate(end)}）早于开始日期（${chineseDate(start.date)}），请改正` };
  if (span > 31) return { error: '一次最多录入 32 天，请分段录入' };
  return { dates: Array.from({ length: span + 1 }, (_, i) => addDays(start.date, i)) };
}

async function change(ctx: CommandContext, kind: 'holiday' | 'workday'): Promise<Reply[]> {
  const confirmed = ctx.args.some((a) => CONFIRM_WORDS.includes(a.toLowerCase()));
  const read = await readRange(ctx, ctx.args.slice(1).filter((a) => !CONFIRM_WORDS.includes(a.toLowerCase())));
  if ('error' in read) return [text(read.error)];
  const note = ctx.options['名称'] ?? ctx.options['说明'] ?? null;
  const sources = await loadCalendarSources(ctx.app.db);
  const calendar = buildCalendar(sources);
  // Official data (a pasted notice or the bundled one) is only overwritten on purpose.
  const contradicted = read.dates.filter((d) => {
    const official = officialDay(calendar, sources, d);
    return official !== null && official.workday !== (kind === 'workday');
  });
  const label = kind === 'holiday' ? '放假' : '调休上班';
  if (contradicted.length && !confirmed) {
    const typed = inChinese(ctx.commands, ctx.msg.text);
    return [text(`⚠️ 国务院公布的安排里，${contradicted.map(mdw).join('、')}${kind === 'holiday' ? '是工作日' : '是休息日'}。确实要改为${label}，请发送：\n${typed} 确认`)];
  }
  for (const date of read.dates) {
    await ctx.app.db.calendarOverride.upsert({
      where: { date }, create: { date, kind, note, createdBy: ctx.msg.userId }, update: { kind, note, createdBy: ctx.msg.userId },
    });
  }
  const later = await reschedule(ctx);
  const range = read.dates.length > 1 ? `${chineseDate(read.dates[0])}至${md(read.dates[read.dates.length - 1])}（${read.dates.length}天）` : `${chineseDate(read.dates[0])}（周${WEEKDAYS[weekday(read.dates[0])]}）`;
  return [text(`✅ 已录入${label}：${range}${note ? `（${note}）` : ''}\n${later ? later.trim() : '催交提醒已按新的日历重新安排。'}`)];
}

async function remove(ctx: CommandContext): Promise<Reply[]> {
  const read = await readRange(ctx, ctx.args.slice(1));
  if ('error' in read) return [text(read.error)];
  const { count } = await ctx.app.db.calendarOverride.deleteMany({ where: { date: { in: read.dates } } });
  if (!count) return [text(`${runs(read.dates)}没有手工录入的调整，无需删除。发送“/假期”查看已录入的日期。`)];
  const later = await reschedule(ctx);
  return [text(later ? `✅ 已删除 ${count} 个手工录入的日期。${later}` : `✅ 已删除 ${count} 个手工录入的日期，催交提醒已重新安排。`)];
}

export default defineCommand({
  name: 'holiday',
  aliases: ['假期'],
  usage: '/假期 [年份 | 导入 | 添加 日期 [结束日期] | 补班 日期 | 删除 日期]',
  summary: '查看放假安排；导入国务院放假通知或录入调整（催交提醒避开节假日）',
  access: [],
  subcommands: SUBCOMMANDS,
  // "/假期 2027": that year's calendar.
  onlySubcommands: (arg) => /^\d{4}年?$/.test(toHalfWidth(arg)),
  group: 'setup',
  async run(ctx) {
    const first = ctx.args[0];
    const sub = ctx.sub;
    if (!first || !sub) return list(ctx, first);
    if (sub === 'list') return list(ctx, ctx.args[1]);
    if (sub === 'import') return importNotice(ctx);
    if (sub === 'remove') return remove(ctx);
    return change(ctx, sub === 'add' ? 'holiday' : 'workday');
  },
});
