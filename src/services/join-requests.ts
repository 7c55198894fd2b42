// Who may start filing for a unit. Joining a unit nobody files for yet is immediate (easy
// onboarding); joining a unit that already has filers, switching units, or joining a unit with units
// under it waits for a yes: from an admin or an existing filer of that unit (only an admin for a
// federation-level unit or a unit with no filer to ask). JOIN_APPROVAL=always asks every time,
// never asks never. Until approved, the person files nothing for that unit. Every step is in the
// revision log.
import type { Config } from '../config.js';
import { inTransaction, withUnitLock, type Db, type Tx } from '../store/client.js';
import type { JoinRequest, Member, Unit } from '../store/models.js';
import type { Platform } from '../core/messages.js';
import { joinUnit, recordChange, type Actor } from './members.js';

export type JoinOutcome =
  | { kind: 'joined'; member: Member; previousUnitId: number | null }
  | { kind: 'requested'; request: JoinRequest; filers: Member[]; replaced: boolean };

export interface JoinInput {
  platform: Platform;
  chatId: string;
  userId: string;
  userName: string;
  unit: Unit;
  /** The asker's current row, if any. */
  member: Member | null;
  isAdmin: boolean;
  actor: Actor;
}

/**
 * Joins at once or files a request, as the rules above say. One transaction holding the unit's lock:
 * two people joining an empty unit at the same moment must not both find it empty.
 */
export async function requestJoin(db: Db, config: Pick<Config, 'joinApproval'>, input: JoinInput): Promise<JoinOutcome> {
  const { unit, member } = input;
  return withUnitLock(db, unit.id, async (tx) => {
    const filers = await tx.member.findMany({ where: { unitId: unit.id, NOT: { platform: input.platform, userId: input.userId } }, orderBy: { id: 'asc' } });
    const hasChildren = (await tx.unit.count({ where: { parentId: unit.id } })) > 0;
    const switching = member?.unitId !== null && member?.unitId !== undefined && member.unitId !== unit.id;
    const needed = !input.isAdmin && (config.joinApproval === 'always' || (config.joinApproval === 'when-taken' && (filers.length > 0 || switching || hasChildren)));
    if (!needed) {
      const joined = await joinUnit(tx, input.platform, input.userId, input.userName, unit.id, input.actor);
      await cancelPending(tx, input.platform, input.userId, input.actor);
      return { kind: 'joined', ...joined } as const;
    }
    const adminOnly = hasChildren || filers.length === 0;
    const replaced = await cancelPending(tx, input.platform, input.userId, input.actor);
    const request = await tx.joinRequest.create({
      data: { platform: input.platform, userId: input.userId, userName: input.userName, unitId: unit.id, chatId: input.chatId, adminOnly },
    });
    await recordChange(tx, input.actor, 'joinRequest', request.id, 'request', null, { userId: input.userId, name: input.userName, unitId: unit.id, unitName: unit.name, adminOnly });
    return { kind: 'requested', request, filers, replaced } as const;
  });
}

/** A newer /join replaces an older pending one. Returns whether there was one. */
async function cancelPending(db: Db | Tx, platform: string, userId: string, actor: Actor): Promise<boolean> {
  const pending = await db.joinRequest.findMany({ where: { platform, userId, status: 'pending' } });
  for (const p of pending) {
    await db.joinRequest.update({ where: { id: p.id }, data: { status: 'cancelled', decidedBy: actor.userId, decidedAt: new Date() } });
    await recordChange(db, actor, 'joinRequest', p.id, 'cancel', { status: 'pending' }, { status: 'cancelled' });
  }
  return pending.length > 0;
}

/** Whether `decider` may answer `request`: an admin, or (unless admin-only) a filer of that unit. */
export function mayDecide(request: JoinRequest, decider: { isAdmin: boolean; unitId: number | null }): boolean {
  return decider.isAdmin || (!request.adminOnly && decider.unitId === request.unitId);
}

/** Pending requests the decider may answer, oldest first. */
export async function pendingFor(db: Db, platform: string, decider: { isAdmin: boolean; unitId: number | null }): Promise<(JoinRequest & { unit: Unit })[]> {
  const rows = await db.joinRequest.findMany({ where: { platform, status: 'pending' }, include: { unit: true }, orderBy: { id: 'asc' }, take: 200 });
  return rows.filter((r) => mayDecide(r, decider));
}

/**
 * Approves (the person becomes a filer of the unit) or rejects a pending request. False when someone
 * else decided it first: a conditional update, so two answers at once decide it once.
 */
export async function decideJoin(db: Db, request: JoinRequest & { unit: Unit }, approve: boolean, actor: Actor, now: Date): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const { count } = await tx.joinRequest.updateMany({
      where: { id: request.id, status: 'pending' },
      data: { status: approve ? 'approved' : 'rejected', decidedBy: actor.userId, decidedAt: now },
    });
    if (count !== 1) return false;
    await recordChange(tx, actor, 'joinRequest', request.id, approve ? 'approve' : 'reject', { status: 'pending' }, { status: approve ? 'approved' : 'rejected' });
    if (approve) await joinUnit(tx, request.platform as Platform, request.userId, request.userName, request.unitId, actor, 'join-approved');
    return true;
  });
}
