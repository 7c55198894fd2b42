// /export: builds the workbook the federation sends upward — 计划表 (附件一), 汇总表 (附件二), the 统计
// and 明细 sheets, standings and the units still missing — for the group's unit and everything below
// it. Titles and file names are the notice's: {年度}年度{单位}职工劳动竞赛活动计划表 / 汇总表.
//
// Memory stays bounded whatever the number of plans: they are read from the database a page at a
// time (units in tree order), once, into a file in the temporary folder while every per-plan sheet
// is measured (a streamed sheet's column widths go out before its rows); then each sheet is written
// from that file, a page at a time, through exceljs's streaming writer into the zip.
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../store/client.js';
import type { Campaign, Unit } from '../../store/models.js';
import { chineseDate, shanghaiDate } from '../../util/dates.js';
import { groupByParent } from '../units.js';
import { parseAwards } from '../../forms/summary.js';
import { unitFilings } from '../filing-counts.js';
import { asDate, queryWithLists, truthy } from '../raw-sql.js';
import type { Award } from '../../forms/types.js';
import { activeUnits, askedUnits, groupRollCall, summarize } from '../roll-call.js';
import { reportDocument, type ReportEntry } from '../word/report-document.js';
import { standingsFor, type StandingsKind, type StandingsScope } from '../standings.js';
import { detailTable, planTable, statsTable, summaryTable, type ExportPlan, type PlanTable } from './filing-sheets.js';
import { missingSheet } from './missing-sheet.js';
import { keyProjectSheet } from './key-project-sheet.js';
import { keyProjectsOf, type KeyProjectView } from '../key-projects.js';
import { standingsSheet } from './standings-sheet.js';
import { areaName, streamWorkbook, WidthMeter, writeModel, writeWorkbook, type SheetHeading, type SheetModel, type SheetRow, type WorkbookStream } from './layout.js';

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

/** The units below (and including) the root that have plans, in tree order, with how many each. */
interface PlanSource {
  units: { id: number; name: string; plans: number }[];
}

async function planSource(db: Db, campaignId: number, rootId: number): Promise<PlanSource> {
  // The counts (kept by filing-counts.ts) only size the pages: a unit's plans are read as they are then.
  const [{ order, names }, counts] = await Promise.all([treeOrder(db, rootId), unitFilings(db, campaignId)]);
  return { units: order.filter((id) => counts.has(id)).map((id) => ({ id, name: names.get(id) ?? String(id), plans: counts.get(id)!.plans })) };
}

/**
 * Plans read from the database per query (a page is held in memory, never the whole export), and
 * unit ids in one IN (…), well under the bound parameters SQLite takes in one statement. Tests page
 * a small export with smaller numbers.
 */
export const EXPORT_PAGE = { rows: 2000, units: 500 };

/** One page of plans for the units given (all their plans), or for one unit after a plan id. */
async function planPage(db: Db, campaignId: number, unitIds: number[], after?: number): Promise<ExportPlan[]> {
  // Plain SQL with a join: tens of thousands of plans load several times faster than through
  // nested Prisma selects. Runs unchanged on SQLite and PostgreSQL.
  const rows = await queryWithLists(db)<Record<string, unknown>>`
      SELECT p."id" AS "id", p."unitId" AS "unitId", p."enterpriseName" AS "enterpriseName", p."project" AS "project",
        p."organizer" AS "organizer", p."participants" AS "participants", p."participantsText" AS "participantsText",
        p."startDate" AS "startDate", p."endDate" AS "endDate", p."periodText" AS "periodText",
        p."type" AS "type", p."keyProject" AS "keyProject", k."name" AS "keyProjectName", p."budgetFen" AS "budgetFen", p."late" AS "late", p."version" AS "version",
        (SELECT MAX(r."createdAt") FROM "Revision" r WHERE r."entity" = 'plan' AND r."entityId" = p."id") AS "changedAt",
        s."id" AS "summaryId", s."actualParticipants" AS "actualParticipants", s."expenditureFen" AS "expenditureFen",
        s."awards" AS "awards", s."late" AS "summaryLate"
      FROM "Plan" p LEFT JOIN "Summary" s ON s."planId" = p."id" LEFT JOIN "KeyProject" k ON k."id" = p."keyProjectId"
      WHERE p."campaignId" = ${campaignId} AND p."withdrawnAt" IS NULL AND p."unitId" IN (${unitIds}) AND p."id" > ${after ?? 0}
      ORDER BY p."id" LIMIT ${after === undefined ? 1_000_000_000 : EXPORT_PAGE.rows}`;
  return rows.map((r) => ({
    id: Number(r.id), unitId: Number(r.unitId), enterpriseName: String(r.enterpriseName), project: String(r.project), organizer: String(r.organizer),
    participants: Number(r.participants), participantsText: r.participantsText == null ? null : String(r.participantsText),
    startDate: String(r.startDate), endDate: String(r.endDate), periodText: r.periodText == null ? null : String(r.periodText),
    type: String(r.type), keyProject: truthy(r.keyProject), keyProjectName: r.keyProjectName == null ? null : String(r.keyProjectName), budgetFen: r.budgetFen === null || r.budgetFen === undefined ? null : Number(r.budgetFen),
    late: truthy(r.late), version: Number(r.version), changedAt: asDate(r.changedAt),
    summary: r.summaryId === null || r.summaryId === undefined ? null : {
      actualParticipants: Number(r.actualParticipants), expenditureFen: Number(r.expenditureFen), awards: parseAwards(String(r.awards)), late: truthy(r.summaryLate),
    },
  }));
}

/**
 * Every plan of the source, page by page in tree order (unit by unit, by id within a unit): units
 * in batches of at most EXPORT_PAGE.rows plans, a unit with more plans than that in pages of its own.
 */
async function* planPages(db: Db, campaignId: number, source: PlanSource): AsyncGenerator<ExportPlan[]> {
  const units = source.units;
  for (let i = 0; i < units.length; ) {
    if (units[i].plans > EXPORT_PAGE.rows) {
      for (let after = 0; ; ) {
        const page = await planPage(db, campaignId, [units[i].id], after);
        if (!page.length) break;
        yield page;
        after = page[page.length - 1].id;
      }
      i++;
      continue;
    }
    const batch: number[] = [];
    for (let rows = 0; i < units.length && units[i].plans <= EXPORT_PAGE.rows && batch.length < EXPORT_PAGE.units && rows + units[i].plans <= EXPORT_PAGE.rows; i++) {
      batch.push(units[i].id);
      rows += units[i].plans;
    }
    const position = new Map(batch.map((id, k) => [id, k]));
    yield (await planPage(db, campaignId, batch)).sort((a, b) => position.get(a.unitId)! - position.get(b.unitId)! || a.id - b.id);
  }
}

/**
 * The plans of one export, read from the database once and kept on disk: the 计划表, 汇总表 and 明细
 * are each written from it in turn, so they agree with each other even while people file, and memory
 * holds one page at a time. Each page is a frame: its length (4 bytes), then JSON of its plans as tuples.
 */
interface Spool {
  pages(): AsyncGenerator<ExportPlan[]>;
  remove(): Promise<void>;
}

/** A plan as the spool keeps it: values in a fixed order (no field names), the time in milliseconds. */
type PlanTuple = [
  id: number, unitId: number, enterpriseName: string, project: string, organizer: string, participants: number, participantsText: string | null,
  startDate: string, endDate: string, periodText: string | null, type: string, keyProject: boolean, keyProjectName: string | null,
  budgetFen: number | null, late: boolean, version: number, changedAt: number | null,
  summary: [actualParticipants: number, expenditureFen: number, awards: Award[], late: boolean] | null,
];

const toTuple = (p: ExportPlan): PlanTuple => [
  p.id, p.unitId, p.enterpriseName, p.project, p.organizer, p.participants, p.participantsText, p.startDate, p.endDate, p.periodText, p.type, p.keyProject,
  p.keyProjectName, p.budgetFen, p.late, p.version, p.changedAt?.getTime() ?? null,
  p.summary ? [p.summary.actualParticipants, p.summary.expenditureFen, p.summary.awards, p.summary.late] : null,
];

const fromTuple = (t: PlanTuple): ExportPlan => ({
  id: t[0], unitId: t[1], enterpriseName: t[2], project: t[3], organizer: t[4], participants: t[5], participantsText: t[6], startDate: t[7], endDate: t[8],
  periodText: t[9], type: t[10], keyProject: t[11], keyProjectName: t[12], budgetFen: t[13], late: t[14], version: t[15], changedAt: t[16] === null ? null : new Date(t[16]),
  summary: t[17] ? { actualParticipants: t[17][0], expenditureFen: t[17][1], awards: t[17][2], late: t[17][3] } : null,
});

async function spoolPlans(db: Db, campaignId: number, source: PlanSource, visit: (p: ExportPlan) => void): Promise<Spool> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'saiwu-export-'));
  const file = path.join(dir, 'plans.bin');
  const remove = () => fsp.rm(dir, { recursive: true, force: true });
  try {
    const out = await fsp.open(file, 'w');
    try {
      for await (const page of planPages(db, campaignId, source)) {
        for (const p of page) visit(p);
        const body = Buffer.from(JSON.stringify(page.map(toTuple)));
        const head = Buffer.alloc(4);
        head.writeUInt32LE(body.length);
        await out.writev([head, body]);
      }
    } finally {
      await out.close();
    }
  } catch (err) {
    await remove();
    throw err;
  }
  return {
    async *pages() {
      const input = await fsp.open(file, 'r');
      try {
        const head = Buffer.alloc(4);
        for (let at = 0; ; ) {
          if ((await input.read(head, 0, 4, at)).bytesRead < 4) break;
          const body = Buffer.allocUnsafe(head.readUInt32LE());
          await input.read(body, 0, body.length, at + 4);
          at += 4 + body.length;
          yield (JSON.parse(body.toString()) as PlanTuple[]).map(fromTuple);
        }
      } finally {
        await input.close();
      }
    },
    remove,
  };
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

/** A per-plan sheet of the export: measured while the plans are read, written from the spool after. */
interface StreamedTable {
  heading: SheetHeading;
  make: () => PlanTable;
  /** The instance that measures (a fresh one writes, so its sums start again). */
  measuring: PlanTable;
  meter: WidthMeter;
}

function streamedTable(heading: SheetHeading, make: () => PlanTable): StreamedTable {
  const measuring = make();
  return { heading, make, measuring, meter: new WidthMeter(measuring.columns) };
}

/** Writes a per-plan sheet from the spool, page by page (each page handed to the zip as it goes). */
async function writeStreamed(book: WorkbookStream, t: StreamedTable, spool: Spool, names: Map<number, string>): Promise<void> {
  const table = t.make();
  const sheet = book.sheet({ name: table.name, ...t.heading, columns: table.columns }, t.meter.widths());
  for await (const page of spool.pages()) {
    for (const p of page) sheet.add(table.row(p, names.get(p.unitId)!));
    await sheet.drain();
  }
  for (const r of table.tail()) sheet.add(r);
  sheet.commit();
}

export async function buildExport(db: Db, campaign: Campaign, root: Unit, opts: ExportOptions): Promise<ExportResult> {
  const exported = `导出日期：${chineseDate(shanghaiDate(opts.now))}`;
  const heading = (table: string, due?: string) => ({
    title: exportTitle(campaign, root, table), unitLine: `单位：${root.name}`,
    // The official tables carry the date they are due upward; the others the export date.
    dateLine: due ? `此表请于${chineseDate(due)}前上报` : exported, footer: exported,
  });
  const want = (w: ExportWhat) => opts.what === 'all' || opts.what === w;
  let plans = 0;
  let summaries = 0;
  // The sheets in their order, each written when the workbook is streamed.
  const sheets: ((book: WorkbookStream) => Promise<void> | void)[] = [];
  let spool: Spool | undefined;
  try {
    // The small sheets' figures are read meanwhile (on PostgreSQL the queries overlap).
    const standings = want('standings') ? standingsFor(db, campaign, root.id, opts.standingsKind ?? 'total', opts.standingsScope ?? 'children') : undefined;
    const calls = opts.what === 'all' ? groupRollCall(db, campaign, root.id, 'all') : undefined;
    const keyProjects = opts.what === 'all' ? keyProjectsIn(db, campaign.id, root.id) : undefined;
    // Settled either way, so a failure here is not left unhandled while the plans are read.
    void Promise.allSettled([standings, calls, keyProjects]);
    if (want('plan') || want('summary')) {
      const source = await planSource(db, campaign.id, root.id);
      const names = new Map(source.units.map((u) => [u.id, u.name]));
      const several = source.units.length > 1;
      const streamed: StreamedTable[] = [];
      const stream = (t: StreamedTable) => {
        streamed.push(t);
        sheets.push((book) => writeStreamed(book, t, spool!, names));
      };
      if (want('plan')) stream(streamedTable(heading('计划表', campaign.planDeadline), () => planTable(several)));
      if (want('summary')) stream(streamedTable(heading('汇总表', campaign.summaryDeadline), () => summaryTable(several)));
      const stats = opts.what === 'all' ? statsTable() : undefined;
      if (stats) {
        sheets.push((book) => writeModel(book, stats.sheet(heading('统计表'))));
        stream(streamedTable(heading('明细表'), detailTable));
      }
      // Read once: every per-plan sheet measured, the 统计 summed, the plans kept for writing.
      spool = await spoolPlans(db, campaign.id, source, (p) => {
        plans++;
        if (p.summary) summaries++;
        const unitName = names.get(p.unitId)!;
        for (const t of streamed) t.meter.add(t.measuring.row(p, unitName));
        stats?.add(p, unitName);
      });
      for (const t of streamed) for (const r of t.measuring.tail()) t.meter.add(r);
    }
    if (standings) {
      const model = standingsSheet(heading('单位排名表'), await standings);
      sheets.push((book) => writeModel(book, model));
    }
    if (calls && keyProjects) {
      // Every level, as the campaign's scope asks: the sheet /missing 全部 points to for the full list.
      const rows = await calls;
      // The units above the rows are the export's unit or rows themselves.
      const names = new Map<number, string>([[root.id, root.name]]);
      for (const c of rows) if (c.unit.parentId !== null && c.parentName) names.set(c.unit.parentId, c.parentName);
      const missing = missingSheet(heading('未交单位名单'), rows, names);
      const projects = keyProjectSheet(heading('重点项目覆盖表'), await keyProjects);
      sheets.push((book) => writeModel(book, missing), (book) => writeModel(book, projects));
    }
    const data = await streamWorkbook(opts.now, async (book) => {
      for (const write of sheets) await write(book);
    });
    const fileName = `${exportTitle(campaign, root, EXPORT_LABELS[opts.what])}.xlsx`;
    return { fileName, data, plans, summaries };
  } finally {
    await spool?.remove();
  }
}

/** The units below (and including) the root, in tree order: how every export lists units. */
async function treeOrder(db: Db, rootId: number): Promise<{ order: number[]; names: Map<number, string> }> {
  const units = await activeUnits(db);
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
