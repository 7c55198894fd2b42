// The same bot on PostgreSQL: a fresh database on 127.0.0.1:5432, migrations applied at start,
// a plan filed through the local chat and read back. Skipped (with the reason) when PostgreSQL is
// not reachable, unless SAIWU_REQUIRE_POSTGRES is set, which turns that into a failure.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUpDistrict, startTestBot, textOf, type LocalUser, type TestBot } from './support/harness.js';

const ADMIN_URL = process.env.SAIWU_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const required = !['', '0', 'false', 'no'].includes((process.env.SAIWU_REQUIRE_POSTGRES ?? '').trim().toLowerCase());

async function reachable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const problem = await reachable();
if (problem && required) throw new Error(`SAIWU_REQUIRE_POSTGRES is set but PostgreSQL at ${ADMIN_URL} is not reachable: ${problem}`);
if (problem) console.warn(`Skipping the PostgreSQL test: ${ADMIN_URL} is not reachable (${problem}). Set SAIWU_REQUIRE_POSTGRES=1 to make this a failure.`);

describe.skipIf(Boolean(problem))(`PostgreSQL (${ADMIN_URL.replace(/\/[^/]*$/, '/saiwu_test_…')})`, () => {
  const dbName = `saiwu_test_${randomBytes(6).toString('hex')}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  let bot: TestBot;
  let east: LocalUser;
  const plan = (project: string, participants: string) =>
    `【竞赛计划】\n企业名称：东城建设集团\n竞赛项目：${project}\n组织方式：班组\n参与人数：${participants}\n时间安排：2027年3月1日至10月31日\n竞赛类型：五比一创\n重点项目：是\n经费预算：5万`;

  beforeAll(async () => {
    await admin((c) => c.query(`CREATE DATABASE ${dbName}`));
    bot = await startTestBot({ DATABASE_URL: url.toString() });
    bot.setNow('2027-02-10T10:00:00+08:00');
    ({ east } = await setUpDistrict(bot));
    expect(textOf(await bot.say(east, '/join 东城街道工会'))).toContain('已登记');
  });
  afterAll(async () => {
    await bot?.close();
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
  });

  it('applies the migrations, files a plan and reads it back', async () => {
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    const applied = (await client.query('SELECT name FROM _saiwu_migrations ORDER BY name').finally(() => client.end())).rows;
    expect(applied.length).toBeGreaterThan(0);

    const receipt = textOf(await bot.say(east, plan('快速路“五比一创”劳动竞赛', '1,200人')));
    expect(receipt).toContain('竞赛计划已收到');

    const row = await bot.app.db.plan.findFirstOrThrow({ where: { project: '快速路“五比一创”劳动竞赛' }, include: { unit: true, campaign: true } });
    expect(row).toMatchObject({ project: '快速路“五比一创”劳动竞赛', participants: 1200, startDate: '2027-03-01', endDate: '2027-10-31', keyProject: true, budgetFen: 5_000_000, late: false });
    expect(row.unit.name).toBe('东城街道工会');
    expect(row.campaign.year).toBe(2027);
    expect(textOf(await bot.say(east, '/mine'))).toContain(`#${row.id} 快速路“五比一创”劳动竞赛`);
  });

  it('handles a redelivered event once and keeps a revision on re-filing', async () => {
    expect(textOf(await bot.say(east, plan('重复投递测试', '1200'), { messageId: 'pg-msg-1' }))).toContain('已收到');
    // The unique-key violation PostgreSQL raises must be recognised as "already handled".
    expect(await bot.say(east, plan('重复投递测试', '1200'), { messageId: 'pg-msg-1' })).toEqual([]);
    expect(textOf(await bot.say(east, plan('重复投递测试', '1300'), { messageId: 'pg-msg-2' }))).toContain('第2版');
    const { id } = await bot.app.db.plan.findFirstOrThrow({ where: { project: '重复投递测试' } });
    const revisions = await bot.app.db.revision.findMany({ where: { entity: 'plan', entityId: id }, orderBy: { version: 'asc' } });
    expect(revisions.map((r) => r.version)).toEqual([1, 2]);
    expect(JSON.parse(revisions[1].previousValues!).participants).toBe(1200);
  });

  it('two messages filing the same new project at once make one plan', async () => {
    const replies = await Promise.all([1, 2, 3].map((i) => bot.say(east, plan('并发测试', '10'), { messageId: `race-${i}` })));
    expect(replies.map(textOf).filter((t) => t.includes('竞赛计划已收到'))).toHaveLength(1);
    expect(replies.map(textOf).filter((t) => t.includes('内容与上次相同'))).toHaveLength(2);
    expect(await bot.app.db.plan.count({ where: { project: '并发测试' } })).toBe(1);
  });

  it('the same project typed three ways at once is one plan, with two revisions', async () => {
    for (let round = 0; round < 3; round++) {
      const name = `地铁${round}号线`;
      const variants = [`${name}“五比一创”竞赛`, `${name}"五比一创"竞赛`, `${name} 五比一创 竞赛`];
      await Promise.all(variants.map((v, i) => bot.say(east, plan(v, String(10 + i)), { messageId: `typed-${round}-${i}` })));
      const plans = await bot.app.db.plan.findMany({ where: { project: { startsWith: name } } });
      expect(plans, `round ${round}`).toHaveLength(1);
    }
  });

  it('joins and approvals: two people joining an empty unit at once, one is immediate', async () => {
    await bot.say({ userId: 'admin', userName: '王主席', chatId: east.chatId }, '/unit add 南城街道工会');
    const people = [1, 2].map((i) => ({ userId: `south${i}`, userName: `南城干事${i}`, chatId: east.chatId }));
    const answers = (await Promise.all(people.map((p) => bot.say(p, '/join 南城街道工会')))).map(textOf);
    expect(answers.filter((a) => a.includes('已登记为「南城街道工会」'))).toHaveLength(1);
    expect(answers.filter((a) => a.includes('申请登记'))).toHaveLength(1);
  });
});
