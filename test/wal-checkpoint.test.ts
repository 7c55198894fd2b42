// A busy SQLite database is checkpointed by a thread of its own (src/store/wal-checkpointer.ts), not
// inside a filing's commit. What a user would see: during a burst of filings the database file
// itself — what a nightly backup that copies only saiwu.db takes — holds every filing within a
// second or so, rather than up to 4 MB of filings staying in the log beside it; and the bot still
// stops cleanly and starts again with everything filed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { sqliteFilePath } from '../src/database-url.js';
import { WAL_SIZE_LIMIT } from '../src/store/client.js';
import { startFilingBot, startTestBot, textOf, type TestBot } from './support/harness.js';
import { until } from './support/wait.js';

const plan = (k: number) => [
  '【竞赛计划】', '企业名称：东城建设集团', `竞赛项目：第${k}标段“五比一创”劳动竞赛`, '组织方式：工会与行政联合组织，按班组开展',
  `参与人数：${100 + k}`, '时间安排：2027年3月1日至10月31日', '竞赛类型：五比一创', '重点项目：否',
].join('\n');

let bot: TestBot | undefined;
const copies: string[] = [];
afterAll(async () => {
  await bot?.close();
  for (const dir of copies) fs.rmSync(dir, { recursive: true, force: true });
});

/** Plans in a copy of the database file alone (no log beside it), as a file-copy backup would have. */
function plansInFileAlone(file: string): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saiwu-copy-'));
  copies.push(dir);
  fs.copyFileSync(file, path.join(dir, 'copy.db'));
  const copy = new Database(path.join(dir, 'copy.db'), { readonly: true });
  try {
    return (copy.prepare('SELECT COUNT(*) AS n FROM "Plan"').get() as { n: number }).n;
  } finally {
    copy.close();
  }
}

it('during a burst of filings the database file itself soon holds every filing; the bot stops and starts again with all of them', async () => {
  const started = await startFilingBot();
  bot = started.bot;
  const file = path.resolve(sqliteFilePath(bot.config.databaseUrl));
  const walBytes = () => (fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0);
  let filed = 0;
  // Past the 2 MB at which the database counts as busy (about 40 filings with their transcript).
  while (walBytes() < 2.5 * 1024 * 1024 && filed < 1500) {
    expect(textOf(await bot.say(started.east, plan(++filed)))).toContain('竞赛计划已收到');
  }
  expect(walBytes()).toBeGreaterThanOrEqual(2.5 * 1024 * 1024);
  // The watch looks every 2 s; then 30 more filings, each of which must reach the file itself.
  await new Promise((r) => setTimeout(r, 2_500));
  for (let k = 0; k < 30; k++) expect(textOf(await bot.say(started.east, plan(++filed)))).toContain('竞赛计划已收到');
  await until(async () => plansInFileAlone(file) === filed, 15_000, `all ${filed} plans in the database file alone`);

  const { dataDir } = bot;
  await bot.stop();
  copies.push(dataDir);
  bot = await startTestBot({ DATA_DIR: dataDir });
  expect(textOf(await bot.say(started.east, '/我的'))).toContain(`计划 ${filed} 项`);
}, 120_000);

it('a large write (an import) does not leave the log beside the database at its size for good', async () => {
  await bot?.close();
  const started = await startFilingBot();
  bot = started.bot;
  const file = path.resolve(sqliteFilePath(bot.config.databaseUrl));
  const walBytes = () => (fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0);
  // About 24 MB in one transaction, as a large roster import writes: the log grows past the limit.
  const big = 'x'.repeat(400);
  await bot.app.db.$transaction(async (tx) => {
    for (let k = 0; k < 60_000; k += 1000) {
      const rows = Array.from({ length: 1000 }, (_, i) => ({ platform: 'bulk', eventId: `${big}${k + i}` }));
      await tx.processedEvent.createMany({ data: rows });
    }
  }, { timeout: 60_000 });
  expect(walBytes()).toBeGreaterThan(WAL_SIZE_LIMIT * 1.2);
  // Once the checkpoint thread has copied it into the database, the bot's next commits cut it back.
  let filed = 0;
  await until(async () => {
    expect(textOf(await bot!.say(started.east, plan(++filed)))).toContain('竞赛计划已收到');
    return walBytes() <= WAL_SIZE_LIMIT;
  }, 20_000, 'the log cut back to its limit');
  expect(textOf(await bot.say(started.east, '/我的'))).toContain(`计划 ${filed} 项`);
}, 120_000);
