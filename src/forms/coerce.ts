// Turns what people type on phones into typed values. Each function returns either a value or a
// Chinese message that says what is wrong and how to write it.
import type { Award, ChoiceOption, DateRange, FieldDef, Headcount, KeyProjectValue } from './types.js';
import { AWARD_LEVELS } from './summary.js';
import { chineseDate, isValidDate, isoDate, lastDayOfMonth } from '../util/dates.js';

export type Coerced<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Coerced<T> => ({ ok: true, value });
const bad = (message: string): Coerced<never> => ({ ok: false, message });

// Zero-width spaces, joiners, byte-order marks, soft hyphens and invisible fillers ride along when text
// is copied out of WeChat or a web page. They are invisible, so a label or number that contains one
// would be refused for no reason the user can see — and a value made of nothing but a filler (U+3164)
// must count as empty, not as a name. Line and paragraph separators are plain line breaks.
const INVISIBLE = /[\u00AD\u034F\u115F\u1160\u180E\u200B-\u200D\u2060-\u2064\u3164\uFEFF\uFFA0]/g;

export function stripInvisible(s: string): string {
  return s.replace(INVISIBLE, '').replace(/[\u2028\u2029]/g, '\n');
}

// Text-direction controls (right-to-left overrides and embeddings, isolates, direction marks) make a
// value display differently from what is stored — "1000" shown as "0001", a name spelled backwards in
// the Excel table — and C1 control characters (U+0080–U+009F) display as nothing or as boxes. Neither
// belongs in a filing, and silently dropping them could change what the person meant, so they are refused.
const DIRECTION_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;
// C1 controls, interlinear annotation marks, tag characters, noncharacters and broken surrogate pairs:
// nothing a person types, and nothing a table or a chat shows as what was meant.
const UNPRINTABLE = /[\u0080-\u009F\uFFF9-\uFFFB\uFFFD-\uFFFF]|\uDB40[\uDC00-\uDC7F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a value's characters are refused, or null when they are fine. */
export function unsafeCharacters(s: string): string | null {
  if (DIRECTION_CONTROLS.test(s)) return '含有看不见的文字方向控制符（如“从右到左”），会让内容显示得和实际不同。请删除后重新输入，或直接重新打字';
  if (UNPRINTABLE.test(s)) return '含有无法显示的控制字符，请删除后重新输入，或直接重新打字';
  return null;
}

/** Full-width digits, letters and punctuation to ASCII; odd spaces to plain ones. */
export function toHalfWidth(s: string): string {
  return stripInvisible(s)
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\u3000\u2000-\u200A\u202F\u205F\u00A0]/g, ' ');
}

// Words around a number that carry no value: "约300", "共120人", "1,200人次", "80余人".
// Longest words first: an alternation takes the first that matches, and 共 must not eat 共计's 共.
const NUMBER_PREFIX = /^(?:大约|将近|共计|合计|总计|约为|大概|超过|约|近|共|计|逾|达)+/;
const NUMBER_SUFFIX = /(余|多)?(人次|人|名|位|个|元|块|rmb)?(左右|以上|上下|余)?$/i;
// Money is often typed with a currency mark: "¥5,000", "￥5000", "人民币5000元", "RMB 5000".
const CURRENCY_PREFIX = /^(¥|￥|人民币|rmb)/i;

// A half-width comma is a thousands separator only between groups of three digits ("1,200",
// "12,000.50", as spreadsheets write them). "50,60" is a list, and so is anything with a Chinese
// comma or 、 between digits ("120，150"): reading either as one number would store a wrong figure.
const THOUSANDS = /^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)/;
const CHINESE_LIST = /\d\s*[，、；]\s*\d/;

/** "120，150", "50,60", "50、60": more than one number where one is wanted. */
function isNumberList(raw: string): boolean {
  if (CHINESE_LIST.test(raw)) return true;
  const s = toHalfWidth(raw).replace(/\s+/g, '').replace(NUMBER_PREFIX, '').replace(CURRENCY_PREFIX, '');
  return /\d[,;/]\d/.test(s) && !THOUSANDS.test(s);
}

const CN_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const CN_UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };

/**
 * A number written in Chinese ("两万", "一百二十", "三十", "十五", "一千零五十"), or null. Sections
 * split at 万 and 亿; within one, each digit takes the unit after it (a bare 十 is ten).
 */
export function chineseNumber(s: string): number | null {
  if (!/^[零〇一二两三四五六七八九十百千万亿]+$/.test(s)) return null;
  let total = 0;
  let section = 0;
  let digit: number | null = null;
  for (const ch of s) {
    if (ch in CN_DIGITS) {
      digit = CN_DIGITS[ch];
    } else if (ch in CN_UNITS) {
      section += (digit ?? 1) * CN_UNITS[ch];
      digit = null;
    } else {
      // 万 or 亿: everything so far is that many of it.
      const big = ch === '万' ? 10_000 : 100_000_000;
      total = (total + section + (digit ?? 0)) * big;
      section = 0;
      digit = null;
    }
  }
  return total + section + (digit ?? 0);
}

function parseLooseNumber(raw: string): { value: number; wan: boolean } | null {
  if (CHINESE_LIST.test(raw)) return null;
  let s = toHalfWidth(raw).replace(/\s+/g, '');
  s = s.replace(NUMBER_PREFIX, '').replace(CURRENCY_PREFIX, '');
  // "两万元", "一百二十人", "三十": the Chinese numerals people type, as digits.
  s = s.replace(/^[零〇一二两三四五六七八九十百千万亿]+/, (cn) => {
    const n = chineseNumber(cn);
    return n === null ? cn : String(n);
  });
  if (s.includes(',')) {
    if (!THOUSANDS.test(s)) return null;
    s = s.replace(/,/g, '');
  }
  let wan = false;
  let scale = 1;
  // "1.2万" / "3万元" / "5千元"
  const wanMatch = s.match(/^(\d+(?:\.\d+)?)(万|千)(.*)$/);
  if (wanMatch) {
    wan = true;
    scale = wanMatch[2] === '万' ? 10_000 : 1_000;
    s = wanMatch[1] + wanMatch[3];
  }
  s = s.replace(NUMBER_SUFFIX, '');
  if (!/^-?\d+(\.\d+)?$/.test(s)) return null;
  const n = Number(s) * scale;
  return Number.isFinite(n) ? { value: n, wan } : null;
}

/** "100-150人", "100至150" */
function isNumberRange(raw: string): boolean {
  return /^\D{0,4}\d[\d,，]*\s*(?:-|~|～|—|至|到)\s*\d[\d,，]*\D{0,4}$/.test(toHalfWidth(raw).trim());
}

export function coerceInteger(raw: string, field: FieldDef): Coerced<number> {
  const parsed = parseLooseNumber(raw);
  const example = field.example ? `，例如 ${field.example}` : '';
  if (!parsed && isNumberRange(raw)) return bad(`请填一个数字，不要写范围${example}`);
  if (!parsed && isNumberList(raw)) return bad(`请只填一个数字（逗号只用作千位分隔，如 1,200）${example}`);
  if (!parsed) return bad(`请填写一个整数${example}`);
  // "1.2万" is 12000 up to floating-point noise; a typed "1.0000001" is not a whole number.
  const n = parsed.wan ? Math.round(parsed.value * 1e6) / 1e6 : parsed.value;
  if (n < 0) return bad('不能是负数，请填写实际人数');
  if (!Number.isInteger(n)) return bad(`请填写整数（不要带小数）${example}`);
  if (field.min !== undefined && n < field.min) return bad(`不能少于 ${field.min}，请填写实际人数${example}`);
  if (field.max !== undefined && n > field.max) return bad(`数值 ${n.toLocaleString('en-US')} 不合常理（上限 ${field.max.toLocaleString('en-US')}），请核对后重填`);
  return ok(n);
}

/**
 * 参与人数(规模): one number, or a range as plans often give it ("100-150人", "100至150人"). The range
 * is kept as written for the tables; computations count its upper bound.
 */
export function coerceHeadcount(input: string, field: FieldDef): Coerced<Headcount> {
  const raw = input.trim().replace(/[。．.]$/, '');
  const written = stripInvisible(raw).trim().replace(/\s+/g, '');
  // "100-150人", "100人-150人", "1万-2万人", "100至150".
  const range = toHalfWidth(raw).trim().match(/^(.*?[\d万千](?:\s*[人名])?)\s*(?:-|~|～|—+|–|至|到)\s*(\d.*)$/);
  if (!range) {
    const n = coerceInteger(raw, field);
    if (!n.ok) return n;
    // "约300人", "100余人", "200人左右", "1.2万": the count is the number, the table shows the words.
    const plain = /^\d+$/.test(toHalfWidth(written).replace(/[人名]$/, '').replace(/,/g, ''));
    return ok(plain ? { count: n.value } : { count: n.value, text: written });
  }
  const [low, high] = [coerceInteger(range[1], field), coerceInteger(range[2], field)];
  if (!low.ok) return bad(`范围的下限（${range[1].trim()}）有误：${low.message}`);
  if (!high.ok) return bad(`范围的上限（${range[2].trim()}）有误：${high.message}`);
  if (high.value < low.value) return bad(`范围写反了（${low.value} 大于 ${high.value}），请写成 100-150人 这样的从小到大`);
  if (high.value === low.value) return ok({ count: high.value });
  return ok({ count: high.value, text: written });
}

const normLevel = (v: string) => toHalfWidth(v).replace(/\s+/g, '');
// Longest names first, so 区县级 is not read as 区 followed by "县级…".
const LEVEL_NAMES = AWARD_LEVELS.flatMap((l) => [l.label, ...l.aliases].map((name) => ({ name: normLevel(name), value: l.value })))
  .sort((a, b) => b.name.length - a.name.length);
const LEVEL_LIST = AWARD_LEVELS.map((l) => l.label).join('、');
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// Where a second award starts inside one part: a level word after a space ("区级 先进集体 省级 一等奖").
const NEXT_LEVEL = new RegExp(`\\s+(?=(?:${LEVEL_NAMES.map((l) => escapeRe(l.name)).join('|')})(?:[\\s:：]|(?<=级)[^\\s以和或及与至到]))`);
// "无", "暂无", "未获奖", "无获奖", "暂未获奖", "没有获奖", "无奖项", "未获得奖项", "无（未参评）", "否",
// "N/A", "0", "-", "/": no award.
const NO_AWARD = /^(?:无|没有|暂无|暂未|未|尚未|还没有?)(?:获奖|获得奖项|获得|获奖情况|奖项|参评)?(?:[(（].*[)）])?$|^(?:n\/?a|0|否|-|—|\/)$/i;

/** Splits at ；;，,、 and line breaks, but not inside quotes or brackets (“安全，质量”竞赛奖). */
function splitAwards(text: string): { part: string; hard: boolean }[] {
  const out: { part: string; hard: boolean }[] = [];
  let depth = 0;
  let current = '';
  let hard = true;
  for (const ch of text) {
    if ('“‘「『（(《【〔[<'.includes(ch)) depth++;
    else if ('”’」』）)》】〕]>'.includes(ch)) depth = Math.max(0, depth - 1);
    if (depth === 0 && /[；;，,、\n\u2460-\u2473]/.test(ch)) {
      out.push({ part: current, hard });
      current = '';
      hard = /[；;\n\u2460-\u2473]/.test(ch);
      continue;
    }
    current += ch;
  }
  out.push({ part: current, hard });
  return out;
}

/** The level a part of 获奖情况 starts or ends with, and the rest (as written); null when it names none. */
function readLevel(part: string): { level: string; name: string } | null {
  // "获市级…", "荣获省级…": the verb is not part of the award.
  const original = part.trim().replace(/^(荣获|获得|获)(?=\S)/, '');
  const s = toHalfWidth(original);
  for (const { name, value } of LEVEL_NAMES) {
    // "市级 五一劳动奖状", "市级：五一劳动奖状", "市级五一劳动奖状" (a name ending in 级 needs no space);
    // a bare alias ("市", "区") only with a space or colon after it, so 市五一劳动奖状 is not cut up.
    if (s.startsWith(name)) {
      const rest = s.slice(name.length);
      if (rest === '') return { level: value, name: '' };
      const sep = rest.match(/^[\s:：]+/);
      // toHalfWidth maps character for character, so the original keeps its own width from here.
      if (sep) return { level: value, name: original.slice(name.length + sep[0].length).trim() };
      // Glued only after a name ending in 级, and not when what follows qualifies the level itself
      // ("省级以上", "区级和市级", "市级（待定）"): that is not an award to record.
      if (name.endsWith('级') && [...rest].length >= 2 && !/^[以和或及与至到、(（\[【]/.test(rest) && !LEVEL_NAMES.some((l) => rest.includes(l.name) && l.name.endsWith('级'))) {
        return { level: value, name: original.slice(name.length).trim() };
      }
      return null;
    }
    // "五一劳动奖状（市级）"
    const suffix = s.match(/^(.+?)\s*[(]\s*([^()]+?)\s*[)]$/);
    if (suffix && normLevel(suffix[2]) === name) return { level: value, name: original.slice(0, suffix[1].length).trim() };
  }
  return null;
}

/**
 * 获奖情况: "市级 五一劳动奖状；区级 工人先锋号" — each award a level and a name, several separated by
 * ；, ; , 、 or line breaks (not inside quotes or brackets); an award after a comma or 、 without its own
 * level shares the one before it ("市级 五一劳动奖状、工人先锋号"). "无" is no award.
 */
export function coerceAwards(raw: string, field: FieldDef): Coerced<Award[]> {
  const text = stripInvisible(raw).replace(/\r\n?/g, '\n').trim();
  if (CONTROL.test(text)) return bad('含有无法显示的控制字符，请重新输入');
  if (field.maxLength !== undefined && [...text].length > field.maxLength) return bad(`内容太长，请精简到 ${field.maxLength} 字以内`);
  const flat = normLevel(text).replace(/[.。]$/, '');
  if (NO_AWARD.test(flat)) return ok([]);
  const awards: Award[] = [];
  let previous: string | null = null;
  const LIST_MARK = /^\s*(?:\d{1,2}\s*[.、)）]|[(（]\d{1,2}[)）]|[\u2460-\u2473]|[一二三四五六七八九十]{1,2}、)\s*/;
  for (const { part: piece, hard } of splitAwards(text)) {
    if (hard) previous = null; // a level carries over commas and 、, not semicolons or lines
    for (const part of piece.replace(LIST_MARK, '').split(NEXT_LEVEL).map((p) => p.trim()).filter(Boolean)) {
      const read = readLevel(part);
      if (read) previous = read.level;
      else if (!previous) return bad(`「${part.slice(0, 30)}」没有写清级别。请写成“级别 奖项名称”，例如：市级 五一劳动奖状（级别：${LEVEL_LIST}）；多项用“；”分开，没有获奖写“无”`);
      const name = (read ? read.name : part).trim();
      if (!name) return bad(`「${part}」只写了级别，请写上奖项名称，例如：${part} 五一劳动奖状；没有获奖写“无”`);
      if (NO_AWARD.test(normLevel(name))) return bad(`「${part}」写了级别，奖项名称却是“${name}”。没有获奖请只写“无”；获了奖请写奖项名称，例如：市级 五一劳动奖状`);
      if (/^(待定|待评|待评选|评选中|待公布|待审批|申报中)/.test(normLevel(name))) return bad(`「${part}」还没有评出。现在请写“无”，评出后再发送一次总结（会作为修改保存）`);
      if ([...name].length > 100) return bad(`奖项名称「${name.slice(0, 20)}…」太长，请精简到 100 字以内`);
      awards.push({ level: read?.level ?? previous!, name });
    }
  }
  if (!awards.length) return bad(`请写级别和奖项名称，例如：市级 五一劳动奖状；没有获奖写“无”`);
  if (awards.length > 30) return bad('奖项太多（超过 30 项），请只写主要奖项');
  return ok(awards);
}

/** Yuan in (up to 2 decimals, "3万元" allowed), fen out. */
export function coerceMoney(raw: string, field: FieldDef): Coerced<number> {
  const parsed = parseLooseNumber(raw);
  const example = field.example ? `，例如 ${field.example}` : '';
  if (!parsed && isNumberList(raw)) return bad(`请只填一个金额（逗号只用作千位分隔，如 45,800）${example}`);
  if (!parsed) return bad(`请填写金额（单位：元）${example}`);
  if (parsed.value < 0) return bad('金额不能是负数');
  // Before the fen check: far beyond the bound a typed amount has no exact fen at all. The bound (1
  // billion 元 on the forms) keeps every amount, and totals of tens of thousands of them, exact as a
  // number of fen (below 2^53).
  const yuan = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 2 });
  if (field.max !== undefined && parsed.value > field.max) return bad(`金额 ${yuan(parsed.value)} 元不合常理（上限 ${yuan(field.max)} 元），请核对后重填`);
  const fen = Math.round(parsed.value * 100);
  // Also for "1.2345678万": a fraction of a fen would be rounded away without a word.
  if (Math.abs(parsed.value * 100 - fen) > 1e-4) return bad('金额最多保留两位小数（精确到分）');
  return ok(fen);
}

// 2027-03-01, 2027/3/1, 2027.3.1, 2027年3月1日, 3月1日, 20270301, and Lark's "2027-03-01 +0800".
const FULL_DATE = /(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const MONTH_DAY = /(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*[日号]?/;
// "3月", "5月份", "2027年3月中旬", "3月初", "10月底"; "2027.3", "2027-03" (a year and month, no day).
const MONTH_ONLY = /^(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月份?(上中旬|中下旬|上旬|中旬|下旬|底|末|初|中)?$/;
const YEAR_MONTH = /^(\d{4})\s*[-/.]\s*(\d{1,2})$/;
const CN_NUMBER: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 1: 1, 2: 2, 3: 3, 4: 4 };
// "第二季度", "二季度", "2027年第3季度", "Q2"; "上半年", "下半年"; "全年", "全年度", "2027年全年", "年底".
const QUARTER = /^(?:(\d{4})\s*年\s*)?(?:第?([一二三四1-4])季度|q([1-4]))$/i;
const HALF_YEAR = /^(?:(\d{4})\s*年\s*)?(上|下)半年$/;
const WHOLE_YEAR = /^(?:(\d{4})\s*年\s*)?(?:全年度?|全年开展|年内|本年度|全年度开展)$|^(\d{4})\s*(?:年度|全年)$/;
const YEAR_END = /^(?:(\d{4})\s*年\s*)?(?:年底|年末|年终)$/;

/**
 * A date or a stretch of days as people write one end of a 时间安排: an exact date is one day; a month,
 * a third of a month (上旬 1st–10th, 中旬 11th–20th, 下旬 21st–end), a quarter, a half year or the
 * whole year is its first to its last day. A range takes the start of its first part and the end of
 * its last, so "3月中旬至5月中旬" is 11 March to 20 May.
 */
interface DateToken {
  start: string;
  end: string;
  /** Written as an exact day (not a month, 旬, quarter or year). */
  exact: boolean;
}

function span(y: number, m1: number, d1: number, m2: number, d2?: number): DateToken {
  return { start: isoDate(y, m1, d1), end: d2 === undefined ? lastDayOfMonth(y, m2) : isoDate(y, m2, d2), exact: false };
}

function parseOneDate(raw: string, defaultYear: number): DateToken | string {
  const s = toHalfWidth(raw).trim().replace(/\s*[+-]\d{4}$/, '').replace(/\s+\d{1,2}:\d{2}(:\d{2})?$/, '');
  let y: number, m: number, d: number;
  let match = s.match(new RegExp(`^${FULL_DATE.source}$`)) ?? s.match(COMPACT_DATE);
  const yearOf = (given: string | undefined) => (given ? Number(given) : defaultYear);
  if (match) {
    [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else if ((match = s.match(new RegExp(`^${MONTH_DAY.source}$`)))) {
    [y, m, d] = [defaultYear, Number(match[1]), Number(match[2])];
  } else if ((match = s.match(MONTH_ONLY) ?? s.match(YEAR_MONTH))) {
    y = yearOf(match[1]);
    m = Number(match[2]);
    if (m < 1 || m > 12) return `「${raw.trim()}」的月份不对，月份应在 1 到 12 之间`;
    if (y < 2000 || y > 2100) return `「${raw.trim()}」的年份不对，请写四位年份，例如 2027年3月`;
    switch (match[3]) {
      case '上中旬': return span(y, m, 1, m, 20);
      case '中下旬': return span(y, m, 11, m);
      case '上旬': case '初': return span(y, m, 1, m, 10);
      case '中旬': case '中': return span(y, m, 11, m, 20);
      case '下旬': case '底': case '末': return span(y, m, 21, m);
      default: return span(y, m, 1, m);
    }
  } else if ((match = s.match(QUARTER))) {
    const q = CN_NUMBER[match[2] ?? match[3]];
    return span(yearOf(match[1]), q * 3 - 2, 1, q * 3);
  } else if ((match = s.match(HALF_YEAR))) {
    return match[2] === '上' ? span(yearOf(match[1]), 1, 1, 6) : span(yearOf(match[1]), 7, 1, 12);
  } else if ((match = s.match(WHOLE_YEAR))) {
    return span(yearOf(match[1] ?? match[2]), 1, 1, 12);
  } else if ((match = s.match(YEAR_END))) {
    return span(yearOf(match[1]), 12, 1, 12);
  } else {
    return `「${raw.trim()}」不是日期，请写成 2027-03-01 或 2027年3月1日`;
  }
  if (m < 1 || m > 12) return `「${raw.trim()}」不是有效的日期：月份应在 1 到 12 之间`;
  if (!isValidDate(y, m, d)) return `「${raw.trim()}」不是有效的日期：${y}年${m}月没有${d}日`;
  if (y < 2000 || y > 2100) return `「${raw.trim()}」的年份不对，请写四位年份，例如 2027-03-01`;
  const date = isoDate(y, m, d);
  return { start: date, end: date, exact: true };
}

export function coerceDate(raw: string, defaultYear: number): Coerced<string> {
  const t = parseOneDate(raw, defaultYear);
  if (typeof t === 'string') return bad(t);
  if (!t.exact) return bad(`「${raw.trim()}」不是某一天，请写成 2027-03-01 或 2027年3月1日`);
  return ok(t.start);
}

// 至 / 到 / ~ / — / – / - / 起至 ; ISO dates contain '-', so a lone hyphen only separates when spaced
// or when both sides are full dates.
const RANGE_SEPARATOR = /\s*(?:至|到|~|～|—+|–|－|\s-\s|起至|直至)\s*/;

/**
 * An unspaced hyphen both inside dates and between them ("2027-03-01-2027-10-31",
 * "2027年3月1日-2027年10月31日", "3.1-10.31", "2027.3-2027.11"): the split is the hyphen whose two
 * sides are both dates.
 */
function splitAtHyphen(s: string, defaultYear: number): string[] | null {
  for (let i = s.indexOf('-'); i > 0; i = s.indexOf('-', i + 1)) {
    const [left, right] = [s.slice(0, i), s.slice(i + 1)];
    const start = parseOneDate(left, defaultYear);
    if (typeof start === 'string') continue;
    // "3月1日-31日": the end is a day of the start's month.
    if (typeof parseOneDate(right, Number(start.start.slice(0, 4))) !== 'string' || (start.exact && /^\d{1,2}\s*[日号]$/.test(right.trim()))) return [left, right];
  }
  return null;
}

const RANGE_EXAMPLE = '例如 2027年3月1日至10月31日、3月中旬至5月中旬、第二季度、全年';

/**
 * 时间安排 as the cadre wrote it, with the first and last day it means. The wording is kept (as
 * `text`) when it says more or less than two exact dates — "3月中旬至5月中旬", "全年", "第二季度" — so
 * the tables show what was written; two exact dates are shown in the standard form instead.
 */
export function coerceDateRange(raw: string, defaultYear: number): Coerced<DateRange> {
  // No real range is this long; refusing early keeps a pasted essay from costing a scan per hyphen.
  if (raw.length > 80) return bad(`请只写开始和结束时间，${RANGE_EXAMPLE}`);
  const written = stripInvisible(raw).trim().replace(/\s+/g, ' ');
  const plain = arabicNumerals(toHalfWidth(raw).trim());
  // A remark after the dates ("全年（分阶段）") is kept in the wording, not read as a date.
  const remark = /\([^()]*\)\s*$/.test(plain);
  const s = shorthand(plain.replace(/\s*\([^()]*\)\s*$/, '').replace(/^(从|自)/, '').replace(/(止|结束|开展|进行)$/, ''));
  let parts = s.split(RANGE_SEPARATOR);
  // "至10月31日", "3月1日至": one end is missing, and guessing it would store a wrong range.
  if (parts.length === 2 && parts.some((p) => p.trim() === '')) return bad(`只写了${parts[0].trim() === '' ? '结束' : '开始'}时间，请把开始和结束时间都写上，${RANGE_EXAMPLE}`);
  if (parts.length === 1) parts = splitAtHyphen(s, defaultYear) ?? parts;
  if (parts.length > 2 || parts.some((p) => p.trim() === '')) return bad(`请只写开始和结束时间，${RANGE_EXAMPLE}`);
  const start = parseOneDate(parts[0], defaultYear);
  if (typeof start === 'string') return bad(parts.length > 1 ? `开始时间${start}` : start.includes('不是日期') ? `${start.replace(/，请写成.*$/, '')}，请写开始和结束时间，${RANGE_EXAMPLE}` : start);
  // "5月份", "全年", "第二季度", or a single day (a one-day 技能比武) on its own is its own range.
  // A lone day must say it is one ("2027年5月20日", "5月20日"): a bare "3-10" or "3-10日" may mean a span.
  if (parts.length === 1 && start.exact && !/月\s*\d{1,2}\s*[日号]\s*$/.test(s)) return bad(`请写开始和结束时间，${RANGE_EXAMPLE}`);
  const startYear = Number(start.start.slice(0, 4));
  let endText = parts[1]?.trim() ?? '';
  // "11月至次年3月"; "5月3日至10日" (the end in the start's month).
  endText = endText.replace(/^(次年|翌年|明年|第二年)/, `${startYear + 1}年`);
  if (/^\d{1,2}\s*[日号]$/.test(endText) && start.exact) endText = `${start.start.slice(0, 7)}-${endText.replace(/\D/g, '')}`;
  const end = parts.length === 1 ? start : parseOneDate(endText, startYear);
  if (typeof end === 'string') return bad(`结束时间${end}`);
  if (end.end < start.start) return bad(`结束时间（${chineseDate(end.end)}）早于开始时间（${chineseDate(start.start)}），请检查是否写反了`);
  const exact = start.exact && end.exact && parts.length === 2 && !remark;
  return ok({ start: start.start, end: end.end, ...(exact ? {} : { text: written }) });
}

const DIGITS: Record<string, number> = { 〇: 0, 零: 0, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** "二〇二七年三月至十一月" → "2027年3月至11月": years digit by digit, months and days as numbers. */
function arabicNumerals(s: string): string {
  return s
    .replace(/([〇零一二三四五六七八九]{4})(?=年)/g, (y) => [...y].map((c) => DIGITS[c]).join(''))
    .replace(/([一二三四五六七八九十]{1,3})(?=月|日|号)/g, (n) => {
      const [tens, ones] = n.includes('十') ? n.split('十') : ['', n];
      const value = (n.includes('十') ? (tens ? DIGITS[tens] : 1) * 10 : 0) + (ones ? DIGITS[ones] ?? NaN : 0);
      return Number.isFinite(value) && value > 0 ? String(value) : n;
    });
}

/** Ranges written once for both ends: "4-6月" → "4月至6月", "2027年3-11月", "第一、二季度", "1-2季度". */
function shorthand(s: string): string {
  const months = s.match(/^(\d{4}\s*年\s*)?(\d{1,2})\s*(?:-|~|～|—+|–|至|到)\s*(\d{1,2})\s*月份?$/);
  if (months) return `${months[1] ?? ''}${months[2]}月至${months[1] ?? ''}${months[3]}月`;
  const quarters = s.match(/^(\d{4}\s*年\s*)?第?([一二三四1-4])\s*(?:、|,|，|-|~|～|至|到)\s*第?([一二三四1-4])\s*季度$/);
  if (quarters) return `${quarters[1] ?? ''}第${quarters[2]}季度至${quarters[1] ?? ''}第${quarters[3]}季度`;
  return s;
}

/**
 * The option `raw` names: its label, value or one of its listed aliases, exactly (ignoring spaces,
 * width and a trailing full stop). Never by containment: "不是省级" contains 省级 and "其他（非五小）"
 * contains 五小, and both mean something else.
 */
export function matchChoice(raw: string, options: ChoiceOption[]): ChoiceOption | undefined {
  const norm = (v: string) => toHalfWidth(v).trim().replace(/\s+/g, '').replace(/[.。]$/, '');
  const s = norm(raw);
  if (s === '') return undefined;
  return options.find((o) => [o.label, o.value, ...(o.aliases ?? [])].some((name) => norm(name) === s));
}

/** Dice coefficient over characters: 技能大赛 and 技能竞赛 share 技、能、赛 (0.75). */
function charSimilarity(a: string, b: string): number {
  const count = new Map<string, number>();
  for (const ch of a) count.set(ch, (count.get(ch) ?? 0) + 1);
  let common = 0;
  for (const ch of b) {
    const n = count.get(ch) ?? 0;
    if (n > 0) {
      common++;
      count.set(ch, n - 1);
    }
  }
  const total = [...a].length + [...b].length;
  return total ? (2 * common) / total : 0;
}

/**
 * The option a choice that matched none was probably meant to be (技能大赛 → 技能比武, through its
 * alias 技能竞赛): asked back, never taken. Options are few and unlike one another, so shared
 * characters are a fair guide.
 */
export function closestChoice(raw: string, options: ChoiceOption[]): ChoiceOption | undefined {
  const s = toHalfWidth(raw).replace(/\s+/g, '');
  let best: { option: ChoiceOption; score: number } | undefined;
  for (const option of options) {
    const score = Math.max(...[option.label, ...(option.aliases ?? [])].map((name) => charSimilarity(s, name)));
    if (score >= 0.5 && (!best || score > best.score)) best = { option, score };
  }
  return best?.option;
}

export function coerceChoice(raw: string, field: FieldDef): Coerced<string> {
  const options = field.options ?? [];
  const option = matchChoice(raw, options);
  if (option) return ok(option.value);
  // Not for a negation or two choices in one ("不是五比一创", "五小和安康杯"): those are for the person to settle.
  const guess = /[不非没和与及、\/]/.test(raw) ? undefined : closestChoice(raw, options);
  return bad(`${guess ? `是不是“${guess.label}”？` : ''}请从以下选项中选一个：${options.map((o) => o.label).join('、')}`);
}

const YES = ['是', '是的', '对', 'y', 'yes', 'true', '1', '√', '重点', '重点项目'];
const NO = ['否', '不是', '非', '无', 'n', 'no', 'false', '0', '×', '不'];

export function coerceBoolean(raw: string): Coerced<boolean> {
  const s = toHalfWidth(raw).trim().toLowerCase();
  if (YES.includes(s)) return ok(true);
  if (NO.includes(s)) return ok(false);
  // "是（市级重点）", "否，一般项目": the answer comes first and the rest is a remark — unless the remark
  // says the opposite ("是，但不是重点"), which is for the person to settle.
  const lead = s.match(/^(是|否|不是)(?![否是])[\s,，。;；:：(（](.*)$/);
  if (lead && !(lead[1] === '是' && /不|否|非|没/.test(lead[2]))) return ok(lead[1] === '是');
  return bad('请填“是”或“否”');
}

/**
 * 重点项目: 是/否, or the project's name. "是（地铁3号线）" and "是，地铁3号线" name it too: the remark is
 * the name, which is what assessment needs.
 */
export function coerceKeyProject(raw: string): Coerced<KeyProjectValue> {
  const s = toHalfWidth(raw).trim();
  const yesNo = coerceBoolean(s);
  // "不是快速路", "与快速路无关", "是，但不是重点": a name inside a "no" must never count as that project.
  if (NEGATED.test(s) && !(yesNo.ok && yesNo.value === false)) return bad(KEY_PROJECT_HOW);
  const named = s.match(/^(?:是|重点项目)\s*[,，:：(（。.\s]\s*(.+?)\s*[)）]?$/);
  if (named) return ok({ name: named[1], yes: true });
  if (yesNo.ok) return yesNo;
  if ([...s].length > 100) return bad(`名称太长。${KEY_PROJECT_HOW}`);
  return ok({ name: s });
}

const NEGATED = /不|非|无关|以外|之外|没有|否/;
const KEY_PROJECT_HOW = '请填“是”或“否”；本年度有重点项目名单的，是重点项目请照名单写项目名称（发送 /重点项目 查看）';

// Control characters other than newline and tab break tables and chat rendering. (U+FFFE/U+FFFF and
// half of a surrogate pair, which an XML file cannot hold, are refused before: unsafeCharacters.)
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

export function coerceText(raw: string, field: FieldDef): Coerced<string> {
  let s = stripInvisible(raw).replace(/\r\n?/g, '\n').trim();
  // A one-line field that wrapped on a phone is still one value.
  if (field.type === 'text') s = s.replace(/\s*\n\s*/g, ' ');
  if (CONTROL.test(s)) return bad('含有无法显示的控制字符，请重新输入');
  const length = [...s].length;
  if (field.maxLength !== undefined && length > field.maxLength) {
    return bad(`内容太长（${length} 字），请精简到 ${field.maxLength} 字以内`);
  }
  return ok(s);
}

/**
 * A plan name with the differences of typing taken out: width, spaces, quotes and brackets of every
 * kind, trailing punctuation, case. Two plans of one unit with the same key are the same plan.
 */
export function planKey(s: string): string {
  return toHalfWidth(s)
    .replace(/[\s"'“”‘’「」『』《》〈〉<>()（）【】\[\]{}〔〕]/g, '')
    .replace(/[。.,，;；:：!！?？、…~～-]+$/, '')
    .toLowerCase();
}
