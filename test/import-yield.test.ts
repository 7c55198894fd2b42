// Issue 17: a long /导入 never holds up the other chats. A 20,000-row roster is imported while another
// chat asks for /帮助 and a filer files a plan: both are answered before the import is (the roster is
// parsed in a worker thread, checked in slices that give the event loop turns, and written in bulk).
// And the bulk writing keeps what the row-by-row writing did: every unit under its parent at its
// depth, one revision each with the values as JSON.stringify writes them, changed units only counted
// as changed, all or nothing — on SQLite and, when it is reachable, on PostgreSQL.
import ExcelJS from 'exceljs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setUpDistrict, startTestBot, textOf, type LocalUser, type TestBot } from './support/harness.js';
import { postgresProblem, tempDatabase } from './support/postgres.js';

const ROWS = 20_000;
const STREETS = 50;

async function workbook(rows: (string | number | null)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('单位名单').addRows([['单位名称', '上级单位', '职工数', '单位代码', '联系人', '手机号'], ...rows]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Streets under the district, enterprises under the streets: `count` rows. */
function roster(count: number): (string | number | null)[][] {
  const rows: (string | number | null)[][] = [];
  for (let s = 1; s <= STREETS; s++) rows.push([`第${s}街道工会`, '测试区总工会', 5000 + s, `S${s}`, '王干事', '13900000000']);
  for (let n = 1; rows.length < count; n++) rows.push([`第${(n % STREETS) + 1}街道第${n}号企业工会`, `第${(n % STREETS) + 1}街道工会`, 50 + (n % 400), `E${n}`, '李干事', `138${String(n).padStart(8, '0')}`]);
  return rows;
}

/**
 * /导入 with a file, handed to the bot as a platform adapter hands over a file it downloaded (the
 * local chat API takes files up to 1 MB; this one is larger).
 */
async function importFile(bot: TestBot, user: LocalUser, data: Buffer, eventId: string): Promise<string> {
  const replies = await bot.bot.handleMessage({
    platform: 'local', eventId, chatId: user.chatId, chatType: 'group', userId: user.userId, userName: user.userName,
    text: '/导入', mentions: [], attachment: { fileName: '名单.xlsx', data },
  });
  return replies.map((r) => (r.kind === 'text' ? r.text : `[${r.kind}]`)).join('\n');
}

describe('a long roster import', () => {
  let bot: TestBot;
  afterEach(async () => bot?.close());

  it(`answers other chats while ${ROWS} rows are imported, and imports them all`, async () => {
    bot = await startTestBot();
    bot.setNow('2027-02-10T10:00:00+08:00');
    const { admin, east } = await setUpDistrict(bot);
    expect(textOf(await bot.say(east, '/加入 东城街道工会'))).toContain('已登记');
    const passerby: LocalUser = { userId: 'passerby', userName: '路人', chatId: 'other-group' };
    const data = await workbook(roster(ROWS));

    // A signal when the import has read the file and starts checking it against the database (its
    // query for every unit): from there on, until its reply, it used to hold the event loop throughout.
    let checking!: () => void;
    const checked = new Promise<void>((resolve) => (checking = resolve));
    const units = bot.app.db.unit;
    const findMany = units.findMany.bind(units);
    units.findMany = ((args?: { select?: { archivedAt?: boolean } }) => {
      if (args?.select?.archivedAt) checking();
      return findMany(args as never);
    }) as typeof units.findMany;

    const order: string[] = [];
    const importing = importFile(bot, admin, data, 'big-import').then((reply) => {
      order.push('import');
      return reply;
    });
    // A filer files a plan (a transaction of its own) while the file is being parsed…
    const plan = '【竞赛计划】\n企业名称：东城第1企业\n竞赛项目：安康杯竞赛\n组织方式：班组\n参与人数：40\n时间安排：2027-03-01至2027-10-31\n竞赛类型：安康杯\n重点项目：否';
    expect(textOf(await bot.say(east, plan))).toContain('竞赛计划已收到');
    order.push('plan');
    // …and another chat asks for /帮助 while it is checked and written.
    await checked;
    expect(textOf(await bot.say(passerby, '/帮助'))).toContain('/');
    order.push('help');
    const reply = await importing;

    // Ordering, not timing: the other chats were answered before the import was.
    expect(order).toEqual(['plan', 'help', 'import']);
    expect(reply).toContain(`✅ 单位名单已导入：新增${ROWS}个，更新0个`);
    expect(await bot.app.db.unit.count()).toBe(ROWS + 4);
    const last = await bot.app.db.unit.findUniqueOrThrow({ where: { name: `第${((ROWS - STREETS) % STREETS) + 1}街道第${ROWS - STREETS}号企业工会` }, include: { parent: true } });
    expect([last.level, last.parent?.name, last.parent?.level]).toEqual([3, `第${((ROWS - STREETS) % STREETS) + 1}街道工会`, 2]);
    expect(await bot.app.db.revision.count({ where: { entity: 'unit', action: 'import-add' } })).toBe(ROWS);
  }, 60_000);
});

/** The same small roster through the bulk writing, on either database. */
function writesLikeBefore(start: () => Promise<TestBot>) {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await start();
  }, 60_000);
  afterAll(async () => bot?.close());

  it('puts every unit under its parent at its depth, with one revision each, and changes only what changed', async () => {
    bot.setNow('2027-02-10T10:00:00+08:00');
    const { admin } = await setUpDistrict(bot);
    const db = bot.app.db;
    const east = await db.unit.findUniqueOrThrow({ where: { name: '东城街道工会' } });
    const eastVersions = await db.revision.count({ where: { entity: 'unit', entityId: east.id } });
    const startedAt = Date.now();
    const rows = [
      // A child before its parent, three generations deep, under an existing unit.
      ['南城二号企业工会一分会', '南城二号企业工会', 30, null, null, null],
      ['南城二号企业工会', '南城街道工会', '约90人', 'N002', '赵六', '13700000002'],
      ['南城街道工会', '测试区总工会', 3000, null, '钱七', null],
      // Existing units: one changed, one as it is.
      ['东城街道工会', null, 5100, 'E-1', '孙八', null],
      ['西城街道工会', null, 4000, null, null, null],
      ['北城"新区"工会', null, null, null, null, null],
    ];
    const reply = await importFile(bot, admin, await workbook(rows), 'small-import');
    expect(reply).toContain('✅ 单位名单已导入：新增4个，更新1个');
    // Parents first (a generation at a time), in file order within a generation.
    expect(reply).toContain('新增：南城街道工会、北城"新区"工会、南城二号企业工会、南城二号企业工会一分会');
    expect(reply).toContain('更新职工数/代码/联系人：东城街道工会');

    const unit = (name: string) => db.unit.findUniqueOrThrow({ where: { name } });
    const district = await unit('测试区总工会');
    const south = await unit('南城街道工会');
    const firm = await unit('南城二号企业工会');
    const branch = await unit('南城二号企业工会一分会');
    expect([south.parentId, south.level, firm.parentId, firm.level, branch.parentId, branch.level]).toEqual([district.id, 2, south.id, 3, firm.id, 4]);
    expect([firm.headcount, firm.code, firm.contactName, firm.contactPhone]).toEqual([90, 'N002', '赵六', '13700000002']);
    expect([branch.headcount, branch.code, branch.contactName, branch.contactPhone]).toEqual([30, null, null, null]);
    expect((await unit('北城"新区"工会')).level).toBe(1);
    expect(firm.createdAt.getTime()).toBeGreaterThanOrEqual(startedAt - 1000);
    expect(firm.createdAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);

    // One revision per new unit, the values as written, as JSON.stringify writes them.
    const added = await db.revision.findMany({ where: { entity: 'unit', action: 'import-add' }, orderBy: { id: 'asc' } });
    expect(added.map((r) => r.entityId).sort()).toEqual([south.id, firm.id, branch.id, (await unit('北城"新区"工会')).id].sort());
    const firmAdded = added.find((r) => r.entityId === firm.id)!;
    expect(firmAdded).toMatchObject({ version: 1, previousValues: null, actorPlatform: 'local', actorUserId: 'admin', actorName: '王主席', sourceMessageId: 'small-import' });
    expect(firmAdded.newValues).toBe(JSON.stringify({ via: 'import', name: '南城二号企业工会', parentId: south.id, headcount: 90, code: 'N002', contactName: '赵六', contactPhone: '13700000002' }));

    // The changed unit: its revision holds the values before and after; the unchanged one has none.
    const changed = await unit('东城街道工会');
    expect([changed.headcount, changed.code, changed.contactName, changed.contactPhone]).toEqual([5100, 'E-1', '孙八', east.contactPhone]);
    const set = await db.revision.findMany({ where: { entity: 'unit', action: 'import-set' } });
    expect(set).toHaveLength(1);
    expect(set[0]).toMatchObject({ entityId: east.id, version: eastVersions + 1 });
    const pick = (u: typeof east) => ({ name: u.name, parentId: u.parentId, headcount: u.headcount, code: u.code, contactName: u.contactName, contactPhone: u.contactPhone });
    expect(set[0].previousValues).toBe(JSON.stringify({ via: 'import', ...pick(east) }));
    expect(set[0].newValues).toBe(JSON.stringify(pick(changed)));

    // The same file again changes nothing.
    expect(await importFile(bot, admin, await workbook(rows), 'small-import-again')).toContain('✅ 单位名单已导入：新增0个，更新0个');
    expect(await db.revision.count({ where: { entity: 'unit', action: { in: ['import-add', 'import-set'] } } })).toBe(5);
  }, 60_000);
}

describe('the bulk writing on SQLite', () => writesLikeBefore(() => startTestBot()));

const pgProblem = await postgresProblem('the bulk import writing on PostgreSQL');
describe.skipIf(Boolean(pgProblem))('the bulk writing on PostgreSQL', () => {
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => drop?.());
  writesLikeBefore(async () => {
    const database = await tempDatabase();
    drop = database.drop;
    return startTestBot({ DATABASE_URL: database.url });
  });
});
