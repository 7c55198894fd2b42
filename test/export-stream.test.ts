// The export streams its large sheets: plans are read page by page (by units in tree order, a unit
// with many plans in pages of its own; in a worker thread), kept on disk once and written row by
// row, the table rows rendered straight into the sheet's XML, the later sheets' in a worker thread.
// None of that may change the workbook: the same database exported with pages of three plans, with
// every row through exceljs's own Row objects, and without the worker gives the same sheets byte
// for byte; so does a worker that fails or hangs (the main thread does its part, and says so).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../src/store/migrate.js';
import { openDatabase, type Db } from '../src/store/client.js';
import { buildExport, EXPORT_PAGE, EXPORT_WORKER, PAGE_AT, planOf } from '../src/services/excel/export-workbook.js';
import type { ExportPlan } from '../src/services/excel/filing-sheets.js';
import { FAST_ROWS, HEADER_ROWS, streamWorkbook, tokenRenderer, widthsOf, type ColumnSpec, type SheetRow } from '../src/services/excel/layout.js';
import { readSpool, writeSpool } from '../src/services/excel/plan-spool.js';
import { logSafeMessage, RENDER_WORKERS, renderInWorker, renderWorkersAvailable } from '../src/services/excel/sheet-render.js';
import type { Logger } from '../src/logger.js';
import type { Campaign, Unit } from '../src/store/models.js';
import { postgresProblem, tempDatabase } from './support/postgres.js';
import { until } from './support/wait.js';

let dir: string;
let url: string;
let db: Db;
let root: Unit;
let street: Unit;
let campaign: Campaign;
const now = new Date('2027-10-20T10:00:00+08:00');

/** Units on three levels, some filing nothing; plans with ranges, periods, awards, key projects, a withdrawn one; text to escape. */
async function fill(db: Db): Promise<{ root: Unit; street: Unit; campaign: Campaign }> {
  const root = await db.unit.create({ data: { name: '测试区总工会', level: 1, headcount: 50000 } });
  const campaign = await db.campaign.create({ data: { year: 2027, title: '2027年度职工劳动和技能竞赛', unitId: root.id, planDeadline: '2027-02-28', summaryDeadline: '2027-10-15', reportDeadline: '2027-12-31' } });
  const streets: Unit[] = [];
  for (let i = 0; i < 4; i++) streets.push(await db.unit.create({ data: { name: `第${i + 1}街道工会`, level: 2, parentId: root.id, headcount: i === 2 ? null : 4000 + i } }));
  const street = streets[1];
  const firms: Unit[] = [];
  for (let i = 0; i < 14; i++) {
    firms.push(await db.unit.create({ data: { name: i === 5 ? 'R&D “创新”中心工会 <一线>' : `第${(i % 4) + 1}街道第${i + 1}号企业工会`, level: 3, parentId: streets[i % 4].id, headcount: 100 + i * 7 } }));
  }
  const kp = await db.keyProject.create({ data: { campaignId: campaign.id, name: '快速路工程', unitId: firms[1].id, createdBy: 't', startDate: '2027-03-01' } });
  await db.keyProject.create({ data: { campaignId: campaign.id, name: '供水管网改造', unitId: firms[2].id, createdBy: 't' } });
  const organizers = ['工会与行政联合组织，按班组开展', '工会与行政联合组织，按班组开展，各项目部每月评比一次，年底总评，表彰先进集体和个人，评比结果与绩效挂钩并在全公司通报', 'A&B 联合 <组织>', '“五比一创”——班组赛…'];
  let n = 0;
  for (const [k, unit] of [...firms, streets[0]].entries()) {
    if (k % 6 === 3) continue;
    for (let j = 0; j < 1 + (k % 4); j++) {
      n++;
      const plan = await db.plan.create({
        data: {
          campaignId: campaign.id, unitId: unit.id, enterpriseName: n % 5 === 0 ? '某某建设集团第三工程有限公司城市快速路项目经理部' : `企业${k}有限公司`,
          project: `第${n}项岗位技能竞赛${n % 3 === 0 ? '（安康杯）' : ''}`, organizer: organizers[n % organizers.length], participants: 20 + n * 37,
          participantsText: n % 7 === 0 ? '100-150人' : null, startDate: '2027-03-01', endDate: n % 2 ? '2027-10-31' : '2027-12-31', periodText: n % 4 === 0 ? '3月中旬至5月中旬' : null,
          type: n % 3 === 0 ? 'skills' : 'wubi', keyProject: n % 4 === 1, keyProjectId: n === 3 ? kp.id : null, late: n % 5 === 0, filedBy: 't',
          budgetFen: n % 6 === 0 ? null : 1_000_000 + n * 12345, version: 1 + (n % 3), withdrawnAt: n === 11 ? now : null,
        },
      });
      if (n % 3 !== 2) {
        const awards = n % 4 === 0 ? [{ level: 'city', name: '市五一劳动奖状' }, { level: 'district', name: '区工人先锋号' }] : n % 5 === 0 ? [{ level: 'street', name: '' }] : [];
        await db.summary.create({ data: { planId: plan.id, actualParticipants: 18 + n * 35, expenditureFen: 500_000 + n * 101, awardLevel: n % 4 === 0 ? 'city' : 'none', awards: JSON.stringify(awards), late: n % 4 === 1, filedBy: 't' } });
      }
      if (n % 2) await db.revision.create({ data: { entity: 'plan', entityId: plan.id, action: 'create', version: 1, actorPlatform: 'local', actorUserId: 't', actorName: 't', newValues: '{}', createdAt: new Date(Date.UTC(2027, 1, 10) + n * 3_600_000) } });
    }
  }
  await db.member.create({ data: { platform: 'local', userId: 'f1', name: '张三', unitId: firms[0].id } });
  await db.yearReport.create({ data: { campaignId: campaign.id, unitId: streets[1].id, experiences: '经验', problems: '问题', suggestions: '建议', filedBy: 't' } });
  return { root, street, campaign };
}

/** Every part of the file but docProps/core.xml (which holds no sheet) as text, by name. */
async function parts(data: Buffer): Promise<Record<string, string>> {
  const zip = await JSZip.loadAsync(data);
  const out: Record<string, string> = {};
  for (const name of Object.keys(zip.files).sort()) if (!zip.files[name].dir && !name.endsWith('core.xml')) out[name] = await zip.files[name].async('string');
  return out;
}

/**
 * Every entry of a zip with the checksum its directory records and the one its bytes have (JSZip
 * does not check them; Excel and LibreOffice refuse a file whose checksums are wrong).
 */
function checksums(data: Buffer): { name: string; recorded: number; actual: number }[] {
  // The end of the central directory: its size and place, 22 bytes from the end (no comment).
  const end = data.length - 22;
  expect(data.readUInt32LE(end)).toBe(0x06054b50);
  const out: { name: string; recorded: number; actual: number }[] = [];
  for (let at = data.readUInt32LE(end + 16), k = 0; k < data.readUInt16LE(end + 10); k++) {
    expect(data.readUInt32LE(at)).toBe(0x02014b50);
    const [method, recorded, compressed] = [data.readUInt16LE(at + 10), data.readUInt32LE(at + 16), data.readUInt32LE(at + 20)];
    const [nameLength, extraLength, commentLength, local] = [data.readUInt16LE(at + 28), data.readUInt16LE(at + 30), data.readUInt16LE(at + 32), data.readUInt32LE(at + 42)];
    const name = data.toString('utf8', at + 46, at + 46 + nameLength);
    const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28);
    const bytes = data.subarray(start, start + compressed);
    out.push({ name, recorded, actual: zlib.crc32(method === 8 ? zlib.inflateRawSync(bytes) : bytes) });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return out;
}

async function exportParts(unit: Unit, what: 'all' | 'plan' | 'summary', log?: Logger): Promise<Record<string, string>> {
  return parts((await buildExport(db, campaign, unit, { what, now, databaseUrl: url, log })).data);
}

/** A logger that keeps its warnings (the export logs nothing else). */
function warningsLog(): { log: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const log = { warn: (obj: { err?: string }, msg: string) => warnings.push(`${msg}: ${obj.err}`) } as unknown as Logger;
  return { log, warnings };
}

/** Runs `fn` with the temporary folder set to a new, empty one; returns what is left in it. */
async function inFreshTmp(fn: () => Promise<void>): Promise<string[]> {
  const tmp = fs.mkdtempSync(path.join(dir, 'tmp-'));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
  try {
    expect(os.tmpdir()).toBe(tmp);
    await fn();
  } finally {
    process.env.TMPDIR = saved;
    if (saved === undefined) delete process.env.TMPDIR;
  }
  return fs.readdirSync(tmp);
}

beforeAll(async () => {
  // A worker thread takes part in exports of any size here (in the bot, from 5,000 plans).
  EXPORT_WORKER.fromPlans = 0;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saiwu-export-stream-'));
  url = `file:${path.join(dir, 'saiwu.db')}`;
  await migrateDatabase(url);
  db = openDatabase(url);
  ({ root, street, campaign } = await fill(db));
});

afterAll(async () => {
  await db.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the streamed export', () => {
  it('writes the same workbook whatever the page size', async () => {
    const whole = { all: await exportParts(root, 'all'), plan: await exportParts(root, 'plan'), street: await exportParts(street, 'all') };
    const saved = { ...EXPORT_PAGE };
    // Three plans a page, two units a batch: units with four plans are read in pages of their own.
    Object.assign(EXPORT_PAGE, { rows: 3, units: 2 });
    try {
      expect(await exportParts(root, 'all')).toEqual(whole.all);
      expect(await exportParts(root, 'plan')).toEqual(whole.plan);
      expect(await exportParts(street, 'all')).toEqual(whole.street);
    } finally {
      Object.assign(EXPORT_PAGE, saved);
    }
    // The 计划表 lists every active plan once, unit by unit (the street's enterprises after it).
    expect(whole.all['xl/worksheets/sheet1.xml'].match(/<row /g)).toHaveLength(3 + 29 + 1 + 1);
  });

  it('renders table rows exactly as exceljs would', async () => {
    const fast = await exportParts(root, 'all');
    FAST_ROWS.enabled = false;
    try {
      expect(await exportParts(root, 'all')).toEqual(fast);
    } finally {
      FAST_ROWS.enabled = true;
    }
  });

  it('writes the same workbook when a worker thread reads the plans and renders the later sheets', async () => {
    const before = RENDER_WORKERS.done;
    const withWorkers = await exportParts(root, 'all');
    // Pages read on the worker's own connection, the 汇总表 and 明细 rendered there.
    expect(RENDER_WORKERS.done).toBeGreaterThan(before + 1);
    RENDER_WORKERS.enabled = false;
    try {
      expect(await exportParts(root, 'all')).toEqual(withWorkers);
    } finally {
      RENDER_WORKERS.enabled = true;
    }
  });

  it('copies rows rendered elsewhere as if written in place, a style token cut between blocks too', async () => {
    const columns: ColumnSpec[] = [{ header: '单位', width: 12 }, { header: '人数', width: 8, fixed: true }, { header: '金额(元)', width: 12, numFmt: '#,##0.00', fixed: true }, { header: '备注', width: 10 }];
    const layout = { name: '表', title: '标题', unitLine: '单位：测试区总工会', dateLine: '导出日期：2027年10月20日', columns };
    const rows: SheetRow[] = [
      { kind: 'data', cells: ['第1街道工会', 12, 1234.5, '是'] },
      { kind: 'data', cells: ['R&D “创新”中心 <一线>', null, null, '逾期报送，另附说明，写得很长很长很长很长很长很长很长'] },
      { kind: 'data', cells: ['第2街道工会', 7, 0.01, null] },
    ];
    const tail: SheetRow[] = [{ kind: 'total', cells: ['合计', 19, 1234.51, null] }, { kind: 'note', cells: ['说明：金额按元计。'] }];
    const widths = widthsOf({ columns, rows });
    const inPlace = await streamWorkbook(now, async (book) => {
      const sheet = book.sheet(layout, widths);
      for (const r of [...rows, ...tail]) sheet.add(r);
      sheet.commit();
    });
    const copied = await streamWorkbook(now, async (book) => {
      const sheet = book.sheet(layout, widths);
      // Nothing known yet: every style is a token, registered by the copy in the order of first use.
      const { render, uses } = tokenRenderer(columns, widths, book.knownStyles());
      const bytes = Buffer.from(rows.map((r, i) => render(r, HEADER_ROWS + 1 + i)).join(''));
      async function* byteByByte() {
        for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
      }
      await sheet.addRendered({ blocks: byteByByte(), rows: rows.length, uses });
      for (const r of tail) sheet.add(r);
      sheet.commit();
    });
    expect(await parts(copied)).toEqual(await parts(inPlace));
  });

  it('writes a zip whose every checksum matches its bytes', async () => {
    for (const enabled of [true, false]) {
      RENDER_WORKERS.enabled = enabled;
      try {
        const entries = checksums((await buildExport(db, campaign, root, { what: 'all', now, databaseUrl: url })).data);
        expect(entries.map((e) => e.name)).toContain('xl/worksheets/sheet4.xml');
        for (const e of entries) expect(e, e.name).toMatchObject({ recorded: e.actual });
      } finally {
        RENDER_WORKERS.enabled = true;
      }
    }
  });

  it('leaves nothing on disk', async () => {
    // The plans are kept in the temporary folder while the sheets are written, then removed.
    expect(await inFreshTmp(async () => void (await exportParts(root, 'all')))).toEqual([]);
  });

  // The faults are the worker's own (RENDER_WORKERS.fault, a test-only hook): it throws, or never
  // answers, every task of one kind. A worker is started before the temporary folder is changed
  // (tsx, running the worker from source, keeps a cache there).
  const faults = [
    { on: 'read', act: 'fail', said: 'reading the plans' },
    { on: 'render', act: 'fail', said: 'rendering the sheets' },
    { on: 'read', act: 'stall', said: 'reading the plans' },
    { on: 'render', act: 'stall', said: 'rendering the sheets' },
    // Part way through a sheet, some of its rows already copied into the workbook.
    { on: 'render', act: 'break', said: 'rendering the sheets' },
  ] as const;
  for (const fault of faults) {
    it(`writes the same workbook when the worker ${{ fail: 'fails', stall: 'hangs', break: 'breaks off' }[fault.act]} ${fault.on === 'read' ? 'reading the plans' : 'rendering'}, says so once and leaves nothing on disk`, async () => {
      RENDER_WORKERS.enabled = false;
      const expected = await exportParts(root, 'all');
      RENDER_WORKERS.enabled = true;
      expect(await exportParts(root, 'all')).toEqual(expected);
      const { log, warnings } = warningsLog();
      let got: Record<string, string> = {};
      const started = Date.now();
      RENDER_WORKERS.fault = { on: fault.on, act: fault.act };
      // A hung worker is given up after the time limit (minutes in the bot), and workers then rest a while (ten minutes).
      if (fault.act === 'stall') Object.assign(RENDER_WORKERS, { limitMs: 1000, restMs: 6000 });
      try {
        expect(await inFreshTmp(async () => void (got = await exportParts(root, 'all', log)))).toEqual([]);
      } finally {
        delete RENDER_WORKERS.fault;
        delete RENDER_WORKERS.limitMs;
      }
      expect(got).toEqual(expected);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(fault.said);
      expect(warnings[0]).toContain({ fail: `test fault: the ${fault.on} task failed`, stall: 'did not finish', break: 'test fault: the render task broke off' }[fault.act]);
      if (fault.act === 'stall') {
        expect(Date.now() - started).toBeLessThan(20_000);
        // Until the workers have rested, exports do without one: at once, with nothing to wait out.
        const before = RENDER_WORKERS.done;
        const resting = warningsLog();
        expect(await exportParts(root, 'all', resting.log)).toEqual(expected);
        expect(RENDER_WORKERS.done).toBe(before);
        expect(resting.warnings).toEqual([]);
        await until(async () => renderWorkersAvailable(), 10_000, 'the workers rested');
        delete RENDER_WORKERS.restMs;
      }
      // The next export has a worker again, and no warning.
      const before = RENDER_WORKERS.done;
      const after = warningsLog();
      expect(await exportParts(root, 'all', after.log)).toEqual(expected);
      expect(after.warnings).toEqual([]);
      expect(RENDER_WORKERS.done).toBeGreaterThan(before);
    }, 60_000);
  }

  it('says so when a worker hangs on a task whose export is already over, as workers then rest', async () => {
    const { log, warnings } = warningsLog();
    Object.assign(RENDER_WORKERS, { fault: { on: 'render', act: 'stall' }, limitMs: 500, restMs: 1500 });
    try {
      const over = new AbortController();
      const job = { spool: path.join(dir, 'none.bin'), sheets: [{ table: 'summary' as const, widths: [], out: path.join(dir, 'none.xml') }], several: false, firstRow: 4, names: [], known: {} };
      const task = renderInWorker(job, 1, { log, signal: over.signal });
      // The export failed (or finished) meanwhile: it no longer waits for the task, nor tells the log of it.
      over.abort();
      await expect(task).rejects.toThrow('cancelled');
      await until(async () => warnings.length > 0, 10_000, 'the hang in the log');
      expect(renderWorkersAvailable()).toBe(false);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('exports are done without one for 2 s');
    } finally {
      delete RENDER_WORKERS.fault;
      delete RENDER_WORKERS.limitMs;
    }
    await until(async () => renderWorkersAvailable(), 10_000, 'the workers rested');
    delete RENDER_WORKERS.restMs;
  }, 30_000);

  it('keeps a database URL out of what it logs', () => {
    const secret = 'postgresql://saiwu:s3cret@db.example:5432/saiwu';
    expect(logSafeMessage(new Error(`connect to ${secret} failed`), secret)).toBe('connect to [database url] failed');
    expect(logSafeMessage(new Error('connect to postgres://u:pw@h/db failed'))).not.toContain('pw');
    expect(logSafeMessage(new Error('https://user:pass@example.com/x'))).not.toContain('pass');
  });

  it('decodes every column of a page, and keeps every field of a plan in the spool', async () => {
    // A page's tuple by column name (PAGE_AT, from the one list the SQL is also written from).
    const values: Record<keyof typeof PAGE_AT, unknown> = {
      id: 7, unitId: 3, enterpriseName: '企业', project: '项目', organizer: '组织', participants: 120, participantsText: '100-150人', startDate: '2027-03-01',
      endDate: '2027-10-31', periodText: '全年', type: 'skills', keyProject: 1, keyProjectName: '地铁3号线', budgetFen: 123456, late: 0, version: 2,
      changedAt: 1_800_000_000_000, summaryId: 9, actualParticipants: 130, expenditureFen: 654321, awards: '[{"level":"city","name":"工人先锋号"}]', summaryLate: 1,
    };
    const tuple: unknown[] = [];
    for (const [name, at] of Object.entries(PAGE_AT)) tuple[at] = values[name as keyof typeof PAGE_AT];
    expect(tuple).toHaveLength(Object.keys(values).length);
    const plan = planOf(tuple);
    const expected: ExportPlan = {
      id: 7, unitId: 3, enterpriseName: '企业', project: '项目', organizer: '组织', participants: 120, participantsText: '100-150人', startDate: '2027-03-01',
      endDate: '2027-10-31', periodText: '全年', type: 'skills', keyProject: true, keyProjectName: '地铁3号线', budgetFen: 123456, late: false, version: 2,
      changedAt: new Date(1_800_000_000_000), summary: { actualParticipants: 130, expenditureFen: 654321, awards: [{ level: 'city', name: '工人先锋号' }], late: true },
    };
    expect(plan).toEqual(expected);
    // Through the spool and back: the same plans, with and without a summary.
    const file = path.join(dir, 'spool-roundtrip.bin');
    const plans = [expected, { ...expected, id: 8, participantsText: null, periodText: null, keyProjectName: null, budgetFen: null, changedAt: null, summary: null }];
    async function* pages() {
      yield plans;
    }
    expect(await writeSpool(file, pages(), () => undefined)).toBe(2);
    const back: ExportPlan[] = [];
    for await (const page of readSpool(file)) back.push(...page);
    expect(back).toEqual(plans);
    fs.rmSync(file);
  });

  it('leaves out the characters XML cannot hold, in rows written either way', async () => {
    const columns: ColumnSpec[] = [{ header: '单位', width: 12 }, { header: '项目', width: 20 }];
    const bad = ['第1\uFFFE工会', '半个\uD83D字', '另半\uDE00个', '表情😀保留', '结尾\uFFFF'];
    const rows: SheetRow[] = [
      { kind: 'band', cells: [`街道\uFFFE工会`] },
      ...bad.map((t): SheetRow => ({ kind: 'data', cells: [t, `项目${t}`] })),
      { kind: 'note', cells: ['说明\uD800：'] },
    ];
    const layout = { name: '表', title: '标题\uFFFE', unitLine: '单位：测\uDC00试', dateLine: '导出日期', columns };
    const write = () => streamWorkbook(now, async (book) => {
      const sheet = book.sheet(layout, widthsOf({ columns, rows }));
      for (const r of rows) sheet.add(r);
      sheet.commit();
    });
    const fast = await parts(await write());
    FAST_ROWS.enabled = false;
    let slow: Record<string, string>;
    try {
      slow = await parts(await write());
    } finally {
      FAST_ROWS.enabled = true;
    }
    expect(slow).toEqual(fast);
    const xml = fast['xl/worksheets/sheet1.xml'];
    expect(xml).not.toMatch(/[\uFFFE\uFFFF\uFFFD]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    for (const text of ['第1工会', '半个字', '另半个', '表情😀保留', '结尾', '街道工会', '说明：', '标题', '单位：测试']) expect(xml).toContain(text);
  });
});

const noPostgres = await postgresProblem('the streamed export on PostgreSQL');

describe.skipIf(Boolean(noPostgres))('the streamed export on PostgreSQL', () => {
  it('writes the same sheets as on SQLite, the plans read by the worker as rows or through Prisma as JSON', async () => {
    const database = await tempDatabase();
    await migrateDatabase(database.url);
    const pgDb = openDatabase(database.url);
    try {
      const filled = await fill(pgDb);
      const exportOn = async () => parts((await buildExport(pgDb, filled.campaign, filled.root, { what: 'all', now, databaseUrl: database.url })).data);
      /** Without the worker the pages come through Prisma, as JSON. */
      const withoutWorker = async () => {
        RENDER_WORKERS.enabled = false;
        try {
          return await exportOn();
        } finally {
          RENDER_WORKERS.enabled = true;
        }
      };
      const before = RENDER_WORKERS.done;
      const byWorker = await exportOn();
      expect(RENDER_WORKERS.done).toBeGreaterThan(before + 1);
      expect(await withoutWorker()).toEqual(byWorker);
      // Pages of three plans: units with four are read in pages of their own, either way.
      const saved = { ...EXPORT_PAGE };
      Object.assign(EXPORT_PAGE, { rows: 3, units: 2 });
      try {
        expect(await exportOn()).toEqual(byWorker);
        expect(await withoutWorker()).toEqual(byWorker);
      } finally {
        Object.assign(EXPORT_PAGE, saved);
      }
      // The per-plan sheets and the 统计 are the same as from the same filings on SQLite.
      const onSqlite = await exportParts(root, 'all');
      for (const sheet of ['sheet1', 'sheet2', 'sheet3', 'sheet4']) expect(byWorker[`xl/worksheets/${sheet}.xml`], sheet).toBe(onSqlite[`xl/worksheets/${sheet}.xml`]);
    } finally {
      await pgDb.$disconnect();
      await database.drop();
    }
  });
});
