// Something a person started that a later message of theirs, in the same chat, finishes: a roster
// whose moves wait for "/import 确认", a holiday notice waiting for "/假期 导入 确认", or a command
// waiting for the text it asked for (the notice pasted right after "/假期 导入"). One per kind,
// person and chat; expired ones are ignored (and overwritten).
import type { Db } from '../store/client.js';

export type PendingKind = 'import' | 'holiday-import' | 'await';

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

/** A command that asked for text: the person's next message in the chat that matches `expects` runs it. */
export interface Awaiting {
  command: string;
  args: string[];
  /** Regular expressions the awaited text must all match (anything else is ordinary conversation). */
  expects: string[];
}

export async function awaitNextMessage(db: Db, who: Who, awaiting: Awaiting, ttlMs: number, now: Date): Promise<void> {
  await setPending(db, 'await', who, awaiting, ttlMs, now);
}

/** The command this message completes, if the sender has one waiting here and the text fits; taken once. */
export async function takeAwaited(db: Db, who: Who, text: string, now: Date): Promise<Awaiting | null> {
  const awaiting = await getPending<Awaiting>(db, 'await', who, now);
  if (!awaiting || !awaiting.expects.every((e) => new RegExp(e).test(text))) return null;
  await clearPending(db, 'await', who);
  return awaiting;
}

/** Whether the sender has a command waiting for text in this chat (read only; takeAwaited takes it). */
export async function hasAwaited(db: Db, who: Who, now: Date): Promise<boolean> {
  return (await getPending<Awaiting>(db, 'await', who, now)) !== null;
}
