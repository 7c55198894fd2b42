// Units that have not filed: one row per unit at every level below the export's unit, with the unit
// above it, the state of each deadline form (as the campaign's scope asks) and its filers.
import { DEADLINE_FORMS, DEADLINE_LABELS, type DeadlineForm } from '../campaigns.js';
import { partialLabel, type UnitRollCall } from '../roll-call.js';
import type { ColumnSpec, SheetHeading, SheetModel, SheetRow } from './layout.js';

const COLUMNS: ColumnSpec[] = [
  { header: '单位', width: 24 },
  { header: '上级单位', width: 20 },
  ...DEADLINE_FORMS.map((f) => ({ header: DEADLINE_LABELS[f], width: 10 })),
  { header: '联络员', width: 20 },
];

/** One form's cell: not asked of this unit (the campaign's scope), filed, partly summarised, or missing. */
function cell(c: UnitRollCall, f: DeadlineForm): string {
  if (!c.expected[f]) return '—';
  if (c.status[f].filed) return c.status[f].late ? '已交（逾期）' : '已交';
  return partialLabel(c, f) || '未交';
}

export function missingSheet(heading: SheetHeading, calls: UnitRollCall[], names: Map<number, string>): SheetModel {
  const rows: SheetRow[] = calls
    .filter((c) => DEADLINE_FORMS.some((f) => c.expected[f] && !c.status[f].filed))
    .map((c) => ({
      kind: 'data',
      cells: [c.unit.name, c.self ? '（本单位）' : (c.unit.parentId !== null ? names.get(c.unit.parentId) ?? '' : ''), ...DEADLINE_FORMS.map((f) => cell(c, f)), c.filers.map((m) => m.name).join('、') || '未登记联络员'],
    }));
  if (!rows.length) rows.push({ kind: 'note', cells: ['全部单位均已提交'] });
  else rows.push({ kind: 'note', cells: ['说明：“—”表示本竞赛不要求该单位提交这张表；“部分提交 x/y”表示该单位 y 项竞赛计划中已交 x 项总结。上级单位的计划和总结含其下属单位填报的。'] });
  return { name: '未交单位', ...heading, columns: COLUMNS, rows };
}
