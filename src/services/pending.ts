// Something a person started that a later message of theirs, in the same chat, finishes: a roster
// whose moves wait for "/import 确认". One per kind, person and chat; expired ones are ignored (and
// overwritten).
import type { Db } from '../db/client.js';

export type PendingKind = 'import';

export interface Who {
  platform: string;
  userId: string;
  chatId: string;
}

const key = (kind: PendingKind, who: Who) => ({ kind_platform_userId_chatId: { kind, platform: who.platform, userId: who.userId, chatId: who.chatId } });

export async function setPending(db: Db, kind: PendingKind, who: Who, payload: unknown, ttlMs: number, now: Date): Promise<void> {
  const data = { payload: JSON.stringify(payload), expiresAt: new Date(now.getTime() + ttlMs) };
  await db.pendingAction.upsert({ where: key(kind, who), create: { kind, platform: who.platform, userId: who.userId, chatId: who.chatId, ...data }, update: data });
}

export async function getPending<T>(db: Db, kind: PendingKind, who: Who, now: Date): Promise<T | null> {
  const row = await db.pendingAction.findUnique({ where: key(kind, who) });
  if (!row || row.expiresAt <= now) return null;
  return JSON.parse(row.payload) as T;
}

export async function clearPending(db: Db, kind: PendingKind, who: Who): Promise<void> {
  await db.pendingAction.deleteMany({ where: { kind, platform: who.platform, userId: who.userId, chatId: who.chatId } });
}
