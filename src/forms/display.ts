// How a stored or validated value reads back to a person: receipts, echoes, Excel cells.
import type { DateRange, FieldDef, FormDef, FormValues } from './types.js';
import { chineseDate } from '../util/dates.js';
import type { PlanRef } from './validate.js';

export function formatFen(fen: number): string {
  const yuan = fen / 100;
  return `${yuan.toLocaleString('zh-CN', { maximumFractionDigits: 2 })}元`;
}

export function formatRange(r: DateRange): string {
  return `${chineseDate(r.start)}至${chineseDate(r.end)}`;
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
    case 'choice':
      return field.options?.find((o) => o.value === value)?.label ?? String(value);
    case 'boolean':
      return value ? '是' : '否';
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
    .map((f) => `${f.label}：${formatValue(f, values[f.key])}`);
}
