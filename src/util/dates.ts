// Calendar dates are plain 'YYYY-MM-DD' strings meaning a day in Asia/Shanghai (UTC+8, no DST).
export const SHANGHAI_OFFSET_MS = 8 * 3600_000;
export const DAY_MS = 86_400_000;

export type IsoDate = string;

/** The Shanghai calendar date of an instant. */
export function shanghaiDate(at: Date = new Date()): IsoDate {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a Shanghai day starts at (00:00 +08:00). */
export function startOfShanghaiDay(date: IsoDate): Date {
  return new Date(Date.parse(`${date}T00:00:00+08:00`));
}

/** The instant the given Shanghai day ends (next day's 00:00 +08:00): filings before it are on time. */
export function endOfShanghaiDay(date: IsoDate): Date {
  return new Date(startOfShanghaiDay(date).getTime() + DAY_MS);
}

/** An instant at a given Shanghai wall-clock time, e.g. ('2027-02-26', '09:30'). */
export function shanghaiDateTime(date: IsoDate, hhmm: string): Date {
  return new Date(Date.parse(`${date}T${hhmm.padStart(5, '0')}:00+08:00`));
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: IsoDate): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

export function isValidDate(y: number, m: number, d: number): boolean {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) return false;
  if (m < 1 || m > 12 || d < 1) return false;
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

export function isoDate(y: number, m: number, d: number): IsoDate {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export function lastDayOfMonth(y: number, m: number): IsoDate {
  return isoDate(y, m, new Date(Date.UTC(y, m, 0)).getUTCDate());
}

/** '2027-03-01' → '2027年3月1日' */
export function chineseDate(date: IsoDate): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

const WEEKDAY_NAMES = ['日', '一', '二', '三', '四', '五', '六'];
/** '2027-03-01' → '2027年3月1日（星期一）' */
export function chineseDateWithWeekday(date: IsoDate): string {
  return `${chineseDate(date)}（星期${WEEKDAY_NAMES[weekday(date)]}）`;
}

/** A Date as Shanghai wall-clock 'YYYY-MM-DD HH:mm'. */
export function shanghaiDateTimeText(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}
