// Which days are working days in mainland China. For each year, one source decides, the most
// authoritative available: the State Council notice an admin pasted (/holiday import), else the
// installed chinese-days package (the same notices, bundled), else an estimate from the holiday
// rules (holiday-estimate.ts, marked 预估 wherever shown). Single dates an admin enters by hand
// (/holiday add, /holiday workday) sit on top of whichever source decides their year.
import { createRequire } from 'node:module';
import chineseDays from 'chinese-days';
import type { Db } from '../src/store/client.js';
import type { CalendarOverride, HolidayNoticeDay } from '../src/store/models.js';
import { weekday, type IsoDate } from '../src/util/dates.js';
import { estimatedDaysOff } from './holiday-estimate.js';

const require = createRequire(import.meta.url);
const packageData = require('chinese-days/dist/chinese-days.json') as { holidays: Record<string, string>; workdays: Record<string, string> };

/** Years the installed chinese-days data covers (a year counts when it lists at least one holiday). */
export const PACKAGE_YEARS: ReadonlySet<number> = new Set(Object.keys(packageData.holidays).map((d) => Number(d.slice(0, 4))));

export type YearSource = 'notice' | 'package' | 'estimate';

export interface CalendarOverrideRow {
  date: string;
  /** "holiday" (day off) or "workday" (make-up working day). */
  kind: string;
  note?: string | null;
}

/** A day from a pasted State Council notice; `year` is the notice's year (a date may lie just before it). */
export interface NoticeDayRow {
  date: string;
  year: number;
  kind: string;
  name: string;
}

export interface CalendarSources {
  overrides?: CalendarOverrideRow[];
  notices?: NoticeDayRow[];
  /** Years the package knows; tests pass fewer to play a year before its notice was bundled. */
  packageYears?: ReadonlySet<number>;
}

export interface Calendar {
  isWorkday(date: IsoDate): boolean;
  /** The holiday's Chinese name when the day is a public (or admin-entered) holiday, else undefined. */
  holidayName(date: IsoDate): string | undefined;
  /** The day's status is the estimate's guess (no notice, package data or admin entry for it). */
  isEstimated(date: IsoDate): boolean;
  /** Which source decides the year (admin entries for single dates aside). */
  yearSource(year: number): YearSource;
}

const yearOf = (date: IsoDate) => Number(date.slice(0, 4));
const isWeekend = (date: IsoDate) => weekday(date) === 0 || weekday(date) === 6;

/** "Spring Festival,春节,4" → "春节". */
function chineseName(detail: string | undefined): string | undefined {
  if (!detail) return undefined;
  const parts = detail.split(',');
  return parts[1]?.trim() || parts[0]?.trim() || undefined;
}

export function buildCalendar(sources: CalendarSources = {}): Calendar {
  const overrides = new Map((sources.overrides ?? []).map((o) => [o.date, o]));
  const noticeDays = new Map((sources.notices ?? []).map((n) => [n.date, n]));
  const noticeYears = new Set((sources.notices ?? []).map((n) => n.year));
  const packageYears = sources.packageYears ?? PACKAGE_YEARS;
  const estimates = new Map<number, Map<IsoDate, string>>();
  const estimateFor = (year: number) => {
    let days = estimates.get(year);
    if (!days) estimates.set(year, (days = estimatedDaysOff(year)));
    return days;
  };
  const yearSource = (year: number): YearSource => (noticeYears.has(year) ? 'notice' : packageYears.has(year) ? 'package' : 'estimate');

  /** The day as its year's source sees it, before admin entries. */
  function sourceDay(date: IsoDate): { workday: boolean; name?: string } {
    const n = noticeDays.get(date);
    if (n) return n.kind === 'workday' ? { workday: true } : { workday: false, name: n.name };
    const source = yearSource(yearOf(date));
    if (source === 'notice') return { workday: !isWeekend(date) };
    if (source === 'package') {
      return chineseDays.isWorkday(date) ? { workday: true } : { workday: false, name: chineseName(packageData.holidays[date]) };
    }
    // 除夕 falls between 20 January and 19 February, so a year's estimate covers all of its own dates.
    const name = estimateFor(yearOf(date)).get(date);
    return name ? { workday: false, name } : { workday: !isWeekend(date) };
  }

  return {
    isWorkday(date) {
      const o = overrides.get(date);
      if (o) return o.kind === 'workday';
      return sourceDay(date).workday;
    },
    holidayName(date) {
      const o = overrides.get(date);
      if (o) return o.kind === 'holiday' ? o.note?.trim() || '假期' : undefined;
      return sourceDay(date).name;
    },
    isEstimated(date) {
      return !overrides.has(date) && !noticeDays.has(date) && yearSource(yearOf(date)) === 'estimate';
    },
    yearSource,
  };
}

/** What the source of a year says about one date, ignoring admin entries (for "this overwrites official data"). */
export function officialDay(calendar: Calendar, sources: CalendarSources, date: IsoDate): { workday: boolean; name?: string } | null {
  if (calendar.yearSource(yearOf(date)) === 'estimate' && !(sources.notices ?? []).some((n) => n.date === date)) return null;
  const bare = buildCalendar({ notices: sources.notices, packageYears: sources.packageYears });
  return { workday: bare.isWorkday(date), name: bare.holidayName(date) };
}

export async function loadCalendarSources(db: Db): Promise<{ overrides: CalendarOverride[]; notices: HolidayNoticeDay[] }> {
  const [overrides, notices] = await Promise.all([
    db.calendarOverride.findMany({ orderBy: { date: 'asc' } }),
    db.holidayNoticeDay.findMany({ orderBy: { date: 'asc' } }),
  ]);
  return { overrides, notices };
}

export async function loadCalendar(db: Db): Promise<Calendar> {
  return buildCalendar(await loadCalendarSources(db));
}

/** A year's holidays as the installed package has them, by name: days off and make-up working days. */
export function packageDays(year: number): { name: string; off: IsoDate[]; work: IsoDate[] }[] {
  const byName = new Map<string, { name: string; off: IsoDate[]; work: IsoDate[] }>();
  const entry = (detail: string) => {
    const name = chineseName(detail) ?? '假期';
    let e = byName.get(name);
    if (!e) byName.set(name, (e = { name, off: [], work: [] }));
    return e;
  };
  for (const [date, detail] of Object.entries(packageData.holidays)) if (yearOf(date) === year) entry(detail).off.push(date);
  for (const [date, detail] of Object.entries(packageData.workdays)) if (yearOf(date) === year) entry(detail).work.push(date);
  return [...byName.values()].sort((a, b) => (a.off[0] ?? a.work[0]).localeCompare(b.off[0] ?? b.work[0]));
}

export const YEAR_SOURCE_LABELS: Record<YearSource, string> = {
  notice: '按管理员导入的国务院放假通知（含调休上班日）',
  package: '按国务院公布的放假安排（含调休上班日）',
  estimate: '放假安排尚未公布，按法定节假日规则预估（不含调休上班日）',
};
