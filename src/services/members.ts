// People and the groups they talk in: who files for which unit, who is an admin, which group chat
// belongs to which unit and campaign.
import type { Config } from '../config.js';
import { inChunks, inTransaction, type Db, type Tx } from '../store/client.js';
import type { Campaign, ChatBinding, JoinRequest, Member, Unit } from '../store/models.js';
import type { Platform } from '../core/messages.js';
import { columns, nested } from '../store/raw-rows.js';
import { sql } from '../store/sql.js';

export type BindingWithContext = ChatBinding & { unit: Unit; campaign: Campaign };

/** Who is writing, with their unit (every message asks; one statement, see store/raw-rows.ts). */
export async function getMember(db: Db, platform: Platform, userId: string): Promise<(Member & { unit: Unit | null }) | null> {
  const [row] = await sql(db)<Record<string, unknown>>`
    SELECT ${columns('Member', 'm')}, ${columns('Unit', 'u')}
    FROM "Member" "m" LEFT JOIN "Unit" "u" ON "u"."id" = "m"."unitId"
    WHERE "m"."platform" = ${platform} AND "m"."userId" = ${userId}`;
  return row ? { ...nested<Member>(row, 'Member', 'm')!, unit: nested<Unit>(row, 'Unit', 'u') } : null;
}

export function isConfiguredAdmin(config: Config, platform: Platform, userId: string): boolean {
  return config.admins.some((a) => a.platform === platform && a.userId === userId);
}

export function isAdmin(config: Config, member: Member | null, platform: Platform, userId: string): boolean {
  return isConfiguredAdmin(config, platform, userId) || member?.role === 'admin';
}

/** Keeps the member's display name current; names change and reminders should use the new one. */
export async function touchMember(db: Db, platform: Platform, userId: string, name: string): Promise<void> {
  await db.member.updateMany({ where: { platform, userId, NOT: { name } }, data: { name } });
}

/** Who did something, from which message: every change to people is kept in the revision log. */
export interface Actor {
  platform: string;
  userId: string;
  userName: string;
  /** The platform's id of the message that asked for it. */
  eventId?: string;
}

export function actorOf(msg: { platform: string; userId: string; userName: string; eventId: string }): Actor {
  return { platform: msg.platform, userId: msg.userId, userName: msg.userName, eventId: msg.eventId };
}

/**
 * Keeps a change to a person (joined a unit, became an admin or a judge…), a join request or a unit in
 * the revision log, with the values before and after, like every change to a filing. Nothing is
 * deleted: every correction can be read back and undone.
 */
export async function recordChange(db: Db | Tx, actor: Actor, entity: 'member' | 'joinRequest' | 'unit' | 'keyProject', entityId: number, action: string, previous: object | null, next: object): Promise<void> {
  const version = (await db.revision.count({ where: { entity, entityId } })) + 1;
  await db.revision.create({
    data: {
      entity, entityId, version, action,
      actorPlatform: actor.platform, actorUserId: actor.userId, actorName: actor.userName,
      sourceMessageId: actor.eventId ?? null, previousValues: previous ? JSON.stringify(previous) : null, newValues: JSON.stringify(next),
    },
  });
}

export const rolesOf = (m: Member | null) => (m ? { userId: m.userId, name: m.name, role: m.role, judge: m.judge, unitId: m.unitId } : null);

/** Upserts a person's row and logs what changed, in one transaction (the caller's, if given one). */
async function changeMember(db: Db | Tx, platform: Platform, userId: string, name: string, actor: Actor, action: string, create: Partial<Member>, update: Partial<Member>): Promise<{ member: Member; before: Member | null }> {
  return inTransaction(db, async (tx) => {
    const before = await tx.member.findUnique({ where: { platform_userId: { platform, userId } } });
    const member = await tx.member.upsert({
      where: { platform_userId: { platform, userId } },
      create: { platform, userId, name, ...create },
      update,
    });
    await recordChange(tx, actor, 'member', member.id, action, rolesOf(before), rolesOf(member)!);
    return { member, before };
  });
}

export async function makeAdmin(db: Db, platform: Platform, userId: string, name: string, actor: Actor, action = 'admin-add'): Promise<Member> {
  return (await changeMember(db, platform, userId, name, actor, action, { role: 'admin' }, { role: 'admin', name })).member;
}

export async function setJudge(db: Db, platform: Platform, userId: string, name: string, judge: boolean, actor: Actor): Promise<Member> {
  return (await changeMember(db, platform, userId, name, actor, judge ? 'judge-add' : 'judge-remove', { judge }, { judge })).member;
}

/**
 * Takes admin rights away (the person stays a filer of their unit, if any). Never the last admin:
 * someone must be able to undo it.
 */
export async function removeAdmin(db: Db, platform: Platform, userId: string, actor: Actor): Promise<'removed' | 'last' | 'not-admin'> {
  return inTransaction(db, async (tx) => {
    const member = await tx.member.findUnique({ where: { platform_userId: { platform, userId } } });
    if (member?.role !== 'admin') return 'not-admin';
    if ((await tx.member.count({ where: { role: 'admin' } })) <= 1) return 'last';
    const after = await tx.member.update({ where: { id: member.id }, data: { role: 'filer' } });
    await recordChange(tx, actor, 'member', member.id, 'admin-remove', rolesOf(member), rolesOf(after)!);
    return 'removed';
  });
}

/** Takes someone off their unit (admin's /members remove): they file for nobody until they /join again. */
export async function leaveUnit(db: Db, platform: Platform, userId: string, actor: Actor): Promise<Member | null> {
  return inTransaction(db, async (tx) => {
    const member = await tx.member.findUnique({ where: { platform_userId: { platform, userId } } });
    if (!member?.unitId) return null;
    const after = await tx.member.update({ where: { id: member.id }, data: { unitId: null } });
    await recordChange(tx, actor, 'member', member.id, 'unit-remove', rolesOf(member), rolesOf(after)!);
    return member;
  });
}

/** Registers someone as a filer of `unitId` (moving them from another unit), in the revision log. */
export async function joinUnit(db: Db | Tx, platform: Platform, userId: string, name: string, unitId: number, actor: Actor, action = 'join'): Promise<{ member: Member; previousUnitId: number | null }> {
  const { member, before } = await changeMember(db, platform, userId, name, actor, action, { unitId, role: 'filer' }, { unitId, name });
  return { member, previousUnitId: before?.unitId ?? null };
}

/** The chat's binding; a group bound to a unit that was removed (archived) counts as unbound. */
export async function getBinding(db: Db, platform: Platform, chatId: string): Promise<BindingWithContext | null> {
  // Every message in a group asks; one statement (see store/raw-rows.ts).
  const [row] = await sql(db)<Record<string, unknown>>`
    SELECT ${columns('ChatBinding', 'b')}, ${columns('Unit', 'u')}, ${columns('Campaign', 'c')}
    FROM "ChatBinding" "b" JOIN "Unit" "u" ON "u"."id" = "b"."unitId" JOIN "Campaign" "c" ON "c"."id" = "b"."campaignId"
    WHERE "b"."platform" = ${platform} AND "b"."chatId" = ${chatId}`;
  if (!row) return null;
  const binding = { ...nested<ChatBinding>(row, 'ChatBinding', 'b')!, unit: nested<Unit>(row, 'Unit', 'u')!, campaign: nested<Campaign>(row, 'Campaign', 'c')! };
  return binding.unit.archivedAt ? null : binding;
}

export async function bindChat(db: Db, input: { platform: Platform; chatId: string; topic?: string; unitId: number; campaignId: number; by: string }): Promise<{ binding: ChatBinding; rebound: boolean }> {
  const existing = await db.chatBinding.findUnique({ where: { platform_chatId: { platform: input.platform, chatId: input.chatId } } });
  const binding = await db.chatBinding.upsert({
    where: { platform_chatId: { platform: input.platform, chatId: input.chatId } },
    create: { platform: input.platform, chatId: input.chatId, topic: input.topic ?? null, unitId: input.unitId, campaignId: input.campaignId, createdBy: input.by },
    update: { unitId: input.unitId, campaignId: input.campaignId, topic: input.topic ?? existing?.topic ?? null },
  });
  return { binding, rebound: Boolean(existing) };
}

/**
 * How to register, with this group's real unit names as the example: "请先发送“/join 单位名称”登记，
 * 例如：/join 东城街道工会（本群可登记：…）".
 */
export async function joinHint(db: Db | Tx, binding: BindingWithContext | null): Promise<string> {
  if (!binding) return '请先发送“/加入 单位名称”登记（在本单位的工作群里发送）。';
  const children = await db.unit.findMany({ where: { parentId: binding.unit.id, archivedAt: null }, orderBy: { id: 'asc' }, take: 8, select: { name: true } });
  const names = children.length ? children.map((u) => u.name) : [binding.unit.name];
  return `请先发送“/加入 单位名称”登记，例如：/加入 ${names[0]}${names.length > 1 ? `（本群可登记：${names.join('、')}${children.length === 8 ? '等' : ''}）` : ''}`;
}

/** Registered filers of the given units, grouped by unit id. */
export async function filersByUnit(db: Db, unitIds: number[], platform?: Platform): Promise<Map<number, Member[]>> {
  const members = (await inChunks(unitIds, (slice) => db.member.findMany({ where: { unitId: { in: slice }, ...(platform ? { platform } : {}) } }))).sort((a, b) => a.id - b.id);
  const map = new Map<number, Member[]>();
  for (const m of members) {
    const list = map.get(m.unitId!) ?? [];
    list.push(m);
    map.set(m.unitId!, list);
  }
  return map;
}

/** Why someone who files for no unit cannot do something, and how to get there. */
export async function notRegisteredText(db: Db | Tx, who: { platform: string; userId: string }, binding: BindingWithContext | null, doing: string): Promise<string> {
  const pending = await pendingJoinOf(db, who.platform, who.userId);
  if (pending) return `您登记为「${pending.unit.name}」联络员的申请还在等待同意，同意之后才能${doing}。`;
  return `您还没有登记所属单位，暂时不能${doing}。${await joinHint(db, binding)}`;
}

/** Someone's /join that still waits for an approval, with its unit. */
export function pendingJoinOf(db: Db | Tx, platform: string, userId: string): Promise<(JoinRequest & { unit: Unit }) | null> {
  return db.joinRequest.findFirst({ where: { platform, userId, status: 'pending' }, include: { unit: true }, orderBy: { id: 'desc' } });
}
