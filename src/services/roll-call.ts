// Who has filed what. One computation serves /mine, /missing, /remind, the reminder jobs and the
// standings. A unit counts as having filed when it or any unit below it filed, so a street union
// is covered whether its cadre files for its enterprises or the enterprises file themselves.
import type { Db } from '../db/client.js';
import type { Campaign, Member, Unit } from '../generated/sqlite/index.js';
import type { DeadlineForm } from './campaigns.js';
import { groupByParent } from './units.js';

export interface FormStatus {
  filed: boolean;
  /** Filed, but every filing arrived after the deadline. */
  late: boolean;
  /** Plans (or summaries) counted for this unit and those below it. */
  count: number;
}

export interface UnitRollCall {
  unit: Unit;
  status: Record<DeadlineForm, FormStatus>;
  filers: Member[];
}

interface UnitFilings {
  plans: number;
  latePlans: number;
  summaries: number;
  lateSummaries: number;
}

interface Snapshot {
  children: Map<number | null, { id: number }[]>;
  /** Per unit (not including the units below it): counts of its own filings. */
  filings: Map<number, UnitFilings>;
  reportsByUnit: Map<number, { late: boolean }>;
}

async function loadSnapshot(db: Db, campaign: Campaign): Promise<Snapshot> {
  // Grouped in SQL: a federation with 50,000 plans must not pull every row through the ORM.
  const [units, grouped, reports] = await Promise.all([
    db.unit.findMany({ where: { archivedAt: null }, select: { id: true, parentId: true } }),
    db.$queryRaw<Record<string, unknown>[]>`
      SELECT p."unitId" AS "unitId",
        COUNT(*) AS "plans",
        SUM(CASE WHEN p."late" THEN 1 ELSE 0 END) AS "latePlans",
        COUNT(s."id") AS "summaries",
        SUM(CASE WHEN s."id" IS NOT NULL AND s."late" THEN 1 ELSE 0 END) AS "lateSummaries"
      FROM "Plan" p LEFT JOIN "Summary" s ON s."planId" = p."id"
      WHERE p."campaignId" = ${campaign.id} AND p."withdrawnAt" IS NULL
      GROUP BY p."unitId"`,
    db.yearReport.findMany({ where: { campaignId: campaign.id, withdrawnAt: null }, select: { unitId: true, late: true } }),
  ]);
  const snapshot: Snapshot = { children: groupByParent(units), filings: new Map(), reportsByUnit: new Map() };
  for (const r of grouped) {
    snapshot.filings.set(Number(r.unitId), {
      plans: Number(r.plans ?? 0), latePlans: Number(r.latePlans ?? 0),
      summaries: Number(r.summaries ?? 0), lateSummaries: Number(r.lateSummaries ?? 0),
    });
  }
  for (const r of reports) snapshot.reportsByUnit.set(r.unitId, { late: r.late });
  return snapshot;
}

function subtree(s: Snapshot, rootId: number): number[] {
  const out: number[] = [];
  const stack = [rootId];
  while (stack.length) {
    const id = stack.pop()!;
    out.push(id);
    for (const child of s.children.get(id) ?? []) stack.push(child.id);
  }
  return out;
}

function statusOf(s: Snapshot, unitId: number): Record<DeadlineForm, FormStatus> {
  const total: UnitFilings = { plans: 0, latePlans: 0, summaries: 0, lateSummaries: 0 };
  let reports = 0;
  let lateReports = 0;
  for (const id of subtree(s, unitId)) {
    const f = s.filings.get(id);
    if (f) {
      total.plans += f.plans;
      total.latePlans += f.latePlans;
      total.summaries += f.summaries;
      total.lateSummaries += f.lateSummaries;
    }
    const r = s.reportsByUnit.get(id);
    if (r) {
      reports++;
      if (r.late) lateReports++;
    }
  }
  return {
    plan: { filed: total.plans > 0, late: total.plans > 0 && total.latePlans === total.plans, count: total.plans },
    // Every plan needs its summary; a unit with no plan has nothing to summarise and counts as missing.
    summary: { filed: total.plans > 0 && total.summaries === total.plans, late: total.lateSummaries > 0, count: total.summaries },
    report: { filed: reports > 0, late: reports > 0 && lateReports === reports, count: reports },
  };
}

/**
 * The units a group answers for: the units directly under the group's unit, plus the group's unit
 * itself when filers are registered to it directly (it then files on its own account).
 */
export async function expectedUnits(db: Db, groupUnitId: number, scope: 'children' | 'all' = 'children'): Promise<Unit[]> {
  const all = await db.unit.findMany({ where: { archivedAt: null }, orderBy: { id: 'asc' } });
  const byParent = groupByParent(all);
  const below: Unit[] = [];
  const queue = [groupUnitId];
  while (queue.length) {
    for (const u of byParent.get(queue.shift()!) ?? []) {
      below.push(u);
      if (scope === 'all') queue.push(u.id);
    }
  }
  const ownFilers = await db.member.count({ where: { unitId: groupUnitId } });
  const self = all.find((u) => u.id === groupUnitId);
  return ownFilers > 0 && self ? [self, ...below] : below;
}

export async function rollCall(db: Db, campaign: Campaign, units: Unit[]): Promise<UnitRollCall[]> {
  const snapshot = await loadSnapshot(db, campaign);
  const members = await db.member.findMany({ where: { unitId: { in: units.map((u) => u.id) } }, orderBy: { id: 'asc' } });
  const filers = new Map<number, Member[]>();
  for (const m of members) filers.set(m.unitId!, [...(filers.get(m.unitId!) ?? []), m]);
  return units.map((unit) => ({ unit, status: statusOf(snapshot, unit.id), filers: filers.get(unit.id) ?? [] }));
}

export interface RollCallSummary {
  form: DeadlineForm;
  total: number;
  filed: UnitRollCall[];
  late: UnitRollCall[];
  missing: UnitRollCall[];
}

export function summarize(rows: UnitRollCall[], form: DeadlineForm): RollCallSummary {
  const filed = rows.filter((r) => r.status[form].filed);
  return { form, total: rows.length, filed, late: filed.filter((r) => r.status[form].late), missing: rows.filter((r) => !r.status[form].filed) };
}
