// The standings and the export use hand-written SQL (grouped counts, a join); this runs them on
// PostgreSQL with the known year of filings. Skipped (with the reason) when PostgreSQL is not
// reachable, unless SAIWU_REQUIRE_POSTGRES is set.
import { randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from './support/harness.js';
import { download, fileKnownYear, standingsRows } from './support/standings-fixture.js';

const ADMIN_URL = process.env.SAIWU_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const required = !['', '0', 'false', 'no'].includes((process.env.SAIWU_REQUIRE_POSTGRES ?? '').trim().toLowerCase());

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const problem = await withAdmin((c) => c.query('SELECT 1')).then(() => null, (err: Error) => err.message || String(err));
if (problem && required) throw new Error(`SAIWU_REQUIRE_POSTGRES is set but PostgreSQL at ${ADMIN_URL} is not reachable: ${problem}`);
if (problem) console.warn(`Skipping the PostgreSQL standings test: ${ADMIN_URL} is not reachable (${problem}).`);

describe.skipIf(Boolean(problem))('standings and export on PostgreSQL', () => {
  const dbName = `saiwu_test_${randomBytes(6).toString('hex')}`;
  let bot: TestBot;

  beforeAll(async () => {
    await withAdmin((c) => c.query(`CREATE DATABASE ${dbName}`));
    const url = new URL(ADMIN_URL);
    url.pathname = `/${dbName}`;
    bot = await startTestBot({ DATABASE_URL: url.toString() });
  });
  afterAll(async () => {
    await bot?.close();
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
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
