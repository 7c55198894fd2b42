// Units that have not filed: one row per unit with the state of each deadline form and its filers.
import { DEADLINE_FORMS, DEADLINE_LABELS } from '../campaigns.js';
import { partialLabel, type UnitRollCall } from '../roll-call.js';
import type { ColumnSpec, SheetHeading, SheetModel, SheetRow } from './layout.js';

const COLUMNS: ColumnSpec[] = [
  { header: '单位', width: 24 },
  ...DEADLINE_FORMS.map((f) => ({ header: DEADLINE_LABELS[f], width: 10 })),
  { header: '联络员', width: 20 },
];

/** One form's cell: not asked of this unit (the campaign's scope), filed, partly summarised, or missing. */
function cell(c: UnitRollCall, f: (typeof DEADLINE_FORMS)[number]): string {
  if (!c.expected[f]) return '—';
  if (c.status[f].filed) return c.status[f].late ? '已交（逾期）' : '已交';
  return partialLabel(c, f) || '未交';
}

export function missingSheet(heading: SheetHeading, calls: UnitRollCall[]): SheetModel {
  const rows: SheetRow[] = calls
    .filter((c) => DEADLINE_FORMS.some((f) => c.expected[f] && !c.status[f].filed))
    .map((c) => ({ kind: 'data', cells: [c.unit.name, ...DEADLINE_FORMS.map((f) => cell(c, f)), c.filers.map((m) => m.name).join('、') || '未登记联络员'] }));
  if (!rows.length) rows.push({ kind: 'note', cells: ['全部单位均已提交'] });
  return { name: '未交单位', ...heading, columns: COLUMNS, rows };
}
