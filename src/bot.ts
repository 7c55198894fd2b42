// The platform-neutral bot: takes an incoming message, form submission or chat event, returns
// replies. Adapters call these methods and only translate. A message goes through one pipeline:
// claimed once (a redelivery is dropped) → a file sent privately goes to /import (in a group it waits
// for its sender's next command) → conversations
// (guided filing) → a pasted template → a command → presented as the platform can show it
// (present.ts: forms become text templates where there are no cards).
import type { Redis } from 'ioredis';
import type { App } from './core/app.js';
import type { ChatEvent, FormSubmission, IncomingMessage, Reply, SubmitResult } from './core/messages.js';
import { text, toSender, wellFormed } from './core/messages.js';
import { CommandRegistry, commandWord, parseCommandLine, subcommandOf, unknownSubcommand, type CommandContext, type CommandSpec } from './commands/registry.js';
import { allows, refusalText, viewerOf } from './services/access.js';
import { shortHelp } from './commands/help-text.js';
import { MAX_TEMPLATE_CHARS, detectTemplate, parseTemplate } from './forms/text-template.js';
import { claimEvent } from './services/events.js';
import { isAdmin } from './services/members.js';
import { Turn } from './services/turn.js';
import { submitFiling } from './services/filings.js';
import { forgetChat } from './services/chat-removal.js';
import { unreadableText } from './core/wording.js';
import { hasAwaited, takeAwaited } from './services/pending.js';
import { capabilitiesOf } from './platforms/index.js';
import { present } from './platforms/present.js';

export const SORRY = '抱歉，处理这条消息时出错了，内容没有保存。请稍后再试；如果一直这样，请联系管理员。';

// Platforms redeliver within minutes or hours; a month of event ids is plenty to recognise a redelivery,
// and every group message claims one, so older ids are pruned now and then.
const KEEP_EVENTS_MS = 30 * 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;
/** How long a spreadsheet sent in a group waits for its sender's command (a file and text cannot go together). */
const FILE_HOLD_MS = 10 * 60_000;
/** The largest file held for a command: what the platforms download at most (a roster or a filled 计划表 is far smaller). */
const FILE_HOLD_MAX_MB = 10;

/** What the pipeline already knows about a message when a conversation sees it. */
export interface Seen {
  /** The message is a filled text template (read once, by the pipeline). */
  template: boolean;
  /** The sender and the chat, read once for every step. */
  turn: Turn;
}

/** A conversation that may take a message before templates and commands do (guided filing). */
export interface Conversation {
  /** Replies when the message is the conversation's, null when it is none of its business. */
  handle(msg: IncomingMessage, seen: Seen): Promise<Reply[] | null>;
  /** Whether the sender is in the middle of this conversation in this chat (their next message may be an answer). */
  ongoing(msg: IncomingMessage): Promise<boolean>;
}

export class Bot {
  private lastPrune = 0;

  /**
   * `redis` keeps spreadsheets sent in groups until their sender's next command (/import), so the
   * command may reach another bot process than the file did; without it, such files are not kept.
   */
  constructor(readonly app: App, readonly commands: CommandRegistry, private readonly conversations: Conversation[] = [], private readonly redis?: Redis) {}

  /**
   * Whether a message is for the bot at all. Ordinary talk in a group (a platform may deliver every
   * group message) is dropped before anything is looked up or written: only what is addressed to the
   * bot, a command, a filled template, a file, an answer to a question it asked, or text a command
   * is waiting for concerns it.
   */
  async concerns(msg: Pick<IncomingMessage, 'platform' | 'chatId' | 'chatType' | 'userId' | 'text' | 'mentionsBot' | 'attachment'>): Promise<boolean> {
    if (msg.chatType === 'p2p' || msg.mentionsBot || msg.attachment) return true;
    const body = msg.text.trim();
    if (this.isCommandOrTemplate(msg)) return true;
    for (const c of this.conversations) if (await c.ongoing(msg as IncomingMessage)) return true;
    return Boolean(body) && (await hasAwaited(this.app.db, msg, this.app.now()));
  }

  /**
   * A command — with a slash, or a command word said to the bot (in a private chat, or @mentioning
   * it) — or a filled template: what is worth answering even late (a platform replaying a backlog).
   */
  isCommandOrTemplate(msg: Pick<IncomingMessage, 'chatType' | 'text' | 'mentionsBot'>): boolean {
    const body = msg.text.trim();
    if (!body) return false;
    if (/^[/／]/.test(body) || detectTemplate(body) !== null) return true;
    if (msg.chatType === 'group' && !msg.mentionsBot) return false;
    const parsed = parseCommandLine(body);
    return Boolean(parsed && this.commands.find(parsed.word));
  }

  /**
   * `opts.received` runs once the message is known not to be a redelivery (or to be none of the bot's
   * business), before it is handled: the local chat notes there that the message goes into its
   * transcript (with the replies), so a message delivered twice appears once, without reading the
   * event claims a second time.
   */
  async handleMessage(incoming: IncomingMessage, opts: { received?: () => Promise<void> } = {}): Promise<Reply[]> {
    const msg = { ...incoming, text: wellFormed(incoming.text), userName: wellFormed(incoming.userName) };
    if (!(await this.concerns(msg))) {
      await opts.received?.();
      return [];
    }
    await this.pruneEvents();
    if (!(await claimEvent(this.app.db, msg.platform, msg.eventId))) {
      this.app.log.debug({ platform: msg.platform, eventId: msg.eventId }, 'duplicate event ignored');
      return [];
    }
    try {
      await opts.received?.();
      return present(await this.route(msg, new Turn(this.app.db, msg)), capabilitiesOf(msg.platform));
    } catch (err) {
      this.app.log.error({ err, platform: msg.platform, chatId: msg.chatId, eventId: msg.eventId }, 'message handler failed');
      await this.releaseEvent(msg.platform, msg.eventId);
      return [text(SORRY)];
    }
  }

  /** A submitted form: what became of it (adapters show that their own way) and the replies. */
  async handleFormSubmit(submitted: FormSubmission): Promise<SubmitResult> {
    const sub = { ...submitted, userName: wellFormed(submitted.userName), values: Object.fromEntries(Object.entries(submitted.values).map(([k, v]) => [k, v === undefined ? v : wellFormed(v)])) };
    if (!(await claimEvent(this.app.db, sub.platform, sub.eventId))) return { outcome: 'duplicate', replies: [] };
    try {
      const turn = new Turn(this.app.db, sub);
      await turn.touch();
      const result = await submitFiling(this.app, { ...sub, raw: sub.values, via: 'form', turn });
      return { ...result, replies: present(result.replies, capabilitiesOf(sub.platform)) };
    } catch (err) {
      this.app.log.error({ err, platform: sub.platform, chatId: sub.chatId, form: sub.form }, 'form submit failed');
      await this.releaseEvent(sub.platform, sub.eventId);
      return { outcome: 'failed', replies: [text(SORRY)] };
    }
  }

  private async pruneEvents(): Promise<void> {
    // Wall-clock time on purpose: createdAt is set by the database, not by app.now().
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    await this.app.db.processedEvent.deleteMany({ where: { createdAt: { lt: new Date(Date.now() - KEEP_EVENTS_MS) } } }).catch((err: unknown) => {
      this.app.log.warn({ err }, 'could not prune old event ids');
    });
  }

  /**
   * Nothing was saved when a handler failed (filings are one transaction), so a redelivery of the
   * same event, or the user pressing submit again, must be handled rather than dropped as a duplicate.
   */
  private async releaseEvent(platform: string, eventId: string): Promise<void> {
    await this.app.db.processedEvent.deleteMany({ where: { platform, eventId } }).catch((err: unknown) => {
      this.app.log.warn({ err, platform, eventId }, 'could not release a failed event');
    });
  }

  /**
   * The bot joined a group (it greets it, once however often the platform tells) or left one (the
   * group's binding goes: nothing more can be posted there; filings made from it stay with their units).
   */
  async handleChatEvent(e: ChatEvent): Promise<Reply[]> {
    if (!(await claimEvent(this.app.db, e.platform, e.eventId))) return [];
    if (e.kind === 'bot-added') return present(this.greeting(), capabilitiesOf(e.platform));
    const forgotten = await forgetChat(this.app, e.platform, e.chatId);
    this.app.log.info({ platform: e.platform, chatId: e.chatId, forgotten }, 'bot left a group; its binding is forgotten');
    return [];
  }

  /** What the bot says when it is added to a group. */
  private greeting(): Reply[] {
    return [text(`大家好，我是${this.app.config.botName}。管理员发送“/绑定 单位名称”把本群绑定到单位后，各单位联络员发送“/加入 单位名称”登记，就可以在群里备案计划、报进度、交总结了。\n${shortHelp(this.commands)}`)];
  }

  private async route(incoming: IncomingMessage, turn: Turn): Promise<Reply[]> {
    let msg = incoming;
    const body = msg.text.trim();
    const addressed = msg.chatType === 'p2p' || Boolean(msg.mentionsBot);
    // A file sent to the bot privately, without a command, is for /import: a filled 计划表 or 汇总表,
    // or an admin's roster. (In a group a file goes with /import: files shared there are mostly not
    // for the bot.)
    // Something the platform could not hand over as text or a file: said once, to whoever meant it for us.
    if (msg.unreadable) return addressed ? [text(unreadableText(msg.unreadable))] : [];
    const importer = this.commands.find('import');
    if (msg.attachment && msg.chatType === 'p2p' && !/^[/／]/.test(body) && importer) {
      await turn.touch();
      return this.run(importer, msg, turn, [], {});
    }
    if (msg.attachment && msg.chatType === 'group' && !body) return this.holdFile(msg, turn, msg.attachment);
    if (body.length > MAX_TEMPLATE_CHARS) {
      // A long article pasted into the group is not for us; only answer what was meant for the bot.
      const forUs = addressed || /^[/／]/.test(body) || detectTemplate(body) !== null;
      return forUs ? [text(`这条消息太长（${body.length} 字），没有处理。填报表格请使用模板，每项内容请精简到规定字数以内再发。`)] : [];
    }
    // A pasted template is read here, once; conversations are told rather than reading it again.
    const template = parseTemplate(body);
    // Conversations first (guided filing: "/填表 计划", then each answer), on every platform alike.
    for (const c of this.conversations) {
      const replies = await c.handle(msg, { template: template !== null, turn });
      if (replies) return replies;
    }
    if (!body) return addressed ? [text(shortHelp(this.commands))] : [];
    await turn.touch();

    if (template) {
      return toSender((await submitFiling(this.app, { ...msg, turn, form: template.form, raw: template.raw, via: 'template', unknownLabels: template.unknownLabels, duplicates: template.duplicates, belongsTo: template.belongsTo, editPlanId: template.editPlanId })).replies, msg);
    }

    const parsed = parseCommandLine(body);
    if (!parsed) return [];
    const spec = this.commands.find(parsed.word);
    if (!parsed.slash && !spec) {
      // Text a command asked for ("/假期 导入", then the notice pasted as its own message).
      const awaited = await takeAwaited(this.app.db, msg, body, this.app.now());
      const next = awaited && this.commands.find(awaited.command);
      if (next) return this.run(next, msg, turn, awaited.args, {});
    }
    if (!spec) {
      if (parsed.slash) return [text(`没有“/${parsed.word}”这个命令。${shortHelp(this.commands)}`)];
      // Ordinary group conversation is none of the bot's business.
      return addressed ? [text(`没看懂这条消息。${shortHelp(this.commands)}`)] : [];
    }
    // A bare Chinese word ("计划") in a group only counts when the bot is addressed.
    if (!parsed.slash && !addressed) return [];
    // A spreadsheet the sender put in the group just before goes with the command that reads files.
    const takesFile = spec.takesFile === true || (Array.isArray(spec.takesFile) && spec.takesFile.includes(parsed.args[0] ?? ''));
    if (takesFile && !msg.attachment) msg = { ...msg, ...(await this.takeHeldFile(msg)) };
    return this.run(spec, msg, turn, parsed.args, parsed.options);
  }

  /**
   * A spreadsheet in a group waits for its sender's next command (/import), in Redis for FILE_HOLD_MS
   * (any bot process may get the command). Only admins' and filers' files are kept, and only admins
   * are told: cadres share files in work groups all the time.
   */
  private async holdFile(msg: IncomingMessage, turn: Turn, file: { fileName: string; data: Buffer }): Promise<Reply[]> {
    const member = await turn.member();
    const admin = isAdmin(this.app.config, member, msg.platform, msg.userId);
    if (!admin && !member?.unit) return [];
    if (file.data.length > FILE_HOLD_MAX_MB * 1024 * 1024) {
      return admin ? [text(unreadableText({ what: 'file-too-big', fileName: file.fileName, maxMb: FILE_HOLD_MAX_MB }))] : [];
    }
    try {
      if (!this.redis) throw new Error('no Redis to hold files in');
      // One file per person and chat: a newer one replaces it, as a person's next file is the one meant.
      await this.redis.set(this.heldKey(msg), JSON.stringify({ fileName: file.fileName, data: file.data.toString('base64') }), 'PX', FILE_HOLD_MS);
    } catch (err) {
      this.app.log.warn({ err: (err as Error).message, platform: msg.platform, chatId: msg.chatId }, 'could not hold a group file for its command');
      return admin ? [text(`📎 暂时无法暂存「${file.fileName}」（服务正在恢复）。请稍后再发，或私聊把文件发给我直接导入。`)] : [];
    }
    return admin ? [text(`📎 已收到「${file.fileName}」。要导入（单位名单，或填好的计划表、汇总表），请在 10 分钟内发送“/导入”。`)] : [];
  }

  private heldKey(msg: Pick<IncomingMessage, 'platform' | 'chatId' | 'userId'>): string {
    return `${this.app.config.redisPrefix}:held-file:${msg.platform}:${msg.chatId}:${msg.userId}`;
  }

  /** The sender's file held in this chat, taken (once: two commands cannot both get it); none when Redis is away. */
  private async takeHeldFile(msg: IncomingMessage): Promise<Pick<IncomingMessage, 'attachment'>> {
    if (!this.redis) return {};
    try {
      const json = await this.redis.getdel(this.heldKey(msg));
      if (!json) return {};
      const held = JSON.parse(json) as { fileName: string; data: string };
      return { attachment: { fileName: held.fileName, data: Buffer.from(held.data, 'base64') } };
    } catch (err) {
      this.app.log.warn({ err: (err as Error).message, platform: msg.platform, chatId: msg.chatId }, 'could not read a held group file');
      return {};
    }
  }

  private async run(spec: CommandSpec, msg: IncomingMessage, turn: Turn, args: string[], options: Record<string, string>): Promise<Reply[]> {
    const member = await turn.member();
    const admin = isAdmin(this.app.config, member, msg.platform, msg.userId);
    const viewer = viewerOf(member, admin);
    const binding = await turn.binding();
    // A first word that names no subcommand where one is required: say which ones there are.
    const unknown = unknownSubcommand(spec, args);
    if (unknown) return [text(unknown)];
    // Permissions are declared with the command (and its subcommands) and checked here, once.
    const sub = subcommandOf(spec, args);
    const access = sub?.access ?? spec.access;
    if (!allows(access, viewer)) {
      // Named the way /帮助 names it (Chinese first), whichever word was typed.
      const label = sub?.access ? `/${commandWord(spec)} ${sub.words[0]}` : `/${commandWord(spec)}`;
      this.app.log.info({ command: spec.name, platform: msg.platform, chatId: msg.chatId, userId: msg.userId }, 'command refused');
      return [text(await refusalText(this.app.db, access, label, { platform: msg.platform, userId: msg.userId, binding }, sub?.refusal))];
    }
    const ctx: CommandContext = { app: this.app, msg, args, options, member, isAdmin: admin, viewer, binding, commands: this.commands, ...(sub ? { sub: sub.key } : {}) };
    this.app.log.info({ command: spec.name, platform: msg.platform, chatId: msg.chatId, userId: msg.userId }, 'command');
    return spec.run(ctx);
  }
}
