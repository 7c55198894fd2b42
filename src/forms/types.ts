// A form is declared once; that declaration drives validation, the text template and its parser,
// the HTML form of the local chat, the Lark card and the Excel columns.

export type FormName = 'plan' | 'progress' | 'summary' | 'report';

export type FieldType =
  | 'text' // one line
  | 'longtext' // several lines (year-end report)
  | 'integer'
  | 'headcount' // 参与人数(规模): a number, or a range "100-150人" counted at its upper bound
  | 'money' // yuan in, fen stored
  | 'date'
  | 'daterange'
  | 'choice'
  | 'boolean' // 是/否
  | 'planRef' // a plan by its 计划编号 or exact 竞赛项目
  | 'keyProjectRef' // 重点项目: 否, or a designated key project by name (是 where none are designated)
  | 'awards'; // 获奖情况: several "级别 名称" separated by ；, or 无

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
  /** What else may be written, shown in the template guide and in guided filing (e.g. 全年, 第二季度). */
  hint?: string;
  /**
   * Labels of older templates whose value goes in front of this field's: 获奖级别 had its own line
   * before 获奖情况 carried the level, and templates copied then are still pasted.
   */
  prefixLabels?: string[];
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
  /** The cadre's own wording ("3月中旬至5月中旬", "全年") when it is not simply two exact dates. */
  text?: string;
}

/** 参与人数(规模): `count` is what computations use (a range's upper bound); `text` the range as written. */
export interface Headcount {
  count: number;
  text?: string;
}

/** One award of a competition: its level (AWARD_LEVELS) and name. */
export interface Award {
  level: string;
  name: string;
}

/**
 * 重点项目 as typed: no (false), a bare yes (true), or a name — resolved against the campaign's list to
 * { id, name } before it is stored (src/services/key-projects.ts). `yes`: written as 是 with the name as a
 * remark ("是（地铁3号线）"), which without a list is simply yes.
 */
export type KeyProjectValue = boolean | { name: string; id?: number; yes?: boolean };

/** Coerced values by field key: string | number | boolean | DateRange | Headcount | Award[] | KeyProjectValue. */
export type FormValues = Record<string, unknown>;

export interface FieldError {
  key: string;
  label: string;
  message: string;
}
