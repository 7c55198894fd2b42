import { planForm } from './plan.js';
import { progressForm } from './progress.js';
import { summaryForm } from './summary.js';
import { reportForm } from './report.js';
import type { FormDef, FormName } from './types.js';

export const FORMS: Record<FormName, FormDef> = {
  plan: planForm,
  progress: progressForm,
  summary: summaryForm,
  report: reportForm,
};

export function isFormName(name: string): name is FormName {
  return Object.hasOwn(FORMS, name);
}

export { planForm, progressForm, summaryForm, reportForm };
export type { FormDef, FormName, FieldDef, FormValues, FieldError, DateRange } from './types.js';
