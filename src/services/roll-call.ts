// Who has filed what. One computation serves /mine, /missing, /remind, the reminder jobs and the
// standings. A unit counts as having filed when it or any unit below it filed, so a street union
// is covered whether its cadre files for its enterprises or the enterprises file themselves.
import type { Db } from '../db/client.js';
import type { Campaign, Member, Unit } from '../generated/sqlite/index.js';
import type { DeadlineForm } from './campaigns.js';

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

interface Snapshot {
  units: Map<number, Unit>;
  childIds: Map<number, number[]>;
  plansByUnit: Map<number, { id: number; late: boolean; summarized: boolean; summaryLate: boolean }[]>;
  reportsByUnit: Map<number, { late: boolean }>;
}

async function loadSnapshot(db: Db, campaign: Campaign): Promise<Snapshot> {
  const [units, plans, summaries, reports] = await Promise.all([
    db.unit.findMany(),
    db.plan.findMany({ where: { campaignId: campaign.id }, select: { id: true, unitId: true, late: true } }),
    db.summary.findMany({ where: { plan: { campaignId: campaign.id } }, select: { planId: true, late: true } }),
    db.yearReport.findMany({ where: { campaignId: campaign.id }, select: { unitId: true, late: true } }),
  ]);
  const summaryByPlan = new Map(summaries.map((s) => [s.planId, s]));
  const snapshot: Snapshot = { units: new Map(units.map((u) => [u.id, u])), childIds: new Map(), plansByUnit: new Map(), reportsByUnit: new Map() };
  for (const u of units) {
    if (u.parentId === null) continue;
    const list = snapshot.childIds.get(u.parentId) ?? [];
    list.push(u.id);
    snapshot.childIds.set(u.parentId, list);
  }
  for (const p of plans) {
    const s = summaryByPlan.get(p.id);
    const list = snapshot.plansByUnit.get(p.unitId) ?? [];
    list.push({ id: p.id, late: p.late, summarized: Boolean(s), summaryLate: s?.late ?? false });
    snapshot.plansByUnit.set(p.unitId, list);
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
    stack.push(...(s.childIds.get(id) ?? []));
  }
  return out;
}

function statusOf(s: Snapshot, unitId: number): Record<DeadlineForm, FormStatus> {
  const ids = subtree(s, unitId);
  const plans = ids.flatMap((id) => s.plansByUnit.get(id) ?? []);
  const reports = ids.map((id) => s.reportsByUnit.get(id)).filter((r): r is { late: boolean } => Boolean(r));
  const summarized = plans.filter((p) => p.summarized);
  return {
    plan: { filed: plans.length > 0, late: plans.length > 0 && plans.every((p) => p.late), count: plans.length },
    // Every plan needs its summary; a unit with no plan has nothing to summarise and counts as missing.
    summary: { filed: plans.length > 0 && summarized.length === plans.length, late: summarized.some((p) => p.summaryLate), count: summarized.length },
    report: { filed: reports.length > 0, late: reports.length > 0 && reports.every((r) => r.late), count: reports.length },
  };
}

/**
 * The units a group answers for: the units directly under the group's unit, plus the group's unit
 * itself when filers are registered to it directly (it then files on its own account).
 */
export async function expectedUnits(db: Db, groupUnitId: number, scope: 'children' | 'all' = 'children'): Promise<Unit[]> {
  const all = await db.unit.findMany({ orderBy: { id: 'asc' } });
  const below: Unit[] = [];
  const stack = [groupUnitId];
  while (stack.length) {
    const parent = stack.shift()!;
    for (const u of all) {
      if (u.parentId !== parent) continue;
      below.push(u);
      if (scope === 'all') stack.push(u.id);
    }
  }
  const ownFilers = await db.member.count({ where: { unitId: groupUnitId } });
  const self = all.find((u) => u.id === groupUnitId);
  return ownFilers > 0 && self ? [self, ...below] : below;
}

export async function rollCall(db: Db, campaign: Campaign, units: Unit[]): Promise<UnitRollCall[]> {
  const snapshot = await loadSnapshot(db, campaign);
  const members = await db.member.findMany({ where: { unitId: { in: units.map((u) => u.id) } }, orderBy: { id: 'asc' } });
  return units.map((unit) => ({ unit, status: statusOf(snapshot, unit.id), filers: members.filter((m) => m.unitId === unit.id) }));
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
