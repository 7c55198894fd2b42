// The statements every message runs are hand-written SQL (src/store/sql.ts: straight on the SQLite
// connection, through $queryRaw on PostgreSQL), while the rest of Saiwu reads the same rows through
// Prisma. A row must be the same whichever way it is written or read: the filing time on a receipt,
// a late mark, a member's unit, a group's campaign. So on each database: what the chat wrote by hand
// reads back through Prisma field for field, and what Prisma wrote reads back by hand the same.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteFilePath } from '../src/database-url.js';
import { getBinding, getMember } from '../src/services/members.js';
import { SqlText } from '../src/services/raw-sql.js';
import { sql } from '../src/store/sql.js';
import { setUpDistrict, startTestBot, textOf, type LocalUser, type TestBot } from './support/harness.js';
import { postgresProblem, tempDatabase } from './support/postgres.js';

const problem = await postgresProblem('the PostgreSQL raw-statement tests');
const NOW = '2027-02-10T10:00:00+08:00';

const backends = [
  { name: 'PostgreSQL', skip: Boolean(problem), database: () => tempDatabase() },
  { name: 'SQLite', skip: false, database: async () => ({ url: undefined, drop: async () => undefined }) },
];

describe.each(backends)('hand-written statements on $name', ({ name, skip, database }) => {
  let bot: TestBot;
  let db: { url: string | undefined; drop(): Promise<void> } | undefined;
  let east: LocalUser;
  beforeAll(async () => {
    if (skip) return;
    db = await database();
    bot = await startTestBot(db.url ? { DATABASE_URL: db.url } : {});
    bot.setNow(NOW);
    ({ east } = await setUpDistrict(bot));
    expect(textOf(await bot.say(east, '/join 东城街道工会'))).toContain('已登记');
  });
  afterAll(async () => {
    await bot?.close();
    await db?.drop();
  });

  it.skipIf(skip)('a plan filed through the chat reads back through Prisma as filed, and its revision too', async () => {
    const receipt = textOf(await bot.say(east, '【竞赛计划】\n企业名称：东城建设集团\n竞赛项目：桥梁焊接劳动竞赛\n组织方式：班组\n参与人数：120\n时间安排：2027年3月1日至10月31日\n竞赛类型：技能比武\n重点项目：否\n经费预算：12.5万元'));
    const id = Number(receipt.match(/计划编号 #(\d+)/)![1]);
    const plan = await bot.app.db.plan.findUniqueOrThrow({ where: { id } });
    expect(plan).toMatchObject({
      enterpriseName: '东城建设集团', project: '桥梁焊接劳动竞赛', participants: 120, startDate: '2027-03-01', endDate: '2027-10-31',
      keyProject: false, distinctParticipants: false, late: false, version: 1, withdrawnAt: null, budgetFen: 12_500_000, filedBy: east.userName,
    });
    expect(plan.filedAt.toISOString()).toBe(new Date(NOW).toISOString());
    expect(plan.updatedAt).toBeInstanceOf(Date);
    const [revision] = await bot.app.db.revision.findMany({ where: { entity: 'plan', entityId: id } });
    expect(revision).toMatchObject({ action: 'create', version: 1, actorName: east.userName, previousValues: null });
    expect(revision.createdAt.toISOString()).toBe(new Date(NOW).toISOString());
    // And /我的 (Prisma's reads) lists it with its filing date.
    expect(textOf(await bot.say(east, '/我的'))).toContain('桥梁焊接劳动竞赛');
  });

  it.skipIf(skip)('the sender and the group read by hand are the rows Prisma reads, field for field', async () => {
    const db = bot.app.db;
    const member = await getMember(db, 'local', east.userId);
    expect(member).toEqual(await db.member.findUnique({ where: { platform_userId: { platform: 'local', userId: east.userId } }, include: { unit: true } }));
    expect(member!.unit!.name).toBe('东城街道工会');
    const binding = await getBinding(db, 'local', east.chatId);
    expect(binding).toEqual(await db.chatBinding.findUnique({ where: { platform_chatId: { platform: 'local', chatId: east.chatId } }, include: { unit: true, campaign: true } }));
    expect(binding!.campaign.year).toBe(2027);
    expect(await getMember(db, 'local', 'nobody')).toBeNull();
  });

  it.skipIf(skip)('a row Prisma wrote reads back by hand with its dates, flags and numbers typed', async () => {
    const db = bot.app.db;
    const at = new Date('2027-02-11T01:02:03.456Z');
    const unit = await db.unit.create({ data: { name: '测试单位', level: 3, headcount: 42, archivedAt: at } });
    await db.member.create({ data: { platform: 'local', userId: 'judge-1', name: '评委', judge: true, unitId: unit.id } });
    const [row] = await sql(db)<{ archivedAt: Date; headcount: number; judge: boolean; n: unknown }>`
      SELECT "u"."archivedAt", "u"."headcount", "m"."judge", (SELECT COUNT(*) FROM "Member") AS "n"
      FROM "Unit" "u" JOIN "Member" "m" ON "m"."unitId" = "u"."id" WHERE "u"."id" = ${unit.id}`;
    expect(row.archivedAt).toEqual(at);
    expect(row.headcount).toBe(42);
    expect(row.judge).toBe(true);
    expect(Number(row.n)).toBeGreaterThanOrEqual(2);
    // A group bound to a unit that was archived counts as unbound, by hand as through Prisma.
    await db.chatBinding.create({ data: { platform: 'local', chatId: 'archived-group', unitId: unit.id, campaignId: (await db.campaign.findFirstOrThrow()).id } });
    expect(await getBinding(db, 'local', 'archived-group')).toBeNull();
  });

  it.skipIf(skip)('a transaction rolled back takes nothing else with it, and nobody sees its rows meanwhile', async () => {
    // On SQLite every request shares one connection, and its transaction is the connection's: a
    // filing refused half way must not undo what another group's member wrote in the meantime.
    const db = bot.app.db;
    let opened!: () => void;
    const started = new Promise<void>((resolve) => (opened = resolve));
    let refuse!: () => void;
    const held = new Promise<void>((resolve) => (refuse = resolve));
    const refused = db.$transaction(async (tx) => {
      await tx.unit.create({ data: { name: '回滚单位', level: 3 } });
      opened();
      await held;
      throw new Error('refused half way');
    }).catch((err: Error) => err.message);
    await started;
    // Started while the transaction is open (Prisma's queries run once asked for their result).
    const seen = db.unit.findFirst({ where: { name: '回滚单位' } }).then((u) => u);
    const byPrisma = db.unit.create({ data: { name: '并发单位甲', level: 3 } }).then((u) => u.name);
    const byHand = sql(db)`INSERT INTO "Unit" ("name", "level", "createdAt") VALUES (${'并发单位乙'}, 3, ${new Date()})`;
    const eventClaimed = db.processedEvent.create({ data: { platform: 'local', eventId: 'during-rollback' } }).then((e) => e.eventId);
    // Time for them to reach the database before the transaction is rolled back.
    await new Promise((resolve) => setTimeout(resolve, 300));
    refuse();
    expect(await refused).toBe('refused half way');
    expect(await seen).toBeNull();
    await Promise.all([byPrisma, byHand, eventClaimed]);
    const names = (await db.unit.findMany({ where: { name: { in: ['回滚单位', '并发单位甲', '并发单位乙'] } } })).map((u) => u.name);
    expect(names.sort()).toEqual(['并发单位乙', '并发单位甲'].sort());
    expect(await db.processedEvent.count({ where: { eventId: 'during-rollback' } })).toBe(1);
  });

  it.skipIf(skip)('a transaction that timed out writes nothing more, neither on its own nor inside the next request\'s', async () => {
    const db = bot.app.db;
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    // Its callback goes on after Prisma rolled it back at 100 ms; meanwhile another request's
    // transaction is open when the late statement comes.
    const late = db.$transaction(async (tx) => {
      await sleep(300);
      await sql(tx)`INSERT INTO "Unit" ("name", "level", "createdAt") VALUES (${'超时后写入'}, 3, ${new Date()})`;
    }, { timeout: 100 }).catch((err: Error) => err.message);
    await sleep(150);
    const other = db.$transaction(async (tx) => {
      await tx.unit.create({ data: { name: '另一请求', level: 3 } });
      await sleep(300);
      return (await tx.unit.findMany({ where: { name: { in: ['超时后写入', '另一请求'] } } })).map((u) => u.name);
    }, { timeout: 5000 });
    expect(await other).toEqual(['另一请求']);
    expect(await late).toBeTruthy();
    expect(await db.unit.count({ where: { name: '超时后写入' } })).toBe(0);
  });

  it.skipIf(skip || name !== 'SQLite')('on SQLite: a COMMIT or ROLLBACK that fails ends the transaction, and the next requests are served', async () => {
    const db = bot.app.db;
    // A deferred foreign key makes COMMIT itself fail.
    const commitFails = await db.$transaction(async (tx) => {
      await sql(tx)`PRAGMA defer_foreign_keys = ON`;
      await sql(tx)`INSERT INTO "Unit" ("name", "level", "parentId", "createdAt") VALUES (${'无上级单位'}, 2, 999999, ${new Date()})`;
    }).then(() => 'committed', (err: Error) => err.message);
    expect(commitFails).not.toBe('committed');
    expect(await db.unit.count({ where: { name: '无上级单位' } })).toBe(0);
    // SQLite rolled back by itself (a full disk does that): Prisma's own ROLLBACK then fails.
    const rollbackFails = await db.$transaction(async (tx) => {
      await sql(tx)`ROLLBACK`;
      throw new Error('refused half way');
    }).catch((err: Error) => err.message);
    expect(rollbackFails).toBeTruthy();
    // Both ended their turn: the chat and the next transaction are answered.
    expect(textOf(await bot.say(east, '/我的'))).toContain('桥梁焊接劳动竞赛');
    expect(await db.$transaction((tx) => tx.unit.count({ where: { name: '无上级单位' } }))).toBe(0);
  });

  it.skipIf(skip || name !== 'SQLite')('on SQLite: a transaction left open on the connection keeps what ran in it, and later transactions are served', async () => {
    const db = bot.app.db;
    // A stray BEGIN (no code path of ours runs one): what runs after it outside a transaction — here a
    // message's event claim and transcript lines — is held uncommitted, and the next BEGIN fails.
    // The adapter's own lock was then never given back, and every later transaction waited for ever.
    await sql(db)`BEGIN`;
    expect(textOf(await bot.say(east, '/我的'))).toContain('填报情况');
    const receipt = textOf(await bot.say(east, '【竞赛计划】\n企业名称：东城建设集团\n竞赛项目：隧道掘进劳动竞赛\n组织方式：班组\n参与人数：80\n时间安排：2027年3月1日至10月31日\n竞赛类型：技能比武\n重点项目：否'));
    expect(receipt).toContain('计划编号');
    expect(await db.$transaction((tx) => tx.plan.count({ where: { project: '隧道掘进劳动竞赛' } }))).toBe(1);
    // Committed, as each statement meant to be: another connection sees the /我的 line in the transcript.
    const other = new Database(sqliteFilePath(bot.config.databaseUrl), { readonly: true });
    try {
      const seen = other.prepare(`SELECT COUNT(*) AS n FROM "LocalChatMessage" WHERE "text" = '/我的'`).get() as { n: number };
      expect(seen.n).toBeGreaterThan(0);
    } finally {
      other.close();
    }
  });

  it.skipIf(skip || name !== 'SQLite')('on SQLite: hundreds of distinct statements, old-style timestamps and a reconnect', async () => {
    const db = bot.app.db;
    // More distinct statements than the connection keeps prepared: each still answers its own.
    for (let k = 0; k < 400; k++) {
      const [row] = await sql(db)<{ k: number }>`SELECT ${k} + ${k % 7} AS "k" /* statement ${new SqlText(String(k))} */`;
      expect(row.k).toBe(k + (k % 7));
    }
    // A timestamp SQLite wrote itself (CURRENT_TIMESTAMP: UTC, without a zone) is read as UTC.
    await db.$executeRawUnsafe(`INSERT INTO "ProcessedEvent" ("platform", "eventId", "createdAt") VALUES ('local', 'old-style', '2026-01-02 03:04:05')`);
    const [event] = await sql(db)<{ createdAt: Date }>`SELECT "createdAt" FROM "ProcessedEvent" WHERE "eventId" = ${'old-style'}`;
    expect(event.createdAt.toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect((await db.processedEvent.findFirstOrThrow({ where: { eventId: 'old-style' } })).createdAt.toISOString()).toBe('2026-01-02T03:04:05.000Z');
    // Prisma closes its connection and opens another on its next query: the chat goes on.
    await db.$disconnect();
    expect(textOf(await bot.say(east, '/我的'))).toContain('桥梁焊接劳动竞赛');
  });
});
