// Card JSON 2.0 renderings of the platform-neutral replies: a form (from the form's one definition),
// the read-only receipt a submitted form turns into, and tables. JSON 2.0 rejects unknown
// properties, so only documented ones are used here.
import { randomUUID } from 'node:crypto';
import type { FormReply, TableReply, FormFieldView } from '../../core/messages.js';
import { FORMS } from '../../forms/index.js';
import type { FieldDef } from '../../forms/types.js';
import { GUIDED_WORD } from '../../services/guided-filing.js';

export type Card = Record<string, unknown>;
type Element = Record<string, unknown>;

/** What the submit button carries back in card.action.trigger's `action.value`. */
export interface FormButtonValue {
  saiwu: 'form';
  form: string;
  /** The chat the form was asked for in (a group, even when the card went to a private chat). */
  chat_id: string;
  chat_type: 'group' | 'p2p';
  /** Who asked for it; the card-action operator carries no name. */
  user_id: string;
  user_name: string;
  /** The plan list of a form that picks a plan, so a rejected submit shows the same list again. */
  plan_options?: { value: string; label: string }[];
  /** An admin's correction of this plan ("/plan 编辑 N"). */
  edit_plan_id?: number;
  /** The card was shown in the group to the asker alone (it is gone once their client closes). */
  ephemeral?: boolean;
  /**
   * This rendering of the form. Each click is its own Lark event, so a double click on one card
   * would file twice; submits are deduplicated on this id instead (a re-rendered card gets a new one).
   */
  instance?: string;
}

/**
 * What a command button (a table's 查看全部) carries back: the command runs as if the person who
 * pressed it had typed it in that chat, with their own permissions.
 */
export interface CommandButtonValue {
  saiwu: 'command';
  command: string;
  chat_type: 'group' | 'p2p';
}

/** Lark's input accepts at most 1000 characters per box. */
export const CARD_INPUT_MAX = 1000;
/** Plans offered in a card's plan picker; a unit with more files the others by number. */
export const MAX_PLAN_CHOICES = 50;
/** A card is at most 30 KB; stay under it with room for the envelope. */
export const CARD_MAX_BYTES = 28_000;

const plain = (content: string) => ({ tag: 'plain_text', content });

/** Markdown with the characters that would format or inject tags written as entities. */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_~[\]<>#|]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function header(title: string, template: string): Element {
  return { title: plain(title), template };
}

function card(title: string, template: string, elements: Element[]): Card {
  return { schema: '2.0', config: { update_multi: true }, header: header(title, template), body: { elements } };
}

/** Text shown as typed, never interpreted as markdown. */
function textBlock(content: string): Element {
  return { tag: 'div', text: plain(content) };
}

function fieldDef(form: string, key: string): FieldDef | undefined {
  return FORMS[form as keyof typeof FORMS]?.fields.find((f) => f.key === key);
}

/** ISO dates in what a person or a date picker wrote ("2027-03-01 +0800", "2027年3月1日"). */
function isoDatesIn(raw: string | undefined): string[] {
  if (!raw) return [];
  const out: string[] = [];
  for (const m of raw.matchAll(/(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})/g)) {
    out.push(`${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`);
  }
  return out;
}

/** Component names for a field; a date range is two pickers. */
export function componentNames(field: Pick<FormFieldView, 'key' | 'type'>): string[] {
  return field.type === 'daterange' ? [`${field.key}_start`, `${field.key}_end`] : [field.key];
}

function datePicker(name: string, required: boolean, placeholder: string, initial?: string): Element {
  return { tag: 'date_picker', name, required, placeholder: plain(placeholder), ...(initial ? { initial_date: initial } : {}), width: 'fill' };
}

function fieldComponents(reply: FormReply, field: FormFieldView, planOptions?: FormButtonValue['plan_options']): Element[] {
  const def = fieldDef(reply.form, field.key);
  const value = reply.values?.[field.key];
  const placeholder = field.example ? `例：${field.example}` : '请填写';
  switch (field.type) {
    case 'date': {
      const [d] = isoDatesIn(value);
      return [datePicker(field.key, field.required, '选择日期', d)];
    }
    case 'daterange': {
      const [start, end] = isoDatesIn(value);
      const [startName, endName] = componentNames(field);
      return [datePicker(startName, field.required, '开始日期', start), datePicker(endName, field.required, '结束日期', end)];
    }
    default:
      break;
  }
  const all = field.options?.length ? field.options : field.type === 'planRef' ? planOptions : undefined;
  if (all?.length) {
    const initial = value !== undefined && all.some((o) => o.value === value) ? value : undefined;
    // A unit with many plans: the latest ones (and the one chosen), so the card stays under Lark's
    // 30 KB and 200-component limits; the others are filed by number (guided filing or the template).
    const bounded = field.type === 'planRef' && all.length > MAX_PLAN_CHOICES;
    const options = bounded ? [...all].sort((a, b) => Number(b.value) - Number(a.value)).filter((o, i) => i < MAX_PLAN_CHOICES || o.value === initial) : all;
    return [{
      tag: 'select_static', name: field.key, required: field.required, placeholder: plain('请选择'), width: 'fill',
      options: options.map((o) => ({ text: plain(o.label), value: o.value })),
      ...(initial !== undefined ? { initial_option: initial } : {}),
    }, ...(bounded ? [{ tag: 'markdown', content: `这里列出最近的 ${MAX_PLAN_CHOICES} 项（共 ${all.length} 项）。其他计划请发送“/填表 ${GUIDED_WORD[reply.form]}”，按提示填写计划编号（“/我的”可查编号）。` }] : [])];
  }
  const numeric = field.type === 'integer' || field.type === 'money';
  const maxLength = Math.min(def?.maxLength ?? (numeric ? 30 : 200), CARD_INPUT_MAX);
  return [{
    tag: 'input', name: field.key, required: field.required, width: 'fill',
    placeholder: plain(numeric ? `${placeholder}${field.type === 'money' ? '（单位：元）' : ''}` : placeholder),
    max_length: maxLength,
    ...(field.type === 'longtext' || field.type === 'awards' ? { input_type: 'multiline_text' } : {}),
    ...(value ? { default_value: value.slice(0, maxLength) } : {}),
  }];
}

/**
 * The form as a card. `notice` is a line shown above the inputs (a refusal that is not about one
 * field). Entered values are kept and each field's error is shown under it.
 */
export function renderFormCard(reply: FormReply, value: FormButtonValue, notice?: string): Card {
  const errors = reply.errors ?? {};
  const errorCount = Object.keys(errors).length;
  const top: Element[] = [textBlock(reply.intro)];
  const tooLong = reply.fields.some((f) => (fieldDef(reply.form, f.key)?.maxLength ?? 0) > CARD_INPUT_MAX);
  if (tooLong) top.push({ tag: 'markdown', content: `卡片中每项最多 ${CARD_INPUT_MAX} 字；内容更长时，请改为直接发送文字模板（第一行写【${escapeMarkdown(reply.title)}】）。` });
  if (notice) top.push({ tag: 'markdown', content: `<font color='red'>${escapeMarkdown(notice)}</font>` });
  if (errorCount) top.push({ tag: 'markdown', content: `<font color='red'>有 ${errorCount} 处需要修改，已填的内容都保留着，改好后再提交。</font>` });

  // A re-rendered form (after errors) has no plan list of its own; the submit button carried it.
  const planField = reply.fields.find((f) => f.type === 'planRef');
  const planOptions = planField?.options?.length ? planField.options : value.plan_options;
  // Carried only while small: a card (callback value included) must stay under 30 KB.
  const carry = planOptions?.length && JSON.stringify(planOptions).length <= 6_000;
  const { plan_options: _carried, instance: _previous, ...rest } = value;
  const base: FormButtonValue = { ...rest, instance: randomUUID() };
  const buttonValue: FormButtonValue = carry ? { ...base, plan_options: planOptions } : base;
  const inputs: Element[] = [];
  for (const field of reply.fields) {
    inputs.push({ tag: 'markdown', content: `**${escapeMarkdown(field.label)}**${field.required ? "<font color='red'>*</font>" : '（选填）'}` });
    inputs.push(...fieldComponents(reply, field, planOptions));
    const error = errors[field.key];
    if (error) inputs.push({ tag: 'markdown', content: `<font color='red'>⚠ ${escapeMarkdown(error)}</font>` });
  }
  inputs.push({
    tag: 'button', name: 'saiwu_submit', type: 'primary', text: plain('提交'), form_action_type: 'submit',
    behaviors: [{ type: 'callback', value: buttonValue }],
  });
  const title = errorCount ? `${reply.title}（请修改后提交）` : reply.title;
  return card(title, errorCount || notice ? 'orange' : 'blue', [...top, { tag: 'form', name: `saiwu_${reply.form}`, elements: inputs }]);
}

/** What a submitted form card turns into: the receipt text, read-only, for the submitter to keep. */
export function renderReceiptCard(title: string, receipt: string): Card {
  return card(`${title}已提交`, 'green', [textBlock(receipt)]);
}

/** A card with one block of text (a form that could not be shown as a form, a notice). */
export function renderNoticeCard(title: string, body: string, template = 'orange'): Card {
  return card(title, template, [textBlock(body)]);
}

/**
 * Standings, roll-calls: a table component, 10 rows a page (Lark pages the rest); numbers stay
 * numbers so they sort and align. `more` becomes a button that sends the whole table as a file.
 */
export function renderTableCard(table: TableReply, chatType: 'group' | 'p2p' = 'group'): Card | null {
  if (table.columns.length > 50) return null;
  const numeric = table.columns.map((_, i) => table.rows.length > 0 && table.rows.every((r) => typeof r[i] === 'number'));
  const columns = table.columns.map((c, i) => ({ name: `c${i}`, display_name: c, data_type: numeric[i] ? 'number' : 'text' }));
  const rows = table.rows.map((r) => Object.fromEntries(table.columns.map((_, i) => [`c${i}`, numeric[i] ? r[i] : String(r[i] ?? '')])));
  const elements: Element[] = [{ tag: 'table', page_size: Math.max(1, Math.min(10, rows.length)), columns, rows }];
  const note = [table.note, table.cellsNote].filter(Boolean).join('\n');
  if (note) elements.push(textBlock(note));
  if (table.more) {
    const value: CommandButtonValue = { saiwu: 'command', command: table.more.command, chat_type: chatType };
    elements.push({ tag: 'button', type: 'default', text: plain(table.more.label), behaviors: [{ type: 'callback', value }] });
  }
  const c = card(table.title, 'blue', elements);
  return Buffer.byteLength(JSON.stringify(c)) > CARD_MAX_BYTES ? null : c;
}
