// The standings and the export use hand-written SQL (grouped counts, a join); this runs them on
// PostgreSQL with the known year of filings. Skipped (with the reason) when PostgreSQL is not
// reachable, unless SAIWU_REQUIRE_POSTGRES is set.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from './support/harness.js';
import { download, fileKnownYear, standingsRows } from './support/standings-fixture.js';
import { postgresProblem, tempDatabase } from './support/postgres.js';

const problem = await postgresProblem('the PostgreSQL standings test');

describe.skipIf(Boolean(problem))('standings and export on PostgreSQL', () => {
  let bot: TestBot;
  let database: Awaited<ReturnType<typeof tempDatabase>>;

  beforeAll(async () => {
    database = await tempDatabase();
    bot = await startTestBot({ DATABASE_URL: database.url });
  });
  afterAll(async () => {
    await bot?.close();
    await database?.drop();
  });

  it('gives the same standings and totals as on SQLite', async () => {
    const { admin } = await fileKnownYear(bot);
    const { rows } = standingsRows(await bot.say(admin, '/standings'));
    expect(rows).toEqual([
      ['1', '西城街道工会', '60', '5', '10', '5', '20', '10', '10', '0'],
      ['2', '东城街道工会', '50', '10', '10', '10', '10', '4', '6', '0'],
      ['3', '高新园区工会（未填报）', '0', '0', '0', '0', '—', '0', '0', '0'],
    ]);

    const file = (await bot.say(admin, '/export all')).find((r) => r.kind === 'file') as { url: string };
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await download(bot, file.url)) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('汇总表')!;
    expect(ws.getCell('A7').value).toBe('合计（3项）');
    expect(ws.getCell('E7').value).toBe(3500);
    expect(ws.getCell('G7').value).toBe(100000.5);
    // Booleans and timestamps read back from raw SQL the same way on PostgreSQL.
    const detail = wb.getWorksheet('明细')!;
    expect([detail.getCell('H4').value, detail.getCell('H6').value]).toEqual(['否', '是']);
    expect(detail.getCell('K4').value).toBe('2027-02-10 10:00');
  });
});
