// People and the groups they talk in: who files for which unit, who is an admin, which group chat
// belongs to which unit and campaign.
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { Campaign, ChatBinding, Member, Unit } from '../generated/sqlite/index.js';
import type { Platform } from '../core/messages.js';

export type BindingWithContext = ChatBinding & { unit: Unit; campaign: Campaign };

export function getMember(db: Db, platform: Platform, userId: string): Promise<(Member & { unit: Unit | null }) | null> {
  return db.member.findUnique({ where: { platform_userId: { platform, userId } }, include: { unit: true } });
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

export async function makeAdmin(db: Db, platform: Platform, userId: string, name: string): Promise<Member> {
  return db.member.upsert({
    where: { platform_userId: { platform, userId } },
    create: { platform, userId, name, role: 'admin' },
    update: { role: 'admin', name },
  });
}

export async function joinUnit(db: Db, platform: Platform, userId: string, name: string, unitId: number): Promise<{ member: Member; previousUnitId: number | null }> {
  const existing = await db.member.findUnique({ where: { platform_userId: { platform, userId } } });
  const member = await db.member.upsert({
    where: { platform_userId: { platform, userId } },
    create: { platform, userId, name, unitId, role: 'filer' },
    update: { unitId, name },
  });
  return { member, previousUnitId: existing?.unitId ?? null };
}

export function getBinding(db: Db, platform: Platform, chatId: string): Promise<BindingWithContext | null> {
  return db.chatBinding.findUnique({ where: { platform_chatId: { platform, chatId } }, include: { unit: true, campaign: true } });
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
export async function joinHint(db: Db, binding: BindingWithContext | null): Promise<string> {
  if (!binding) return '请先发送“/join 单位名称”登记（在本单位的工作群里发送）。';
  const children = await db.unit.findMany({ where: { parentId: binding.unit.id }, orderBy: { id: 'asc' }, take: 8, select: { name: true } });
  const names = children.length ? children.map((u) => u.name) : [binding.unit.name];
  return `请先发送“/join 单位名称”登记，例如：/join ${names[0]}${names.length > 1 ? `（本群可登记：${names.join('、')}${children.length === 8 ? '等' : ''}）` : ''}`;
}

/** Registered filers of the given units, grouped by unit id. */
export async function filersByUnit(db: Db, unitIds: number[], platform?: Platform): Promise<Map<number, Member[]>> {
  const members = await db.member.findMany({ where: { unitId: { in: unitIds }, ...(platform ? { platform } : {}) }, orderBy: { id: 'asc' } });
  const map = new Map<number, Member[]>();
  for (const m of members) {
    const list = map.get(m.unitId!) ?? [];
    list.push(m);
    map.set(m.unitId!, list);
  }
  return map;
}
