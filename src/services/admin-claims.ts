// One-time admin claim codes. On WeChat's web protocol every login hands out new contact ids, and a
// display name proves nothing (anyone can rename themselves "王主席"), so admin rights never follow
// an id or a name across logins. Instead the server shows a code to whoever runs it (log and the
// protected /wechat page); the admin sends "/admin claim <code>" to the bot in a private chat and
// that contact becomes an admin. Only a hash of the code is stored; a code works once, expires, and
// dies after too many wrong guesses.
import { createHash, randomInt } from 'node:crypto';
import type { Db, Tx } from '../store/client.js';
import type { Member } from '../store/models.js';
import { recordChange, rolesOf, type Actor } from './members.js';

export const CLAIM_CODE_TTL_MS = 24 * 3_600_000;
/** Wrong guesses (from anyone) after which the current code stops working and a new one is shown. */
export const CLAIM_MAX_FAILURES = 20;
/** Wrong guesses one sender may make in an hour; after that they are not even checked (and burn nothing). */
export const CLAIM_SENDER_FAILURES = 5;
const SENDER_WINDOW_MS = 3_600_000;
// Per-process memory is enough here: claims are answered by the one process that talks to WeChat.
const senderFailures = new Map<string, number[]>();

function recentFailures(key: string, now: number): number[] {
  const list = (senderFailures.get(key) ?? []).filter((t) => now - t < SENDER_WINDOW_MS);
  if (list.length) senderFailures.set(key, list);
  else senderFailures.delete(key);
  return list;
}

const normalize = (typed: string) => typed.replace(/[\s-]/g, '').replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
const hash = (code: string) => createHash('sha256').update(`saiwu-admin-claim:${normalize(code)}`).digest('hex');

export interface ClaimCode {
  code: string;
  expiresAt: Date;
}

/** A fresh 8-digit code for `platform`; earlier unused codes stop working. */
export async function issueClaimCode(db: Db, platform: string, now: Date): Promise<ClaimCode> {
  const code = String(randomInt(0, 100_000_000)).padStart(8, '0');
  const expiresAt = new Date(now.getTime() + CLAIM_CODE_TTL_MS);
  await db.$transaction([
    db.adminClaim.updateMany({ where: { platform, usedAt: null, expiresAt: { gt: now } }, data: { expiresAt: now } }),
    db.adminClaim.create({ data: { platform, codeHash: hash(code), expiresAt } }),
  ]);
  return { code, expiresAt };
}

/** Whether `code` can still be redeemed (not used, not expired, not burnt by wrong guesses). */
export async function claimCodeIsLive(db: Db, code: string, now: Date): Promise<boolean> {
  const row = await db.adminClaim.findUnique({ where: { codeHash: hash(code) } });
  return Boolean(row && !row.usedAt && row.expiresAt > now && row.failures < CLAIM_MAX_FAILURES);
}

/** Ends every live code of `platform` now (e.g. one was posted in a group for all to see). */
export async function burnClaimCodes(db: Db, platform: string, now: Date): Promise<void> {
  await db.adminClaim.updateMany({ where: { platform, usedAt: null, expiresAt: { gt: now } }, data: { expiresAt: now } });
}

export type ClaimResult = { ok: true; member: Member } | { ok: false; reason: 'wrong' | 'posted-in-group' | 'too-many' };

/**
 * Redeems a typed code for the sender. `privateChat` false means the code was just shown to a whole
 * group: it is burnt whether right or wrong, and nobody becomes an admin.
 */
export async function redeemClaimCode(db: Db, input: { platform: string; typed: string; privateChat: boolean; actor: Actor; now: Date }): Promise<ClaimResult> {
  const { platform, actor, now } = input;
  const live = { platform, usedAt: null, expiresAt: { gt: now }, failures: { lt: CLAIM_MAX_FAILURES } };
  if (!input.privateChat) {
    const matched = await db.adminClaim.count({ where: { ...live, codeHash: hash(input.typed) } });
    if (matched) await burnClaimCodes(db, platform, now);
    return { ok: false, reason: 'posted-in-group' };
  }
  // One sender guessing cannot burn the code for everyone (the admin would be locked out).
  const sender = `${platform}:${actor.userId}`;
  if (recentFailures(sender, Date.now()).length >= CLAIM_SENDER_FAILURES) return { ok: false, reason: 'too-many' };
  const result = await db.$transaction(async (tx) => {
    // Claimed with a conditional update, so two people racing with one code cannot both win.
    const { count } = await tx.adminClaim.updateMany({ where: { ...live, codeHash: hash(input.typed) }, data: { usedAt: now, usedBy: sender } });
    if (count !== 1) {
      await tx.adminClaim.updateMany({ where: live, data: { failures: { increment: 1 } } });
      return { ok: false, reason: 'wrong' } as const;
    }
    return { ok: true, member: await becomeAdmin(tx, platform, actor) } as const;
  });
  if (!result.ok) senderFailures.set(sender, [...recentFailures(sender, Date.now()), Date.now()]);
  return result;
}

/**
 * The claimant's row becomes an admin. Someone claiming for the first time under a new id, whose
 * old row (same platform, same name) was an admin, takes that row over: the code proved who they are,
 * and their unit and history come along.
 */
async function becomeAdmin(tx: Tx, platform: string, actor: Actor): Promise<Member> {
  let before = await tx.member.findUnique({ where: { platform_userId: { platform, userId: actor.userId } } });
  let prior = before;
  if (!before) {
    const old = await tx.member.findMany({ where: { platform, name: actor.userName, role: 'admin', NOT: { userId: actor.userId } } });
    if (old.length === 1) {
      prior = old[0];
      before = await tx.member.update({ where: { id: old[0].id }, data: { userId: actor.userId } });
    }
  }
  const member = before
    ? await tx.member.update({ where: { id: before.id }, data: { role: 'admin', name: actor.userName } })
    : await tx.member.create({ data: { platform, userId: actor.userId, name: actor.userName, role: 'admin' } });
  await recordChange(tx, actor, 'member', member.id, 'admin-claim', rolesOf(prior), rolesOf(member)!);
  return member;
}
