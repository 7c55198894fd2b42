// Money beyond 32 bits (issue 17): 经费 of 30,000,000 元 and 123,456,789.12 元 filed through the chat,
// on PostgreSQL (whose 32-bit integer ended at 21,474,836.47 元) and on SQLite, and read back wherever
// a person sees it: the receipts, /修改记录, /统计 and the exported workbook. A database from before
// money was 64-bit keeps its amounts and takes larger ones after the upgrade.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setUpDistrict, startTestBot, textOf, type LocalUser, type TestBot } from './support/harness.js';
import { postgresProblem, tempDatabase } from './support/postgres.js';
import { download } from './support/standings-fixture.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const problem = await postgresProblem('the PostgreSQL money tests');

const plan = (project: string, budget: string) =>
  `【竞赛计划】\n企业名称：东城建设集团\n竞赛项目：${project}\n组织方式：班组\n参与人数：500\n时间安排：2027年3月1日至10月31日\n竞赛类型：五比一创\n重点项目：否\n经费预算：${budget}`;
const summary = (planId: number, spent: string, actual = 480) => `【竞赛总结】\n计划编号：${planId}\n实际参与人数：${actual}\n经费支出：${spent}\n获奖情况：无`;
const planId = (receipt: string) => Number(receipt.match(/计划编号 #(\d+)/)![1]);
const rowValues = (ws: ExcelJS.Worksheet, n: number) => (ws.getRow(n).values as unknown[]).slice(1);
/** A sheet's values under one of its headers (row 3), from the first row of data to the last row. */
function columnOf(ws: ExcelJS.Worksheet, header: string): unknown[] {
  const at = rowValues(ws, 3).indexOf(header);
  expect(at, `${ws.name}: ${header}`).toBeGreaterThanOrEqual(0);
  return Array.from({ length: ws.rowCount - 3 }, (_, k) => rowValues(ws, k + 4)[at]);
}

// The same filings on each database: a fresh PostgreSQL database, or the default SQLite file.
const backends = [
  { name: 'PostgreSQL', skip: Boolean(problem), database: () => tempDatabase() },
  { name: 'SQLite', skip: false, database: async () => ({ url: undefined, drop: async () => undefined }) },
];

describe.each(backends)('large amounts on $name', ({ skip, database }) => {
  let bot: TestBot;
  let db: { url: string | undefined; drop(): Promise<void> } | undefined;
  let east: LocalUser;
  let admin: LocalUser;
  beforeAll(async () => {
    if (skip) return;
    db = await database();
    bot = await startTestBot(db.url ? { DATABASE_URL: db.url } : {});
    bot.setNow('2027-02-10T10:00:00+08:00');
    ({ east, admin } = await setUpDistrict(bot));
    expect(textOf(await bot.say(east, '/join 东城街道工会'))).toContain('已登记');
  });
  afterAll(async () => {
    await bot?.close();
    await db?.drop();
  });

  it.skipIf(skip)('files, revises, counts and exports 30,000,000 元 and 123,456,789.12 元 to the fen', async () => {
    const first = textOf(await bot.say(east, plan('快速路“五比一创”劳动竞赛', '30000000')));
    expect(first).toContain('✅ 竞赛计划已收到');
    expect(first).toContain('预算30,000,000元');
    const second = textOf(await bot.say(east, plan('地铁站点建设劳动竞赛', '123,456,789.12元')));
    expect(second).toContain('预算123,456,789.12元');
    const [a, b] = [planId(first), planId(second)];

    bot.setNow('2027-10-10T10:00:00+08:00');
    expect(textOf(await bot.say(east, summary(a, '3000万')))).toContain('经费支出30,000,000元');
    expect(textOf(await bot.say(east, summary(b, '￥123,456,789.12')))).toContain('经费支出123,456,789.12元');
    const revised = textOf(await bot.say(east, summary(a, '30,000,000.50')));
    expect(revised).toContain('竞赛总结已更新（第2版）');
    expect(revised).toContain('经费支出 30,000,000元→30,000,000.5元');
    const history = textOf(await bot.say(east, `/修改记录 ${a}`));
    expect(history).toContain('经费支出 30,000,000元→30,000,000.5元');

    // /统计 adds them up: 30,000,000.50 + 123,456,789.12.
    expect(textOf(await bot.say(east, '/统计'))).toContain('经费支出：153,456,789.62元');

    const replies = await bot.say(admin, '/导出 全部');
    const file = replies.find((r) => r.kind === 'file');
    if (!file || file.kind !== 'file') throw new Error(`no file in: ${textOf(replies)}`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await download(bot, file.url)) as unknown as ArrayBuffer);
    // Each sheet's money column, read by its header (a sheet leaves out 所属单位 when one unit filed).
    const summaries = wb.getWorksheet('汇总表')!;
    expect(columnOf(summaries, '经费支出(元)')).toEqual([30_000_000.5, 123_456_789.12, 153_456_789.62]);
    expect(summaries.getCell(`A${summaries.rowCount}`).value).toBe('合计（2项）');
    // Shown as 123,456,789.12 in Excel.
    expect(summaries.getRow(5).getCell(rowValues(summaries, 3).indexOf('经费支出(元)') + 1).numFmt).toBe('#,##0.00');
    expect(columnOf(wb.getWorksheet('统计')!, '经费支出(元)')).toEqual([153_456_789.62, 153_456_789.62]);
    expect(columnOf(wb.getWorksheet('明细')!, '经费预算(元)')).toEqual([30_000_000, 123_456_789.12]);
  });

  it.skipIf(skip)('refuses an amount above 1,000,000,000 元, naming the field and the limit', async () => {
    bot.setNow('2027-02-10T10:00:00+08:00');
    const reply = textOf(await bot.say(east, plan('超大预算测试', '2000000000000')));
    expect(reply).not.toContain('✅');
    expect(reply).toMatch(/经费预算：2000000000000\n❗.*金额 2,000,000,000,000 元不合常理（上限 1,000,000,000 元）/);
  });
});

/**
 * A database with every migration before money became 64-bit applied, and one plan with the largest
 * amounts a 32-bit column held (21,474,836.47 元), a progress update and a summary.
 */
const OLD_ROWS = [
  `INSERT INTO "Unit" (name, level, headcount) VALUES ('测试区总工会', 1, 20000)`,
  `INSERT INTO "Unit" (name, level, "parentId", headcount) VALUES ('东城街道工会', 2, (SELECT id FROM "Unit" WHERE name = '测试区总工会'), 5000)`,
  `INSERT INTO "Campaign" (year, "unitId", title, "planDeadline", "summaryDeadline", "reportDeadline")
    VALUES (2027, (SELECT id FROM "Unit" WHERE name = '测试区总工会'), '2027年度测试区职工劳动和技能竞赛', '2027-02-28', '2027-10-15', '2027-12-31')`,
  `INSERT INTO "ChatBinding" (platform, "chatId", "unitId", "campaignId", "createdBy", "updatedAt")
    VALUES ('local', 'district-group', (SELECT id FROM "Unit" WHERE name = '测试区总工会'), (SELECT id FROM "Campaign"), 'admin', CURRENT_TIMESTAMP)`,
  `INSERT INTO "Member" (platform, "userId", name, role, "unitId", "updatedAt") VALUES ('local', 'east', '东城李干事', 'filer', (SELECT id FROM "Unit" WHERE name = '东城街道工会'), CURRENT_TIMESTAMP)`,
  `INSERT INTO "Plan" ("campaignId", "unitId", "enterpriseName", project, organizer, participants, "startDate", "endDate", type, "keyProject", "budgetFen", "filedBy", "updatedAt")
    VALUES ((SELECT id FROM "Campaign"), (SELECT id FROM "Unit" WHERE name = '东城街道工会'), '东城建设集团', '快速路劳动竞赛', '班组', 300, '2027-03-01', '2027-10-31', 'wubiyichuang', TRUE, 2147483647, '东城李干事', CURRENT_TIMESTAMP)`,
  `INSERT INTO "ProgressUpdate" ("planId", date, content, "filedBy") VALUES ((SELECT id FROM "Plan"), '2027-05-01', '完成第一阶段', '东城李干事')`,
  `INSERT INTO "Summary" ("planId", "actualParticipants", "expenditureFen", "filedBy", "updatedAt") VALUES ((SELECT id FROM "Plan"), 280, 2147483647, '东城李干事', CURRENT_TIMESTAMP)`,
];
const MONEY_MIGRATION = '20261130000000_money_bigint';
const migrationsBefore = (dir: string) =>
  fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name < MONEY_MIGRATION).map((e) => e.name).sort()
    .map((name) => ({ name, sql: fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8') }));

/** After the upgrade: the old amounts read back as they were, and a larger one replaces one of them. */
async function checkUpgraded(bot: TestBot): Promise<void> {
  bot.setNow('2027-10-10T10:00:00+08:00');
  const east = { userId: 'east', userName: '东城李干事', chatId: 'district-group' };
  const { id } = await bot.app.db.plan.findFirstOrThrow({ where: { project: '快速路劳动竞赛' } });
  expect(textOf(await bot.say(east, '/统计'))).toContain('经费支出：21,474,836.47元');
  const revised = textOf(await bot.say(east, summary(id, '30000000', 280)));
  expect(revised).toContain('竞赛总结已更新（第2版）');
  expect(revised).toContain('改了：经费支出');
  expect(revised).toContain('经费支出30,000,000元');
  // The plan as it was filed, with a larger budget.
  const replanned = textOf(await bot.say(east, plan('快速路劳动竞赛', '123456789.12').replace('参与人数：500', '参与人数：300').replace('重点项目：否', '重点项目：是')));
  expect(replanned).toContain('竞赛计划已更新（第2版）');
  expect(replanned).toContain('改了：经费预算');
  expect(replanned).toContain('预算123,456,789.12元');
  const history = textOf(await bot.say(east, `/修改记录 ${id}`));
  expect(history).toContain('经费预算 21,474,836.47元→123,456,789.12元');
  expect(history).toContain('经费支出 21,474,836.47元→30,000,000元');
  expect(history).toContain('进度 #1 2027年5月1日 东城李干事：完成第一阶段');
  expect(textOf(await bot.say(east, '/统计'))).toContain('经费支出：30,000,000元');
}

describe('a database from before money was 64-bit', () => {
  let bot: TestBot | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('on SQLite keeps its amounts, progress and summary, and takes larger ones', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saiwu-money-'));
    const old = new Database(path.join(dir, 'saiwu.db'));
    old.exec('CREATE TABLE _saiwu_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
    for (const m of migrationsBefore(path.join(ROOT, 'prisma', 'migrations'))) {
      old.exec(m.sql);
      old.prepare('INSERT INTO _saiwu_migrations VALUES (?, ?)').run(m.name, new Date().toISOString());
    }
    for (const sql of OLD_ROWS) old.exec(sql);
    old.close();
    bot = await startTestBot({ DATA_DIR: dir });
    await checkUpgraded(bot);
  });

  it.skipIf(Boolean(problem))('on PostgreSQL keeps its amounts, progress and summary, and takes larger ones', async () => {
    const database = await tempDatabase();
    try {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        await client.query('CREATE TABLE _saiwu_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
        for (const m of migrationsBefore(path.join(ROOT, 'prisma', 'pg', 'migrations'))) {
          await client.query(m.sql);
          await client.query('INSERT INTO _saiwu_migrations (name) VALUES ($1)', [m.name]);
        }
        for (const sql of OLD_ROWS) await client.query(sql);
      } finally {
        await client.end();
      }
      bot = await startTestBot({ DATABASE_URL: database.url });
      await checkUpgraded(bot);
    } finally {
      await bot?.close();
      bot = undefined;
      await database.drop();
    }
  });
});
