// The working-day calendar for years nobody has published yet: the estimate from the holiday
// rules, the State Council notice pasted into the chat, and what admins are told meanwhile.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import chineseDaysData from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { estimateHolidays, estimatedDaysOff } from '../jobs/holiday-estimate.js';
import { computeSchedule, type ScheduledStage } from '../jobs/reminder-schedule.js';
import { alertsDue, calendarGaps } from '../jobs/calendar-alerts.js';
import { buildCalendar, type NoticeDayRow } from '../jobs/working-days.js';
import { parseHolidayNotice, type ParsedNotice } from '../src/services/holiday-notice.js';
import { startTestBot, textOf, type TestBot } from './support/harness.js';
import { reminderRuntime, stageJobId, type StageJobData } from '../jobs/reminder-queue.js';

const settings = { stages: [-14, -7, -3, -1, 0], time: '09:30', overdueEveryWorkdays: 2, overdueLimit: 3 };
const notice = (year: number) => readFileSync(new URL(`./fixtures/notice-${year}.txt`, import.meta.url), 'utf8');
/** The same notice typed with half-width punctuation, as some sites and phone keyboards give it. */
const halfWidth = (s: string) => s.replace(/（/g, '(').replace(/）/g, ')').replace(/：/g, ':').replace(/，/g, ',').replace(/。/g, '. ').replace(/；/g, ';');
const rowsOf = (n: ParsedNotice): NoticeDayRow[] => n.items.flatMap((i) => [...i.off.map((date) => ({ date, year: n.year, kind: 'holiday', name: i.name })), ...i.work.map((date) => ({ date, year: n.year, kind: 'workday', name: i.name }))]);
const packaged = chineseDaysData as { holidays: Record<string, string>; workdays: Record<string, string> };
const fireDates = (stages: ScheduledStage[]) => stages.map((s) => s.date);
const between = (dates: string[], from: string, to: string) => dates.filter((d) => d >= from && d <= to);

// A 2027 notice for the tests (the real one is not out): the Spring Festival from 初一, a make-up Saturday.
const NOTICE_2027 = `国务院办公厅关于2027年部分节假日安排的通知
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月6日（农历正月初一、周六）至14日（农历正月初九、周日）放假调休，共9天。2月20日（周六）上班。
三、清明节：4月3日（周六）至5日（周一）放假，共3天。
四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）上班。
五、端午节：6月9日（周三）放假1天，不调休。
六、中秋节：9月15日（周三）放假1天，不调休。
七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。`;

describe('the estimate for a year without a notice', () => {
  it('2027: 除夕 to 初七, 1–5 May, 1–7 October, and the statutory days of the others', () => {
    expect(estimateHolidays(2027)).toEqual([
      { name: '元旦', start: '2027-01-01', end: '2027-01-01' },
      { name: '春节', start: '2027-02-05', end: '2027-02-12' },
      { name: '清明节', start: '2027-04-05', end: '2027-04-05' },
      { name: '劳动节', start: '2027-05-01', end: '2027-05-05' },
      { name: '端午节', start: '2027-06-09', end: '2027-06-09' },
      { name: '中秋节', start: '2027-09-15', end: '2027-09-15' },
      { name: '国庆节', start: '2027-10-01', end: '2027-10-07' },
    ]);
    // 中秋 on 6 October 2025 joined National Day, as the 2025 notice did: 1–8 October.
    expect(estimateHolidays(2025).find((h) => h.name.startsWith('国庆'))).toEqual({ name: '国庆节、中秋节', start: '2025-10-01', end: '2025-10-08' });
    // A one-day holiday on a weekend is made up on the Monday after, as every notice gives it.
    expect(estimateHolidays(2025).find((h) => h.name === '端午节')).toEqual({ name: '端午节', start: '2025-05-31', end: '2025-06-02' });
    expect(estimateHolidays(2026).find((h) => h.name === '清明节')).toEqual({ name: '清明节', start: '2026-04-05', end: '2026-04-06' });
  });

  it('never takes a day off that the real notices kept as a working day (2025, 2026)', () => {
    for (const year of [2025, 2026]) {
      const wrong = [...estimatedDaysOff(year).keys()].filter((d) => !packaged.holidays[d]);
      expect(wrong, `${year}`).toEqual([]);
    }
  });

  it('2027 schedule on the estimate: no reminder on 除夕 to 初七 nor in the National Day week, and it says so', () => {
    const calendar = buildCalendar();
    expect(calendar.yearSource(2027)).toBe('estimate');
    expect(calendar.isEstimated('2027-02-08')).toBe(true);
    const plan = computeSchedule({ deadline: '2027-02-28', settings, calendar });
    expect(plan.estimatedYears).toEqual([2027]);
    expect(between(fireDates(plan.stages), '2027-02-05', '2027-02-12')).toEqual([]);
    // 14 days before is Sunday 14 February; Friday the 12th is 初七, so it moves to Thursday 4 February.
    expect(plan.stages.find((s) => s.stage === 'd14')!.date).toBe('2027-02-04');
    const summary = computeSchedule({ deadline: '2027-10-15', settings, calendar });
    expect(between(fireDates(summary.stages), '2027-10-01', '2027-10-07')).toEqual([]);
    expect(summary.stages.find((s) => s.stage === 'd14')!.date).toBe('2027-09-30');
  });

  it('2027 after pasting the notice: its days off and make-up Saturday decide, the estimate is gone', () => {
    const parsed = parseHolidayNotice(NOTICE_2027);
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    const calendar = buildCalendar({ notices: rowsOf(parsed.notice) });
    expect(calendar.yearSource(2027)).toBe('notice');
    expect(calendar.isEstimated('2027-02-05')).toBe(false);
    expect(calendar.isWorkday('2027-02-05')).toBe(true); // 除夕 is a working day in this notice
    expect(calendar.isWorkday('2027-02-20')).toBe(true); // make-up Saturday
    const plan = computeSchedule({ deadline: '2027-02-28', settings, calendar });
    expect(plan.estimatedYears).toEqual([]);
    expect(plan.stages.find((s) => s.stage === 'd14')!.date).toBe('2027-02-05');
    // 7 days before is Sunday 21 February; the day before is the make-up Saturday, a working day.
    expect(plan.stages.find((s) => s.stage === 'd7')!.date).toBe('2027-02-20');
    const summary = computeSchedule({ deadline: '2027-10-15', settings, calendar });
    expect(summary.stages.find((s) => s.stage === 'd14')!.date).toBe('2027-09-30');
    expect(between(fireDates(summary.stages), '2027-10-01', '2027-10-07')).toEqual([]);
  });

  it('a newer calendar package wins over the estimate; a pasted notice wins over the package', () => {
    const without2026 = new Set([2024, 2025]);
    const before = buildCalendar({ packageYears: without2026 });
    expect(before.yearSource(2026)).toBe('estimate');
    expect(before.isWorkday('2026-01-02')).toBe(true); // the estimate takes only 1 January off
    const withPackage = buildCalendar();
    expect(withPackage.yearSource(2026)).toBe('package');
    expect(withPackage.isWorkday('2026-01-02')).toBe(false);
    const pasted = buildCalendar({ notices: [{ date: '2026-01-01', year: 2026, kind: 'holiday', name: '元旦' }] });
    expect(pasted.yearSource(2026)).toBe('notice');
    expect(pasted.isWorkday('2026-01-02')).toBe(true); // a notice year knows only what the notice says
  });
});

describe('the State Council notice', () => {
  for (const year of [2025, 2026]) {
    for (const [variant, text] of [['full-width', notice(year)], ['half-width', halfWidth(notice(year))]] as const) {
      it(`${year} (${variant}) parses to exactly the days off and make-up days chinese-days holds`, () => {
        const parsed = parseHolidayNotice(text);
        if (!parsed.ok) throw new Error(parsed.problems.join('; '));
        expect(parsed.notice.year).toBe(year);
        const off = parsed.notice.items.flatMap((i) => i.off).sort();
        const work = parsed.notice.items.flatMap((i) => i.work).sort();
        expect(off).toEqual(Object.keys(packaged.holidays).filter((d) => d.startsWith(`${year}-`)).sort());
        expect(work).toEqual(Object.keys(packaged.workdays).filter((d) => d.startsWith(`${year}-`)).sort());
        expect(parsed.notice.warnings).toEqual([]); // every item agrees with the 2025 rules
      });
    }
  }

  it('reads combined items, month-crossing ranges and single days', () => {
    const parsed = parseHolidayNotice(notice(2025));
    if (!parsed.ok) throw new Error('not parsed');
    const byName = Object.fromEntries(parsed.notice.items.map((i) => [i.name, i]));
    expect(Object.keys(byName)).toEqual(['元旦', '春节', '清明节', '劳动节', '端午节', '国庆节、中秋节']);
    expect(byName['元旦'].off).toEqual(['2025-01-01']);
    expect(byName['端午节'].off).toEqual(['2025-05-31', '2025-06-01', '2025-06-02']);
  });

  it('refuses what it cannot read for sure, naming the item', () => {
    const wrongCount = parseHolidayNotice(notice(2026).replace('共9天', '共8天'));
    expect(wrongCount.ok).toBe(false);
    if (!wrongCount.ok) expect(wrongCount.problems.join('\n')).toContain('春节：通知写“共8天”，读到的放假日期是9天');
    const noYear = parseHolidayNotice('一、元旦：1月1日（周五）放假1天，不调休。');
    expect(noYear.ok).toBe(false);
    if (!noYear.ok) expect(noYear.problems[0]).toContain('没有找到年份');
    expect(parseHolidayNotice(NOTICE_2027.split('\n').slice(1).join('\n'), 2027).ok).toBe(true); // no title, year given
    const weekdayWork = parseHolidayNotice(notice(2026).replace('5月9日（周六）上班', '5月8日（周五）上班'));
    expect(weekdayWork.ok).toBe(false);
    if (!weekdayWork.ok) expect(weekdayWork.problems.join('\n')).toContain('劳动节：调休上班日2026年5月8日不是周末');
    const prose = parseHolidayNotice('关于2027年部分节假日安排，我们下周开会讨论。');
    expect(prose.ok).toBe(false);
    // Half a notice would turn the rest of the year's holidays into working days.
    const half = parseHolidayNotice(notice(2026).slice(0, notice(2026).indexOf('四、劳动节')));
    expect(half.ok).toBe(false);
    if (!half.ok) expect(half.problems.join('\n')).toContain('没有读到劳动、端午、中秋、国庆的安排');
    const stray = parseHolidayNotice(notice(2026).replace('1月4日（周日）上班', '2025年1月4日（周六）上班'));
    expect(stray.ok).toBe(false);
    if (!stray.ok) expect(stray.problems.join('\n')).toContain('2025年1月4日不在2026年内');
  });

  it('a paste that lost a make-up sentence is shown with a warning to check', () => {
    const cut = notice(2026).replace('9月20日（周日）、10月10日（周六）上班。', '');
    const parsed = parseHolidayNotice(cut);
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    expect(parsed.notice.warnings).toEqual(['国庆节：放假占 5 个工作日，法定假日 3 天，应有 2 个调休上班日，读到 0 个。请核对是否漏贴了“……上班”那句']);
  });
});

describe('telling the admins', () => {
  it('weekly from the notice season while a stage of the year is ahead, and 30 days before its first reminder', () => {
    const campaign = { id: 1, year: 2027, unitId: 1, title: '2027年度竞赛', theme: null, planDeadline: '2027-02-28', summaryDeadline: '2027-10-15', reportDeadline: '2027-12-31', settings: '{}', createdAt: new Date() };
    const gaps = calendarGaps(campaign, buildCalendar());
    expect(gaps.map((g) => g.year)).toEqual([2027, 2028]); // the report's overdue reminders run into January 2028
    const [y2027, y2028] = gaps;
    expect(y2027.firstStage!.toISOString()).toBe('2027-02-04T01:30:00.000Z');
    const at = (iso: string) => new Date(iso);
    expect(alertsDue(y2027, at('2026-11-27T10:00:00+08:00'), null, false)).toEqual(['weekly']);
    expect(alertsDue(y2027, at('2026-11-27T10:00:00+08:00'), at('2026-11-24T10:00:00+08:00'), false)).toEqual([]);
    expect(alertsDue(y2027, at('2026-12-01T10:00:00+08:00'), at('2026-11-24T10:00:00+08:00'), false)).toEqual(['weekly']);
    expect(alertsDue(y2027, at('2027-01-10T10:00:00+08:00'), at('2027-01-09T10:00:00+08:00'), false)).toEqual(['soon']);
    expect(alertsDue(y2027, at('2027-01-10T10:00:00+08:00'), at('2027-01-09T10:00:00+08:00'), true)).toEqual([]);
    // 2028 is asked about only from October 2027, when its notice could be out.
    expect(alertsDue(y2028, at('2027-03-01T10:00:00+08:00'), null, false)).toEqual([]);
    expect(alertsDue(y2028, at('2027-10-08T10:00:00+08:00'), null, false)).toEqual(['weekly']);
    // Settled: no gap once the notice is in.
    const parsed = parseHolidayNotice(NOTICE_2027);
    if (!parsed.ok) throw new Error('not parsed');
    expect(calendarGaps(campaign, buildCalendar({ notices: rowsOf(parsed.notice) })).map((g) => g.year)).toEqual([2028]);
  });
});

describe('/假期 in the chat', () => {
  let bot: TestBot;
  const admin = { userId: 'admin', userName: '王主席', chatId: 'district-group' };
  const cadre = { userId: 'east', userName: '东城李干事', chatId: 'district-group' };
  beforeEach(async () => {
    bot = await startTestBot();
    bot.setNow('2026-11-27T10:00:00+08:00');
  });
  afterEach(async () => bot.close());

  async function setUp() {
    for (const step of ['/unit add 测试区总工会', '/unit add 东城街道工会 上级=测试区总工会']) expect(textOf(await bot.say(admin, step))).toContain('✅');
    const created = await bot.say(admin, '/campaign add 2027');
    expect(textOf(await bot.say(admin, '/bind 测试区总工会 2027'))).toContain('✅');
    expect(textOf(await bot.say(cadre, '/join 东城街道工会'))).toContain('已登记');
    return textOf(created);
  }
  const d14Fire = async () => {
    const campaign = (await bot.app.db.campaign.findFirst())!;
    const job = await bot.reminders.queue.getJob(stageJobId({ campaignId: campaign.id, form: 'plan', deadline: '2027-02-28', stage: 'd14' }));
    return (job?.data as StageJobData | undefined)?.fireAt;
  };

  it('the estimate is announced and marked; the notice pasted with the command is shown, confirmed, stored and reschedules at once', async () => {
    const created = await setUp();
    expect(created).toContain('【放假安排】2027年、2028年放假安排尚未公布');
    expect(created).toContain('春节 2月5日至2月12日；');
    // 2028 matters for the year-end report's overdue reminders in January: only its holidays near them.
    expect(created).toContain('2028年催交提醒暂按预估的节假日安排：元旦 1月1日至1月3日；春节 1月25日至2月1日（预估');
    expect(created).toContain('/假期 导入');
    expect(textOf(await bot.say(admin, '/deadlines'))).toContain('2027年2月28日（星期日）（2027年放假安排尚未公布，按预估）');
    expect(await d14Fire()).toBe('2027-02-04T01:30:00.000Z');

    expect(textOf(await bot.say(cadre, `/假期 导入\n${NOTICE_2027}`))).toContain('管理员');
    const wrong = textOf(await bot.say(admin, `/假期 导入\n${NOTICE_2027.replace('共9天', '共10天')}`));
    expect(wrong).toContain('❗ 放假通知没有导入');
    expect(wrong).toContain('春节：通知写“共10天”');

    const preview = textOf(await bot.say(admin, `/假期 导入\n${NOTICE_2027}`));
    expect(preview).toContain('识别出2027年放假安排');
    expect(preview).toContain('春节｜2月6日至2月14日（9天）｜2月20日（周六）');
    expect(preview).toContain('国庆节｜10月1日至10月7日（7天）｜9月26日（周日）、10月9日（周六）');
    expect(preview).toContain('共放假 29 天，调休上班 4 天');
    expect(await bot.app.db.holidayNoticeDay.count()).toBe(0); // nothing stored before 确认

    const done = textOf(await bot.say(admin, '/假期 导入 确认'));
    expect(done).toContain('✅ 已导入2027年放假安排：放假 29 天，调休上班 4 天');
    expect(await bot.app.db.holidayNoticeDay.count({ where: { year: 2027 } })).toBe(33);
    expect(await d14Fire()).toBe('2027-02-05T01:30:00.000Z'); // 除夕 is a working day in this notice
    expect(textOf(await bot.say(admin, '/deadlines'))).not.toContain('按预估');
    const view = textOf(await bot.say(admin, '/假期 2027'));
    expect(view).toContain('按管理员导入的国务院放假通知');
    expect(view).toContain('春节：2月6日至2月14日（9天）放假；2月20日（周六）上班');
    expect(textOf(await bot.say(admin, '/假期 导入 确认'))).toContain('没有等待确认的放假通知');
  });

  it('the notice pasted as its own message after /假期 导入; a second import replaces the first and keeps it in the history', async () => {
    await setUp();
    expect(textOf(await bot.say(admin, '/假期 导入'))).toContain('粘贴发给我');
    expect(textOf(await bot.say(cadre, '大家好，通知收到了吗？'))).toBe(''); // someone else chatting is not the notice
    expect(textOf(await bot.say(admin, '春节放假几天？等通知出来再说'))).toBe(''); // nor is the admin's own chat
    expect(textOf(await bot.say(admin, NOTICE_2027.replace('二、春节', '二、春节：').replace('共9天', '共10天')))).toContain('❗ 放假通知没有导入');
    const preview = textOf(await bot.say(admin, NOTICE_2027)); // still waited for after the failed paste
    expect(preview).toContain('识别出2027年放假安排');
    expect(textOf(await bot.say(admin, '/假期 导入 确认'))).toContain('✅');

    const moved = NOTICE_2027.replace('2月20日（周六）上班', '2月20日（周六）、2月27日（周六）上班');
    // Year first, all on one line, no title: the year given backs the text up.
    const again = textOf(await bot.say(admin, `/假期 导入 2027 ${moved.split('\n').slice(1).join('')}`));
    expect(again).toContain('将替换之前导入的2027年通知');
    expect(textOf(await bot.say(admin, '/假期 导入 确认'))).toContain('已替换之前导入的通知');
    expect(await bot.app.db.holidayNoticeDay.findUnique({ where: { date: '2027-02-27' } })).toMatchObject({ kind: 'workday' });
    const history = await bot.app.db.revision.findMany({ where: { entity: 'holiday-notice', entityId: 2027 }, orderBy: { version: 'asc' } });
    expect(history.map((r) => r.action)).toEqual(['import', 'replace']);
    expect(JSON.parse(history[1].previousValues!).notice).toHaveLength(33);
  });

  it('/假期 add without a year means the coming date; official data is overwritten only with 确认', async () => {
    await setUp();
    expect(textOf(await bot.say(admin, '/假期 add 2月5日 名称=春节'))).toContain('2027年2月5日');
    expect(await bot.app.db.calendarOverride.findUnique({ where: { date: '2027-02-05' } })).toMatchObject({ kind: 'holiday', note: '春节' });
    // 1 December 2026 is an ordinary Tuesday in the published 2026 calendar.
    const asked = textOf(await bot.say(admin, '/假期 add 2026-12-01'));
    expect(asked).toContain('12月1日（周二）是工作日');
    expect(asked).toContain('/假期 添加 2026-12-01 确认');
    expect(await bot.app.db.calendarOverride.findUnique({ where: { date: '2026-12-01' } })).toBeNull();
    expect(textOf(await bot.say(admin, '/假期 add 2026-12-01 确认'))).toContain('✅ 已录入放假');
    // The estimate is not official: no question asked.
    expect(textOf(await bot.say(admin, '/假期 workday 2027-02-20'))).toContain('✅ 已录入调休上班');
    expect(textOf(await bot.say(admin, '/假期 add 3月'))).toContain('请写到哪一天');
    expect(textOf(await bot.say(admin, '/假期 add 3月8日至3月9日 名称=单位活动'))).toContain('2027年3月8日至3月9日（2天）');
    expect(textOf(await bot.say(admin, '/假期 remove 3月8日 9日'))).toContain('已删除 2 个');
    expect(textOf(await bot.say(admin, '/假期 2026'))).toContain('· 春节：2月15日至2月23日（9天）放假；2月14日（周六）、2月28日（周六）上班');
    const view = textOf(await bot.say(admin, '/假期 2027'));
    expect(view).toContain('2027年：放假安排尚未公布，按法定节假日规则预估');
    expect(view).toContain('· 春节：2月5日至2月12日（预估）');
    expect(view).toContain('· 2月20日（周六） 调休上班');
  });

  it('the federation group is told by the reminder queue once a week until the notice is in', async () => {
    await setUp();
    await reminderRuntime(bot.app)!.reconcileAll(); // the hourly run, now that the group is bound
    // The /campaign add receipt said it once already; these are the queue's own messages.
    const told = async () => bot.app.db.reminderDelivery.findMany({ where: { form: 'calendar', chatId: admin.chatId, status: 'sent' } });
    await waitFor(async () => (await told()).length === 1);
    const said = (await bot.transcript(admin.chatId)).filter((m) => m.fromBot && m.text.startsWith('📅 【放假安排】'));
    expect(said).toHaveLength(2); // the receipt of /campaign add, then the queue's
    expect(said[1].text).toContain('催交提醒暂按预估');
    await reminderRuntime(bot.app)!.reconcileAll();
    bot.setNow('2026-11-30T10:00:00+08:00'); // three days on: not again yet
    await reminderRuntime(bot.app)!.reconcileAll();
    await new Promise((r) => setTimeout(r, 500));
    expect(await told()).toHaveLength(1);
    bot.setNow('2026-12-04T10:00:00+08:00'); // a week on
    await reminderRuntime(bot.app)!.reconcileAll();
    await waitFor(async () => (await told()).length === 2);
    await bot.say(admin, `/假期 导入\n${NOTICE_2027}`);
    await bot.say(admin, '/假期 导入 确认');
    bot.setNow('2026-12-11T10:00:00+08:00');
    await reminderRuntime(bot.app)!.reconcileAll();
    await new Promise((r) => setTimeout(r, 500));
    expect(await told()).toHaveLength(2);
  });
});

async function waitFor(probe: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
