// Who may run what and see what. The rules live here once (README "Security"):
// - An admin may run every command and see everything.
// - A registered filer (someone who files for a unit) sees, in a group bound to a unit, that unit
//   and everything under it; in a private chat or an unbound group, only their own unit.
// - A judge may record competition scores; a judge who files for no unit sees nothing else.
// - Anyone else gets /help, /join and /deadlines, and a polite refusal for the rest.
// Commands declare who may run them (CommandSpec.access, per subcommand if needed); bot.ts checks
// that before a handler runs, and handlers that show data ask `scopeOf` what the asker may see.
import type { Db } from '../store/client.js';
import type { Member, Unit } from '../store/models.js';
import type { BindingWithContext } from './members.js';
import { notRegisteredText } from './members.js';
import { isWithin } from './units.js';
import { unboundGroup } from '../core/wording.js';
import { platformDef } from '../platforms/index.js';

/** A role a command can be opened to; admins may always run everything. */
export type Role = 'filer' | 'judge';
/** Who may run a command: anyone, or people holding one of these roles (or an admin). */
export type Access = 'anyone' | readonly Role[];

/** Who is asking, as far as permissions go. */
export interface Viewer {
  admin: boolean;
  judge: boolean;
  /** The unit they file for, if any. */
  unit: Unit | null;
}

export function viewerOf(member: (Member & { unit: Unit | null }) | null, admin: boolean): Viewer {
  return { admin, judge: Boolean(member?.judge), unit: member?.unit ?? null };
}

export function allows(access: Access, viewer: Viewer): boolean {
  if (access === 'anyone' || viewer.admin) return true;
  return access.some((role) => (role === 'filer' ? viewer.unit !== null : viewer.judge));
}

const adminsOnly = (label: string) => `“${label}”只有管理员可以使用`;

/** The refusal a non-admin gets for an admin-only command. */
export function adminOnlyText(label: string): string {
  return `${adminsOnly(label)}。如需开通，请联系本群管理员。`;
}

/**
 * The refusal for an admin-only command on an installation with no admin at all (a fresh install
 * started without ADMINS): nobody could "open" it, so say how the first admin is made, naming the
 * asker's own id where that id is what ADMINS needs.
 */
export function firstAdminText(label: string, who: { platform: string; userId: string }): string {
  const how = platformDef(who.platform)?.firstAdminHow?.(who.userId) ?? `请安装机器人的人在配置里设置 ADMINS=${who.platform}:${who.userId}（这是您的用户ID）并重启机器人。`;
  return `${adminsOnly(label)}，但现在还没有任何管理员。${how}`;
}

/**
 * What someone is told when `access` does not let them run `label` (e.g. "/standings"); `custom` is a
 * subcommand's own refusal ("只有管理员可以创建竞赛年度。"), said instead while there are admins.
 */
export async function refusalText(db: Db, access: Access, label: string, ctx: { platform: string; userId: string; binding: BindingWithContext | null }, custom?: string): Promise<string> {
  if (access === 'anyone' || access.length === 0) {
    // ADMINS are admin rows from startup on (services/bootstrap.ts), so one look at the table answers.
    const anyAdmin = await db.member.findFirst({ where: { role: 'admin' }, select: { id: true } });
    return anyAdmin ? custom ?? adminOnlyText(label) : firstAdminText(label, ctx);
  }
  if (custom) return custom;
  if (!access.includes('filer')) return `“${label}”只有管理员和评委可以使用。管理员可以发送“/评委 添加 @某人”设置评委。`;
  return notRegisteredText(db, ctx, ctx.binding, `使用“${label}”`);
}

/**
 * What the asker may see:
 * - all: an admin outside a bound group (the whole organisation);
 * - group: the group's unit and everything under it (an admin or a filer in a bound group);
 * - own: a filer's own unit only (a private chat or an unbound group).
 */
export type Scope = { kind: 'all'; chatType: 'group' | 'p2p' } | { kind: 'group'; root: Unit } | { kind: 'own'; unit: Unit; chatType: 'group' | 'p2p' };

export function scopeOf(viewer: Viewer, binding: BindingWithContext | null, chatType: 'group' | 'p2p'): Scope | null {
  if (binding && (viewer.admin || viewer.unit)) return { kind: 'group', root: binding.unit };
  if (viewer.admin) return { kind: 'all', chatType };
  if (viewer.unit) return { kind: 'own', unit: viewer.unit, chatType };
  return null;
}

export async function canSeeUnit(db: Db, scope: Scope | null, unitId: number): Promise<boolean> {
  if (!scope) return false;
  if (scope.kind === 'all') return true;
  if (scope.kind === 'own') return scope.unit.id === unitId;
  return isWithin(db, unitId, scope.root.id);
}

/**
 * The unit whose subtree a group report (/standings, /stats, /export, /missing) is about, or the
 * reason there is none: such reports list other units, which a filer outside their work group may
 * not see.
 */
export async function reportRoot(db: Db, scope: Scope | null, what: string): Promise<{ unit: Unit } | { refusal: string }> {
  if (scope?.kind === 'group') return { unit: scope.root };
  if (scope?.kind === 'all' && scope.chatType === 'group') return { refusal: unboundGroup(`无法查看${what}`) };
  if (scope?.kind === 'all') {
    // An admin in a private chat: the organisation's one top-level unit, when there is exactly one.
    const tops = await db.unit.findMany({ where: { parentId: null, archivedAt: null }, orderBy: { id: 'asc' }, take: 2 });
    if (tops.length === 1) return { unit: tops[0] };
    return { refusal: `有 ${tops.length} 个顶级单位，请在绑定到其中一个单位的工作群里查看${what}。` };
  }
  if (scope?.kind === 'own') {
    const where = scope.chatType === 'p2p' ? '私聊中' : '本群还没有绑定单位，这里';
    return { refusal: `${where}只能查看您本单位（${scope.unit.name}）的情况，请发送“/我的”。要看各单位的${what}，请在绑定到本单位的工作群里发送。` };
  }
  return { refusal: `请在绑定了单位的工作群里查看${what}。` };
}
