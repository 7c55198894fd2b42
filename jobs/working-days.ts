// Which days are working days in mainland China: the chinese-days package (State Council notices,
// including 调休 make-up workdays) plus CalendarOverride rows that admins enter with /holiday for
// years the package does not know yet. A year known to neither falls back to "Monday–Friday", and
// callers are told so, because that guess misses every holiday and make-up Saturday.
import { createRequire } from 'node:module';
import chineseDays from 'chinese-days';
import type { Db } from '../src/db/client.js';
import { weekday, type IsoDate } from '../src/util/dates.js';

const require = createRequire(import.meta.url);
const packageData = require('chinese-days/dist/chinese-days.json') as { holidays: Record<string, string>; workdays: Record<string, string> };

/** Years the installed chinese-days data covers (a year counts when it lists at least one holiday). */
export const PACKAGE_YEARS: ReadonlySet<number> = new Set(Object.keys(packageData.holidays).map((d) => Number(d.slice(0, 4))));

export type YearSource = 'package' | 'admin' | 'weekends';

export interface CalendarOverrideRow {
  date: string;
  /** "holiday" (day off) or "workday" (make-up working day). */
  kind: string;
  note?: string | null;
}

export interface Calendar {
  isWorkday(date: IsoDate): boolean;
  /** The holiday's Chinese name when the day is a public (or admin-entered) holiday, else undefined. */
  holidayName(date: IsoDate): string | undefined;
  yearSource(year: number): YearSource;
}

const isWeekend = (date: IsoDate) => weekday(date) === 0 || weekday(date) === 6;

/** "Spring Festival,春节,4" → "春节". */
function chineseName(detail: string | undefined): string | undefined {
  if (!detail) return undefined;
  const parts = detail.split(',');
  return parts[1]?.trim() || parts[0]?.trim() || undefined;
}

/** A calendar from the package data and the given overrides (overrides win for their dates). */
export function buildCalendar(overrides: CalendarOverrideRow[] = []): Calendar {
  const byDate = new Map(overrides.map((o) => [o.date, o]));
  const adminYears = new Set(overrides.map((o) => Number(o.date.slice(0, 4))));
  return {
    isWorkday(date) {
      const o = byDate.get(date);
      if (o) return o.kind === 'workday';
      if (PACKAGE_YEARS.has(Number(date.slice(0, 4)))) return chineseDays.isWorkday(date);
      return !isWeekend(date);
    },
    holidayName(date) {
      const o = byDate.get(date);
      if (o) return o.kind === 'holiday' ? o.note?.trim() || '假期' : undefined;
      if (!PACKAGE_YEARS.has(Number(date.slice(0, 4)))) return undefined;
      return packageData.holidays[date] ? chineseName(packageData.holidays[date]) : undefined;
    },
    yearSource(year) {
      if (PACKAGE_YEARS.has(year)) return 'package';
      if (adminYears.has(year)) return 'admin';
      return 'weekends';
    },
  };
}

export async function loadCalendar(db: Db): Promise<Calendar> {
  const rows = await db.calendarOverride.findMany({ orderBy: { date: 'asc' } });
  return buildCalendar(rows);
}

export const YEAR_SOURCE_LABELS: Record<YearSource, string> = {
  package: '国务院公布的放假安排（含调休）',
  admin: '管理员录入的假期和调休',
  weekends: '尚无放假安排，暂按周一至周五工作、周末休息计算',
};
