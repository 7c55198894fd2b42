// The text form of a form, for WeChat and for anyone who prefers typing: a title line 【竞赛计划】,
// then one `标签：值` per line. Values follow a FULL-WIDTH colon because some WeChat puppets cut a
// message at a line ending with an ASCII colon.
import { FORMS } from './index.js';
import type { FieldDef, FormDef, FormName } from './types.js';
import type { RawValues } from './validate.js';
import { stripInvisible, toHalfWidth } from './coerce.js';
import { isAwardLevel } from './summary.js';

/**
 * A field's value with an older template's separate line put in front (获奖级别 市级 + 获奖情况
 * 市五一劳动奖状 -> "市级 市五一劳动奖状"), unless the value already starts with it. Also for sheets.
 */
export function withPrefix(prefix: string, value: string | undefined): string {
  const v = value?.trim() ?? '';
  return v === '' ? prefix : v.startsWith(prefix) ? v : `${prefix} ${v}`;
}

/** Longest message we try to read as a form; anything longer is refused with a clear message. */
export const MAX_TEMPLATE_CHARS = 20_000;

export function titleLine(form: FormDef): string {
  return `【${form.title}】`;
}

/** The words after the title that make a template an admin's correction: "【竞赛计划】修改 #12". */
const EDIT_MARK = /^(?:修改|编辑|代改)\s*[#＃]?\s*(\d{1,9})\s*$/;

/**
 * The mark of a line the bot adds under a wrong value in a correction template: what to fix. The
 * parser skips such lines (and ⚠ lines), so the template sent back with only the fix is accepted.
 */
export const FIX_MARK = '❗';
const MARK_LINE = /^\s*[❗❕⚠]/;

/**
 * The blank template to copy, optionally prefilled (for correcting a rejected filing, or an admin's
 * edit); `fixes` puts a ❗ line saying what to fix right below a field's line (its value may run on
 * several lines).
 */
export function renderTemplate(form: FormDef, values: RawValues = {}, editPlanId?: number, fixes: Record<string, string | undefined> = {}): string {
  const lines = [editPlanId ? `${titleLine(form)}修改 #${editPlanId}` : titleLine(form)];
  for (const field of form.fields) {
    lines.push(`${field.label}：${values[field.key] ?? ''}`);
    const fix = fixes[field.key];
    if (fix) lines.push(`${FIX_MARK} ${fix}`);
  }
  return lines.join('\n');
}

/** How to fill the template, sent as its own message so the template itself stays clean to copy. */
export function renderTemplateGuide(form: FormDef): string {
  const lines = [`请复制下一条消息，在每个“：”后填写，然后整条发回（${form.intro}）`];
  for (const field of form.fields) {
    const need = field.required ? '必填' : '选填';
    const choices = field.options ? `，可选：${field.options.map((o) => o.label).join('/')}` : '';
    const bool = field.type === 'boolean' ? '，填“是”或“否”' : '';
    lines.push(`· ${field.label}（${need}${choices}${bool}）${field.example ? `例：${field.example}` : ''}${field.hint ? `；${field.hint}` : ''}`);
  }
  return lines.join('\n');
}

// List markers people put before a label when they retype a template: "1. ", "2、", "(3)", "①", "一、", "- ".
const LIST_MARKER = /^(?:\d{1,2}[.、)]|\(\d{1,2}\)|[\u2460-\u2473]|[一二三四五六七八九十]{1,2}[、.]|[-·•>])/;

function normalizeLabel(label: string): string {
  return toHalfWidth(label)
    .replace(/\s+/g, '')
    .replace(/[*＊]/g, '')
    .replace(LIST_MARKER, '')
    // "企业名称（必填）", copied from the guide rather than the template.
    .replace(/[(（](必填|选填)[)）]$/, '')
    .replace(/[()（）【】\[\]]/g, '');
}

function labelIndex(form: FormDef): Map<string, FieldDef> {
  const index = new Map<string, FieldDef>();
  for (const field of form.fields) {
    for (const label of [field.label, ...(field.aliases ?? []), ...(field.prefixLabels ?? [])]) index.set(normalizeLabel(label), field);
  }
  return index;
}

// Leading @mentions: "@赛务助手\u2005", "@赛务助手 ".
const LEADING_MENTIONS = /^(?:\s*@[^\s\u2005]+[\s\u2005]+)+/;

// A label is a short run without digits followed by a colon of either width.
const LABEL_LINE = /^\s*([^:：\n]{1,20}?)\s*[:：]\s*(.*)$/;

interface TitleLine {
  form: FormName;
  /** "【竞赛计划】修改 #12": an admin's correction of plan 12. */
  editPlanId?: number;
  /** Whether the title was written in brackets, 【竞赛计划】 or [竞赛计划]. */
  bracketed: boolean;
  /** Text after the title on the same line ("【竞赛计划】企业名称：…" when a line break was lost). */
  rest: string;
}

function readTitle(line: string): TitleLine | null {
  const s = toHalfWidth(line).trim();
  const bracketed = s.match(/^[【\[]\s*([^】\]]{2,10}?)\s*[】\]]\s*(.*)$/);
  const title = bracketed ? bracketed[1].replace(/\s+/g, '') : s.replace(/\s+/g, '');
  for (const form of Object.values(FORMS)) {
    if (title !== form.title) continue;
    const rest = bracketed ? bracketed[2] : '';
    const edit = rest.match(EDIT_MARK);
    return { form: form.name, bracketed: Boolean(bracketed), rest: edit ? '' : rest, ...(edit ? { editPlanId: Number(edit[1]) } : {}) };
  }
  return null;
}

/**
 * A rich-text message puts its own title first (Lark's post 标题, often the sender's "东城计划"), so a
 * bracketed form title on one of the first lines counts as well; the lines above it are dropped.
 */
const TITLE_WITHIN_LINES = 3;

function splitLines(text: string): { title: TitleLine | null; body: string[] } {
  const lines = stripInvisible(text).replace(LEADING_MENTIONS, '').split(/\r?\n/);
  const first = lines.flatMap((l, i) => (l.trim() !== '' ? [i] : [])).slice(0, TITLE_WITHIN_LINES);
  const at = first.find((i) => readTitle(lines[i])?.bracketed) ?? first[0] ?? -1;
  const title = at >= 0 ? readTitle(lines[at]) : null;
  const body = lines.slice(at + 1);
  if (title?.rest) body.unshift(title.rest);
  return { title, body };
}

/**
 * Which form a message is, judged by its first non-empty line, or null if it is not a template.
 * A title is also ordinary group talk ("竞赛计划", or an admin's notice "【竞赛计划】请各单位月底前提交"),
 * so it only counts when a line below it is one of that form's labels, when 【竞赛计划】 heads several
 * `标签：值` lines, or when 【竞赛计划】 is the whole message (someone asking for the template gets it
 * back, with what to fill in).
 */
export function detectTemplate(text: string): FormName | null {
  return formOf(splitLines(text));
}

/** detectTemplate on lines already split (parseTemplate splits once and reads them twice). */
function formOf({ title, body }: { title: TitleLine | null; body: string[] }): FormName | null {
  if (!title) return null;
  const index = labelIndex(FORMS[title.form]);
  const labelled = body.some((line) => {
    const m = line.match(LABEL_LINE);
    return Boolean(m && index.has(normalizeLabel(m[1])));
  });
  if (labelled) return title.form;
  if (!title.bracketed) return null;
  // Several `标签：值` lines under 【竞赛计划】 are a template with wrong labels; say which ones.
  const shaped = body.filter((line) => /^\s*[\u4e00-\u9fa5()（）]{2,8}\s*[:：]/.test(line)).length;
  return shaped >= 2 || body.every((line) => line.trim() === '') ? title.form : null;
}

export interface ParsedTemplate {
  form: FormName;
  raw: RawValues;
  /** Lines that are neither a known label nor a continuation, for a precise error. */
  unknownLabels: string[];
  /** Labels given twice with different values. */
  duplicates: string[];
  /**
   * The form the lines below the title really belong to, when it is another one (a progress report
   * sent under 【竞赛计划】): the title was copied from the wrong template.
   */
  belongsTo?: FormName;
  /** From the title "【竞赛计划】修改 #12". */
  editPlanId?: number;
}

/** Another form whose labels the unknown lines are, when they outnumber this form's own. */
function otherFormOf(form: FormDef, unknown: string[], recognised: number): FormName | undefined {
  let best: { name: FormName; hits: number } | undefined;
  for (const other of Object.values(FORMS)) {
    if (other.name === form.name) continue;
    const index = labelIndex(other);
    const hits = unknown.filter((l) => index.has(normalizeLabel(l))).length;
    if (hits >= 2 && hits > recognised && (!best || hits > best.hits)) best = { name: other.name, hits };
  }
  return best?.name;
}

export function parseTemplate(text: string): ParsedTemplate | null {
  const lines = splitLines(text);
  const formName = formOf(lines);
  if (!formName) return null;
  const form = FORMS[formName];
  const index = labelIndex(form);
  const raw: RawValues = {};
  const unknownLabels: string[] = [];
  const duplicates: string[] = [];
  const prefixes: RawValues = {};
  const { body } = lines;
  let current: FieldDef | null = null;
  for (const line of body) {
    // A ❗ line is the bot's own note on the line above (a correction template sent back): it is no
    // value, and a long text running on below it is still the same field's.
    if (line.trim() === '' || MARK_LINE.test(line)) continue;
    const m = line.match(LABEL_LINE);
    const field = m ? index.get(normalizeLabel(m[1])) : undefined;
    if (m && field && field.prefixLabels?.some((l) => normalizeLabel(l) === normalizeLabel(m[1]))) {
      // An older template's own line for part of this field (获奖级别：市级): put in front of it below.
      prefixes[field.key] = m[2].trim();
      current = null;
    } else if (m && field) {
      const value = m[2].trim();
      if (raw[field.key] !== undefined && raw[field.key] !== '' && value !== '' && raw[field.key] !== value) duplicates.push(field.label);
      if (value !== '' || raw[field.key] === undefined) raw[field.key] = value;
      current = field;
    } else if (m && current?.type !== 'longtext' && !(current?.type === 'awards' && isAwardLevel(toHalfWidth(m[1]))) && /[\u4e00-\u9fa5]/.test(m[1]) && !/\d/.test(m[1])) {
      unknownLabels.push(m[1].trim());
      current = null;
    } else if (current) {
      // A wrapped line continues the field above it.
      raw[current.key] = raw[current.key] ? `${raw[current.key]}\n${line.trim()}` : line.trim();
    } else {
      unknownLabels.push(line.trim().slice(0, 20));
    }
  }
  for (const [key, prefix] of Object.entries(prefixes)) if (prefix) raw[key] = withPrefix(prefix, raw[key]);
  const recognised = Object.values(raw).filter((v) => v !== undefined && v !== '').length;
  const belongsTo = unknownLabels.length ? otherFormOf(form, unknownLabels, recognised) : undefined;
  const editPlanId = lines.title?.editPlanId;
  return { form: formName, raw, unknownLabels, duplicates, ...(belongsTo ? { belongsTo } : {}), ...(editPlanId ? { editPlanId } : {}) };
}
