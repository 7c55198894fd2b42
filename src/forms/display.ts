// How a stored or validated value reads back to a person: receipts, echoes, Excel cells.
import type { Award, DateRange, FieldDef, FormDef, FormValues, Headcount } from './types.js';
import { awardsText } from './summary.js';
import { chineseDate } from '../util/dates.js';
import type { PlanRef } from './validate.js';

export function formatFen(fen: number): string {
  const yuan = fen / 100;
  return `${yuan.toLocaleString('zh-CN', { maximumFractionDigits: 2 })}元`;
}

/** Two exact dates in the standard form, ignoring the wording. */
export function formatDates(r: DateRange): string {
  return `${chineseDate(r.start)}至${chineseDate(r.end)}`;
}

/** The days a range was read as: one day, or the two dates ("按…计" in receipts). */
export function readDates(r: DateRange): string {
  return r.start === r.end ? chineseDate(r.start) : formatDates(r);
}

/** 时间安排 as written ("3月中旬至5月中旬"), or the two dates when it was written as dates. */
export function formatRange(r: DateRange): string {
  return r.text ?? formatDates(r);
}

export function formatValue(field: FieldDef, value: unknown): string {
  if (value === undefined || value === null || value === '') return '（未填）';
  switch (field.type) {
    case 'integer':
      return `${(value as number).toLocaleString('zh-CN')}${field.key.toLowerCase().includes('participants') ? '人' : ''}`;
    case 'money':
      return formatFen(value as number);
    case 'date':
      return chineseDate(value as string);
    case 'daterange':
      return formatRange(value as DateRange);
    case 'headcount': {
      const h = value as Headcount;
      return h.text ?? `${h.count.toLocaleString('zh-CN')}人`;
    }
    case 'awards':
      return awardsText(value as Award[]);
    case 'choice':
      return field.options?.find((o) => o.value === value)?.label ?? String(value);
    case 'boolean':
      return value ? '是' : '否';
    case 'keyProjectRef':
      return typeof value === 'object' ? (value as { name: string }).name : value ? '是' : '否';
    case 'planRef': {
      const ref = value as PlanRef;
      return 'id' in ref ? `#${ref.id}` : ref.project;
    }
    default:
      return String(value);
  }
}

/** `标签：值` lines for the given values, in form order, skipping fields not present. */
export function formatLines(form: FormDef, values: FormValues, only?: (f: FieldDef) => boolean): string[] {
  return form.fields
    .filter((f) => values[f.key] !== undefined && (!only || only(f)))
    .map((f) => `${f.label}：${formatValue(f, values[f.key])}${derived(f, values[f.key])}`);
}

/** What a written range was read as, so a misreading shows in the receipt: "（按…计）". */
function derived(field: FieldDef, value: unknown): string {
  if (field.type === 'daterange' && (value as DateRange).text) return `（按${readDates(value as DateRange)}计）`;
  // A range is counted at its upper bound; "约300人" needs no note.
  if (field.type === 'headcount' && /[-~～—–至到]/.test((value as Headcount).text ?? '')) return `（按${(value as Headcount).count.toLocaleString('zh-CN')}人计）`;
  return '';
}
