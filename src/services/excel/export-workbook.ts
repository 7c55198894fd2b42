// /export: builds the workbook the federation sends upward — 计划表 (附件一), 汇总表 (附件二), the 统计
// and 明细 sheets, standings and the units still missing — for the group's unit and everything below
// it. Titles and file names are the notice's: {年度}年度{单位}职工劳动竞赛活动计划表 / 汇总表.
import type { Db } from '../../store/client.js';
import type { Campaign, Unit } from '../../store/models.js';
import { chineseDate, shanghaiDate } from '../../util/dates.js';
import { groupByParent } from '../units.js';
import { parseAwards } from '../../forms/summary.js';
import { askedUnits, groupRollCall, summarize } from '../roll-call.js';
import { reportDocument, type ReportEntry } from '../word/report-document.js';
import { standingsFor, type StandingsKind, type StandingsScope } from '../standings.js';
import { detailSheet, planSheet, statsSheet, summarySheet, type ExportPlan, type UnitGroup } from './filing-sheets.js';
import { missingSheet } from './missing-sheet.js';
import { keyProjectSheet } from './key-project-sheet.js';
import { keyProjectsOf, type KeyProjectView } from '../key-projects.js';
import { standingsSheet } from './standings-sheet.js';
import { areaName, writeWorkbook, type SheetModel, type SheetRow } from './layout.js';

export type ExportWhat = 'plan' | 'summary' | 'standings' | 'all';
export const EXPORT_LABELS: Record<ExportWhat, string> = { plan: '计划表', summary: '汇总表', standings: '单位排名表', all: '报表' };

export interface ExportOptions {
  what: ExportWhat;
  now: Date;
  standingsKind?: StandingsKind;
  standingsScope?: StandingsScope;
}

export interface ExportResult {
  fileName: string;
  data: Buffer;
  plans: number;
  summaries: number;
}

/** A timestamp from raw SQL: a Date (PostgreSQL), or milliseconds / text (SQLite); null when none. */
function asDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  const d = typeof v === 'number' || typeof v === 'bigint' ? new Date(Number(v)) : new Date(String(v));
  return Number.isNaN(d.getTime()) ? null : d;
}

/** SQLite returns booleans as 0/1 (and sometimes as bigint), PostgreSQL as booleans. */
const truthy = (v: unknown) => v === true || v === 1 || v === 1n || v === '1' || v === 't';

/** Plans of the root's unit and every unit below it, grouped by unit in tree order. */
export async function loadUnitGroups(db: Db, campaign: Campaign, rootId: number): Promise<UnitGroup[]> {
  // Plain SQL with a join: tens of thousands of plans load several times faster than through
  // nested Prisma selects. Runs unchanged on SQLite and PostgreSQL.
  const [units, rows] = await Promise.all([
    db.unit.findMany({ where: { archivedAt: null }, select: { id: true, name: true, parentId: true }, orderBy: { id: 'asc' } }),
    db.$queryRaw<Record<string, unknown>[]>`
      SELECT p."id" AS "id", p."unitId" AS "unitId", p."enterpriseName" AS "enterpriseName", p."project" AS "project",
        p."organizer" AS "organizer", p."participants" AS "participants", p."participantsText" AS "participantsText",
        p."startDate" AS "startDate", p."endDate" AS "endDate", p."periodText" AS "periodText",
        p."type" AS "type", p."keyProject" AS "keyProject", k."name" AS "keyProjectName", p."budgetFen" AS "budgetFen", p."late" AS "late", p."version" AS "version",
        (SELECT MAX(r."createdAt") FROM "Revision" r WHERE r."entity" = 'plan' AND r."entityId" = p."id") AS "changedAt",
        s."id" AS "summaryId", s."actualParticipants" AS "actualParticipants", s."expenditureFen" AS "expenditureFen",
        s."awards" AS "awards", s."late" AS "summaryLate"
      FROM "Plan" p LEFT JOIN "Summary" s ON s."planId" = p."id" LEFT JOIN "KeyProject" k ON k."id" = p."keyProjectId"
      WHERE p."campaignId" = ${campaign.id} AND p."withdrawnAt" IS NULL
      ORDER BY p."id"`,
  ]);
  const plans: ExportPlan[] = rows.map((r) => ({
    id: Number(r.id), unitId: Number(r.unitId), enterpriseName: String(r.enterpriseName), project: String(r.project), organizer: String(r.organizer),
    participants: Number(r.participants), participantsText: r.participantsText == null ? null : String(r.participantsText),
    startDate: String(r.startDate), endDate: String(r.endDate), periodText: r.periodText == null ? null : String(r.periodText),
    type: String(r.type), keyProject: truthy(r.keyProject), keyProjectName: r.keyProjectName == null ? null : String(r.keyProjectName), budgetFen: r.budgetFen === null || r.budgetFen === undefined ? null : Number(r.budgetFen),
    late: truthy(r.late), version: Number(r.version), changedAt: asDate(r.changedAt),
    summary: r.summaryId === null || r.summaryId === undefined ? null : {
      actualParticipants: Number(r.actualParticipants), expenditureFen: Number(r.expenditureFen), awards: parseAwards(String(r.awards)), late: truthy(r.summaryLate),
    },
  }));
  const children = groupByParent(units);
  const byUnit = new Map<number, ExportPlan[]>();
  for (const p of plans) {
    const list = byUnit.get(p.unitId);
    if (list) list.push(p);
    else byUnit.set(p.unitId, [p]);
  }
  const names = new Map(units.map((u) => [u.id, u.name]));
  const groups: UnitGroup[] = [];
  // Depth-first, so each street is followed by its enterprises, as the tables are read.
  const stack = [rootId];
  while (stack.length) {
    const id = stack.pop()!;
    const list = byUnit.get(id);
    if (list?.length) groups.push({ unitName: names.get(id) ?? String(id), plans: list });
    const kids = children.get(id) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i].id);
  }
  return groups;
}

/** The campaign's designated projects lying in the root's tree (and the organiser's own), in tree order. */
async function keyProjectsIn(db: Db, campaignId: number, rootId: number): Promise<KeyProjectView[]> {
  const { order } = await treeOrder(db, rootId);
  const position = new Map(order.map((id, i) => [id, i]));
  return (await keyProjectsOf(db, campaignId))
    .filter((k) => k.unitId === null || position.has(k.unitId))
    .sort((a, b) => (a.unitId === null ? -1 : position.get(a.unitId)!) - (b.unitId === null ? -1 : position.get(b.unitId)!) || a.id - b.id);
}

/** "2027年度测试区职工劳动竞赛活动计划表": the notice's title, also the file's name. */
export function exportTitle(campaign: Campaign, root: Unit, table: string): string {
  return `${campaign.year}年度${areaName(root.name)}职工劳动竞赛活动${table}`;
}

export async function buildExport(db: Db, campaign: Campaign, root: Unit, opts: ExportOptions): Promise<ExportResult> {
  const sheets: SheetModel[] = [];
  const exported = `导出日期：${chineseDate(shanghaiDate(opts.now))}`;
  const heading = (table: string, due?: string) => ({
    title: exportTitle(campaign, root, table), unitLine: `单位：${root.name}`,
    // The official tables carry the date they are due upward; the others the export date.
    dateLine: due ? `此表请于${chineseDate(due)}前上报` : exported, footer: exported,
  });
  const want = (w: ExportWhat) => opts.what === 'all' || opts.what === w;
  let plans = 0;
  let summaries = 0;
  if (want('plan') || want('summary')) {
    const groups = await loadUnitGroups(db, campaign, root.id);
    plans = groups.reduce((n, g) => n + g.plans.length, 0);
    summaries = groups.reduce((n, g) => n + g.plans.filter((p) => p.summary).length, 0);
    if (want('plan')) sheets.push(planSheet(heading('计划表', campaign.planDeadline), groups));
    if (want('summary')) sheets.push(summarySheet(heading('汇总表', campaign.summaryDeadline), groups));
    if (opts.what === 'all') sheets.push(statsSheet(heading('统计表'), groups), detailSheet(heading('明细表'), groups));
  }
  if (want('standings')) {
    const standings = await standingsFor(db, campaign, root.id, opts.standingsKind ?? 'total', opts.standingsScope ?? 'children');
    sheets.push(standingsSheet(heading('单位排名表'), standings));
  }
  if (opts.what === 'all') {
    // Every level, as the campaign's scope asks: the sheet /missing 全部 points to for the full list.
    const calls = await groupRollCall(db, campaign, root.id, 'all');
    const names = new Map((await db.unit.findMany({ select: { id: true, name: true } })).map((u) => [u.id, u.name]));
    sheets.push(missingSheet(heading('未交单位名单'), calls, names));
    sheets.push(keyProjectSheet(heading('重点项目覆盖表'), await keyProjectsIn(db, campaign.id, root.id)));
  }
  const data = await writeWorkbook(sheets, opts.now);
  const fileName = `${exportTitle(campaign, root, EXPORT_LABELS[opts.what])}.xlsx`;
  return { fileName, data, plans, summaries };
}

/** The units below (and including) the root, in tree order: how every export lists units. */
async function treeOrder(db: Db, rootId: number): Promise<{ order: number[]; names: Map<number, string> }> {
  const units = await db.unit.findMany({ where: { archivedAt: null }, select: { id: true, name: true, parentId: true }, orderBy: { id: 'asc' } });
  const children = groupByParent(units);
  const order: number[] = [];
  const stack = [rootId];
  while (stack.length) {
    const id = stack.pop()!;
    order.push(id);
    const kids = children.get(id) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i].id);
  }
  return { order, names: new Map(units.map((u) => [u.id, u.name])) };
}

export interface ReportExport {
  document: { fileName: string; data: Buffer };
  workbook: { fileName: string; data: Buffer };
  reports: number;
  missing: number;
}

/** /export report: the year-end compilation as a Word document, and the same as a sheet. */
export async function buildReportExport(db: Db, campaign: Campaign, root: Unit, now: Date): Promise<ReportExport> {
  const { order, names } = await treeOrder(db, root.id);
  const position = new Map(order.map((id, i) => [id, i]));
  const rows = (await db.yearReport.findMany({ where: { campaignId: campaign.id, withdrawnAt: null } }))
    .filter((r) => position.has(r.unitId))
    .sort((a, b) => position.get(a.unitId)! - position.get(b.unitId)!);
  const asked = await askedUnits(db, campaign, 'report');
  const missing = summarize(await groupRollCall(db, campaign, root.id, 'all'), 'report').missing.map((r) => r.unit.name);
  const entries: ReportEntry[] = rows.map((r) => ({
    unitName: names.get(r.unitId) ?? String(r.unitId), experiences: r.experiences, problems: r.problems, suggestions: r.suggestions,
    filedAt: r.filedAt, late: r.late, ...(asked.has(r.unitId) ? {} : { unasked: true }),
  }));
  const title = `${campaign.year}年度${areaName(root.name)}劳动竞赛工作总结汇编`;
  const document = await reportDocument({ title, unitName: root.name, reports: entries, missing, now });
  const exported = `导出日期：${chineseDate(shanghaiDate(now))}`;
  const sheet: SheetModel = {
    name: '年度报告', title, unitLine: `单位：${root.name}`, dateLine: `此表请于${chineseDate(campaign.reportDeadline)}前上报`, footer: exported,
    columns: [
      { header: '单位', width: 16 }, { header: '主要经验', width: 40 }, { header: '存在问题', width: 40 }, { header: '意见建议', width: 40 },
      { header: '提交时间', width: 12, fixed: true }, { header: '是否逾期', width: 8, fixed: true },
    ],
    rows: [
      ...entries.map((e): SheetRow => ({ kind: 'data', cells: [e.unitName, e.experiences, e.problems, e.suggestions, chineseDate(shanghaiDate(e.filedAt)), e.late ? '逾期' : '按时'] })),
      ...(missing.length ? [{ kind: 'note' as const, cells: [`未提交年度报告的单位（${missing.length}个）：${missing.join('、')}`] }] : []),
    ],
  };
  return {
    document: { fileName: `${title}.docx`, data: document },
    workbook: { fileName: `${title}.xlsx`, data: await writeWorkbook([sheet], now) },
    reports: entries.length, missing: missing.length,
  };
}

/** /export progress: every progress entry of every plan, unit by unit, plan by plan, by date. */
export async function buildProgressExport(db: Db, campaign: Campaign, root: Unit, now: Date): Promise<{ fileName: string; data: Buffer; entries: number }> {
  const { order, names } = await treeOrder(db, root.id);
  const position = new Map(order.map((id, i) => [id, i]));
  const plans = (await db.plan.findMany({
    where: { campaignId: campaign.id, withdrawnAt: null },
    include: { progress: { where: { withdrawnAt: null }, orderBy: [{ date: 'asc' }, { id: 'asc' }] } },
    orderBy: { id: 'asc' },
  })).filter((p) => position.has(p.unitId)).sort((a, b) => position.get(a.unitId)! - position.get(b.unitId)! || a.id - b.id);
  const rows: SheetRow[] = [];
  for (const p of plans) {
    for (const e of p.progress) rows.push({ kind: 'data', cells: [names.get(p.unitId) ?? '', p.id, p.project, chineseDate(e.date), e.content, e.participants] });
  }
  const without = plans.filter((p) => !p.progress.length).length;
  if (!rows.length) rows.push({ kind: 'note', cells: ['还没有进度记录。'] });
  else if (without) rows.push({ kind: 'note', cells: [`另有 ${without} 项竞赛还没有报过进度。`] });
  const title = exportTitle(campaign, root, '进度表');
  const sheet: SheetModel = {
    name: '进度', title, unitLine: `单位：${root.name}`, dateLine: `导出日期：${chineseDate(shanghaiDate(now))}`, footer: `导出日期：${chineseDate(shanghaiDate(now))}`,
    columns: [
      { header: '所属单位', width: 16 }, { header: '计划编号', width: 8, fixed: true }, { header: '竞赛项目', width: 28 },
      { header: '日期', width: 14, fixed: true }, { header: '进展情况', width: 50 }, { header: '累计参与人数', width: 9, fixed: true },
    ],
    rows,
  };
  return { fileName: `${title}.xlsx`, data: await writeWorkbook([sheet], now), entries: plans.reduce((n, p) => n + p.progress.length, 0) };
}
