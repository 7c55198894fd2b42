// Reads the State Council's yearly notice (国务院办公厅关于YYYY年部分节假日安排的通知) as an admin pastes
// it, and stores it as that year's official calendar. The notice's items look like
//   二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
// in full-width or half-width punctuation, with ranges across months (5月31日（周六）至6月2日（周一）),
// combined items (六、国庆节、中秋节：…) and single days (1月1日（周三）放假1天，不调休。). A sentence
// that says 放假 gives days off (a range when it says 至); one that says 上班 gives make-up working days.
// Every stated count (共9天, 放假1天) is checked against the dates read, so a misread never gets stored.
import type { Db } from '../store/client.js';
import { toHalfWidth } from '../forms/coerce.js';
import { addDays, chineseDate, daysBetween, isValidDate, isoDate, weekday, type IsoDate } from '../util/dates.js';
import { inTransaction } from '../store/client.js';

export interface NoticeItem {
  name: string;
  off: IsoDate[];
  work: IsoDate[];
}

export interface ParsedNotice {
  year: number;
  items: NoticeItem[];
  /** Things to check before confirming (shown in the preview; they do not block it). */
  warnings: string[];
}

/** The statutory days of each holiday under the rules in force since 2025 (全国年节及纪念日放假办法). */
const STATUTORY: [string, number][] = [['元旦', 1], ['春节', 4], ['清明', 1], ['劳动', 2], ['端午', 1], ['中秋', 1], ['国庆', 3]];
const RULES_SINCE = 2025;

const NUMERALS = '一二三四五六七八九十';
const CN_DIGITS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };
/** An item heading: 二、春节： (the name may itself hold 、 as in 国庆节、中秋节). */
const ITEM = new RegExp(`(?:^|[\\s。；;])([${NUMERALS}]{1,2})[、.．]\\s*([^：:。\\s]{1,16}?)\\s*[：:]`, 'g');
const DATE = /(?:(\d{4})\s*年\s*)?(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*日/g;

/** The notice's year, from its title or its first sentence ("现将2027年元旦、春节…"). */
function noticeYear(text: string): number | null {
  const m = text.match(/关于\s*(\d{4})\s*年\s*部分节假日/) ?? text.match(/现将\s*(\d{4})\s*年/) ?? text.match(/(\d{4})\s*年\s*(?:元旦|春节)/);
  return m ? Number(m[1]) : null;
}

/** Text in parentheses (农历腊月二十八、周日) only repeats the date; it also holds 、 and numbers that would confuse. */
function withoutAsides(s: string): string {
  let out = s;
  for (let i = 0; i < 3; i++) out = out.replace(/\([^()]*\)/g, '');
  return out;
}

interface ReadDate { date: IsoDate; index: number; end: number }

function datesIn(sentence: string, year: number, problems: string[], label: string): ReadDate[] {
  const out: ReadDate[] = [];
  let month: number | null = null;
  let y = year;
  for (const m of sentence.matchAll(DATE)) {
    if (m[1]) y = Number(m[1]);
    if (m[2]) month = Number(m[2]);
    if (month === null) {
      problems.push(`${label}：「${m[0]}」没有写月份`);
      continue;
    }
    const day = Number(m[3]);
    if (!isValidDate(y, month, day)) {
      problems.push(`${label}：${y}年${month}月没有${day}日`);
      continue;
    }
    out.push({ date: isoDate(y, month, day), index: m.index!, end: m.index! + m[0].length });
  }
  return out;
}

const statedCount = (sentence: string): number | null => {
  const m = sentence.match(/共\s*(\d{1,2})\s*天/) ?? sentence.match(/放假\s*(\d{1,2})\s*天/);
  return m ? Number(m[1]) : null;
};

function readItem(name: string, body: string, year: number, problems: string[]): NoticeItem {
  const item: NoticeItem = { name, off: [], work: [] };
  // Clauses, not sentences: a pasted copy sometimes joins "…共9天，2月14日、2月28日上班" with a comma.
  const clauses = withoutAsides(body).split(/[。；;，,]|\.(?=\s|$)/).map((s) => s.trim()).filter(Boolean);
  let count: number | null = null;
  let carried = '';
  for (const clause of clauses) {
    const stated = statedCount(clause);
    if (stated !== null) count = stated;
    const sentence = carried + clause;
    if (/放假/.test(sentence)) {
      carried = '';
      const dates = datesIn(sentence, year, problems, name);
      // "A至B放假" is a range; "A、B放假" (not seen so far) lists single days.
      const ranged = dates.length === 2 && /^\s*(?:至|到|-|~|—)\s*$/.test(sentence.slice(dates[0].end, dates[1].index));
      if (ranged) {
        const [start, end] = [dates[0].date, dates[1].date];
        const span = daysBetween(start, end);
        if (span < 0 || span > 15) problems.push(`${name}：${chineseDate(start)}至${chineseDate(end)}不像一个假期，请核对`);
        else for (let i = 0; i <= span; i++) item.off.push(addDays(start, i));
      } else {
        item.off.push(...dates.map((d) => d.date));
      }
    } else if (/上班/.test(sentence)) {
      carried = '';
      item.work.push(...datesIn(sentence, year, problems, name).map((d) => d.date));
    } else if (/\d\s*日/.test(clause)) {
      carried = `${sentence}、`; // "1月26日（周日），2月8日（周六）上班": dates wait for their verb
    }
  }
  if (!item.off.length) problems.push(`${name}：没有读到放假日期`);
  if (count !== null && item.off.length && count !== item.off.length) {
    problems.push(`${name}：通知写“共${count}天”，读到的放假日期是${item.off.length}天，请核对粘贴的内容`);
  }
  for (const d of item.work) {
    if (weekday(d) !== 0 && weekday(d) !== 6) problems.push(`${name}：调休上班日${chineseDate(d)}不是周末，请核对`);
  }
  return item;
}

/** The notice's items, or the problems that keep it from being stored (each naming the item and the fix). */
export function parseHolidayNotice(raw: string, fallbackYear?: number): { ok: true; notice: ParsedNotice } | { ok: false; problems: string[] } {
  const text = toHalfWidth(raw).replace(/\r/g, '');
  const year = noticeYear(text) ?? fallbackYear ?? null;
  if (year === null || year < 2000 || year > 2100) {
    return { ok: false, problems: ['没有找到年份：请连同标题“国务院办公厅关于XXXX年部分节假日安排的通知”一起粘贴，或写成 /假期 导入 2027 再粘贴正文'] };
  }
  const heads = [...text.matchAll(ITEM)].filter((m) => /[\u4e00-\u9fff]/.test(m[2]) && !/[\d]/.test(m[2]));
  const problems: string[] = [];
  const items: NoticeItem[] = [];
  let expected = 1;
  for (let i = 0; i < heads.length; i++) {
    const head = heads[i];
    const numeral = head[1].length === 2 ? 10 + (CN_DIGITS[head[1][1]] ?? 0) : CN_DIGITS[head[1]];
    if (numeral !== expected) continue; // "一、" inside other prose is not an item
    expected++;
    const bodyStart = head.index! + head[0].length;
    const bodyEnd = i + 1 < heads.length ? heads[i + 1].index! : text.length;
    items.push(readItem(head[2].trim(), text.slice(bodyStart, bodyEnd), year, problems));
  }
  if (!items.length) return { ok: false, problems: ['没有读到放假安排：请粘贴通知中“一、元旦：1月1日……放假”这样的各条内容'] };
  const seen = new Map<IsoDate, string>();
  for (const item of items) {
    for (const d of [...item.off, ...item.work]) {
      const other = seen.get(d);
      if (other) problems.push(`${chineseDate(d)}在“${other}”和“${item.name}”里都出现了，请核对`);
      seen.set(d, item.name);
    }
  }
  // A notice names days of its own year, and at most a make-up day late in December before it.
  const outOfYear = [...seen.keys()].filter((d) => d < `${year - 1}-12-01` || d > `${year}-12-31`);
  if (outOfYear.length) problems.push(`${outOfYear.map(chineseDate).join('、')}不在${year}年内，请核对`);
  // Every notice covers all seven holidays; a partial paste would leave the rest as working days.
  const missing = STATUTORY.map(([name]) => name).filter((name) => !items.some((i) => i.name.includes(name)));
  if (missing.length) problems.push(`没有读到${missing.join('、')}的安排：请粘贴通知全文（从“一、元旦”到“国庆节”各条）`);
  if (problems.length) return { ok: false, problems: [...new Set(problems)] };
  return { ok: true, notice: { year, items, warnings: year >= RULES_SINCE ? ruleWarnings(items) : [] } };
}

/**
 * Under the 2025 rules, the working days (Mon–Fri) a holiday takes off are its statutory days plus
 * one per make-up day (a statutory day on a weekend is made up on a weekday). A mismatch is most
 * often a make-up sentence left out of the paste.
 */
function ruleWarnings(items: NoticeItem[]): string[] {
  const out: string[] = [];
  for (const item of items) {
    const statutory = STATUTORY.filter(([name]) => item.name.includes(name)).reduce((n, [, days]) => n + days, 0);
    const weekdaysOff = item.off.filter((d) => weekday(d) !== 0 && weekday(d) !== 6).length;
    if (weekdaysOff !== statutory + item.work.length) {
      out.push(`${item.name}：放假占 ${weekdaysOff} 个工作日，法定假日 ${statutory} 天，应有 ${weekdaysOff - statutory} 个调休上班日，读到 ${item.work.length} 个。请核对是否漏贴了“……上班”那句`);
    }
  }
  return out;
}

export interface NoticeActor {
  platform: string;
  userId: string;
  name: string;
}

/**
 * Stores the notice as its year's calendar, replacing an earlier import of the same year and the
 * dates admins entered by hand for that year (the notice settles them). What it replaces is kept
 * in a Revision, so nothing entered is lost.
 */
export async function storeHolidayNotice(db: Db, notice: ParsedNotice, actor: NoticeActor): Promise<{ replacedNotice: number; replacedManual: number }> {
  const rows = notice.items.flatMap((item) => [
    ...item.off.map((date) => ({ date, kind: 'holiday', name: item.name })),
    ...item.work.map((date) => ({ date, kind: 'workday', name: item.name })),
  ]);
  const dates = rows.map((r) => r.date);
  return inTransaction(db, async (tx) => {
    const oldNotice = await tx.holidayNoticeDay.findMany({ where: { OR: [{ year: notice.year }, { date: { in: dates } }] }, orderBy: { date: 'asc' } });
    const manual = await tx.calendarOverride.findMany({ where: { OR: [{ date: { startsWith: `${notice.year}-` } }, { date: { in: dates } }] }, orderBy: { date: 'asc' } });
    await tx.holidayNoticeDay.deleteMany({ where: { date: { in: oldNotice.map((r) => r.date) } } });
    await tx.calendarOverride.deleteMany({ where: { date: { in: manual.map((r) => r.date) } } });
    await tx.holidayNoticeDay.createMany({ data: rows.map((r) => ({ ...r, year: notice.year, importedBy: actor.name })) });
    const previous = await tx.revision.count({ where: { entity: 'holiday-notice', entityId: notice.year } });
    await tx.revision.create({
      data: {
        entity: 'holiday-notice', entityId: notice.year, action: oldNotice.length ? 'replace' : 'import', version: previous + 1,
        actorPlatform: actor.platform, actorUserId: actor.userId, actorName: actor.name,
        previousValues: oldNotice.length || manual.length ? JSON.stringify({ notice: oldNotice, manual }) : null,
        newValues: JSON.stringify(rows),
      },
    });
    return { replacedNotice: oldNotice.length, replacedManual: manual.length };
  });
}
