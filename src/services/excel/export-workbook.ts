// /export: builds the workbook the federation sends upward — 计划表 (附件一), 汇总表 (附件二), the 统计
// and 明细 sheets, standings and the units still missing — for the group's unit and everything below
// it. Titles and file names are the notice's: {年度}年度{单位}职工劳动竞赛活动计划表 / 汇总表.
//
// Memory stays bounded whatever the number of plans: they are read from the database a page at a
// time (units in tree order), once, into a file in the temporary folder while every per-plan sheet
// is measured (a streamed sheet's column widths go out before its rows); then each sheet is written
// from that file, a page at a time, through exceljs's streaming writer into the zip.
//
// Two threads share the work (sheet-render.ts): a worker reads the pages from the database while the
// main thread measures the ones before, and renders the 汇总表's and then the 明细's rows while the
// main thread writes the 计划表; the main thread copies them in as they come. Without the worker (one
// core, or it failed, hung or broke off: a warning in the log, see WorkerShare) the main thread does
// it all, or the rest, to the same bytes.
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../store/client.js';
import type { Campaign, Unit } from '../../store/models.js';
import { chineseDate, shanghaiDate } from '../../util/dates.js';
import { groupByParent } from '../units.js';
import { parseAwards } from '../../forms/summary.js';
import { unitFilings } from '../filing-counts.js';
import { asDate, queryWithLists, sqlDialectOf, SqlText, truthy, type SqlDialect } from '../raw-sql.js';
import { sqliteFilePath } from '../../database-url.js';
import type { Logger } from '../../logger.js';
import { activeUnits, askedUnits, groupRollCall, summarize } from '../roll-call.js';
import { reportDocument, type ReportEntry } from '../word/report-document.js';
import { standingsFor, type StandingsKind, type StandingsScope } from '../standings.js';
import { statsTable, type ExportPlan, type PlanTable } from './filing-sheets.js';
import { missingSheet } from './missing-sheet.js';
import { keyProjectSheet } from './key-project-sheet.js';
import { keyProjectsOf, type KeyProjectView } from '../key-projects.js';
import { standingsSheet } from './standings-sheet.js';
import { readSpool, writeSpool } from './plan-spool.js';
import { logSafeMessage, PLAN_TABLES, readInWorker, RenderFeed, renderInWorker, renderWorkersAvailable, warmRenderWorkers, type PlanTableKind, type RenderJob, type RenderSheet } from './sheet-render.js';
import { areaName, HEADER_ROWS, streamWorkbook, WidthMeter, writeModel, writeWorkbook, type SheetHeading, type SheetModel, type SheetRow, type WorkbookStream } from './layout.js';

export type ExportWhat = 'plan' | 'summary' | 'standings' | 'all';
export const EXPORT_LABELS: Record<ExportWhat, string> = { plan: '计划表', summary: '汇总表', standings: '单位排名表', all: '报表' };

export interface ExportOptions {
  what: ExportWhat;
  now: Date;
  /**
   * The URL `db` was opened with (app.config.databaseUrl): which SQL to write, and where a worker
   * reads the plans on connections of its own (on PostgreSQL as plain rows: the server spends a
   * third of the time it takes to build them into JSON).
   */
  databaseUrl: string;
  /** Told (a warning) when the worker thread fails or hangs and the main thread does its part. */
  log?: Logger;
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
/**
 * Exports of this many plans or more share the work with a worker thread (sheet-render.ts); a
 * smaller one is done sooner without (a worker takes some 0.1 s to start). Tests lower it.
 */
export const EXPORT_WORKER = { fromPlans: 5000 };
/** Pages asked of the database before they are needed: it works on them while the main thread measures. */
const PAGES_AHEAD = 2;

/**
 * The columns of a page's plans, in the order a page's tuples hold them: the SQL and the decoding
 * (planOf, through PAGE_AT) both follow this list. The revision log's time comes as the database
 * keeps it on SQLite (text, as Prisma wrote it), as milliseconds on PostgreSQL (whose timestamps
 * have no zone: UTC, as Prisma reads them).
 */
const PAGE_COLUMNS = (changedAt: string) => ({
  id: 'p."id"', unitId: 'p."unitId"', enterpriseName: 'p."enterpriseName"', project: 'p."project"', organizer: 'p."organizer"',
  participants: 'p."participants"', participantsText: 'p."participantsText"', startDate: 'p."startDate"', endDate: 'p."endDate"',
  periodText: 'p."periodText"', type: 'p."type"', keyProject: 'p."keyProject"', keyProjectName: 'k."name"', budgetFen: 'p."budgetFen"',
  late: 'p."late"', version: 'p."version"', changedAt: `(SELECT ${changedAt} FROM "Revision" r WHERE r."entity" = 'plan' AND r."entityId" = p."id")`,
  summaryId: 's."id"', actualParticipants: 's."actualParticipants"', expenditureFen: 's."expenditureFen"', awards: 's."awards"', summaryLate: 's."late"',
});
type PageColumn = keyof ReturnType<typeof PAGE_COLUMNS>;
/** Each column's place in a page's tuples. */
export const PAGE_AT = Object.fromEntries(Object.keys(PAGE_COLUMNS('')).map((name, i) => [name, i])) as Record<PageColumn, number>;
const pageColumns = (changedAt: string) => Object.values(PAGE_COLUMNS(changedAt)).join(', ');

/** The revision log's time as a page holds it. */
const CHANGED_AT: Record<SqlDialect, string> = { sqlite: 'MAX(r."createdAt")', postgresql: 'ROUND(EXTRACT(EPOCH FROM MAX(r."createdAt")) * 1000)' };

/** A page's rows as one JSON array of arrays, built by the database. */
const PAGE_JSON: Record<SqlDialect, string> = {
  sqlite: `json_group_array(json_array(${pageColumns(CHANGED_AT.sqlite)}))`,
  postgresql: `json_agg(json_build_array(${pageColumns(CHANGED_AT.postgresql)}))::text`,
};

/**
 * The tables a page reads. PostgreSQL would hash-join the whole Summary table for every page (a
 * page is a small part of the plans): a lateral subquery with LIMIT makes it look each plan's up.
 */
const PAGE_FROM: Record<SqlDialect, string> = {
  sqlite: 'FROM "Plan" p LEFT JOIN "Summary" s ON s."planId" = p."id" LEFT JOIN "KeyProject" k ON k."id" = p."keyProjectId"',
  postgresql: 'FROM "Plan" p LEFT JOIN LATERAL (SELECT * FROM "Summary" s WHERE s."planId" = p."id" LIMIT 1) s ON TRUE LEFT JOIN "KeyProject" k ON k."id" = p."keyProjectId"',
};

/** A plan as a page's JSON holds it: PAGE_COLUMNS's values in their order (booleans are 0/1 on SQLite). */
type PageTuple = unknown[];

/** A page's JSON: the plans of the units given (all of them), or of one unit after a plan id (a page's worth). */
type PageReader = (unitIds: number[], after?: number) => Promise<string | null>;

/**
 * The worker thread's part in one export. At its first failure or time-out (sheet-render.ts) the
 * export says so in the log, once, and does the rest in the main thread: a worker that failed once
 * would most likely fail again, and one that hung would make every later task wait for its limit.
 */
class WorkerShare {
  private failed = false;
  /** Aborted when the export is over (failed, or done): what the worker still does for it is stopped. */
  readonly over = new AbortController();

  constructor(readonly wanted: boolean, private readonly opts: ExportOptions) {}

  get usable(): boolean {
    return this.wanted && !this.failed && !this.over.signal.aborted && renderWorkersAvailable();
  }

  get task() {
    return { log: this.opts.log, signal: this.over.signal };
  }

  /** The worker failed at `what`: logged (the first time), and not used again by this export. */
  giveUp(what: string, err: unknown): void {
    if (this.failed || this.over.signal.aborted) return;
    this.failed = true;
    this.opts.log?.warn({ err: logSafeMessage(err, this.opts.databaseUrl) }, `export: ${what} in the worker thread failed; the main thread does it instead`);
  }
}

/**
 * Reads pages as one JSON text each: read through Prisma row by row and value by value, 50,000
 * plans cost about 0.8 s of CPU (several times what the database takes to find them); as one value
 * per page, Prisma's share is nothing and JSON.parse does the rest. With a render worker, the
 * worker reads them on a connection of its own while the main thread measures the pages before:
 * SQLite works in the thread that asks, and on PostgreSQL it reads plain rows, which the server
 * sends for a third of what building the JSON costs it.
 */
function pageReader(db: Db, campaignId: number, share: WorkerShare, databaseUrl: string): PageReader {
  const dialect = sqlDialectOf(databaseUrl);
  // A page of one unit's plans is chosen by id first: LIMIT applies to rows, not to what goes into the aggregate.
  const paged = (after?: number) => (after === undefined ? '' : `AND p."id" IN (SELECT q."id" FROM "Plan" q WHERE q."campaignId" = p."campaignId"
    AND q."withdrawnAt" IS NULL AND q."unitId" = p."unitId" AND q."id" > ${Number(after)} ORDER BY q."id" LIMIT ${Number(EXPORT_PAGE.rows)})`);
  const viaPrisma: PageReader = async (unitIds, after) => {
    const [row] = await queryWithLists(db)<{ page: string | null }>`
      SELECT ${new SqlText(PAGE_JSON[dialect])} AS "page" ${new SqlText(PAGE_FROM[dialect])}
      WHERE p."campaignId" = ${campaignId} AND p."withdrawnAt" IS NULL AND p."unitId" IN (${unitIds}) ${new SqlText(paged(after))}`;
    return row?.page ?? null;
  };
  if (!share.wanted) return viaPrisma;
  /** A page from the worker; from Prisma when the worker cannot (or could not before). */
  const either = (unitIds: number[], after: number | undefined, inWorker: () => Promise<string | null>) => (share.usable
    ? inWorker().catch((err: unknown) => {
      // The export is over (failed): nothing more to read.
      if (share.over.signal.aborted) throw err;
      share.giveUp('reading the plans', err);
      return viaPrisma(unitIds, after);
    })
    : viaPrisma(unitIds, after));
  if (dialect === 'postgresql') {
    // The same text for every page, the values as parameters.
    const select = `SELECT ${pageColumns(CHANGED_AT.postgresql)} ${PAGE_FROM.postgresql}
      WHERE p."campaignId" = $1 AND p."withdrawnAt" IS NULL AND p."unitId" = ANY($2::int[])`;
    const source = { kind: 'postgresql' as const, url: databaseUrl };
    const afterId = `AND p."id" IN (SELECT q."id" FROM "Plan" q WHERE q."campaignId" = p."campaignId" AND q."withdrawnAt" IS NULL
      AND q."unitId" = p."unitId" AND q."id" > $3 ORDER BY q."id" LIMIT $4)`;
    return (unitIds, after) => either(unitIds, after, () => (after === undefined
      ? readInWorker(source, select, [campaignId, unitIds], share.task)
      : readInWorker(source, `${select} ${afterId}`, [campaignId, unitIds, after, EXPORT_PAGE.rows], share.task)));
  }
  // The worker opens the file the bot's client has open (an in-memory database it could not see).
  const file = sqliteFilePath(databaseUrl);
  if (!file || file === ':memory:') return viaPrisma;
  return (unitIds, after) => either(unitIds, after, () => {
    // As bytes: Node's UTF-8 decoder makes the text a third faster than the driver's.
    const sql = `SELECT CAST(${PAGE_JSON.sqlite} AS BLOB) AS "page" ${PAGE_FROM.sqlite}
      WHERE p."campaignId" = ? AND p."withdrawnAt" IS NULL AND p."unitId" IN (${unitIds.map(() => '?').join(', ')}) ${paged(after)}`;
    return readInWorker({ kind: 'sqlite', file }, sql, [campaignId, ...unitIds], share.task);
  });
}

/** A page's plans as the database gave them, sorted by `order` (by id when not given). */
function pageTuples(json: string | null, order?: Map<number, number>): PageTuple[] {
  const tuples = json ? (JSON.parse(json) as PageTuple[]) : [];
  return tuples.sort((a, b) => (order ? order.get(Number(a[C.unitId]))! - order.get(Number(b[C.unitId]))! : 0) || Number(a[C.id]) - Number(b[C.id]));
}

const textOrNull = (v: unknown) => (v == null ? null : String(v));
const C = PAGE_AT;
/** A plan from its tuple. Exported for the test that checks it against PAGE_COLUMNS. */
export const planOf = (t: PageTuple): ExportPlan => ({
  id: Number(t[C.id]), unitId: Number(t[C.unitId]), enterpriseName: String(t[C.enterpriseName]), project: String(t[C.project]), organizer: String(t[C.organizer]),
  participants: Number(t[C.participants]), participantsText: textOrNull(t[C.participantsText]),
  startDate: String(t[C.startDate]), endDate: String(t[C.endDate]), periodText: textOrNull(t[C.periodText]),
  type: String(t[C.type]), keyProject: truthy(t[C.keyProject]), keyProjectName: textOrNull(t[C.keyProjectName]),
  budgetFen: t[C.budgetFen] == null ? null : Number(t[C.budgetFen]), late: truthy(t[C.late]), version: Number(t[C.version]), changedAt: asDate(t[C.changedAt]),
  summary: t[C.summaryId] == null ? null : {
    actualParticipants: Number(t[C.actualParticipants]), expenditureFen: Number(t[C.expenditureFen]), awards: parseAwards(String(t[C.awards])), late: truthy(t[C.summaryLate]),
  },
});

/** Plans handed on at a time: a page's are made (and done with) a slice at a time, so few live long. */
const SLICE = 200;

/** A page's plans, SLICE at a time. */
function* slices(tuples: PageTuple[]): Generator<ExportPlan[]> {
  for (let i = 0; i < tuples.length; i += SLICE) yield tuples.slice(i, i + SLICE).map(planOf);
}

/**
 * Every plan of the source in tree order (unit by unit, by id within a unit), read in pages: units
 * in batches of at most EXPORT_PAGE.rows plans, a unit with more plans than that in pages of its own.
 * The next batches are asked for before a page is handed on, so the database works while it is used.
 */
async function* planPages(db: Db, campaignId: number, source: PlanSource, share: WorkerShare, databaseUrl: string): AsyncGenerator<ExportPlan[]> {
  const read = pageReader(db, campaignId, share, databaseUrl);
  const units = source.units;
  // Batches of units, or one unit (read in pages of its own).
  const batches: { ids: number[]; paged: boolean }[] = [];
  for (let i = 0; i < units.length; ) {
    if (units[i].plans > EXPORT_PAGE.rows) {
      batches.push({ ids: [units[i++].id], paged: true });
      continue;
    }
    const ids: number[] = [];
    for (let rows = 0; i < units.length && units[i].plans <= EXPORT_PAGE.rows && ids.length < EXPORT_PAGE.units && rows + units[i].plans <= EXPORT_PAGE.rows; i++) {
      ids.push(units[i].id);
      rows += units[i].plans;
    }
    batches.push({ ids, paged: false });
  }
  // Batches asked for ahead, by index: up to PAGES_AHEAD, stopping at a unit read in pages.
  const asked = new Map<number, Promise<string | null>>();
  const askAhead = (from: number) => {
    for (let k = from; k < from + PAGES_AHEAD && k < batches.length && !batches[k].paged; k++) {
      if (asked.has(k)) continue;
      const page = read(batches[k].ids);
      // Failures surface where the page is awaited; not as unhandled if it never is.
      page.catch(() => undefined);
      asked.set(k, page);
    }
  };
  for (let k = 0; k < batches.length; k++) {
    const { ids, paged } = batches[k];
    if (paged) {
      for (let after = 0; ; ) {
        const page = pageTuples(await read(ids, after));
        if (!page.length) break;
        yield* slices(page);
        after = Number(page[page.length - 1][C.id]);
      }
      continue;
    }
    askAhead(k);
    const json = await asked.get(k)!;
    asked.delete(k);
    askAhead(k + 1);
    yield* slices(pageTuples(json, new Map(ids.map((id, n) => [id, n]))));
  }
}

/** The plans of one export, kept on disk (plan-spool.ts) in a temporary folder of its own. */
interface Spool {
  dir: string;
  file: string;
  pages(): AsyncGenerator<ExportPlan[]>;
  remove(): Promise<void>;
}

async function spoolPlans(db: Db, campaignId: number, source: PlanSource, share: WorkerShare, databaseUrl: string, visit: (p: ExportPlan) => void): Promise<Spool> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'saiwu-export-'));
  const file = path.join(dir, 'plans.bin');
  // A worker told to stop may still be writing a file here for a moment: rm tries again then.
  const remove = () => fsp.rm(dir, { recursive: true, force: true, maxRetries: 5 });
  try {
    await writeSpool(file, planPages(db, campaignId, source, share, databaseUrl), visit);
  } catch (err) {
    await remove();
    throw err;
  }
  return { dir, file, pages: () => readSpool(file), remove };
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
  kind: PlanTableKind;
  several: boolean;
  /** The instance that measures (a fresh one writes, so its sums start again). */
  measuring: PlanTable;
  meter: WidthMeter;
  /** Its rows as a worker renders them (sheet-render.ts), when one does. */
  rendered?: RenderFeed;
}

function streamedTable(heading: SheetHeading, kind: PlanTableKind, several: boolean): StreamedTable {
  const measuring = PLAN_TABLES[kind](several);
  return { heading, kind, several, measuring, meter: new WidthMeter(measuring.columns) };
}

/**
 * Writes a per-plan sheet: the rows a worker renders, copied in as they come; or rendered here from
 * the spool, page by page (each page handed to the zip as it goes), calling `afterFirstPage` after
 * the first. A worker that stops part way leaves the rest to this thread.
 */
async function writeStreamed(book: WorkbookStream, t: StreamedTable, spool: Spool, names: Map<number, string>, afterFirstPage?: () => void): Promise<void> {
  const table = PLAN_TABLES[t.kind](t.several);
  const sheet = book.sheet({ name: table.name, ...t.heading, columns: table.columns }, t.meter.widths());
  let copied = 0;
  if (t.rendered && sheet.fast) {
    copied = await sheet.addRendered(t.rendered.rows());
    if (t.rendered.finished) {
      for (const r of t.measuring.tail()) sheet.add(r);
      sheet.commit();
      return;
    }
  }
  for await (const page of spool.pages()) {
    for (const p of page) {
      // Rows the worker did render are still made, for the sums of the tail.
      const row = table.row(p, names.get(p.unitId)!);
      if (copied) copied--;
      else sheet.add(row);
    }
    await sheet.drain();
    if (sheet.fast) afterFirstPage?.();
    afterFirstPage = undefined;
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
  const streamed: StreamedTable[] = [];
  let spool: Spool | undefined;
  let share: WorkerShare | undefined;
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
      const counted = source.units.reduce((n, u) => n + u.plans, 0);
      share = new WorkerShare(renderWorkersAvailable() && counted >= EXPORT_WORKER.fromPlans, opts);
      const worker = share;
      // Started now: it takes a moment to start, the plans longer to read.
      if (worker.wanted) warmRenderWorkers(opts.log);
      // The sheets after the first are given to the worker once the first has written a page: the
      // styles its rows use are then the workbook's, so theirs mostly need no token. A job a sheet,
      // done in their order, each copied in as it is rendered: the main thread copies the 汇总表
      // while the worker renders the 明细, then the 明细 as it comes (one job for both, copied when
      // done, kept the main thread idle for a while after each sheet).
      const renderRest = (book: WorkbookStream) => {
        const rest = streamed.slice(1);
        if (!rest.length || !worker.usable) return;
        const known = book.knownStyles();
        const unitNames = [...names];
        for (const t of rest) {
          const sheet: RenderSheet = { table: t.kind, widths: t.meter.widths(), out: path.join(spool!.dir, `${t.kind}.xml`) };
          const job: RenderJob = { spool: spool!.file, several, firstRow: HEADER_ROWS + 1, names: unitNames, known, sheets: [sheet] };
          const feed = new RenderFeed(sheet.out);
          t.rendered = feed;
          // Each within the time the worker may take for all of them: the later ones wait for the earlier.
          renderInWorker(job, plans, { ...worker.task, progress: (p) => feed.update(p) }, rest.length).then(
            ([part]) => feed.end(part),
            (err: unknown) => {
              worker.giveUp('rendering the sheets', err);
              feed.end(undefined);
            },
          );
        }
      };
      const stream = (t: StreamedTable) => {
        const first = !streamed.length;
        streamed.push(t);
        sheets.push((book) => writeStreamed(book, t, spool!, names, first ? () => renderRest(book) : undefined));
      };
      if (want('plan')) stream(streamedTable(heading('计划表', campaign.planDeadline), 'plan', several));
      if (want('summary')) stream(streamedTable(heading('汇总表', campaign.summaryDeadline), 'summary', several));
      const stats = opts.what === 'all' ? statsTable() : undefined;
      if (stats) {
        sheets.push((book) => writeModel(book, stats.sheet(heading('统计表'))));
        stream(streamedTable(heading('明细表'), 'detail', several));
      }
      // Read once: every per-plan sheet measured, the 统计 summed, the plans kept for writing.
      spool = await spoolPlans(db, campaign.id, source, worker, opts.databaseUrl, (p) => {
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
    // Done or failed, the export no longer waits for the worker: a render still going (its export
    // failed) is stopped, and its files go with the folder.
    share?.over.abort();
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
