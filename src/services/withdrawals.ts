// Withdrawing (作废) a filing that should not count — a duplicate plan, a progress entry sent twice, a
// year-end report filed by mistake — and undoing it. Nothing is deleted: the row stays with its
// history, /history and /mine show it as 已撤回, and it is left out of every count, roll-call,
// standing and export until /restore brings it back. Each step is a revision with who and when.
import type { Db, Tx } from '../store/client.js';
import { inTransaction } from '../store/client.js';
import type { Actor } from './members.js';

export type Target =
  | { kind: 'plan'; id: number }
  | { kind: 'progress'; id: number }
  | { kind: 'report'; campaignId: number; unitId: number };

/** The row a target names, with the unit it belongs to (for the permission check). */
export interface Found {
  entity: 'plan' | 'progress' | 'report';
  id: number;
  unitId: number;
  withdrawn: boolean;
  /** How people recognise it: "计划 #12 快速路竞赛", "进度 #7（计划 #12）", "东城街道工会的年度报告". */
  label: string;
  version: number;
}

export async function findTarget(db: Db, target: Target): Promise<Found | null> {
  if (target.kind === 'plan') {
    const p = await db.plan.findUnique({ where: { id: target.id } });
    return p && { entity: 'plan', id: p.id, unitId: p.unitId, withdrawn: p.withdrawnAt !== null, label: `计划 #${p.id}「${p.project}」`, version: p.version };
  }
  if (target.kind === 'progress') {
    const p = await db.progressUpdate.findUnique({ where: { id: target.id }, include: { plan: true } });
    return p && { entity: 'progress', id: p.id, unitId: p.plan.unitId, withdrawn: p.withdrawnAt !== null, label: `进度 #${p.id}（计划 #${p.planId}「${p.plan.project}」，${p.date}）`, version: 1 };
  }
  const r = await db.yearReport.findUnique({ where: { campaignId_unitId: { campaignId: target.campaignId, unitId: target.unitId } }, include: { unit: true } });
  return r && { entity: 'report', id: r.id, unitId: r.unitId, withdrawn: r.withdrawnAt !== null, label: `「${r.unit.name}」的年度报告`, version: r.version };
}

async function log(tx: Tx, actor: Actor, found: Found, withdrawn: boolean, at: Date): Promise<void> {
  await tx.revision.create({
    data: {
      // The version it applies to: withdrawing changes no field, so it is no new version.
      entity: found.entity, entityId: found.id, version: found.version, action: withdrawn ? 'withdraw' : 'restore',
      actorPlatform: actor.platform, actorUserId: actor.userId, actorName: actor.userName, sourceMessageId: actor.eventId ?? null,
      previousValues: JSON.stringify({ withdrawn: !withdrawn }), newValues: JSON.stringify({ withdrawn }), createdAt: at,
    },
  });
}

/** Withdraws (true) or restores (false) the row; false when it already was in that state. */
export async function setWithdrawn(db: Db, found: Found, withdrawn: boolean, actor: Actor, at: Date): Promise<boolean> {
  if (found.withdrawn === withdrawn) return false;
  const data = { withdrawnAt: withdrawn ? at : null };
  await inTransaction(db, async (tx) => {
    if (found.entity === 'plan') await tx.plan.update({ where: { id: found.id }, data });
    else if (found.entity === 'progress') await tx.progressUpdate.update({ where: { id: found.id }, data });
    else await tx.yearReport.update({ where: { id: found.id }, data });
    await log(tx, actor, found, withdrawn, at);
  });
  return true;
}
