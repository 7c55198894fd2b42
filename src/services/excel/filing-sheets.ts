// 附件一 (plan table) and 附件二 (summary table): one row per plan, grouped by unit, with a subtotal
// per unit and a grand total. Participants and money are numbers, so the federation can sum them.
import { planForm, summaryForm } from '../../forms/index.js';
import { AWARD_LEVELS } from '../../forms/summary.js';
import { formatRange } from '../../forms/display.js';
import { formColumns, type Cell, type ColumnSpec, type SheetHeading, type SheetModel, type SheetRow } from './layout.js';

export interface ExportPlan {
  id: number;
  unitId: number;
  enterpriseName: string;
  project: string;
  organizer: string;
  participants: number;
  startDate: string;
  endDate: string;
  summary: { actualParticipants: number; expenditureFen: number; awardLevel: string; awardName: string | null } | null;
}

export interface UnitGroup {
  unitName: string;
  plans: ExportPlan[];
}

const PLAN_COLUMNS: ColumnSpec[] = formColumns(planForm.fields);
const SUMMARY_COLUMNS: ColumnSpec[] = [...PLAN_COLUMNS, ...formColumns(summaryForm.fields)];
export const PLAN_HEADERS = PLAN_COLUMNS.map((c) => c.header);
export const SUMMARY_HEADERS = SUMMARY_COLUMNS.map((c) => c.header);

const levelLabel = (level: string) => AWARD_LEVELS.find((l) => l.value === level)?.label ?? level;

function awardText(s: NonNullable<ExportPlan['summary']>): string {
  if (s.awardLevel === 'none' || !s.awardLevel) return s.awardName || '无';
  return s.awardName ? `${levelLabel(s.awardLevel)}：${s.awardName}` : levelLabel(s.awardLevel);
}

// Most plans share a handful of date ranges; formatting each of 50,000 rows anew showed in profiles.
const rangeText = new Map<string, string>();
function periodText(start: string, end: string): string {
  const key = `${start}/${end}`;
  let t = rangeText.get(key);
  if (t === undefined) {
    if (rangeText.size > 10_000) rangeText.clear();
    t = formatRange({ start, end });
    rangeText.set(key, t);
  }
  return t;
}

function planCells(p: ExportPlan, participants: number): Cell[] {
  return [p.enterpriseName, p.project, p.organizer, participants, periodText(p.startDate, p.endDate)];
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function grouped(columns: ColumnSpec[], groups: UnitGroup[], rowOf: (p: ExportPlan) => Cell[] | null, sumCols: number[]): SheetRow[] {
  const out: SheetRow[] = [];
  const totals = new Array<number>(columns.length).fill(0);
  let count = 0;
  const sumRow = (label: string, sums: number[]): SheetRow => {
    const cells: Cell[] = new Array<Cell>(columns.length).fill(null);
    cells[0] = label;
    for (const c of sumCols) cells[c] = round2(sums[c]);
    return { kind: label.startsWith('合计') ? 'total' : 'subtotal', cells };
  };
  for (const g of groups) {
    const rows = g.plans.map(rowOf).filter((x): x is Cell[] => x !== null);
    if (!rows.length) continue;
    out.push({ kind: 'band', cells: [`${g.unitName}（${rows.length}项）`] });
    const sub = new Array<number>(columns.length).fill(0);
    for (const cells of rows) {
      out.push({ kind: 'data', cells });
      for (const c of sumCols) sub[c] += cells[c] as number;
    }
    out.push(sumRow(`小计（${rows.length}项）`, sub));
    for (const c of sumCols) totals[c] += sub[c];
    count += rows.length;
  }
  out.push(sumRow(`合计（${count}项）`, totals));
  return out;
}

/** 附件一: the plan table. */
export function planSheet(heading: SheetHeading, groups: UnitGroup[]): SheetModel {
  return { name: '竞赛计划', ...heading, columns: PLAN_COLUMNS, rows: grouped(PLAN_COLUMNS, groups, (p) => planCells(p, p.participants), [3]) };
}

/** 附件二: the summary table; only plans with a summary filed appear. */
export function summarySheet(heading: SheetHeading, groups: UnitGroup[]): SheetModel {
  const rowOf = (p: ExportPlan): Cell[] | null => (p.summary ? [...planCells(p, p.summary.actualParticipants), p.summary.expenditureFen / 100, awardText(p.summary)] : null);
  return { name: '竞赛总结', ...heading, columns: SUMMARY_COLUMNS, rows: grouped(SUMMARY_COLUMNS, groups, rowOf, [3, 5]) };
}
