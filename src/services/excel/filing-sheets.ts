// 附件一 (计划表) and 附件二 (汇总表), flat like the official attachments: one row per competition,
// sorted by unit, a 所属单位 column first when the export covers several units, one 合计 row at the
// end. The 汇总表 lists every plan, so a plan without its summary shows as 未报总结 instead of
// vanishing. Per-unit 小计 go to the 统计 sheet, and what the forms collect beyond the official
// columns to the 明细 sheet. Participants and money are numbers, so the federation can sum them.
// Each sheet is a row builder (planTable, summaryTable, detailTable, statsTable), so the export can
// stream plans through it; planSheet etc. build a whole sheet from plans in memory (the templates).
import { planForm, summaryForm } from '../../forms/index.js';
import { awardsText, realAwards } from '../../forms/summary.js';
import { COMPETITION_TYPES } from '../../forms/plan.js';
import { formatDates } from '../../forms/display.js';
import type { Award } from '../../forms/types.js';
import { DAY_MS, SHANGHAI_OFFSET_MS, shanghaiDateTimeText } from '../../util/dates.js';
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
const rangeText = new Map<string, Map<string, string>>();
let ranges = 0;
function datesText(start: string, end: string): string {
  let ends = rangeText.get(start);
  if (!ends) rangeText.set(start, (ends = new Map()));
  let t = ends.get(end);
  if (t === undefined) {
    if (++ranges > 10_000) {
      rangeText.clear();
      ranges = 0;
      rangeText.set(start, ends);
    }
    t = formatDates({ start, end });
    ends.set(end, t);
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

/**
 * One of the per-plan sheets, built a row at a time: `row` gives a plan's row and keeps the sums,
 * `tail` the 合计 row and notes after the last. The export streams plans through it twice (once to
 * measure the columns, once to write), the templates through planSheet / summarySheet.
 */
export interface PlanTable {
  name: string;
  columns: ColumnSpec[];
  row(p: ExportPlan, unitName: string): SheetRow;
  tail(): SheetRow[];
}

/** One row per plan, unit by unit; `所属单位` first when there is more than one unit. */
function flat(name: string, columns: ColumnSpec[], several: boolean, rowOf: (p: ExportPlan) => Cell[], sums: Sum[], notes: (count: number) => SheetRow[]): PlanTable {
  const cols = several ? [UNIT_COLUMN, ...columns] : columns;
  const shift = several ? 1 : 0;
  const totals = new Array<number>(cols.length).fill(0);
  let count = 0;
  return {
    name,
    columns: cols,
    row(p, unitName) {
      const cells = rowOf(p);
      for (const [c, of] of sums) totals[c + shift] += of(p);
      count++;
      return { kind: 'data', cells: several ? [unitName, ...cells] : cells };
    },
    tail() {
      const total: Cell[] = new Array<Cell>(cols.length).fill(null);
      total[0] = `合计（${count}项）`;
      for (const [c] of sums) total[c + shift] = round2(totals[c + shift]);
      return [{ kind: 'total', cells: total }, ...notes(count)];
    },
  };
}

/** 附件一: the plan table. */
export function planTable(several: boolean): PlanTable {
  let ranges = false;
  return flat('计划表', PLAN_COLUMNS, several, (p) => {
    if (p.participantsText) ranges = true;
    return planCells(p, p.participantsText ?? p.participants);
  }, [[3, (p) => p.participants]], () => (ranges ? [{ kind: 'note', cells: ['说明：参与人数写成范围的，合计按上限计。'] }] : []));
}

/** 附件二 (the notice's 汇总表): every plan; one without a summary keeps its plan figures, empty money and awards, and says 未报总结. */
export function summaryTable(several: boolean): PlanTable {
  let missing = 0;
  let ranges = false;
  const rowOf = (p: ExportPlan): Cell[] => {
    if (p.summary) return [...planCells(p, p.summary.actualParticipants), p.summary.expenditureFen / 100, awardsText(p.summary.awards), p.summary.late ? '逾期报送' : null];
    missing++;
    if (p.participantsText) ranges = true;
    return [...planCells(p, p.participantsText ?? p.participants), null, null, NO_SUMMARY];
  };
  return flat('汇总表', SUMMARY_COLUMNS, several, rowOf, [[3, (p) => p.summary?.actualParticipants ?? p.participants], [5, (p) => (p.summary?.expenditureFen ?? 0) / 100]], () => (missing
    ? [{ kind: 'note', cells: [`说明：${missing}项竞赛未报总结，参与人数按计划填写${ranges ? '（写成范围的，合计按上限计）' : ''}，经费支出和获奖情况空缺（备注栏标“${NO_SUMMARY}”）。`] }]
    : []));
}

function sheetOf(heading: SheetHeading, table: PlanTable, groups: UnitGroup[]): SheetModel {
  const rows: SheetRow[] = [];
  for (const g of groups) for (const p of g.plans) rows.push(table.row(p, g.unitName));
  rows.push(...table.tail());
  return { name: table.name, ...heading, columns: table.columns, rows };
}

/** 附件一 with all its plans in memory. */
export function planSheet(heading: SheetHeading, groups: UnitGroup[]): SheetModel {
  return sheetOf(heading, planTable(groups.length > 1), groups);
}

/** 附件二 with all its plans in memory. */
export function summarySheet(heading: SheetHeading, groups: UnitGroup[]): SheetModel {
  return sheetOf(heading, summaryTable(groups.length > 1), groups);
}

/** 统计: per unit the counts and sums, with the 合计 — what the official sheets leave out. Plans come unit by unit. */
export function statsTable(): { add(p: ExportPlan, unitName: string): void; sheet(heading: SheetHeading): SheetModel } {
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
  // Per unit: plans, key projects, planned participants, summaries, actual participants, expenditure (fen), awards.
  const units: { name: string; v: number[] }[] = [];
  return {
    add(p, unitName) {
      let u = units[units.length - 1];
      if (!u || u.name !== unitName) units.push((u = { name: unitName, v: [0, 0, 0, 0, 0, 0, 0] }));
      u.v[0]++;
      if (p.keyProject) u.v[1]++;
      u.v[2] += p.participants;
      if (p.summary) {
        u.v[3]++;
        u.v[4] += p.summary.actualParticipants;
        u.v[5] += p.summary.expenditureFen;
        u.v[6] += realAwards(p.summary.awards).length;
      }
    },
    sheet(heading) {
      const rows: SheetRow[] = [];
      const total = [0, 0, 0, 0, 0, 0, 0];
      for (const u of units) {
        const v = u.v.map((x, i) => (i === 5 ? round2(x / 100) : x));
        v.forEach((x, i) => (total[i] += x));
        rows.push({ kind: 'data', cells: [u.name, ...v] });
      }
      rows.push({ kind: 'total', cells: ['合计', ...total.map((x, i) => (i === 5 ? round2(x) : x))] });
      return { name: '统计', ...heading, columns, rows };
    },
  };
}

/** 统计 with all its plans in memory. */
export function statsSheet(heading: SheetHeading, groups: UnitGroup[]): SheetModel {
  const table = statsTable();
  for (const g of groups) for (const p of g.plans) table.add(p, g.unitName);
  return table.sheet(heading);
}

const typeLabel = (v: string) => COMPETITION_TYPES.find((t) => t.value === v)?.label ?? v;

// 最近修改 of 50,000 plans: shanghaiDateTimeText makes a Date and an ISO string for each, which showed
// in profiles. The day's part is kept (a few hundred days), the time worked out: the same text.
const dayText = new Map<number, string>();
export function changedText(at: Date): string {
  const ms = at.getTime() + SHANGHAI_OFFSET_MS;
  const day = Math.floor(ms / DAY_MS);
  let date = dayText.get(day);
  if (date === undefined) {
    const text = shanghaiDateTimeText(at);
    // Beyond year 9999 (or before 0) the ISO text is longer: left as it is.
    if (text.length !== 16 || text[10] !== ' ') return text;
    date = text.slice(0, 11);
    if (dayText.size >= 10_000) dayText.clear();
    dayText.set(day, date);
  }
  const minutes = Math.floor((ms - day * DAY_MS) / 60_000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${date}${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}`;
}

/** 明细: what the forms collect beyond the official columns, one row per plan. */
export function detailTable(): PlanTable {
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
  let count = 0;
  return {
    name: '明细',
    columns,
    row(p, unitName) {
      count++;
      return {
        kind: 'data',
        cells: [
          unitName, p.id, p.project, datesText(p.startDate, p.endDate), typeLabel(p.type), p.keyProjectName ?? (p.keyProject ? '是' : '否'), p.budgetFen === null ? null : p.budgetFen / 100,
          p.late ? '是' : '否', p.summary ? (p.summary.late ? '是' : '否') : NO_SUMMARY, p.version, p.changedAt ? changedText(p.changedAt) : null,
        ],
      };
    },
    tail: () => (count ? [] : [{ kind: 'note', cells: ['还没有备案的竞赛计划。'] }]),
  };
}

/** 明细 with all its plans in memory. */
export function detailSheet(heading: SheetHeading, groups: UnitGroup[]): SheetModel {
  return sheetOf(heading, detailTable(), groups);
}
