// Validates raw form input (from a typed template, an HTML form or a Lark card) against the form's
// one definition. Every bad field is reported; the good ones are kept so the user fixes only the rest.
import type { FieldDef, FieldError, FormDef, FormValues } from './types.js';
import { coerceAwards, coerceBoolean, coerceKeyProject, coerceChoice, coerceHeadcount, coerceDate, coerceDateRange, coerceInteger, coerceMoney, coerceText, stripInvisible, toHalfWidth, unsafeCharacters, type Coerced } from './coerce.js';

export type RawValues = Record<string, string | undefined>;

/** A plan named by number or by its exact 竞赛项目. */
export type PlanRef = { id: number } | { project: string };

export interface ValidationResult {
  ok: boolean;
  values: FormValues;
  errors: FieldError[];
  /** The user's own text for every field they filled, to echo back or refill a form. */
  raw: RawValues;
}

export interface ValidateOptions {
  /** Year assumed for dates typed without one (the campaign's year). */
  defaultYear: number;
}

export function coerceField(field: FieldDef, raw: string, opts: ValidateOptions): Coerced<unknown> {
  const unsafe = unsafeCharacters(raw);
  if (unsafe) return { ok: false, message: unsafe };
  switch (field.type) {
    case 'text':
    case 'longtext':
      return coerceText(raw, field);
    case 'integer':
      return coerceInteger(raw, field);
    case 'headcount':
      return coerceHeadcount(raw, field);
    case 'awards':
      return coerceAwards(raw, field);
    case 'money':
      return coerceMoney(raw, field);
    case 'date':
      return coerceDate(raw, opts.defaultYear);
    case 'daterange':
      return coerceDateRange(raw, opts.defaultYear);
    case 'choice':
      return coerceChoice(raw, field);
    case 'boolean':
      return coerceBoolean(raw);
    case 'planRef':
      return coercePlanRef(raw);
    case 'keyProjectRef':
      return coerceKeyProject(raw);
  }
}

function coercePlanRef(raw: string): Coerced<PlanRef> {
  const s = toHalfWidth(raw).trim();
  const numbered = s.match(/^(?:#|No\.?|编号|计划)?\s*(\d{1,9})(?:号)?$/i);
  if (numbered) return { ok: true, value: { id: Number(numbered[1]) } };
  // "#12 快速路劳动竞赛", copied from /mine or a receipt: the number is what counts.
  const copied = s.match(/^#\s*(\d{1,9})\s+\S/);
  if (copied) return { ok: true, value: { id: Number(copied[1]) } };
  if (s.length > 100) return { ok: false, message: '请填写计划编号（回执上的数字）或完整的竞赛项目名称' };
  return { ok: true, value: { project: s } };
}

export function validateForm(form: FormDef, input: RawValues, opts: ValidateOptions): ValidationResult {
  const values: FormValues = {};
  const errors: FieldError[] = [];
  const raw: RawValues = {};
  for (const field of form.fields) {
    const given = input[field.key];
    const text = typeof given === 'string' ? stripInvisible(given).trim() : '';
    if (text === '') {
      if (field.required) {
        const example = field.example ? `，例如：${field.example}` : '';
        errors.push({ key: field.key, label: field.label, message: `必填，请补上${example}` });
      }
      continue;
    }
    raw[field.key] = text;
    const result = coerceField(field, text, opts);
    if (result.ok) values[field.key] = result.value;
    else errors.push({ key: field.key, label: field.label, message: result.message });
  }
  return { ok: errors.length === 0, values, errors, raw };
}
