// Telling the admins when reminders run on an estimated calendar. A campaign whose deadlines or
// reminder stages fall in a year without an official holiday notice gets a message in the groups
// of the federation that runs it: in the receipt of /campaign add, once a week while the notice
// could be out (from October of the year before) and a stage of that year is still ahead, and once
// 30 days before the first reminder of that year. Each names the estimated holidays in use and how
// to paste the notice; it stops by itself once /假期 导入 (or a newer calendar package) settles the year.
import type { Campaign } from '../src/store/models.js';
import { parseCampaignSettings } from '../src/services/campaign-settings.js';
import { DEADLINE_FORMS, DEADLINE_LABELS, deadlineOf, type DeadlineForm } from '../src/services/campaigns.js';
import { addDays, chineseDate, endOfShanghaiDay, shanghaiDate, shanghaiDateTime, weekday, type IsoDate } from '../src/util/dates.js';
import { estimateHolidays } from './holiday-estimate.js';
import { computeSchedule } from './reminder-schedule.js';
import type { Calendar } from './working-days.js';

export interface CalendarGap {
  year: number;
  /** Deadlines that fall in the year. */
  deadlines: { form: DeadlineForm; date: IsoDate }[];
  /** The year's first and last reminder stages (null when reminders are off or none falls in it). */
  firstStage: Date | null;
  lastStage: Date | null;
}

export type AlertOccasion = 'weekly' | 'soon';

const DAY = 86_400_000;
/** How long before a year's first reminder the "30 days" message goes out. */
export const SOON_MS = 30 * DAY;
/** A weekly message is skipped when the group was told less than this long ago. */
export const WEEKLY_GAP_MS = 6.5 * DAY;

/** Years this campaign touches whose calendar is only estimated. */
export function calendarGaps(campaign: Campaign, calendar: Calendar): CalendarGap[] {
  const settings = parseCampaignSettings(campaign.settings).reminders;
  const gaps = new Map<number, CalendarGap>();
  const gap = (year: number) => {
    let g = gaps.get(year);
    if (!g) gaps.set(year, (g = { year, deadlines: [], firstStage: null, lastStage: null }));
    return g;
  };
  for (const form of DEADLINE_FORMS) {
    const deadline = deadlineOf(campaign, form);
    const year = Number(deadline.slice(0, 4));
    if (calendar.yearSource(year) === 'estimate') gap(year).deadlines.push({ form, date: deadline });
    if (!settings.enabled) continue;
    for (const s of computeSchedule({ deadline, settings, calendar }).stages) {
      const y = Number(s.date.slice(0, 4));
      if (calendar.yearSource(y) !== 'estimate') continue;
      const g = gap(y);
      if (!g.firstStage || s.fireAt < g.firstStage) g.firstStage = s.fireAt;
      if (!g.lastStage || s.fireAt > g.lastStage) g.lastStage = s.fireAt;
    }
  }
  return [...gaps.values()].sort((a, b) => a.year - b.year);
}

/** The Monday of the week `now` falls in (Shanghai), which names a weekly message. */
export function weekOf(now: Date): IsoDate {
  const today = shanghaiDate(now);
  return addDays(today, -((weekday(today) + 6) % 7));
}

/**
 * Which messages about `gap` are due at `now`. `lastToldAt` is when the group last got one about
 * that year; `soonSent` whether it got the 30-day one.
 */
export function alertsDue(gap: CalendarGap, now: Date, lastToldAt: Date | null, soonSent: boolean): AlertOccasion[] {
  const due: AlertOccasion[] = [];
  const t = now.getTime();
  const end = Math.max(gap.lastStage?.getTime() ?? 0, ...gap.deadlines.map((d) => endOfShanghaiDay(d.date).getTime()));
  if (end <= t) return due; // nothing of that year left to get wrong
  if (gap.firstStage && !soonSent && t >= gap.firstStage.getTime() - SOON_MS && t < gap.firstStage.getTime()) due.push('soon');
  // The notice for a year comes out in the autumn before it (2024-10-25, 2024-11-12, 2025-11-04):
  // asking for it earlier is noise.
  const season = shanghaiDateTime(`${gap.year - 1}-10-01`, '00:00').getTime();
  if (!due.length && t >= season && (!lastToldAt || t - lastToldAt.getTime() >= WEEKLY_GAP_MS)) due.push('weekly');
  return due;
}

const md = (d: IsoDate) => `${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;

/** "元旦 1月1日；春节 2月5日至2月12日；…": the estimate in use for a year, or for the holidays near [from, to]. */
export function estimateLine(year: number, from?: IsoDate, to?: IsoDate): string {
  const near = estimateHolidays(year).filter((h) => !from || !to || (h.end >= addDays(from, -14) && h.start <= addDays(to, 14)));
  return near.map((h) => `${h.name} ${h.start === h.end ? md(h.start) : `${md(h.start)}至${md(h.end)}`}`).join('；');
}

/** The stretch of the year the campaign's deadlines and reminders cover. */
export function gapSpan(gap: CalendarGap): [IsoDate, IsoDate] {
  const dates = [...gap.deadlines.map((d) => d.date), ...[gap.firstStage, gap.lastStage].filter((d): d is Date => d !== null).map((d) => shanghaiDate(d))].sort();
  return [dates[0], dates[dates.length - 1]];
}

/** One message about one or more years (the receipt of /campaign add names every year at once). */
export function calendarAlertText(campaign: Campaign, gaps: CalendarGap[], occasion: AlertOccasion | 'created'): string {
  const years = gaps.map((g) => `${g.year}年`).join('、');
  const lines = [`📅 【放假安排】${years}放假安排尚未公布`];
  for (const gap of gaps) {
    if (occasion === 'soon' && gap.firstStage) lines.push(`${campaign.title}的${gap.year}年催交提醒将于${chineseDate(shanghaiDate(gap.firstStage))}开始。`);
    const due = gap.deadlines.map((d) => `${DEADLINE_LABELS[d.form]}截止 ${md(d.date)}`);
    if (due.length) lines.push(`${gap.year}年的截止日期：${due.join('、')}。`);
    const [from, to] = gapSpan(gap);
    lines.push(`${gap.year}年催交提醒暂按预估的节假日安排：${estimateLine(gap.year, from, to) || '（期间没有节假日）'}（预估，不含调休上班日）。`);
  }
  const which = gaps.map((g) => `关于${g.year}年部分节假日安排的通知`).join('”“');
  lines.push(`国务院公布“${which}”后，请管理员发送“/假期 导入”并粘贴通知全文，提醒会按正式安排重排。`);
  return lines.join('\n');
}
