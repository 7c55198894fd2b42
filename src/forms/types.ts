// A form is declared once; that declaration drives validation, the text template and its parser,
// the HTML form of the local chat, the Lark card and the Excel columns.

export type FormName = 'plan' | 'progress' | 'summary' | 'report';

export type FieldType =
  | 'text' // one line
  | 'longtext' // several lines (year-end report)
  | 'integer'
  | 'money' // yuan in, fen stored
  | 'date'
  | 'daterange'
  | 'choice'
  | 'boolean' // 是/否
  | 'planRef'; // a plan by its 计划编号 or exact 竞赛项目

export interface ChoiceOption {
  value: string;
  label: string;
  /** Other spellings people type for this option. */
  aliases?: string[];
}

export interface FieldDef {
  key: string;
  label: string;
  type: FieldType;
  required: boolean;
  /** Other labels accepted in a typed template (e.g. 参与人数(规模) for 参与人数). */
  aliases?: string[];
  /** A short example shown in forms and in error messages. */
  example?: string;
  options?: ChoiceOption[];
  min?: number;
  max?: number;
  maxLength?: number;
  /** Column in the official Excel table, when the field appears there. */
  column?: { header: string; width: number };
}

export interface FormDef {
  name: FormName;
  /** 竞赛计划 — the template's title line is 【竞赛计划】. */
  title: string;
  /** The command that sends this form. */
  command: string;
  /** One sentence on what the form is for, shown above it. */
  intro: string;
  fields: FieldDef[];
}

export interface DateRange {
  start: string;
  end: string;
}

/** Coerced values by field key: string | number | boolean | DateRange. */
export type FormValues = Record<string, unknown>;

export interface FieldError {
  key: string;
  label: string;
  message: string;
}
