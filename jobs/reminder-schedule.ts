// When each reminder for one deadline fires: a pure function of the deadline, the campaign's
// reminder settings and the working-day calendar. Before-stages that land on a day off move back
// to the previous working day (a reminder must never arrive after the day it warns about); overdue
// reminders count working days after the deadline. Stages that end up on the same day keep only the
// one nearest the deadline.
import type { ReminderSettings } from '../src/services/campaign-settings.js';
import { addDays, shanghaiDate, shanghaiDateTime, shanghaiDateTimeText, type IsoDate } from '../src/util/dates.js';
import type { Calendar } from './working-days.js';

export type StageKind = 'before' | 'day' | 'overdue';

/** The deadline lies inside a public holiday: the last reminder before the holiday says so. */
export interface HolidayNotice {
  name: string;
  start: IsoDate;
  end: IsoDate;
  /** The holiday comes from the estimate (its year's notice is not out yet): the message says 预估. */
  estimated?: boolean;
}

export interface ScheduledStage {
  /** Stable id: d14, d7, d3, d1, d0 (days before), o1, o2 … (overdue). Used in job and delivery keys. */
  stage: string;
  kind: StageKind;
  /** Nominal days relative to the deadline (negative before); for overdue, working days after. */
  offset: number;
  date: IsoDate;
  fireAt: Date;
  /** The nominal day was not a working day and the stage moved. */
  moved: boolean;
  notice?: HolidayNotice;
}

export interface ScheduleInput {
  deadline: IsoDate;
  settings: Pick<ReminderSettings, 'stages' | 'time' | 'overdueEveryWorkdays' | 'overdueLimit'>;
  calendar: Calendar;
}

export interface Schedule {
  stages: ScheduledStage[];
  /** Years the schedule touched whose calendar is only estimated (no official notice yet). */
  estimatedYears: number[];
}

/** Longest run of days off we step over before giving up (the Spring Festival is 9 days). */
const MAX_STEP = 40;

function step(calendar: Calendar, from: IsoDate, dir: 1 | -1, touched: Set<number>): IsoDate {
  let d = from;
  for (let i = 0; i < MAX_STEP; i++) {
    d = addDays(d, dir);
    touched.add(Number(d.slice(0, 4)));
    if (calendar.isWorkday(d)) return d;
  }
  return d;
}

/** The run of consecutive days off around `date` (which must itself be a day off). */
function offRun(calendar: Calendar, date: IsoDate): { start: IsoDate; end: IsoDate } {
  let start = date;
  let end = date;
  for (let i = 0; i < MAX_STEP && !calendar.isWorkday(addDays(start, -1)); i++) start = addDays(start, -1);
  for (let i = 0; i < MAX_STEP && !calendar.isWorkday(addDays(end, 1)); i++) end = addDays(end, 1);
  return { start, end };
}

export function computeSchedule({ deadline, settings, calendar }: ScheduleInput): Schedule {
  const touched = new Set<number>([Number(deadline.slice(0, 4))]);
  const before: ScheduledStage[] = [];
  const offsets = [...new Set(settings.stages)].filter((o) => o <= 0).sort((a, b) => a - b);
  for (const offset of offsets) {
    const nominal = addDays(deadline, offset);
    touched.add(Number(nominal.slice(0, 4)));
    const date = calendar.isWorkday(nominal) ? nominal : step(calendar, nominal, -1, touched);
    const stage: ScheduledStage = {
      stage: `d${-offset}`, kind: offset === 0 ? 'day' : 'before', offset, date,
      fireAt: shanghaiDateTime(date, settings.time), moved: date !== nominal,
    };
    // Same day as an earlier-listed (farther) stage: the nearer stage replaces it.
    const same = before.findIndex((s) => s.date === date);
    if (same >= 0) before.splice(same, 1);
    before.push(stage);
  }
  before.sort((a, b) => a.date.localeCompare(b.date));

  // Deadline inside a holiday: tell people in the last reminder before the holiday starts.
  const holiday = calendar.isWorkday(deadline) ? undefined : calendar.holidayName(deadline);
  if (holiday) {
    const run = offRun(calendar, deadline);
    const last = [...before].reverse().find((s) => s.date < run.start);
    if (last) last.notice = { name: holiday, start: run.start, end: run.end, ...(calendar.isEstimated(deadline) ? { estimated: true } : {}) };
  }

  const overdue: ScheduledStage[] = [];
  let d = deadline;
  for (let n = 1; n <= settings.overdueLimit; n++) {
    for (let k = 0; k < settings.overdueEveryWorkdays; k++) d = step(calendar, d, 1, touched);
    overdue.push({ stage: `o${n}`, kind: 'overdue', offset: n * settings.overdueEveryWorkdays, date: d, fireAt: shanghaiDateTime(d, settings.time), moved: false });
  }

  const estimatedYears = [...touched].filter((y) => calendar.yearSource(y) === 'estimate').sort();
  return { stages: [...before, ...overdue], estimatedYears };
}

/**
 * A stage's id as an admin reads it (/reminders lists undelivered ones): d7 → 截止前7天, d0 → 截止当天,
 * o2 → 逾期第2次; a calendar message's "2027_soon" → 2027年假期临近, "2027_w2027-01-04" → 2027年·1月4日那周.
 */
export function stageLabel(stage: string): string {
  const before = /^d(\d+)$/.exec(stage);
  if (before) return before[1] === '0' ? '截止当天' : `截止前${before[1]}天`;
  const overdue = /^o(\d+)$/.exec(stage);
  if (overdue) return `逾期第${overdue[1]}次`;
  const calendar = /^(\d{4})_(?:(soon)|w(\d{4})-(\d\d)-(\d\d))$/.exec(stage);
  if (calendar) return calendar[2] ? `${calendar[1]}年假期临近` : `${calendar[1]}年·${Number(calendar[4])}月${Number(calendar[5])}日那周`;
  return stage;
}

/**
 * The stage that should go out at `now`: the latest one whose time has passed, but only while the
 * next stage is still ahead. Earlier passed stages are covered by it (after downtime the bot sends
 * one catch-up reminder, not a burst).
 */
export function currentStage(stages: ScheduledStage[], now: Date): ScheduledStage | undefined {
  let current: ScheduledStage | undefined;
  for (const s of stages) if (s.fireAt.getTime() <= now.getTime()) current = s;
  return current;
}

const OFFICE_HOURS = { from: '08:00', to: '20:00' };

/** The next moment inside office hours on a working day, at the campaign's reminder time. */
export function nextSendWindow(now: Date, calendar: Calendar, time: string): Date | null {
  const today = shanghaiDate(now);
  const hhmm = shanghaiDateTimeText(now).slice(11);
  if (calendar.isWorkday(today) && hhmm >= OFFICE_HOURS.from && hhmm < OFFICE_HOURS.to) return null;
  let day = calendar.isWorkday(today) && hhmm < OFFICE_HOURS.from ? today : addDays(today, 1);
  for (let i = 0; i < 40 && !calendar.isWorkday(day); i++) day = addDays(day, 1);
  return shanghaiDateTime(day, time);
}
