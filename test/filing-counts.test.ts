// The per-unit filing counts behind /排名, /未交 and /统计 are kept between requests and brought up to
// date from the rows stamped since (src/services/filing-counts.ts): after every kind of change they
// must equal counts made from scratch, and nothing changed must mean no recount. On SQLite, and on
// PostgreSQL when it is reachable.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../src/store/migrate.js';
import { openDatabase, type Db } from '../src/store/client.js';
import { unitFilings } from '../src/services/filing-counts.js';
import { aggregateFilings } from '../src/services/standings.js';
import { activeUnits } from '../src/services/roll-call.js';
import { renameUnit } from '../src/services/units.js';
import { postgresProblem, tempDatabase } from './support/postgres.js';

const problem = await postgresProblem('the PostgreSQL filing counts test');

/** Counts made from scratch from every row, as the standings' reference implementation makes them. */
async function fromScratch(db: Db, campaignId: number) {
  const plans = await db.plan.findMany({ where: { campaignId, withdrawnAt: null } });
  const summaries = await db.summary.findMany({ where: { planId: { in: plans.map((p) => p.id) } } });
  return aggregateFilings(plans, summaries).sort((a, b) => a.unitId - b.unitId);
}

const kept = async (db: Db, campaignId: number) => [...(await unitFilings(db, campaignId)).values()].sort((a, b) => a.unitId - b.unitId);

for (const engine of ['sqlite', 'postgres'] as const) {
  describe.skipIf(engine === 'postgres' && Boolean(problem))(`kept filing counts on ${engine}`, () => {
    let db: Db;
    let drop: () => Promise<void>;
    let campaignId: number;
    let other: number;
    const units: number[] = [];

    beforeAll(async () => {
      let url: string;
      if (engine === 'sqlite') {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saiwu-counts-'));
        url = `file:${path.join(dir, 'saiwu.db')}`;
        drop = async () => fs.rmSync(dir, { recursive: true, force: true });
      } else {
        const database = await tempDatabase();
        url = database.url;
        drop = database.drop;
      }
      await migrateDatabase(url);
      db = openDatabase(url);
      const root = await db.unit.create({ data: { name: '测试区总工会', level: 1 } });
      for (let i = 0; i < 4; i++) units.push((await db.unit.create({ data: { name: `第${i + 1}街道工会`, level: 2, parentId: root.id } })).id);
      campaignId = (await db.campaign.create({ data: { year: 2027, title: '2027年度竞赛', unitId: root.id, planDeadline: '2027-02-28', summaryDeadline: '2027-10-15', reportDeadline: '2027-12-31' } })).id;
      other = (await db.campaign.create({ data: { year: 2027, title: '2027年度专项竞赛', unitId: root.id, planDeadline: '2027-02-28', summaryDeadline: '2027-10-15', reportDeadline: '2027-12-31' } })).id;
      for (let i = 0; i < 6; i++) {
        const plan = await db.plan.create({ data: { campaignId, unitId: units[i % 3], enterpriseName: `企业${i}`, project: `竞赛${i}`, organizer: '工会', participants: 100 + i, startDate: '2027-03-01', endDate: '2027-10-31', type: 'skills', late: i === 1, filedBy: 't', distinctParticipants: i === 2 } });
        if (i % 2 === 0) await db.summary.create({ data: { planId: plan.id, actualParticipants: 90 + i, expenditureFen: 1000, awardLevel: i === 0 ? 'city' : 'none', filedBy: 't' } });
      }
    });

    afterAll(async () => {
      await db?.$disconnect();
      await drop?.();
    });

    const plan = (unit: number, name: string) => ({ campaignId, unitId: unit, enterpriseName: '企业', project: name, organizer: '工会', participants: 50, startDate: '2027-03-01', endDate: '2027-10-31', type: 'skills', filedBy: 't' });

    it('counts as from scratch after every kind of change, and not again when nothing changed', async () => {
      expect(await kept(db, campaignId)).toEqual(await fromScratch(db, campaignId));
      const first = await unitFilings(db, campaignId);
      expect(await unitFilings(db, campaignId)).toBe(first);

      const added = await db.plan.create({ data: plan(units[3], '新竞赛') });
      expect(await kept(db, campaignId)).toEqual(await fromScratch(db, campaignId));

      const some = await db.plan.findFirstOrThrow({ where: { campaignId, unitId: units[0] } });
      await db.plan.update({ where: { id: some.id }, data: { participants: 999, late: true } });
      expect(await kept(db, campaignId)).toEqual(await fromScratch(db, campaignId));

      await db.summary.create({ data: { planId: added.id, actualParticipants: 40, expenditureFen: 10, awardLevel: 'national', late: true, filedBy: 't' } });
      expect(await kept(db, campaignId)).toEqual(await fromScratch(db, campaignId));

      const summary = await db.summary.findFirstOrThrow({ where: { plan: { unitId: units[0] } } });
      await db.summary.update({ where: { id: summary.id }, data: { awardLevel: 'provincial', actualParticipants: 7 } });
      expect(await kept(db, campaignId)).toEqual(await fromScratch(db, campaignId));

      // Withdrawn, restored: updates like any other.
      await db.plan.update({ where: { id: added.id }, data: { withdrawnAt: new Date() } });
      expect(await kept(db, campaignId)).toEqual(await fromScratch(db, campaignId));
      expect((await unitFilings(db, campaignId)).has(units[3])).toBe(false);
      await db.plan.update({ where: { id: added.id }, data: { withdrawnAt: null } });
      expect(await kept(db, campaignId)).toEqual(await fromScratch(db, campaignId));

      // A deadline moved: the late marks change in one statement.
      await db.plan.updateMany({ where: { campaignId }, data: { late: false } });
      expect(await kept(db, campaignId)).toEqual(await fromScratch(db, campaignId));

      // Another campaign's filings leave these counts as they are.
      const before = await unitFilings(db, campaignId);
      await db.plan.create({ data: { ...plan(units[1], '专项竞赛'), campaignId: other } });
      expect(await unitFilings(db, campaignId)).toBe(before);
      expect(await kept(db, other)).toEqual(await fromScratch(db, other));
    });

    it('sees a change stamped before the newest one (a writer that committed late, or whose clock is behind)', async () => {
      await kept(db, campaignId);
      const newest = await db.plan.findFirstOrThrow({ where: { campaignId }, orderBy: { updatedAt: 'desc' } });
      const some = await db.plan.findFirstOrThrow({ where: { campaignId, unitId: units[2] } });
      await db.plan.update({ where: { id: some.id }, data: { participants: 12345, updatedAt: new Date(newest.updatedAt.getTime() - 5 * 60_000) } });
      const counts = await kept(db, campaignId);
      expect(counts).toEqual(await fromScratch(db, campaignId));
      expect(counts.find((f) => f.unitId === units[2])?.plannedParticipants).toBeGreaterThanOrEqual(12345);
    });

    it('keeps the unit tree until a unit is added or changed', async () => {
      const tree = await activeUnits(db);
      expect(await activeUnits(db)).toBe(tree);
      await renameUnit(db, '第1街道工会', '东城街道工会', { platform: 'local', userId: 'admin', userName: '管理员', eventId: 'e1' });
      expect((await activeUnits(db)).map((u) => u.name)).toContain('东城街道工会');
      await db.unit.create({ data: { name: '新区街道工会', level: 2, parentId: tree[0].id } });
      expect((await activeUnits(db)).map((u) => u.name)).toContain('新区街道工会');
    });
  });
}
