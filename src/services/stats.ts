// /stats: how the filing stands for a group's unit — per form filed / on time / late / missing over
// the units it answers for (the same roll-call /missing uses), and the totals of everything filed
// by the unit and every unit below it.
import type { Db } from '../db/client.js';
import type { Campaign } from '../generated/sqlite/index.js';
import { DEADLINE_FORMS, type DeadlineForm } from './campaigns.js';
import { parseAwards, realAwards } from '../forms/summary.js';
import { groupRollCall, summarize } from './roll-call.js';

export interface FormStats {
  form: DeadlineForm;
  expected: number;
  filed: number;
  onTime: number;
  late: number;
  /** Summaries for some of their plans only (not counted in filed nor in missing). */
  partial: number;
  missing: number;
  /** Every level below the unit as the scope asks, when that is more than the units directly under it. */
  allLevels?: { expected: number; filed: number };
}

export interface Stats {
  forms: FormStats[];
  /** Units in the subtree (the group's unit included). */
  units: number;
  plans: number;
  keyPlans: number;
  summaries: number;
  plannedParticipants: number;
  actualParticipants: number;
  expenditureFen: number;
  awards: number;
}

export async function statsFor(db: Db, campaign: Campaign, rootId: number): Promise<Stats> {
  const [calls, deep, units, plans, summaries] = await Promise.all([
    groupRollCall(db, campaign, rootId),
    groupRollCall(db, campaign, rootId, 'all'),
    db.unit.findMany({ where: { archivedAt: null }, select: { id: true, parentId: true } }),
    db.plan.findMany({ where: { campaignId: campaign.id, withdrawnAt: null }, select: { id: true, unitId: true, participants: true, keyProject: true } }),
    db.summary.findMany({ where: { plan: { campaignId: campaign.id, withdrawnAt: null } }, select: { planId: true, actualParticipants: true, expenditureFen: true, awards: true } }),
  ]);
  const forms = DEADLINE_FORMS.map((form) => {
    const s = summarize(calls, form);
    const d = summarize(deep, form);
    return {
      form, expected: s.total, filed: s.filed.length, onTime: s.filed.length - s.late.length, late: s.late.length, partial: s.partial.length, missing: s.missing.length - s.partial.length,
      ...(d.total > s.total ? { allLevels: { expected: d.total, filed: d.filed.length } } : {}),
    };
  });

  const children = new Map<number, number[]>();
  for (const u of units) if (u.parentId !== null) children.set(u.parentId, [...(children.get(u.parentId) ?? []), u.id]);
  const inTree = new Set<number>();
  const stack = [rootId];
  while (stack.length) {
    const id = stack.pop()!;
    inTree.add(id);
    stack.push(...(children.get(id) ?? []));
  }
  const stats: Stats = { forms, units: inTree.size, plans: 0, keyPlans: 0, summaries: 0, plannedParticipants: 0, actualParticipants: 0, expenditureFen: 0, awards: 0 };
  const planIds = new Set<number>();
  for (const p of plans) {
    if (!inTree.has(p.unitId)) continue;
    planIds.add(p.id);
    stats.plans++;
    if (p.keyProject) stats.keyPlans++;
    stats.plannedParticipants += p.participants;
  }
  for (const s of summaries) {
    if (!planIds.has(s.planId)) continue;
    stats.summaries++;
    stats.actualParticipants += s.actualParticipants;
    stats.expenditureFen += s.expenditureFen;
    stats.awards += realAwards(parseAwards(s.awards)).length;
  }
  return stats;
}
