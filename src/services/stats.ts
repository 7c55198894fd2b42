// /stats: how the filing stands for a group's unit — per form filed / on time / late / missing over
// the units it answers for (the same roll-call /missing uses), and the totals of everything filed
// by the unit and every unit below it.
import type { Db } from '../store/client.js';
import type { Campaign } from '../store/models.js';
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
  /** Plans on a key project: naming a listed one, or (while the campaign lists none) marked 是. */
  keyPlans: number;
  /** The campaign's listed key projects in the tree (or the organiser's own), and how many have a competition. */
  keyProjects: { listed: number; covered: number };
  summaries: number;
  plannedParticipants: number;
  actualParticipants: number;
  expenditureFen: number;
  awards: number;
}

export async function statsFor(db: Db, campaign: Campaign, rootId: number): Promise<Stats> {
  const [calls, deep, units, plans, summaries, listed] = await Promise.all([
    groupRollCall(db, campaign, rootId),
    groupRollCall(db, campaign, rootId, 'all'),
    db.unit.findMany({ where: { archivedAt: null }, select: { id: true, parentId: true } }),
    db.plan.findMany({ where: { campaignId: campaign.id, withdrawnAt: null }, select: { id: true, unitId: true, participants: true, keyProject: true, keyProjectId: true } }),
    db.summary.findMany({ where: { plan: { campaignId: campaign.id, withdrawnAt: null } }, select: { planId: true, actualParticipants: true, expenditureFen: true, awards: true } }),
    db.keyProject.findMany({ where: { campaignId: campaign.id, withdrawnAt: null }, select: { id: true, unitId: true } }),
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
  const active = new Set(listed.map((k) => k.id));
  const mine = listed.filter((k) => k.unitId === null || inTree.has(k.unitId));
  const coveredIds = new Set(plans.filter((p) => p.keyProjectId !== null && active.has(p.keyProjectId)).map((p) => p.keyProjectId));
  const keyProjects = { listed: mine.length, covered: mine.filter((k) => coveredIds.has(k.id)).length };
  const stats: Stats = { forms, units: inTree.size, plans: 0, keyPlans: 0, keyProjects, summaries: 0, plannedParticipants: 0, actualParticipants: 0, expenditureFen: 0, awards: 0 };
  const planIds = new Set<number>();
  for (const p of plans) {
    if (!inTree.has(p.unitId)) continue;
    planIds.add(p.id);
    stats.plans++;
    if (listed.length ? p.keyProjectId !== null && active.has(p.keyProjectId) : p.keyProject) stats.keyPlans++;
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
