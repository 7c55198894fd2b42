// China's public holidays for a year nobody has published yet, estimated from the rules in force
// since 2025 (全国年节及纪念日放假办法, 2024 revision, as the 2025 and 2026 notices apply them):
// the blocks the rules fix — 春节 from 除夕 for 8 days, 劳动节 1–5 May, 国庆节 1–7 October (1–8 when
// 中秋 falls inside) — and, for 元旦, 清明, 端午 and 中秋, only the statutory day itself. Whether those
// become three-day breaks, and which weekends become make-up working days (调休上班), the State
// Council decides each year; we never guess them, so an estimated year has no make-up days and
// reminders may skip a Saturday that turns out to be a working day (the safe side).
import chineseDays from 'chinese-days';
import { addDays, isoDate, type IsoDate } from '../src/util/dates.js';

export interface EstimatedHoliday {
  name: string;
  start: IsoDate;
  end: IsoDate;
}

/** The solar date of a lunar month/day in the lunar year that starts in `year`. */
function lunarToSolar(year: number, month: number, day: number): IsoDate {
  return chineseDays.getSolarDateFromLunar(isoDate(year, month, day)).date;
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
    { name: '元旦', start: isoDate(year, 1, 1), end: isoDate(year, 1, 1) },
    { name: '春节', start: eve, end: addDays(eve, 7) },
    { name: '清明节', start: qingming, end: qingming },
    { name: '劳动节', start: isoDate(year, 5, 1), end: isoDate(year, 5, 5) },
    { name: '端午节', start: duanwu, end: duanwu },
  ];
  if (joined) list.push({ name: '国庆节、中秋节', start: isoDate(year, 10, 1), end: isoDate(year, 10, 8) });
  else list.push({ name: '中秋节', start: midAutumn, end: midAutumn }, { name: '国庆节', start: isoDate(year, 10, 1), end: nationalEnd });
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
