// The WeChat side of Saiwu: logs in with Wechaty (QR in the terminal and on /wechat), turns
// messages into IncomingMessage for the same Bot every platform uses, and sends the replies through
// the paced queue. Nothing in here may throw into Wechaty's event emitter: an async listener's
// rejection is an unhandled rejection that would take the whole process down.
import fs from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import qrcodeTerminal from 'qrcode-terminal';
import { ScanStatus, WechatyBuilder, log as wechatyLog, type Contact, type Message, type Room, type Wechaty, type WechatyOptions } from 'wechaty';
import type { App } from '../../core/app.js';
import { text, type IncomingMessage, type Reply } from '../../core/messages.js';
import { SORRY, type Bot } from '../../bot.js';
import { HUMAN_PACING, SendQueue, type Pacing } from './send-queue.js';
import { WechatIdentity, puppetHasStableIds } from './wechat-identity.js';
import { WechatSender } from './wechat-sender.js';
import { toIncoming, toIncomingFile } from './wechat-events.js';
import { claimCodeIsLive, issueClaimCode, type ClaimCode } from '../../services/admin-claims.js';
import type { WechatSection } from './index.js';
import { platformAdminIds } from '../../services/chat-identity.js';

export interface WechatStartOptions {
  /** A puppet instance instead of the configured puppet name (tests: wechaty-puppet-mock). */
  puppet?: WechatyOptions['puppet'];
  /** Overrides of the human-like send pacing (tests use a fast one). */
  pacing?: Partial<Pacing>;
  /** Whether contact/room ids survive a re-login; by default decided from the puppet name. */
  stableIds?: boolean;
  /** Messages dated more than this before the login are backlog and ignored. */
  loginGraceMs?: number;
}

export type WechatStatus = 'starting' | 'waiting-scan' | 'scanned' | 'logged-in' | 'logged-out' | 'error' | 'stopped';

export interface WechatLoginState {
  status: WechatStatus;
  /** The value encoded in the current login QR code. */
  qrcode?: string;
  qrVersion: number;
  user?: string;
  error?: string;
  problems: string[];
}

const RECOVERY_MS = [60_000, 2 * 60_000, 5 * 60_000, 15 * 60_000, 30 * 60_000];

export class WechatAdapter {
  readonly wechaty: Wechaty;
  readonly sender: WechatSender;
  readonly identity: WechatIdentity;
  private readonly queue: SendQueue;
  private readonly state: WechatLoginState = { status: 'starting', qrVersion: 0, problems: [] };
  private loginAt: number | null = null;
  private attempts = 0;
  private recovery: NodeJS.Timeout | null = null;
  private stopped = false;
  private lastError: { message: string; at: number; repeats: number } | null = null;
  private claim: ClaimCode | null = null;
  private claimWatch: NodeJS.Timeout | null = null;
  private readonly memoryCardFile: string;

  constructor(private readonly app: App, private readonly bot: Bot, redis: Redis, cfg: WechatSection, private readonly opts: WechatStartOptions = {}) {
    // Wechaty logs to the console on its own; quiet by default (it already honours WECHATY_LOG).
    if (app.config.logLevel === 'silent') wechatyLog.level('silent');
    else if (!process.env.WECHATY_LOG) wechatyLog.level('warn');
    fs.mkdirSync(app.config.dataDir, { recursive: true });
    // The memory card keeps the session across restarts; it holds session keys, so it lives under
    // DATA_DIR (0700, git-ignored like every *.memory-card.json) and is created 0600 before Wechaty
    // writes it: fs.writeFile keeps an existing file's mode.
    const name = path.join(app.config.dataDir, path.basename(cfg.name));
    this.memoryCardFile = `${name}.memory-card.json`;
    this.protectMemoryCard(true);
    this.wechaty = opts.puppet
      ? WechatyBuilder.build({ name, puppet: opts.puppet })
      : WechatyBuilder.build({ name, puppet: cfg.puppet as WechatyOptions['puppet'], ...(cfg.puppetToken ? { puppetOptions: { token: cfg.puppetToken } } : {}) });
    this.identity = new WechatIdentity(app, this.wechaty, { stableIds: opts.stableIds ?? puppetHasStableIds(cfg.puppet) });
    this.queue = new SendQueue({ ...HUMAN_PACING, ...opts.pacing });
    this.sender = new WechatSender(app, this.wechaty, this.queue, this.identity, redis);
    this.listen();
  }

  loginState(): WechatLoginState {
    return { ...this.state, problems: [...this.identity.problems.values()] };
  }

  /** The memory card readable by the server's user only (created empty if missing). */
  private protectMemoryCard(create = false): void {
    try {
      if (create && !fs.existsSync(this.memoryCardFile)) fs.writeFileSync(this.memoryCardFile, '{}', { mode: 0o600 });
      if (fs.existsSync(this.memoryCardFile)) fs.chmodSync(this.memoryCardFile, 0o600);
    } catch (err) {
      this.app.log.warn({ err }, 'could not restrict the WeChat memory card to 0600');
    }
  }

  /**
   * The admin claim code to show on the protected /wechat page while logged in: the current one, or a
   * new one once it was used, expired or burnt by wrong guesses.
   */
  async currentClaimCode(): Promise<ClaimCode | null> {
    if (!this.wechaty.isLoggedIn) return null;
    if (this.claim && (await claimCodeIsLive(this.app.db, this.claim.code, this.app.now()))) return this.claim;
    return this.newClaimCode();
  }

  private async newClaimCode(): Promise<ClaimCode> {
    this.claim = await issueClaimCode(this.app.db, 'wechat', this.app.now());
    const { code } = this.claim;
    // The log is the operator's channel (the other is the /wechat page): the code itself goes here.
    this.app.log.warn({ expiresAt: this.claim.expiresAt.toISOString() }, `WeChat admin claim code: ${code} — an admin sends "/admin claim ${code}" to the bot in a private chat to become admin (one use; also shown on ${this.app.config.publicBaseUrl}/wechat)`);
    return this.claim;
  }

  /** Starts the puppet; a failure is logged and retried with backoff, never thrown. */
  async start(): Promise<void> {
    this.stopped = false;
    if (this.attempts === 0) this.app.log.info({ url: `${this.app.config.publicBaseUrl}/wechat` }, 'WeChat login page');
    try {
      await this.wechaty.start();
      this.attempts = 0;
    } catch (err) {
      this.state.status = 'error';
      this.state.error = (err as Error).message;
      this.app.log.error({ err: (err as Error).message }, 'WeChat could not start; will retry');
      this.scheduleRecovery();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.claimWatch) clearInterval(this.claimWatch);
    if (this.recovery) clearTimeout(this.recovery);
    this.queue.stop();
    this.state.status = 'stopped';
    await this.wechaty.stop().catch((err: Error) => this.app.log.warn({ err: err.message }, 'WeChat stop failed'));
  }

  private listen(): void {
    const w = this.wechaty;
    const guard = <A extends unknown[]>(what: string, fn: (...args: A) => Promise<void> | void) => (...args: A) => {
      Promise.resolve().then(() => fn(...args)).catch((err: Error) => this.app.log.error({ err, event: what }, 'WeChat event handler failed'));
    };
    w.on('error', (err) => this.onError(err.message));
    w.on('scan', guard('scan', (qrcode: string, status: ScanStatus) => this.onScan(qrcode, status)));
    w.on('login', guard('login', (user) => {
      this.loginAt = Date.now();
      this.attempts = 0;
      if (this.recovery) clearTimeout(this.recovery);
      Object.assign(this.state, { status: 'logged-in', user: user.name(), qrcode: undefined, error: undefined });
      this.protectMemoryCard();
      this.app.log.info({ user: user.name() }, 'WeChat logged in');
    }));
    w.on('ready', guard('ready', () => this.afterLogin()));
    w.on('logout', guard('logout', (user, reason?: string) => {
      this.loginAt = null;
      Object.assign(this.state, { status: 'logged-out', user: undefined });
      this.claim = null;
      this.protectMemoryCard();
      this.app.log.warn({ user: user.name(), reason }, `WeChat logged out; scan the new QR code in the terminal or at ${this.app.config.publicBaseUrl}/wechat`);
      this.scheduleRecovery();
    }));
    // The room and the moment identify the event: a puppet that replays it after a reconnect greets once.
    const eventId = (what: string, room: Room, date?: Date) => `${what}:${room.id}:${(date ?? new Date()).getTime()}`;
    w.on('room-join', guard('room-join', async (room: Room, invitees: Contact[], _inviter: Contact, date?: Date) => {
      if (!invitees.some((c) => c.id === this.wechaty.currentUser.id)) return;
      const replies = await this.bot.handleChatEvent({ platform: 'wechat', eventId: eventId('joined', room, date), chatId: room.id, kind: 'bot-added' });
      if (replies.length) await this.sender.send(room.id, replies);
    }));
    w.on('room-leave', guard('room-leave', async (room: Room, leavers: Contact[], _remover: Contact | undefined, date?: Date) => {
      if (!leavers.some((c) => c.id === this.wechaty.currentUser.id)) return;
      await this.bot.handleChatEvent({ platform: 'wechat', eventId: eventId('left', room, date), chatId: room.id, kind: 'bot-removed' });
    }));
    w.on('room-topic', guard('room-topic', (room: Room, newTopic: string) => this.identity.topicChanged(room, newTopic)));
    w.on('message', guard('message', (msg: Message) => this.onMessage(msg)));
  }

  /** Puppets retry on their own and can repeat one error many times a second: log it once a minute. */
  private onError(message: string): void {
    if (!this.wechaty.isLoggedIn && (this.state.status === 'starting' || this.state.status === 'error')) {
      Object.assign(this.state, { status: 'error', error: message });
    }
    const now = Date.now();
    if (this.lastError?.message === message && now - this.lastError.at < 60_000) {
      this.lastError.repeats += 1;
      return;
    }
    this.app.log.error({ err: message, ...(this.lastError?.repeats ? { previousRepeated: this.lastError.repeats } : {}) }, 'WeChat error');
    this.lastError = { message, at: now, repeats: 0 };
  }

  private onScan(qrcode: string, status: ScanStatus): void {
    if (status === ScanStatus.Waiting || status === ScanStatus.Timeout) {
      if (this.recovery) clearTimeout(this.recovery);
      Object.assign(this.state, { status: 'waiting-scan', qrcode, qrVersion: this.state.qrVersion + 1 });
      this.app.log.info(`WeChat needs a login: scan the QR code below with the bot's WeChat, or open ${this.app.config.publicBaseUrl}/wechat`);
      if (this.app.config.logLevel !== 'silent') qrcodeTerminal.generate(qrcode, { small: true });
    } else if (status === ScanStatus.Scanned) {
      this.state.status = 'scanned';
      this.app.log.info('WeChat QR code scanned; confirm the login on the phone');
    }
  }

  /** After a (re)login the room list is known: re-attach bindings and tell admins what could not be. */
  private async afterLogin(): Promise<void> {
    if (!this.wechaty.isLoggedIn) return;
    this.protectMemoryCard();
    // Ids may have changed: admins prove who they are again with a fresh code. A code that gets used,
    // expires or is burnt by guessing is replaced (and logged) within a minute, page open or not.
    await this.newClaimCode();
    if (!this.claimWatch) {
      this.claimWatch = setInterval(() => void this.currentClaimCode().catch((err) => this.app.log.warn({ err }, 'could not renew the admin claim code')), 60_000);
      this.claimWatch.unref();
    }
    const problems = await this.identity.resolveAfterLogin();
    if (!problems.length) return;
    this.app.log.warn({ problems }, 'WeChat bindings need attention');
    const ids = await platformAdminIds(this.app.db, this.app.config, 'wechat');
    const message = [`⚠️ ${this.app.config.botName}重新登录后，有 ${problems.length} 处需要管理员处理：`, ...problems.map((p) => `· ${p}`)].join('\n');
    for (const id of ids) {
      await this.sender.send(id, [text(message)]).catch((err: Error) => this.app.log.warn({ err: err.message, admin: id }, 'could not message WeChat admin'));
    }
  }

  private async onMessage(msg: Message): Promise<void> {
    const ctx = { loginAt: this.loginAt, graceMs: this.opts.loginGraceMs ?? 60_000, identity: this.identity };
    // A spreadsheet: privately it is for /import; in a group the pipeline keeps it for its sender's command.
    const file = await toIncomingFile(msg, ctx);
    const incoming = file
      ? { platform: 'wechat', eventId: file.eventId, chatId: file.chatId, chatType: file.chatType, userId: file.userId, userName: file.userName, text: '', mentions: [], attachment: { fileName: file.fileName, data: file.data } }
      : await toIncoming(msg, ctx);
    if (!incoming) return;
    await this.answer(incoming, (m) => this.bot.handleMessage(m));
  }

  /** Runs a handler on an incoming message and sends its replies; a failure is logged and apologised for. */
  private async answer(incoming: IncomingMessage, handle: (m: IncomingMessage) => Promise<Reply[]>): Promise<void> {
    let replies;
    try {
      replies = await handle(incoming);
    } catch (err) {
      this.app.log.error({ err, chatId: incoming.chatId, eventId: incoming.eventId }, 'WeChat message handling failed');
      replies = [text(SORRY)];
    }
    if (replies.length) await this.sender.send(incoming.chatId, replies);
  }

  /** After a logout or a failed start: if no new QR code shows up, restart the puppet, backing off. */
  private scheduleRecovery(): void {
    if (this.stopped) return;
    if (this.recovery) clearTimeout(this.recovery);
    const delay = RECOVERY_MS[Math.min(this.attempts, RECOVERY_MS.length - 1)];
    this.attempts += 1;
    this.recovery = setTimeout(() => {
      if (this.stopped || this.wechaty.isLoggedIn || this.state.status === 'waiting-scan' || this.state.status === 'scanned') return;
      this.app.log.warn({ attempt: this.attempts }, 'WeChat still not logged in; restarting the puppet');
      void (async () => {
        await this.wechaty.stop().catch(() => undefined);
        await this.start();
      })();
    }, delay);
    this.recovery.unref();
  }
}
