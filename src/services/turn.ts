// What the pipeline knows about one message's sender and chat: the member (with their unit) and the
// chat's binding (with its unit and campaign), each read from the database at most once however many
// steps ask — conversations, a pasted template, a command's permission check, the filing itself.
import type { Db } from '../store/client.js';
import type { Member, Unit } from '../store/models.js';
import { getBinding, getMember, touchMember, type BindingWithContext } from './members.js';

export class Turn {
  private memberRead?: Promise<(Member & { unit: Unit | null }) | null>;
  private bindingRead?: Promise<BindingWithContext | null>;
  private touched?: Promise<void>;

  constructor(
    private readonly db: Db,
    readonly who: { platform: string; userId: string; userName: string; chatId: string },
  ) {}

  member(): Promise<(Member & { unit: Unit | null }) | null> {
    return (this.memberRead ??= getMember(this.db, this.who.platform, this.who.userId));
  }

  binding(): Promise<BindingWithContext | null> {
    return (this.bindingRead ??= getBinding(this.db, this.who.platform, this.who.chatId));
  }

  /**
   * Keeps the member's display name current (people rename themselves), once per message. The member
   * is read anyway by every step that touches; a write (a transaction) happens only on a rename.
   */
  touch(): Promise<void> {
    return (this.touched ??= this.rename());
  }

  private async rename(): Promise<void> {
    const member = await this.member();
    if (!member || member.name === this.who.userName) return;
    await touchMember(this.db, this.who.platform, this.who.userId, this.who.userName);
    // Later steps see the new name without reading the row again.
    this.memberRead = Promise.resolve({ ...member, name: this.who.userName });
  }
}
