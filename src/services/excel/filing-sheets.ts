// 附件一 (计划表) and 附件二 (汇总表), flat like the official attachments: one row per competition,
// sorted by unit, a 所属单位 column first when the export covers several units, one 合计 row at the
// end. The 汇总表 lists every plan, so a plan without its summary shows as 未报总结 instead of
// vanishing. Per-unit 小计 go to the 统计 sheet, and what the forms collect beyond the official
// columns to the 明细 sheet. Participants and money are numbers, so the federation can sum them.
import { planForm, summaryForm } from '../../forms/index.js';
import { awardsText, realAwards } from '../../forms/summary.js';
import { COMPETITION_TYPES } from '../../forms/plan.js';
import { formatDates } from '../../forms/display.js';
import type { Award } from '../../forms/types.js';
import { shanghaiDateTimeText } from '../../util/dates.js';
import { formColumns, type Cell, type ColumnSpec, type SheetHeading, type SheetModel, type SheetRow } from './layout.js';

export interface ExportPlan {
  id: number;
  unitId: number;
  enterpriseName: string;
  project: string;
  organizer: string;
  participants: number;
  /** 参与人数 as a range, as written ("100-150人"); `participants` is its upper bound. */
  participantsText: string | null;
  startDate: string;
  endDate: string;
  /** 时间安排 as written, when not just two dates. */
  periodText: string | null;
  type: string;
  keyProject: boolean;
  /** The designated key project it names, if any. */
  keyProjectName: string | null;
  budgetFen: number | null;
  late: boolean;
  version: number;
  /** When the last version was filed (the revision log, on the bot's clock). */
  changedAt: Date | null;
  summary: { actualParticipants: number; expenditureFen: number; awards: Award[]; late: boolean } | null;
}

export interface UnitGroup {
  unitName: string;
  plans: ExportPlan[];
}

const PLAN_COLUMNS: ColumnSpec[] = formColumns(planForm.fields).map((c) => (c.header === '参与人数(规模)' ? { ...c, fixed: true } : c));
const SUMMARY_COLUMNS: ColumnSpec[] = [...PLAN_COLUMNS, ...formColumns(summaryForm.fields).map((c) => (c.header === '经费支出(元)' ? { ...c, fixed: true } : c)), { header: '备注', width: 10 }];
const UNIT_COLUMN: ColumnSpec = { header: '所属单位', width: 16 };
export const PLAN_HEADERS = PLAN_COLUMNS.map((c) => c.header);
export const SUMMARY_HEADERS = SUMMARY_COLUMNS.map((c) => c.header);
export const NO_SUMMARY = '未报总结';

// Most plans share a handful of date ranges; formatting each of 50,000 rows anew showed in profiles.
const rangeText = new Map<string, string>();
function datesText(start: string, end: string): string {
  const key = `${start}/${end}`;
  let t = rangeText.get(key);
  if (t === undefined) {
    if (rangeText.size > 10_000) rangeText.clear();
    t = formatDates({ start, end });
    rangeText.set(key, t);
  }
  return t;
}

/** 时间安排 as the cadre wrote it ("3月中旬至5月中旬"), or the two dates. */
const periodText = (p: ExportPlan) => p.periodText ?? datesText(p.startDate, p.endDate);

/** The official columns of a plan; 参与人数 is a number (summable) unless it was written as a range. */
function planCells(p: ExportPlan, participants: number | string): Cell[] {
  return [p.enterpriseName, p.project, p.organizer, participants, periodText(p)];
}

/** Sums for the 合计 row: the column and what each plan adds to it (a range counts its upper bound). */
type Sum = [column: number, of: (p: ExportPlan) => number];

const round2 = (n: number) => Math.round(n * 100) / 100;

/** One row per plan, unit by unit; `所属单位` first when there is more than one unit. */
function flat(columns: ColumnSpec[], groups: UnitGroup[], rowOf: (p: ExportPlan) => Cell[], sums: Sum[]): { columns: ColumnSpec[]; rows: SheetRow[] } {
  const several = groups.length > 1;
  const cols = several ? [UNIT_COLUMN, ...columns] : columns;
  const shift = several ? 1 : 0;
  const rows: SheetRow[] = [];
  const totals = new Array<number>(cols.length).fill(0);
  let count = 0;
  for (const g of groups) {
    for (const p of g.plans) {
      const cells = rowOf(p);
      rows.push({ kind: 'data', cells: several ? [g.unitName, ...cells] : cells });
      for (const [c, of] of sums) totals[c + shift] += of(p);
      count++;
    }
  }
  const total: Cell[] = new Array<Cell>(cols.length).fill(null);
  total[0] = `合计（${count}项）`;
  for (const [c] of sums) total[c + shift] = round2(totals[c + shift]);
  rows.push({ kind: 'total', cells: total });
  return { columns: cols, rows };
}

/** 附件一: the plan table. */
export function planSheet(heading: SheetHeading, groups: UnitGroup[]): SheetModel {
  const sheet = flat(PLAN_COLUMNS, groups, (p) => planCells(p, p.participantsText ?? p.participants), [[3, (p) => p.participants]]);
  if (groups.some((g) => g.plans.some((p) => p.participantsText))) sheet.rows.push({ kind: 'note', cells: ['说明：参与人数写成范围的，合计按上限计。'] });
  return { name: '计划表', ...heading, ...sheet };
}

/** 附件二 (the notice's 汇总表): every plan; one without a summary keeps its plan figures, empty money and awards, and says 未报总结. */
export function summarySheet(heading: SheetHeading, groups: UnitGroup[]): SheetModel {
  const rowOf = (p: ExportPlan): Cell[] => (p.summary
    ? [...planCells(p, p.summary.actualParticipants), p.summary.expenditureFen / 100, awardsText(p.summary.awards), p.summary.late ? '逾期报送' : null]
    : [...planCells(p, p.participantsText ?? p.participants), null, null, NO_SUMMARY]);
  const sheet = flat(SUMMARY_COLUMNS, groups, rowOf, [[3, (p) => p.summary?.actualParticipants ?? p.participants], [5, (p) => (p.summary?.expenditureFen ?? 0) / 100]]);
  const missing = groups.reduce((n, g) => n + g.plans.filter((p) => !p.summary).length, 0);
  const ranges = groups.some((g) => g.plans.some((p) => !p.summary && p.participantsText));
  if (missing) sheet.rows.push({ kind: 'note', cells: [`说明：${missing}项竞赛未报总结，参与人数按计划填写${ranges ? '（写成范围的，合计按上限计）' : ''}，经费支出和获奖情况空缺（备注栏标“${NO_SUMMARY}”）。`] });
  return { name: '汇总表', ...heading, ...sheet };
}

/** 统计: per unit the counts and sums, with the 合计 — what the official sheets leave out. */
export function statsSheet(heading: SheetHeading, groups: UnitGroup[]): SheetModel {
  const columns: ColumnSpec[] = [
    { header: '单位', width: 22 },
    { header: '竞赛项目(项)', width: 10, fixed: true },
    { header: '重点项目(项)', width: 10, fixed: true },
    { header: '计划参与人数', width: 12, fixed: true },
    { header: '已报总结(项)', width: 10, fixed: true },
    { header: '实际参与人数', width: 12, fixed: true },
    { header: '经费支出(元)', width: 14, numFmt: '#,##0.00', fixed: true },
    { header: '获奖(项)', width: 8, fixed: true },
  ];
  const rows: SheetRow[] = [];
  const total = [0, 0, 0, 0, 0, 0, 0];
  for (const g of groups) {
    const summaries = g.plans.filter((p) => p.summary);
    const v = [
      g.plans.length, g.plans.filter((p) => p.keyProject).length, g.plans.reduce((n, p) => n + p.participants, 0),
      summaries.length, summaries.reduce((n, p) => n + p.summary!.actualParticipants, 0), round2(summaries.reduce((n, p) => n + p.summary!.expenditureFen, 0) / 100),
      summaries.reduce((n, p) => n + realAwards(p.summary!.awards).length, 0),
    ];
    v.forEach((x, i) => (total[i] += x));
    rows.push({ kind: 'data', cells: [g.unitName, ...v] });
  }
  rows.push({ kind: 'total', cells: ['合计', ...total.map((x, i) => (i === 5 ? round2(x) : x))] });
  return { name: '统计', ...heading, columns, rows };
}

const typeLabel = (v: string) => COMPETITION_TYPES.find((t) => t.value === v)?.label ?? v;

/** 明细: what the forms collect beyond the official columns, one row per plan. */
export function detailSheet(heading: SheetHeading, groups: UnitGroup[]): SheetModel {
  const columns: ColumnSpec[] = [
    { header: '所属单位', width: 16 },
    { header: '计划编号', width: 8, fixed: true },
    { header: '竞赛项目', width: 28 },
    { header: '起止日期', width: 24 },
    { header: '竞赛类型', width: 10 },
    { header: '重点项目', width: 16 },
    { header: '经费预算(元)', width: 13, numFmt: '#,##0.00', fixed: true },
    { header: '计划逾期', width: 8, fixed: true },
    { header: '总结逾期', width: 8, fixed: true },
    { header: '版本数', width: 6, fixed: true },
    { header: '最近修改', width: 16, fixed: true },
  ];
  const rows: SheetRow[] = [];
  for (const g of groups) {
    for (const p of g.plans) {
      rows.push({
        kind: 'data',
        cells: [
          g.unitName, p.id, p.project, datesText(p.startDate, p.endDate), typeLabel(p.type), p.keyProjectName ?? (p.keyProject ? '是' : '否'), p.budgetFen === null ? null : p.budgetFen / 100,
          p.late ? '是' : '否', p.summary ? (p.summary.late ? '是' : '否') : NO_SUMMARY, p.version, p.changedAt ? shanghaiDateTimeText(p.changedAt) : null,
        ],
      });
    }
  }
  if (!rows.length) rows.push({ kind: 'note', cells: ['还没有备案的竞赛计划。'] });
  return { name: '明细', ...heading, columns, rows };
}
