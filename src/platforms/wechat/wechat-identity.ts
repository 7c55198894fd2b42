// Keeping group bindings and members attached to the right WeChat room and person. Some puppets
// (the free web protocol) hand out new room and contact ids on every login, so a binding is stored
// with the room's topic and re-resolved after login, on a topic change and when a bound topic
// speaks again; members are matched by id where ids are stable, else — carefully — by name within
// the bound room. A display name proves nothing (anyone can rename themselves), so a record moves to
// a new id only when the name is unique in the room where the person spoke, the old id is gone from
// every bound room, and no ambiguity is open for that name. Admin rights never move by name: a moved
// admin record becomes a plain filer until its owner proves who they are with a one-time claim code
// (src/services/admin-claims.ts).
import type { Contact, Room, Wechaty } from 'wechaty';
import type { App } from '../../core/app.js';
import type { UserRef } from '../../core/messages.js';
import type { Member, Unit } from '../../store/models.js';
import { bindingOfChat, bindingsTitled, chatRenamed, hasMember, moveBinding, moveMember, noteChatTitle, platformBindings, platformMembers, unitParents, type BindingWithUnit } from '../../services/chat-identity.js';

const PLATFORM = 'wechat';

function describe(member: Member & { unit?: Unit | null }): string {
  return `${member.unit ? `「${member.unit.name}」联络员` : member.role === 'admin' ? '管理员' : '成员'}「${member.name}」`;
}

export interface IdentityOptions {
  /** Whether the puppet keeps contact and room ids across logins (pad/WeCom protocols do). */
  stableIds: boolean;
}

/** Puppets whose ids are only valid for one login session. */
export function puppetHasStableIds(puppet: string): boolean {
  return !/^wechaty-puppet-(wechat4u|wechat)$/.test(puppet);
}


async function namesIn(room: Room, contact: Contact): Promise<string[]> {
  const alias = await room.alias(contact).catch(() => undefined);
  return [contact.name(), alias].filter((n): n is string => Boolean(n));
}

export class WechatIdentity {
  /** Human-readable problems, keyed by what they are about; shown on the login page and sent to admins. */
  readonly problems = new Map<string, string>();
  /** Names that more than one person answers to (in a room, or among records); nothing moves by them. */
  private readonly ambiguousNames = new Set<string>();
  private readonly liveRooms = new Set<string>();
  private readonly checkedRooms = new Set<string>();

  constructor(private readonly app: App, private readonly bot: Wechaty, private readonly opts: IdentityOptions) {}

  get stableIds(): boolean {
    return this.opts.stableIds;
  }

  /** After every login: find each bound room again by id, else by its stored topic. Returns new problems. */
  async resolveAfterLogin(): Promise<string[]> {
    this.problems.clear();
    this.ambiguousNames.clear();
    this.liveRooms.clear();
    this.checkedRooms.clear();
    const rooms = await this.bot.Room.findAll();
    const byTopic = new Map<string, Room[]>();
    for (const room of rooms) {
      this.liveRooms.add(room.id);
      const topic = await room.topic().catch(() => '');
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), room]);
    }
    const bindings = await platformBindings(this.app.db, PLATFORM);
    const resolved: { binding: BindingWithUnit; room: Room }[] = [];
    for (const binding of bindings) {
      const byId = rooms.find((r) => r.id === binding.chatId);
      if (byId) {
        const topic = await byId.topic().catch(() => binding.topic ?? '');
        await noteChatTitle(this.app.db, binding, topic);
        resolved.push({ binding, room: byId });
        continue;
      }
      const matches = binding.topic ? byTopic.get(binding.topic) ?? [] : [];
      if (matches.length === 1 && (await this.rebind(binding, matches[0].id))) {
        resolved.push({ binding, room: matches[0] });
      } else if (!binding.topic) {
        this.problems.set(`binding:${binding.id}`, `「${binding.unit.name}」的工作群没有记录群名，本次登录后找不到了。请在该群里重新发送“/绑定 ${binding.unit.name}”。`);
      } else if (matches.length === 0) {
        this.problems.set(`binding:${binding.id}`, `找不到名为「${binding.topic}」的群（绑定到「${binding.unit.name}」）。请确认机器人还在群里，并把该群“保存到通讯录”；群里有人发言后也会自动恢复。如果群已改名，请在群里重新发送“/绑定 ${binding.unit.name}”。`);
      } else if (matches.length > 1) {
        this.problems.set(`binding:${binding.id}`, `有 ${matches.length} 个群都叫「${binding.topic}」，无法确定哪个是「${binding.unit.name}」的工作群。请把群名改成唯一的，再在群里发送“/绑定 ${binding.unit.name}”。`);
      }
    }
    if (!this.opts.stableIds) await this.rekeyMembers(resolved);
    return [...this.problems.values()];
  }

  /** A message arrived from a room: keep its binding's topic current, and re-attach a stale binding by topic. */
  async noticeRoom(room: Room, topic: string): Promise<void> {
    if (this.checkedRooms.has(room.id)) return;
    this.checkedRooms.add(room.id);
    this.liveRooms.add(room.id);
    const db = this.app.db;
    const binding = await bindingOfChat(db, PLATFORM, room.id);
    if (binding) return noteChatTitle(db, binding, topic);
    if (!topic) return;
    const stale = (await bindingsTitled(db, PLATFORM, topic)).filter((b) => !this.liveRooms.has(b.chatId));
    if (stale.length === 1) await this.rebind(stale[0], room.id);
  }

  /** The room was renamed: the binding follows it, so the next login finds it under the new name. */
  async topicChanged(room: Room, newTopic: string): Promise<void> {
    if (await chatRenamed(this.app.db, PLATFORM, room.id, newTopic)) this.app.log.info({ chatId: room.id, topic: newTopic }, 'wechat bound room renamed; binding follows');
  }

  /**
   * The user id a sender files under. With session-scoped ids, a registered member who comes back
   * with a new id is recognised by name within the bound room — under the rules at the top of this
   * file — and their record moves to the new id.
   */
  async userIdFor(contact: Contact, room: Room | undefined): Promise<string> {
    if (this.opts.stableIds || !room) return contact.id;
    const db = this.app.db;
    if (await hasMember(db, PLATFORM, contact.id)) return contact.id;
    const binding = await bindingOfChat(db, PLATFORM, room.id);
    if (!binding) return contact.id;
    const names = await namesIn(room, contact);
    const units = await unitParents(db);
    const candidates = (await platformMembers(db, PLATFORM, names))
      .filter((m) => this.belongsTo(m, binding.unitId, units));
    if (!candidates.length) return contact.id;
    const name = candidates[0].name;
    if (candidates.length > 1) {
      // Two records answer to this person's names: which one is theirs is not ours to guess.
      this.markAmbiguous(candidates, `有 ${candidates.length} 条登记记录与「${names.join('／')}」同名，无法确定是谁，都没有自动恢复。请本人在群里重新发送“/加入 单位名称”。`);
      return contact.id;
    }
    if (this.ambiguousNames.has(name)) return contact.id;
    // The name must be unique among the people in this room…
    const others: Contact[] = [];
    for (const c of await room.memberAll()) if (c.id !== contact.id && (await namesIn(room, c)).includes(name)) others.push(c);
    if (others.length) {
      this.markAmbiguous(candidates, `群「${binding.topic ?? room.id}」里有 ${others.length + 1} 人都叫「${name}」，无法确定哪位是登记过的${describe(candidates[0])}。请他们设置不同的群昵称，再由本人重新发送“/加入 单位名称”。`);
      return contact.id;
    }
    // …and the record's old id must be gone from every bound room (else it is another, living person).
    if ((await this.idsInBoundRooms()).has(candidates[0].userId)) return contact.id;
    await this.rekey(candidates[0], contact.id);
    return contact.id;
  }

  private markAmbiguous(members: (Member & { unit: Unit | null })[], problem: string): void {
    for (const m of members) {
      this.ambiguousNames.add(m.name);
      this.problems.set(`member:${m.id}`, problem);
    }
    this.app.log.warn({ names: [...new Set(members.map((m) => m.name))] }, 'wechat member not re-attached: the name is ambiguous');
  }

  /** Every contact id present in a bound room right now. */
  private async idsInBoundRooms(): Promise<Set<string>> {
    const ids = new Set<string>();
    for (const { chatId } of await platformBindings(this.app.db, PLATFORM)) {
      const room = await this.bot.Room.find({ id: chatId }).catch(() => undefined);
      if (!room) continue;
      for (const c of await room.memberAll().catch(() => [] as Contact[])) ids.add(c.id);
    }
    return ids;
  }

  /** The room's contacts for these people: by id, else by a unique name in the room; the rest are returned as missing. */
  async contactsFor(room: Room, refs: UserRef[]): Promise<{ contacts: Contact[]; missing: UserRef[] }> {
    if (!refs.length) return { contacts: [], missing: [] };
    const members = await room.memberAll();
    const contacts: Contact[] = [];
    const missing: UserRef[] = [];
    for (const ref of refs) {
      let found = members.find((c) => c.id === ref.userId);
      if (!found && !this.opts.stableIds) {
        const named: Contact[] = [];
        for (const c of members) if ((await namesIn(room, c)).includes(ref.userName)) named.push(c);
        if (named.length === 1) found = named[0];
      }
      if (found && !contacts.some((c) => c.id === found!.id)) contacts.push(found);
      else if (!found) missing.push(ref);
    }
    return { contacts, missing };
  }

  private async rebind(binding: BindingWithUnit, chatId: string): Promise<boolean> {
    if (!(await moveBinding(this.app.db, binding, chatId))) {
      this.problems.set(`binding:${binding.id}`, `群「${binding.topic}」同时对应了两条绑定，请管理员在该群里重新发送“/绑定 ${binding.unit.name}”。`);
      return false;
    }
    this.problems.delete(`binding:${binding.id}`);
    this.app.log.info({ bindingId: binding.id, topic: binding.topic, from: binding.chatId, to: chatId }, 'wechat binding re-attached by room topic');
    return true;
  }

  private async rekeyMembers(resolved: { binding: BindingWithUnit; room: Room }[]): Promise<void> {
    const inRooms: { binding: BindingWithUnit; room: Room; contacts: { contact: Contact; names: string[] }[] }[] = [];
    const present = new Set<string>();
    for (const { binding, room } of resolved) {
      const contacts = [];
      for (const contact of await room.memberAll()) {
        present.add(contact.id);
        contacts.push({ contact, names: await namesIn(room, contact) });
      }
      inRooms.push({ binding, room, contacts });
    }
    const units = await unitParents(this.app.db);
    const everyone = (await platformMembers(this.app.db, PLATFORM)).filter((m) => !present.has(m.userId));
    // Admins and judges prove who they are with a claim code; only a unit's filer record follows a name.
    for (const m of everyone.filter((m) => m.role === 'admin' || m.judge)) this.noteRightsToReclaim(m);
    const stale = everyone.filter((m) => m.unitId !== null);
    // Two stale records with one name compete for the same person: neither moves.
    const staleByName = new Map<string, number>();
    for (const m of stale) staleByName.set(m.name, (staleByName.get(m.name) ?? 0) + 1);
    for (const member of stale) {
      const who = describe(member);
      if ((staleByName.get(member.name) ?? 0) > 1) {
        this.ambiguousNames.add(member.name);
        this.problems.set(`member:${member.id}`, `有 ${staleByName.get(member.name)} 条登记记录都叫「${member.name}」，无法确定各是谁，都没有自动恢复。请本人在群里重新发送“/加入 单位名称”。`);
        continue;
      }
      const matches = new Map<string, Contact>();
      let duplicateInRoom = false;
      for (const { binding, contacts } of inRooms) {
        if (!this.belongsTo(member, binding.unitId, units)) continue;
        const named = contacts.filter(({ names }) => names.includes(member.name));
        if (named.length > 1) duplicateInRoom = true;
        for (const { contact } of named) matches.set(contact.id, contact);
      }
      if (duplicateInRoom || matches.size > 1) {
        this.ambiguousNames.add(member.name);
        this.problems.set(`member:${member.id}`, `群里有 ${matches.size} 人都叫「${member.name}」，无法确定哪位是${who}。请他们设置不同的群昵称，再由本人重新发送“/加入 单位名称”。`);
      } else if (matches.size === 1) {
        const [contact] = matches.values();
        if (!(await this.rekey(member, contact.id))) this.problems.set(`member:${member.id}`, `${who}对应的微信账号有两条登记记录，请本人在群里重新发送“/加入 单位名称”。`);
      } else if (inRooms.length) {
        this.problems.set(`member:${member.id}`, `${who}在已绑定的群里找不到（可能改了昵称或已退群），提醒时无法@到。请本人在群里重新发送“/加入 单位名称”。`);
      }
    }
  }

  /**
   * Moves a unit filer's record to a new id. Admin and judge rights stay behind (see the top of this
   * file): the record arrives as a plain filer record.
   */
  private async rekey(member: Member, userId: string): Promise<boolean> {
    const hadRights = member.role === 'admin' || member.judge;
    if (!(await moveMember(this.app.db, member, userId, { platform: PLATFORM, actorName: '系统（微信重新登录）' }))) return false;
    this.problems.delete(`member:${member.id}`);
    if (hadRights) this.noteRightsToReclaim(member);
    this.app.log.info({ memberId: member.id, name: member.name, from: member.userId, to: userId, rightsKept: false }, 'wechat member re-attached by name');
    return true;
  }

  private noteRightsToReclaim(member: Member): void {
    const what = member.role === 'admin' ? '管理员' : '评委';
    const how = member.role === 'admin' ? '请在服务日志或 /wechat 页面查看认领码，私聊机器人发送“/管理员 认领 认领码”' : '请管理员重新发送“/评委 添加 @本人”';
    this.problems.set(`rights:${member.id}`, `${what}「${member.name}」重新登录后需要确认身份：${how}。`);
  }

  /** Whether the member files for the room's unit or a unit below it (a record with no unit belongs nowhere). */
  private belongsTo(member: Member, roomUnitId: number, parents: Map<number, number | null>): boolean {
    let id: number | null | undefined = member.unitId;
    if (id === null) return false;
    for (let hops = 0; id != null && hops < 50; hops++) {
      if (id === roomUnitId) return true;
      id = parents.get(id);
    }
    return false;
  }
}
