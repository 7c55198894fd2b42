// Which chat is bound and who is who, for platforms whose ids do not last (WeChat's web protocol hands
// out new room and contact ids at every login). The adapter finds candidates on its platform (rooms by
// topic, contacts by name); the rules for what may move, and the writes, live here:
// - a binding follows its chat to a new id, and keeps the chat's current title so the next login can
//   find it by that title;
// - a person's record moves to a new user id only as a plain filer record: admin and judge rights
//   never follow a name (their owner proves who they are again, src/services/admin-claims.ts), and the
//   move is kept in the revision log.
import type { Config } from '../config.js';
import type { Db } from '../store/client.js';
import type { ChatBinding, Member, Unit } from '../store/models.js';
import { recordChange } from './members.js';

export type BindingWithUnit = ChatBinding & { unit: Unit };

/** Every binding of the platform, oldest first. */
export function platformBindings(db: Db, platform: string): Promise<BindingWithUnit[]> {
  return db.chatBinding.findMany({ where: { platform }, include: { unit: true }, orderBy: { id: 'asc' } });
}

export function bindingOfChat(db: Db, platform: string, chatId: string): Promise<ChatBinding | null> {
  return db.chatBinding.findUnique({ where: { platform_chatId: { platform, chatId } } });
}

/** Bindings whose chat was last seen under this title. */
export function bindingsTitled(db: Db, platform: string, title: string): Promise<BindingWithUnit[]> {
  return db.chatBinding.findMany({ where: { platform, topic: title }, include: { unit: true } });
}

/** The chat's current title, kept on its binding (nothing when unchanged or unknown). */
export async function noteChatTitle(db: Db, binding: ChatBinding, title: string): Promise<void> {
  if (title && title !== binding.topic) await db.chatBinding.update({ where: { id: binding.id }, data: { topic: title } });
}

/** A bound chat was renamed: its binding follows. Whether there was one. */
export async function chatRenamed(db: Db, platform: string, chatId: string, title: string): Promise<boolean> {
  return (await db.chatBinding.updateMany({ where: { platform, chatId }, data: { topic: title } })).count > 0;
}

/** Moves a binding to the chat's new id; false when another binding already holds that id. */
export async function moveBinding(db: Db, binding: ChatBinding, chatId: string): Promise<boolean> {
  try {
    await db.chatBinding.update({ where: { id: binding.id }, data: { chatId } });
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') return false;
    throw err;
  }
}

export async function hasMember(db: Db, platform: string, userId: string): Promise<boolean> {
  return (await db.member.findUnique({ where: { platform_userId: { platform, userId } } })) !== null;
}

/** Every record of the platform (with its unit), or those answering to one of `names`. */
export function platformMembers(db: Db, platform: string, names?: string[]): Promise<(Member & { unit: Unit | null })[]> {
  return db.member.findMany({ where: { platform, ...(names ? { name: { in: names } } : {}) }, include: { unit: true } });
}

/** The unit tree as child → parent, for "does this record file for this chat's unit or below". */
export async function unitParents(db: Db): Promise<Map<number, number | null>> {
  const units = await db.unit.findMany({ select: { id: true, parentId: true } });
  return new Map(units.map((u) => [u.id, u.parentId]));
}

/**
 * Moves a person's record to their new user id, as a plain filer record (rights stay behind), and logs
 * it. False when the new id already has a record of its own.
 */
export async function moveMember(db: Db, member: Member, userId: string, why: { platform: string; actorName: string }): Promise<boolean> {
  try {
    await db.member.update({ where: { id: member.id }, data: { userId, role: 'filer', judge: false } });
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') return false;
    throw err;
  }
  await recordChange(db, { platform: why.platform, userId: 'system', userName: why.actorName }, 'member', member.id, 'rekey-by-name',
    { userId: member.userId, role: member.role, judge: member.judge }, { userId, role: 'filer', judge: false });
  return true;
}

/** Who on this platform hears about identity problems: its admins, stored and configured (ADMINS). */
export async function platformAdminIds(db: Db, config: Config, platform: string): Promise<string[]> {
  const stored = await db.member.findMany({ where: { platform, role: 'admin' }, select: { userId: true } });
  return [...new Set([...stored.map((a) => a.userId), ...config.admins.filter((a) => a.platform === platform).map((a) => a.userId)])];
}
