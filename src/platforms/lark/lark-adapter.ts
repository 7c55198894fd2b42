// The Feishu/Lark adapter: receives events (long connection by default, or the HTTP webhook),
// translates them for the platform-neutral Bot, and posts the Bot's replies back. Events are
// acknowledged at once and handled in the background, because Lark redelivers anything not
// answered within about 3 seconds; the Bot dedupes on the message id / event id in the database.
import type { IncomingHttpHeaders } from 'node:http';
import * as lark from '@larksuiteoapi/node-sdk';
import type { App } from '../../core/app.js';
import type { FormReply, IncomingMessage, Reply } from '../../core/messages.js';
import { text } from '../../core/messages.js';
import type { Bot } from '../../bot.js';
import { getMember } from '../../services/members.js';
import type { Logger } from '../../logger.js';
import { renderFormCard, type FormButtonValue } from './lark-cards.js';
import { LarkCardActions, type CardActionEvent } from './lark-card-actions.js';
import { parseMessageEvent, type BotIdentity, type LarkChatMemberBotEvent, type LarkMessageEvent } from './lark-events.js';
import { LarkRateLimiter } from './lark-rate-limit.js';
import { LarkSender, patiently, type LarkTarget } from './lark-sender.js';
import type { LarkSection } from './index.js';
import { InFlight } from '../in-flight.js';
import { withoutCards, withoutForms } from '../present.js';
import { createLarkClient, resolveLarkDomain, sdkLogger, timedHttp } from './lark-client.js';

export { resolveLarkDomain };

export const LARK_APP_ID_PATTERN = /^cli_[0-9a-fA-F]{16}$/;

/** Where a reply to `msg` goes (a private chat is rate-limited per person, see limitKey). */
function replyTarget(msg: IncomingMessage, messageId: string): LarkTarget {
  return { kind: 'reply', messageId, chatId: msg.chatId, ...(msg.chatType === 'p2p' ? { p2pUser: msg.userId } : {}) };
}

/** Said once to someone whose Feishu is too old for cards (see isOldClient). */
const OLD_CLIENT_NOTE = '您的飞书版本低于 7.20，显示不了表单卡片，下面改用文字模板（也可以发送“/填表 计划”一项一项地填）。把飞书升级到最新版后即可使用卡片。';

const NAME_TTL_MS = 60 * 60_000;
const FALLBACK_NAME_TTL_MS = 10 * 60_000;
const MAX_DOWNLOAD_MB = 10;

export class LarkAdapter {
  readonly client: lark.Client;
  readonly dispatcher: lark.EventDispatcher;
  readonly sender: LarkSender;
  private readonly cardActions: LarkCardActions;
  private readonly log: Logger;
  private readonly inFlight = new InFlight();
  private readonly names = new Map<string, { name: string; at: number }>();
  private readonly titles = new Map<string, { name: string; at: number }>();
  private ws: lark.WSClient | null = null;
  private identity: BotIdentity;
  private warnedAboutNames = false;
  /** People already told that their Feishu is too old for cards (told once per run). */
  private readonly toldAboutOldClient = new Set<string>();

  constructor(private readonly app: App, private readonly bot: Bot, private readonly cfg: LarkSection) {
    this.log = app.log.child({ platform: 'lark' });
    const logger = sdkLogger(this.log, [cfg.appSecret, cfg.encryptKey ?? '', cfg.verificationToken ?? '']);
    this.client = createLarkClient(cfg, this.log);
    this.dispatcher = new lark.EventDispatcher({ encryptKey: cfg.encryptKey, logger, loggerLevel: lark.LoggerLevel.warn });
    this.sender = new LarkSender(this.client, new LarkRateLimiter(), this.log);
    this.cardActions = new LarkCardActions(app, bot, this.sender, (id) => this.nameOf(id), (p) => this.track(p));
    this.identity = { name: app.config.botName };
    this.dispatcher.register({
      'im.message.receive_v1': (data: LarkMessageEvent) => this.ack(this.onMessage(data)),
      'im.chat.member.bot.added_v1': (data: LarkChatMemberBotEvent) => this.ack(this.onBotAdded(data)),
      'im.chat.member.bot.deleted_v1': (data: LarkChatMemberBotEvent) => this.ack(this.onBotRemoved(data, 'removed')),
      'im.chat.disbanded_v1': (data: LarkChatMemberBotEvent) => this.ack(this.onBotRemoved(data, 'disbanded')),
      // Not in the SDK's typings; the return value is the callback's answer (toast + card).
      'card.action.trigger': (data: CardActionEvent) => this.cardActions.handle(data),
    } as Parameters<lark.EventDispatcher['register']>[0]);
  }

  async start(): Promise<void> {
    const cfg = this.cfg;
    await this.learnIdentity();
    this.log.info('Lark splits events between every connected instance of this app: run more than one only on the same database and Redis (README "Deployment"); a copy elsewhere (a laptop, a test server) silently takes part of the messages and card submits.');
    if (cfg.mode === 'http') {
      this.log.info('Lark events and card callbacks are expected at POST /webhook/lark');
      return;
    }
    // The SDK silently does nothing for a malformed app id; say so instead.
    if (!LARK_APP_ID_PATTERN.test(cfg.appId)) throw new Error(`LARK_APP_ID "${cfg.appId}" does not look like a Feishu/Lark app id (cli_ followed by 16 hex characters)`);
    this.ws = new lark.WSClient({
      appId: cfg.appId, appSecret: cfg.appSecret, domain: resolveLarkDomain(cfg.domain),
      logger: sdkLogger(this.log, [cfg.appSecret]), loggerLevel: lark.LoggerLevel.warn,
      handshakeTimeoutMs: 15_000, wsConfig: { pingTimeout: 30 }, httpInstance: timedHttp(cfg.httpTimeoutMs),
      onReady: () => this.log.info('Lark long connection is up'),
      onError: (err: Error) => this.log.error({ err: err.message }, 'Lark long connection failed; check LARK_APP_ID/LARK_APP_SECRET and that the app uses long connection for events and callbacks'),
      onReconnecting: () => this.log.warn('Lark long connection lost; reconnecting'),
      onReconnected: () => this.log.info('Lark long connection is back'),
    } as ConstructorParameters<typeof lark.WSClient>[0]);
    await this.ws.start({ eventDispatcher: this.dispatcher });
  }

  async stop(): Promise<void> {
    this.ws?.close({ force: true });
    this.ws = null;
    await this.inFlight.drain(10_000);
  }

  /** Resolves when every event received so far has been handled and answered (tests, shutdown). */
  async idle(): Promise<void> {
    await this.inFlight.idle();
  }

  /** The HTTP-mode entry: a verified body, dispatched exactly as the long connection would. */
  dispatch(payload: Record<string, unknown>, headers: IncomingHttpHeaders): Promise<unknown> {
    return this.dispatcher.invoke(Object.assign(Object.create({ headers }), payload), { needCheck: false });
  }

  private track(work: Promise<unknown>): void {
    this.inFlight.add(work, (err) => this.log.error({ err }, 'Lark event handling failed'));
  }

  /** Acknowledge now, work later. */
  private ack(work: Promise<unknown>): Record<string, never> {
    this.track(work);
    return {};
  }

  private async learnIdentity(): Promise<void> {
    try {
      const res = await this.client.request<{ code?: number; bot?: { open_id?: string; app_name?: string } }>({ method: 'GET', url: '/open-apis/bot/v3/info' });
      if (res.code === 0 && res.bot?.open_id) this.identity = { openId: res.bot.open_id, name: res.bot.app_name ?? this.app.config.botName };
      else this.log.warn({ code: res.code }, 'Lark bot info unavailable; recognising @mentions of the bot by name');
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'Lark bot info unavailable; recognising @mentions of the bot by name');
    }
  }

  /** A person's display name: the contact API, else what we stored, else a neutral placeholder. */
  async nameOf(openId: string): Promise<string> {
    const cached = this.names.get(openId);
    if (cached && Date.now() - cached.at < NAME_TTL_MS) return cached.name;
    let name: string | undefined;
    try {
      const res = await this.client.contact.user.get({ path: { user_id: openId }, params: { user_id_type: 'open_id' } });
      name = res?.code === 0 ? res.data?.user?.name : undefined;
    } catch {
      name = undefined;
    }
    if (name) {
      this.names.set(openId, { name, at: Date.now() });
      return name;
    }
    if (!this.warnedAboutNames) {
      this.warnedAboutNames = true;
      this.log.warn('Lark contact API gave no name; grant contact:user.base:readonly and include users in the contact range (通讯录权限范围)');
    }
    // Stored or placeholder names are kept briefly, so a missing permission does not cost a call per message.
    const fallback = (await getMember(this.app.db, 'lark', openId))?.name ?? `飞书用户${openId.slice(-4)}`;
    this.names.set(openId, { name: fallback, at: Date.now() - NAME_TTL_MS + FALLBACK_NAME_TTL_MS });
    return fallback;
  }

  /** A file from a message, into memory (rosters are small; anything large is refused). */
  private async download(messageId: string, fileKey: string): Promise<Buffer | 'too-big'> {
    const res = await this.client.im.messageResource.get({ path: { message_id: messageId, file_key: fileKey }, params: { type: 'file' } });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.getReadableStream()) {
      size += (chunk as Buffer).length;
      if (size > MAX_DOWNLOAD_MB * 1024 * 1024) return 'too-big';
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  private async chatTitle(chatId: string): Promise<string | undefined> {
    const cached = this.titles.get(chatId);
    if (cached && Date.now() - cached.at < NAME_TTL_MS) return cached.name;
    try {
      const res = await this.client.im.chat.get({ path: { chat_id: chatId } });
      const name = res?.code === 0 ? res.data?.name : undefined;
      if (name) this.titles.set(chatId, { name, at: Date.now() });
      return name;
    } catch {
      return undefined;
    }
  }

  private async onMessage(data: LarkMessageEvent): Promise<void> {
    const parsed = parseMessageEvent(data, this.identity);
    if (parsed.kind === 'ignore') return;
    if (parsed.kind === 'unsupported') {
      // Pictures and files in a group are people talking to each other; in a private chat, the bot says what works.
      if (parsed.chatType !== 'p2p') return;
      const msg: IncomingMessage = { platform: 'lark', eventId: parsed.messageId, chatId: parsed.chatId, chatType: 'p2p', userId: parsed.userId, userName: '', text: '', mentions: [], unreadable: { what: 'kind' } };
      const replies = await this.bot.handleMessage(msg);
      if (replies.length) await this.replyTo(msg, parsed.messageId, replies);
      return;
    }
    // Group talk that is not for the bot (every group message arrives with im:message.group_msg) is
    // dropped before any contact or chat lookup.
    if (!(await this.bot.concerns(parsed.msg))) return;
    const [userName, chatTitle] = await Promise.all([
      this.nameOf(parsed.msg.userId),
      parsed.msg.chatType === 'group' ? this.chatTitle(parsed.msg.chatId) : Promise.resolve(undefined),
    ]);
    const msg: IncomingMessage = { ...parsed.msg, userName, ...(chatTitle ? { chatTitle } : {}) };
    if (parsed.kind === 'file') {
      const data = await this.download(parsed.messageId, parsed.fileKey).catch((err) => {
        this.log.warn({ err: (err as Error).message }, 'could not download a file sent to the bot');
        return null;
      });
      if (Buffer.isBuffer(data)) msg.attachment = { fileName: parsed.fileName, data };
      else msg.unreadable = data === 'too-big' ? { what: 'file-too-big', fileName: parsed.fileName, maxMb: MAX_DOWNLOAD_MB } : { what: 'file-failed', fileName: parsed.fileName };
    }
    const replies = await this.bot.handleMessage(msg);
    if (replies.length) await this.replyTo(msg, parsed.messageId, replies, parsed.oldClient);
  }

  /**
   * Replies to a message; a form asked for in a group goes to the asker alone. A client too old for
   * cards gets forms as text templates (and guided filing) and tables as text, told why once.
   */
  private async replyTo(msg: IncomingMessage, messageId: string, replies: Reply[], oldClient = false): Promise<void> {
    const target = replyTarget(msg, messageId);
    // Said once, with the first reply that would have been a card.
    let notice: Reply | null = null;
    if (oldClient && replies.some((r) => r.kind === 'form' || r.kind === 'table') && !this.toldAboutOldClient.has(msg.userId)) {
      this.toldAboutOldClient.add(msg.userId);
      notice = text(OLD_CLIENT_NOTE);
    }
    const takeNotice = (): Reply[] => {
      const n = notice ? [notice] : [];
      notice = null;
      return n;
    };
    const formValue = (r: FormReply): FormButtonValue => ({ saiwu: 'form', form: r.form, chat_id: msg.chatId, chat_type: msg.chatType, user_id: msg.userId, user_name: msg.userName, ...(r.editPlanId ? { edit_plan_id: r.editPlanId } : {}) });
    let batch: Reply[] = [];
    let part = 0;
    const flush = async () => {
      if (!batch.length) return;
      await this.sender.deliver(target, batch, { key: `reply:${messageId}:${part++}`, patient: true, formValue });
      batch = [];
    };
    for (const reply of replies) {
      if (reply.kind === 'form' && msg.chatType === 'group') {
        await flush();
        await this.sendFormToAsker(msg, messageId, reply, formValue(reply), `reply:${messageId}:${part++}`, oldClient ? takeNotice() : null);
      } else if (oldClient && (reply.kind === 'form' || reply.kind === 'table')) {
        batch.push(...takeNotice(), ...withoutCards([reply]));
      } else {
        batch.push(reply);
      }
    }
    await flush();
  }

  /**
   * A 2.0 card in a group is the same card for everyone, so a form goes to the person who asked. By
   * default into their private chat with the bot — kept, notified, on every device — with one line in
   * the group; with LARK_GROUP_FORMS=ephemeral as a card only they see in the group. Either way the
   * other is the fallback, and the text template in the group the last resort. `oldClient` (a Feishu
   * that cannot show cards): the text template goes privately, after `oldClientNotice` when given —
   * it may carry a unit's own values (an admin's correction), so it goes to the group only as a last resort.
   */
  private async sendFormToAsker(msg: IncomingMessage, messageId: string, reply: FormReply, value: FormButtonValue, key: string, oldClientNotice: Reply[] | null): Promise<void> {
    const target = replyTarget(msg, messageId);
    const asker = [{ userId: msg.userId, userName: msg.userName }];
    const privately = async () => {
      const form = oldClientNotice ? [...oldClientNotice, ...withoutForms([reply])] : [reply];
      await this.sender.deliver({ kind: 'user', openId: msg.userId }, form, { key: `${key}:p2p`, patient: true, formValue: () => value });
      // The form has arrived; the line in the group only says so, and its failure changes nothing.
      await this.sender.deliver(target, [text(`已私信发送「${reply.title}」表单，请在与${this.identity.name}的单聊中填写提交。`, asker)], { key: `${key}:note`, patient: true })
        .catch((err: Error) => this.log.warn({ err: err.message, chatId: msg.chatId }, 'could not say in the group where the form went'));
    };
    const ephemerally = () => patiently(() => this.sender.sendEphemeral(msg.chatId, msg.userId, renderFormCard(reply, { ...value, ephemeral: true })), this.log);
    const ways = oldClientNotice
      ? [['private', privately]] as const
      : this.cfg.groupForms === 'ephemeral' ? [['ephemeral', ephemerally], ['private', privately]] as const : [['private', privately], ['ephemeral', ephemerally]] as const;
    for (const [way, send] of ways) {
      try {
        await send();
        return;
      } catch (err) {
        this.log.warn({ err: (err as Error).message, chatId: msg.chatId, way }, 'form could not be sent this way; trying the next');
      }
    }
    await this.sender.deliver(target, [...(oldClientNotice ?? []), ...withoutForms([reply])], { key: `${key}:template`, patient: true });
  }

  private async onBotAdded(e: LarkChatMemberBotEvent): Promise<void> {
    if (!e.chat_id || !e.event_id) return;
    if (e.name) this.titles.set(e.chat_id, { name: e.name, at: Date.now() });
    const replies = await this.bot.handleChatEvent({ platform: 'lark', eventId: e.event_id, chatId: e.chat_id, kind: 'bot-added' });
    if (replies.length) await this.sender.deliver({ kind: 'chat', chatId: e.chat_id }, replies, { key: `greeting:${e.event_id}`, patient: true });
  }

  private async onBotRemoved(e: LarkChatMemberBotEvent, why: 'removed' | 'disbanded'): Promise<void> {
    if (!e.chat_id) return;
    this.titles.delete(e.chat_id);
    this.log.info({ chatId: e.chat_id, why }, 'bot left a Lark group');
    // Without an event id (never seen in practice) the removal still happens: forgetting twice is harmless.
    await this.bot.handleChatEvent({ platform: 'lark', eventId: e.event_id ?? `left:${e.chat_id}:${Date.now()}`, chatId: e.chat_id, kind: 'bot-removed' });
  }
}

