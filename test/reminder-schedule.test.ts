// The reminder schedule as a pure function of the deadline, the settings and China's working-day
// calendar (chinese-days + admin-entered overrides).
import { describe, expect, it } from 'vitest';
import { computeSchedule, currentStage, stageLabel, type ScheduledStage } from '../jobs/reminder-schedule.js';
import { buildCalendar } from '../jobs/working-days.js';
import { nextSendWindow } from '../jobs/reminder-schedule.js';

const settings = { stages: [-14, -7, -3, -1, 0], time: '09:30', overdueEveryWorkdays: 2, overdueLimit: 3 };
const calendar = buildCalendar();
const dates = (stages: ScheduledStage[]) => Object.fromEntries(stages.map((s) => [s.stage, s.date]));

describe('reminder schedule', () => {
  it('2026 Spring Festival: stages skip 15–23 Feb, and the make-up Saturday 28 Feb is the deadline day reminder', () => {
    const { stages, estimatedYears } = computeSchedule({ deadline: '2026-02-28', settings, calendar });
    expect(estimatedYears).toEqual([]);
    // 14 days before is Sat 14 Feb, itself a make-up workday; 7 days before (21 Feb) is in the holiday
    // and moves back onto the same day, so only the nearer stage stays.
    expect(dates(stages)).toEqual({ d7: '2026-02-14', d3: '2026-02-25', d1: '2026-02-27', d0: '2026-02-28', o1: '2026-03-03', o2: '2026-03-05', o3: '2026-03-09' });
    const day = stages.find((s) => s.stage === 'd0')!;
    expect(day.moved).toBe(false);
    expect(day.fireAt.toISOString()).toBe('2026-02-28T01:30:00.000Z'); // 09:30 in Shanghai
    expect(stages.every((s) => s.date < '2026-02-15' || s.date > '2026-02-23')).toBe(true);
  });

  it('a deadline inside the Spring Festival: the reminder before the holiday says so', () => {
    const { stages } = computeSchedule({ deadline: '2026-02-18', settings, calendar });
    expect(dates(stages)).toMatchObject({ d14: '2026-02-04', d7: '2026-02-11', d0: '2026-02-14' });
    const beforeHoliday = stages.find((s) => s.stage === 'd0')!;
    expect(beforeHoliday.notice).toEqual({ name: '春节', start: '2026-02-15', end: '2026-02-23' });
    expect(stages.filter((s) => s.notice)).toHaveLength(1);
    // Overdue reminders count working days after the deadline, so the first comes after the holiday.
    expect(stages.find((s) => s.stage === 'o1')!.date).toBe('2026-02-25');
  });

  it('National Day before a 15 October deadline: the 14-day stage moves to before the holiday', () => {
    const { stages } = computeSchedule({ deadline: '2026-10-15', settings, calendar });
    expect(dates(stages)).toMatchObject({ d14: '2026-09-30', d7: '2026-10-08', d3: '2026-10-12', d1: '2026-10-14', d0: '2026-10-15' });
    expect(stages.find((s) => s.stage === 'd14')!.moved).toBe(true);
    expect(stages.some((s) => s.date >= '2026-10-01' && s.date <= '2026-10-07')).toBe(false);
  });

  it('a deadline on an ordinary Saturday: the day reminder goes out on Friday and overdue starts after the weekend', () => {
    const { stages } = computeSchedule({ deadline: '2026-03-07', settings, calendar });
    const d = dates(stages);
    expect(d.d0).toBe('2026-03-06');
    expect(d.d1).toBeUndefined(); // also Friday: merged into the day reminder
    expect(d.o1).toBe('2026-03-10'); // Mon 9th, Tue 10th: two working days after
  });

  it('29 February in a leap year', () => {
    const { stages } = computeSchedule({ deadline: '2024-02-29', settings, calendar });
    expect(dates(stages)).toEqual({ d14: '2024-02-09', d7: '2024-02-22', d3: '2024-02-26', d1: '2024-02-28', d0: '2024-02-29', o1: '2024-03-04', o2: '2024-03-06', o3: '2024-03-08' });
  });

  it('a year nobody has published: the estimate keeps reminders off the Spring Festival and National Day; hand-entered days go on top', () => {
    const deadline = '2030-02-08';
    const bare = computeSchedule({ deadline, settings, calendar: buildCalendar() });
    expect(bare.estimatedYears).toEqual([2030]);
    // 除夕 2030 is 2 February: the estimate takes 2–9 February off, so the Friday deadline's own
    // reminder moves to Friday 1 February and says the deadline falls in the (estimated) holiday.
    const day = bare.stages.find((s) => s.stage === 'd0')!;
    expect(day.date).toBe('2030-02-01');
    expect(day.notice).toEqual({ name: '春节', start: '2030-02-02', end: '2030-02-10', estimated: true });

    const admin = buildCalendar({ overrides: [{ date: '2030-01-26', kind: 'workday', note: '春节调休' }, { date: '2030-02-01', kind: 'holiday', note: '单位安排' }] });
    expect(admin.yearSource(2030)).toBe('estimate'); // one date by hand does not make the year known
    const known = computeSchedule({ deadline, settings, calendar: admin });
    expect(known.estimatedYears).toEqual([2030]);
    const d = dates(known.stages);
    expect(d.d0).toBe('2030-01-31');
    expect(d.d14).toBe('2030-01-25');
    expect(d.o1).toBe('2030-02-12');
  });

  it('overdue stages: every N working days up to the limit, none when the limit is 0', () => {
    const many = computeSchedule({ deadline: '2026-02-28', settings: { ...settings, overdueEveryWorkdays: 3, overdueLimit: 4 }, calendar });
    expect(many.stages.filter((s) => s.kind === 'overdue').map((s) => s.date)).toEqual(['2026-03-04', '2026-03-09', '2026-03-12', '2026-03-17']);
    const none = computeSchedule({ deadline: '2026-02-28', settings: { ...settings, overdueLimit: 0 }, calendar });
    expect(none.stages.some((s) => s.kind === 'overdue')).toBe(false);
  });

  it('after downtime only the latest passed stage is current, and catch-ups wait for office hours on a working day', () => {
    const { stages } = computeSchedule({ deadline: '2026-02-28', settings, calendar });
    expect(currentStage(stages, new Date('2026-02-10T12:00:00+08:00'))).toBeUndefined();
    expect(currentStage(stages, new Date('2026-02-27T12:00:00+08:00'))!.stage).toBe('d1');
    expect(currentStage(stages, new Date('2026-03-04T08:00:00+08:00'))!.stage).toBe('o1');
    // Sunday night after a crash: wait for Monday 09:30.
    expect(nextSendWindow(new Date('2026-03-01T23:00:00+08:00'), calendar, '09:30')!.toISOString()).toBe('2026-03-02T01:30:00.000Z');
    expect(nextSendWindow(new Date('2026-03-02T11:00:00+08:00'), calendar, '09:30')).toBeNull();
  });
});

describe('the reminder message', () => {
  it('says when the deadline lies inside the Spring Festival, and mentions only filers on this platform', async () => {
    const { rollCallMessage } = await import('../src/services/reminders.js');
    const campaign = { id: 1, year: 2026, unitId: 1, title: '2026年度竞赛', theme: null, planDeadline: '2026-02-18', summaryDeadline: '2026-10-15', reportDeadline: '2026-12-31', settings: '{}', createdAt: new Date() };
    const unit = (id: number, name: string) => ({ id, name, code: null, level: 2, parentId: 1, headcount: null, contactName: null, contactPhone: null, archivedAt: null, createdAt: new Date() });
    const member = (userId: string, platform: string, unitId: number) => ({ id: 0, platform, userId, name: userId, role: 'filer', judge: false, unitId, createdAt: new Date(), updatedAt: new Date() });
    const status = (filed: boolean) => ({ plan: { filed, late: false, count: filed ? 1 : 0, of: 0 }, summary: { filed: false, late: false, count: 0, of: 0 }, report: { filed: false, late: false, count: 0, of: 0 } });
    const expected = { plan: true, summary: true, report: true };
    const filed = { unit: unit(2, '东城街道工会'), status: status(true), expected, filers: [member('east', 'local', 2)] };
    const missing = { unit: unit(3, '西城街道工会'), status: status(false), expected, filers: [member('west', 'local', 3), member('ou_west', 'lark', 3)] };
    const reply = rollCallMessage(campaign, { form: 'plan', total: 2, filed: [filed], late: [], partial: [], missing: [missing] }, {
      platform: 'local', now: new Date('2026-02-14T09:30:00+08:00'), holiday: { name: '春节', start: '2026-02-15', end: '2026-02-23' },
    });
    expect(reply.text).toContain('截止日正值春节假期（2026年2月15日至2026年2月23日），假期中不再提醒，请在放假前完成提交');
    expect(reply.text).toContain('还有 4 天');
    expect(reply.mentions).toEqual([{ userId: 'west', userName: 'west' }]);
  });
});

describe('a stage as /reminders names it', () => {
  it('says when it was due rather than its id, for every kind of stage the schedule and the calendar messages make', () => {
    const ids = [...computeSchedule({ deadline: '2026-03-13', settings, calendar }).stages.map((s) => s.stage), 'o2', '2027_soon', '2027_w2027-01-04'];
    const labels = ids.map(stageLabel);
    expect(labels).toContain('截止前7天');
    expect(labels).toContain('截止当天');
    expect(labels.slice(-3)).toEqual(['逾期第2次', '2027年假期临近', '2027年·1月4日那周']);
    // No id is shown as it is (letters and underscores mean nothing to a cadre).
    expect(labels.filter((l) => /[a-z_]/.test(l))).toEqual([]);
  });
});
