// The WeChat ChatSender: replies, reminders and roll-calls all leave through one paced queue (see
// send-queue.ts). Mentions become room.say(text, ...contacts) — one message per room with every
// mention in it; people who cannot be found in the room are still named in the text.
import type { Contact, Room, Wechaty } from 'wechaty';
import type { App, ChatSender, SendOptions } from '../../core/app.js';
import type { Reply } from '../../core/messages.js';
import { PermanentSendError, RateLimitedError } from '../../core/send-errors.js';
import { renderForWechat, type WechatOut } from './wechat-render.js';
import type { Lane, SendQueue } from './send-queue.js';
import type { WechatIdentity } from './wechat-identity.js';

/**
 * What the protocols say when the account sends too much: wechat4u's failed assertion "1205 == 0"
 * (BaseResponse.Ret 1205, 请求频率过高), the pad protocols' "发送消息过于频繁", or English wording.
 */
export const THROTTLED = /\b1205 == 0\b|频繁|too (?:many|frequent)|rate.?limit/i;
/** What a group's id looks like on the puppets Saiwu runs with (wechat4u "@@…", pad and mock "…@chatroom"). */
const ROOM_ID = /^@@|@chatroom$/;

type Target = { room: Room } | { contact: Contact };

export class WechatSender implements ChatSender {
  readonly platform = 'wechat' as const;

  constructor(
    private readonly app: App,
    private readonly bot: Wechaty,
    private readonly queue: SendQueue,
    private readonly identity: WechatIdentity,
  ) {}

  async send(chatId: string, replies: Reply[], opts: SendOptions = {}): Promise<void> {
    if (!this.bot.isLoggedIn) throw new RateLimitedError(60_000, 'WeChat is not logged in; waiting for the QR code to be scanned');
    const target = await this.target(chatId);
    const outs = renderForWechat(replies);
    // Reminders and other jobs send with an idempotency key; answers to people without: they go first.
    const lane: Lane = opts.idempotencyKey ? 'background' : 'reply';
    let handedOff = false;
    for (const [i, out] of outs.entries()) {
      // A retried reminder job skips the messages that already went out (SendOptions.sentParts).
      const content = out.kind === 'text' ? out.text : `file:${out.fileBox.name}`;
      if (opts.sentParts?.has(i, content)) continue;
      const sent = await this.queue.enqueue(chatId, async () => {
        // Claimed when its turn has come, not when queued: a shutdown during the wait sends nothing and claims nothing.
        if (!handedOff && opts.handOff && !(await opts.handOff())) return false;
        handedOff = true;
        await this.deliver(target, out);
        return true;
      }, lane);
      if (!sent) return;
      await opts.sentParts?.add(i, content);
    }
    // Every part went out on an earlier attempt (its "sent" was not recorded): handed over all the same.
    if (!handedOff) await opts.handOff?.();
  }

  /** Shutting down: sends still waiting their turn fail with QueueStoppedError (nothing of theirs went out). */
  stopQueue(): void {
    this.queue.stop();
  }

  /**
   * WeChat said the account sends too often (a refused send, or a system message in a chat): the
   * whole account pauses (see SendQueue.throttled). Returns the pause in ms.
   */
  throttled(reason: string): number {
    const ms = this.queue.throttled(reason);
    this.app.log.warn({ pauseMs: ms, reason: reason.slice(0, 200) }, 'WeChat says the account sends too often; the whole account pauses');
    return ms;
  }

  /** The current or last throttle, for admins. */
  throttleState(): ReturnType<SendQueue['throttleState']> {
    return this.queue.throttleState();
  }

  /**
   * The room or person a chat id names, asked for by the id's shape first (a group's id ends in
   * "@chatroom", or starts with "@@" on the web protocol): looking a person's id up as a room raises
   * an error in Wechaty, and a failing remote call with puppet-service.
   */
  private async target(chatId: string): Promise<Target> {
    const findRoom = async () => {
      const room = await this.bot.Room.find({ id: chatId }).catch(() => undefined);
      return room ? { room } : undefined;
    };
    const findContact = async () => {
      const contact = await this.bot.Contact.find({ id: chatId }).catch(() => undefined);
      return contact ? { contact } : undefined;
    };
    const [likely, other] = ROOM_ID.test(chatId) ? [findRoom, findContact] : [findContact, findRoom];
    const found = (await likely()) ?? (await other());
    if (found) return found;
    throw new PermanentSendError(`WeChat chat ${chatId} not found (the bot may have left it, or ids changed at login)`, '找不到该群（机器人可能已不在群里）');
  }

  private async deliver(target: Target, out: WechatOut): Promise<void> {
    try {
      if ('contact' in target) {
        await target.contact.say(out.kind === 'text' ? out.text : out.fileBox);
        return;
      }
      const { room } = target;
      if (out.kind === 'file') {
        await room.say(out.fileBox);
        return;
      }
      const { contacts, missing } = await this.identity.contactsFor(room, out.mentions);
      if (missing.length) this.app.log.warn({ chatId: room.id, missing: missing.map((m) => m.userName) }, 'wechat mention targets not in room; named in text only');
      const named = missing.map((m) => `@${m.userName}`).join(' ');
      const text = named ? `${named} ${out.text}` : out.text;
      if (contacts.length) await room.say(text, ...contacts);
      else await room.say(text);
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      if (THROTTLED.test(message)) {
        const ms = this.throttled(message);
        throw new RateLimitedError(ms, `WeChat throttled the account: ${message}`);
      }
      throw err;
    }
  }
}
