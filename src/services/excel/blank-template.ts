// The official tables as blank templates for one unit to fill in (/template … 表格): the /export 计划表
// and 汇总表 with the same title, 单位 line, 上报 deadline, header row and print layout, built from
// the same sheet builders. The header rows are exactly the export's (PLAN_HEADERS, SUMMARY_HEADERS
// without 备注), so a filled template can be read back by its headers. One unit, so no 所属单位
// column; no 合计 row (nothing to add up yet).
import type { Db } from '../../store/client.js';
import type { Campaign, Unit } from '../../store/models.js';
import { summaryForm } from '../../forms/index.js';
import { parseAwards } from '../../forms/summary.js';
import { chineseDate } from '../../util/dates.js';
import { deadlineOf, type DeadlineForm } from '../campaigns.js';
import { exportTitle } from './export-workbook.js';
import { PLAN_HEADERS, SUMMARY_HEADERS, planSheet, summarySheet, type ExportPlan } from './filing-sheets.js';
import { writeWorkbook, type Cell, type SheetHeading, type SheetModel, type SheetRow } from './layout.js';

/** Empty bordered rows in the blank 计划表. */
export const BLANK_PLAN_ROWS = 10;

/** The export's remark column, which only the bot fills (未报总结, 逾期报送). */
const REMARK_HEADER = '备注';

export const PLAN_TEMPLATE_HEADERS: readonly string[] = PLAN_HEADERS;
export const SUMMARY_TEMPLATE_HEADERS: readonly string[] = SUMMARY_HEADERS.filter((h) => h !== REMARK_HEADER);

/** Printed under the 汇总表: the two columns people fill differently from the plan. */
export const SUMMARY_TEMPLATE_NOTE = '说明：参与人数(规模)填实际参与人数；获奖情况每项写级别和名称，多项用“；”分开，例如：市级 五一劳动奖状；区级 工人先锋号；没有写“无”。';

export interface BlankTemplate {
  title: string;
  fileName: string;
  data: Buffer;
}

function heading(campaign: Campaign, unit: Unit, table: string, form: DeadlineForm): SheetHeading {
  return {
    title: exportTitle(campaign, unit, table),
    unitLine: `单位：${unit.name}`,
    dateLine: `此表请于${chineseDate(deadlineOf(campaign, form))}前上报`,
  };
}

async function write(sheet: SheetModel, now: Date): Promise<BlankTemplate> {
  return { title: sheet.title, fileName: `${sheet.title}（填报模板）.xlsx`, data: await writeWorkbook([sheet], now) };
}

const emptyRow = (n: number): SheetRow => ({ kind: 'data', cells: new Array<Cell>(n).fill(null) });

/** The blank 计划表 (附件一) of one unit: the header row and empty rows to fill. */
export async function blankPlanTemplate(campaign: Campaign, unit: Unit, now: Date): Promise<BlankTemplate> {
  const sheet = planSheet(heading(campaign, unit, '计划表', 'plan'), [{ unitName: unit.name, plans: [] }]);
  return write({ ...sheet, rows: Array.from({ length: BLANK_PLAN_ROWS }, () => emptyRow(sheet.columns.length)) }, now);
}

/** The unit's plans in the campaign (withdrawn ones left out), in the shape the sheet builders take. */
export async function templatePlans(db: Db, campaign: Campaign, unitId: number): Promise<ExportPlan[]> {
  const plans = await db.plan.findMany({ where: { campaignId: campaign.id, unitId, withdrawnAt: null }, orderBy: { id: 'asc' }, include: { summary: true, keyProjectRef: { select: { name: true } } } });
  return plans.map(({ summary, keyProjectRef, ...p }) => ({
    ...p, changedAt: null, keyProjectName: keyProjectRef?.name ?? null,
    summary: summary ? { actualParticipants: summary.actualParticipants, expenditureFen: summary.expenditureFen, awards: parseAwards(summary.awards), late: summary.late } : null,
  }));
}

const normalize = (label: string) => label.replace(/[\s()（）]/g, '');

/**
 * Whether a 汇总表 column is the summary's own figure (actual participants, expenditure, awards) rather
 * than the plan's: some summary field is labelled so. Judged from the form definition, so a field
 * renamed there follows here.
 */
function summaryOwns(header: string): boolean {
  const wanted = normalize(header);
  return summaryForm.fields.some((f) => f.type !== 'planRef' && [f.label, ...(f.aliases ?? []), f.column?.header].some((l) => l !== undefined && normalize(l) === wanted));
}

/**
 * The 汇总表 (附件二) of one unit, one row per plan: the plan's own columns (企业名称, 竞赛项目, 组织方式,
 * 时间安排) copied as the export writes them, the summary's (参与人数(规模), 经费支出(元), 获奖情况) as
 * filed, or empty for a plan not summarised yet.
 */
export async function summaryTemplate(campaign: Campaign, unit: Unit, plans: ExportPlan[], now: Date): Promise<BlankTemplate> {
  const groups = [{ unitName: unit.name, plans }];
  const base = summarySheet(heading(campaign, unit, '汇总表', 'summary'), groups);
  const keep = base.columns.map((c, i) => (c.header === REMARK_HEADER ? -1 : i)).filter((i) => i >= 0);
  const columns = keep.map((i) => base.columns[i]);
  // The plan's cells, rendered by the 计划表 builder (dates as the export writes them), by header.
  const planRows = planSheet(heading(campaign, unit, '计划表', 'plan'), groups).rows.filter((r) => r.kind === 'data');
  const from = columns.map((c) => (summaryOwns(c.header) ? -1 : PLAN_HEADERS.indexOf(c.header)));
  // A plan already summarised shows its summary as filed, so sending the sheet back changes nothing
  // there; the others leave the summary's columns to fill.
  const summaryRows = base.rows.filter((r) => r.kind === 'data');
  const rows: SheetRow[] = planRows.map((r, i) => ({
    kind: 'data',
    cells: plans[i].summary ? keep.map((k) => summaryRows[i].cells[k]) : from.map((j) => (j < 0 ? null : r.cells[j])),
  }));
  rows.push({ kind: 'note', cells: [SUMMARY_TEMPLATE_NOTE] });
  return write({ ...base, columns, rows }, now);
}
