// China's public holidays for a year nobody has published yet, estimated from the rules in force
// since 2025 (全国年节及纪念日放假办法, 2024 revision, as the 2025 and 2026 notices apply them):
// the blocks the rules fix — 春节 from 除夕 for 8 days, 劳动节 1–5 May, 国庆节 1–7 October (1–8 when
// 中秋 falls inside) — and, for 元旦, 清明, 端午 and 中秋, only the statutory day itself (with the
// Monday after when it falls on a weekend, as the notices always give it). Whether those
// become three-day breaks, and which weekends become make-up working days (调休上班), the State
// Council decides each year; we never guess them, so an estimated year has no make-up days and
// reminders may skip a Saturday that turns out to be a working day (the safe side).
import chineseDays from 'chinese-days';
import { addDays, isoDate, weekday, type IsoDate } from '../src/util/dates.js';

export interface EstimatedHoliday {
  name: string;
  start: IsoDate;
  end: IsoDate;
}

/** The solar date of a lunar month/day in the lunar year that starts in `year`. */
function lunarToSolar(year: number, month: number, day: number): IsoDate {
  return chineseDays.getSolarDateFromLunar(isoDate(year, month, day)).date;
}

/**
 * A one-day holiday; on a Saturday or Sunday it is made up on the Monday after (补假: 2025 端午 on
 * Saturday 31 May gave Monday 2 June off; 2026 清明 on Sunday 5 April gave Monday 6 April).
 */
function oneDay(name: string, date: IsoDate): EstimatedHoliday {
  const day = weekday(date);
  if (day === 6) return { name, start: date, end: addDays(date, 2) };
  if (day === 0) return { name, start: date, end: addDays(date, 1) };
  return { name, start: date, end: date };
}

export function estimateHolidays(year: number): EstimatedHoliday[] {
  const newYear = lunarToSolar(year, 1, 1);
  const eve = addDays(newYear, -1); // 除夕 is the last day of the lunar year, whether 腊月 has 29 or 30 days
  const qingming = chineseDays.getSolarTermDate(year, 4, 'pure_brightness');
  const duanwu = lunarToSolar(year, 5, 5);
  const midAutumn = lunarToSolar(year, 8, 15);
  const nationalEnd = isoDate(year, 10, 7);
  // 中秋 on 1–8 October joins the National Day break, which then runs to 8 October (as in 2025).
  const joined = midAutumn >= isoDate(year, 10, 1) && midAutumn <= isoDate(year, 10, 8);
  const list: EstimatedHoliday[] = [
    oneDay('元旦', isoDate(year, 1, 1)),
    { name: '春节', start: eve, end: addDays(eve, 7) },
    oneDay('清明节', qingming),
    { name: '劳动节', start: isoDate(year, 5, 1), end: isoDate(year, 5, 5) },
    oneDay('端午节', duanwu),
  ];
  if (joined) list.push({ name: '国庆节、中秋节', start: isoDate(year, 10, 1), end: isoDate(year, 10, 8) });
  else list.push(oneDay('中秋节', midAutumn), { name: '国庆节', start: isoDate(year, 10, 1), end: nationalEnd });
  return list.sort((a, b) => a.start.localeCompare(b.start));
}

/** Every estimated day off of the year (dates of the lunar new year's eve block may fall in late January). */
export function estimatedDaysOff(year: number): Map<IsoDate, string> {
  const days = new Map<IsoDate, string>();
  for (const h of estimateHolidays(year)) {
    for (let d = h.start; d <= h.end; d = addDays(d, 1)) days.set(d, h.name);
  }
  return days;
}
