// The WeChat side of Saiwu: logs in with Wechaty (QR in the terminal and on /wechat), turns
// messages into IncomingMessage for the same Bot every platform uses, and sends the replies through
// the paced queue. Nothing in here may throw into Wechaty's event emitter: an async listener's
// rejection is an unhandled rejection that would take the whole process down.
// What the real protocol does that the pipeline must not see: throttle notices arrive as system
// messages, backlog arrives after a login, wechat4u restarts itself in a tight loop when offline.
import fs from 'node:fs';
import path from 'node:path';
import qrcodeTerminal from 'qrcode-terminal';
import { ScanStatus, WechatyBuilder, log as wechatyLog, type Contact, type Message, type Room, type Wechaty, type WechatyOptions } from 'wechaty';
import type { App } from '../../core/app.js';
import { text, type IncomingMessage, type Reply, type TextReply } from '../../core/messages.js';
import { SORRY, type Bot } from '../../bot.js';
import { getMember, isAdmin } from '../../services/members.js';
import { claimEvent } from '../../services/events.js';
import { HUMAN_PACING, SendQueue, type Pacing } from './send-queue.js';
import { WechatIdentity, puppetHasStableIds } from './wechat-identity.js';
import { WechatSender } from './wechat-sender.js';
import { cutAfterLabel, fetchSpreadsheet, rawPayloadOf, spreadsheetOffer, throttleNotice, toIncoming, type TranslateContext } from './wechat-events.js';
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
  /** Messages dated more than this before the login are backlog (sent while the bot was offline). */
  loginGraceMs?: number;
  /** How long the note about backlog too old to process waits for the rest of the backlog (tests: short). */
  offlineNoteDelayMs?: number;
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

/** Commands and templates sent while the bot was offline are still answered up to this age. */
const OFFLINE_MAX_AGE_MS = 12 * 3600_000;
/** Backlog arrives in a burst after a login: the note about what was too old waits this long after the last of it. */
const OFFLINE_NOTE_DELAY_MS = 10_000;
/** A throttle notice older than this is history, not a reason to pause now. */
const THROTTLE_NOTICE_FRESH_MS = 10 * 60_000;
/**
 * More restart signals (errors, QR codes, logouts) than this within STORM_WINDOW_MS while logged out
 * is a puppet restarting itself in a tight loop (wechat4u offline: thousands of cycles a second).
 */
const STORM_SIGNALS = 20;
const STORM_WINDOW_MS = 10_000;

// What WeChat people are told about the protocol's own doings (wording lives here, once).
const OFFLINE_NOTE = '（机器人离线期间收到，现已处理）';
const missedInGroup = (names: string[]) => `机器人离线期间，以下同志发的消息没有处理（已超过 12 小时），请重新发送：${names.join('、')}`;
const MISSED_IN_PRIVATE = '机器人离线期间您发来的消息没有处理（已超过 12 小时），请重新发送。';
const cutText = (label: string) => `这条消息只收到了前半段（到“${label}”为止），没有保存：“${label}”后面的英文冒号“:”加换行，让微信把后面的内容截掉了。请写成“${label}：内容”（中文冒号，内容写在同一行），再整条发一次。`;

type BacklogAge = 'live' | 'offline' | 'stale';

/** The replies with the offline note after the first text (not after a template meant to be copied). */
function withOfflineNote(replies: Reply[]): Reply[] {
  const i = replies.findIndex((r) => r.kind === 'text');
  if (i < 0) return [...replies, text(OFFLINE_NOTE)];
  return replies.map((r, j) => (j === i ? { ...(r as TextReply), text: `${(r as TextReply).text}\n${OFFLINE_NOTE}` } : r));
}

/** The emitter wechat4u runs on inside puppet-wechat4u, when that is the puppet. */
type Listener = (...args: unknown[]) => unknown;
type Wechat4uCore = { listeners(event: string): Listener[]; on(event: string, fn: Listener): unknown; removeAllListeners(event: string): unknown };
/** puppet-wechat4u's logout handlers as wrapped by watchRestarts. */
const watchedHandlers = new WeakSet<Listener>();

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
  /** Recent restart signals while logged out, and whether a restart storm is being stopped. */
  private storm: number[] = [];
  private halted = false;
  /** puppet-wechat4u logout handlers (restarts of wechat4u) still running, and who waits for none. */
  private restartsInFlight = 0;
  private readonly restartsDone = new Set<() => void>();
  /** Backlog too old to process, by chat, waiting for its one note; chats noted since this login. */
  private readonly missed = new Map<string, { chatType: 'group' | 'p2p'; names: string[]; timer?: NodeJS.Timeout }>();
  private readonly offlineNoted = new Set<string>();

  constructor(private readonly app: App, private readonly bot: Bot, cfg: WechatSection, private readonly opts: WechatStartOptions = {}) {
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
    this.sender = new WechatSender(app, this.wechaty, this.queue, this.identity);
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
    this.halted = false;
    this.storm = [];
    if (this.attempts === 0) this.app.log.info({ url: `${this.app.config.publicBaseUrl}/wechat` }, 'WeChat login page');
    try {
      await this.wechaty.start();
      this.watchRestarts();
      this.app.log.info({ puppet: this.wechaty.puppet.name() }, 'WeChat puppet started');
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
    this.forgetMissed();
    this.queue.stop();
    this.state.status = 'stopped';
    await this.stopPuppet();
  }

  /**
   * Stops the puppet. puppet-wechat4u's logout handler restarts wechat4u, and, run by the stop itself
   * or still running from an earlier logout (it awaits the memory card, then calls start()), would call
   * start() on the instance the stop has just cleared: an unhandled rejection. So the handlers are
   * taken off and the one still running is waited for (up to `settleMs`); the next start hooks a new
   * wechat4u.
   */
  private async stopPuppet(settleMs = 5000): Promise<void> {
    const core = this.wechat4u();
    if (core) {
      core.removeAllListeners('logout');
      if (this.restartsInFlight > 0) {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            this.restartsDone.delete(done);
            resolve();
          };
          const timer = setTimeout(done, settleMs);
          this.restartsDone.add(done);
        });
      }
    }
    await this.wechaty.stop().catch((err: Error) => this.app.log.warn({ err: err.message }, 'WeChat stop failed'));
  }

  /**
   * Counts puppet-wechat4u's logout handlers while they run (see stopPuppet). One that fails (its
   * memory card, its start()) is logged and Saiwu's own recovery takes over, instead of an unhandled
   * rejection that ends the process.
   */
  private watchRestarts(): void {
    const core = this.wechat4u();
    if (!core) return;
    const handlers = core.listeners('logout');
    if (handlers.some((h) => watchedHandlers.has(h))) return;
    core.removeAllListeners('logout');
    for (const handler of handlers) {
      const watched: Listener = (...args) => {
        this.restartsInFlight += 1;
        let running: unknown;
        try {
          running = handler.apply(core, args);
        } catch (err) {
          running = Promise.reject(err);
        }
        Promise.resolve(running)
          .catch((err: unknown) => {
            this.app.log.error({ err }, "puppet-wechat4u's restart after a logout failed; Saiwu restarts the puppet later");
            this.scheduleRecovery();
          })
          .finally(() => {
            this.restartsInFlight -= 1;
            if (this.restartsInFlight === 0) for (const done of [...this.restartsDone]) done();
          });
      };
      watchedHandlers.add(watched);
      core.on('logout', watched);
    }
  }

  private wechat4u(): Wechat4uCore | null {
    try {
      const core = (this.wechaty.puppet as unknown as { wechat4u?: Partial<Record<keyof Wechat4uCore | 'start', unknown>> }).wechat4u;
      return core && typeof core.removeAllListeners === 'function' && typeof core.listeners === 'function' && typeof core.on === 'function' && typeof core.start === 'function' ? (core as unknown as Wechat4uCore) : null;
    } catch {
      return null;
    }
  }

  /** Logged in, asked without Wechaty's isLoggedIn (which emits 'error' while there is no puppet yet). */
  private loggedIn(): boolean {
    try {
      return this.wechaty.puppet.isLoggedIn;
    } catch {
      return false;
    }
  }

  private listen(): void {
    const w = this.wechaty;
    const guard = <A extends unknown[]>(what: string, fn: (...args: A) => Promise<void> | void) => (...args: A) => {
      Promise.resolve().then(() => fn(...args)).catch((err: Error) => this.app.log.error({ err, event: what }, 'WeChat event handler failed'));
    };
    w.on('error', (err) => {
      this.restartSignal();
      this.onError(err.message);
    });
    w.on('scan', guard('scan', (qrcode: string, status: ScanStatus) => this.onScan(qrcode, status)));
    w.on('login', guard('login', (user) => {
      this.loginAt = Date.now();
      this.attempts = 0;
      this.forgetMissed();
      this.offlineNoted.clear();
      if (this.recovery) clearTimeout(this.recovery);
      Object.assign(this.state, { status: 'logged-in', user: user.name(), qrcode: undefined, error: undefined });
      this.protectMemoryCard();
      this.app.log.info({ user: user.name() }, 'WeChat logged in');
    }));
    w.on('ready', guard('ready', () => this.afterLogin()));
    w.on('logout', guard('logout', (user, reason?: string) => {
      this.restartSignal();
      this.loginAt = null;
      this.forgetMissed();
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
    if (!this.loggedIn() && !this.halted && (this.state.status === 'starting' || this.state.status === 'error')) {
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
      this.restartSignal();
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
    // WeChat itself saying the account sends too often (the send it refers to went through).
    const notice = throttleNotice(msg);
    if (notice !== null) {
      if (Date.now() - msg.date().getTime() < THROTTLE_NOTICE_FRESH_MS) this.sender.throttled(notice);
      return;
    }
    if (msg.self() || this.loginAt === null) return;
    const age = this.backlogAge(msg, this.loginAt);
    const { raw, missing } = await rawPayloadOf(msg);
    const ctx: TranslateContext = { identity: this.identity, mayShareFile: (userId) => this.mayShareFile(userId) };
    // A spreadsheet: privately it is for /import; in a group the pipeline keeps it for its sender's
    // command. Whose it is and how big are checked before anything is downloaded.
    const offer = await spreadsheetOffer(msg, ctx, raw);
    if (offer) {
      if (age === 'stale') return this.missedWhileOffline(offer);
      const file = await fetchSpreadsheet(msg, offer, (err) => this.app.log.warn({ err, eventId: offer.eventId }, 'could not download a WeChat file'));
      return this.answer(file, age === 'offline');
    }
    const incoming = await toIncoming(msg, ctx, raw);
    if (!incoming) return;
    // Backlog: only commands and templates are worth answering late; talk is not.
    if (age !== 'live' && !this.bot.isCommandOrTemplate(incoming)) return;
    if (age === 'stale') return this.missedWhileOffline(incoming);
    if (missing && incoming.chatType === 'group') {
      // wechat4u's raw message is gone (it keeps them an hour): a cut template is said to be one.
      const label = cutAfterLabel(incoming.text);
      if (label) return this.explainCut(incoming, label);
    }
    await this.answer(incoming, age === 'offline');
  }

  /**
   * live: sent since the login (with a tolerance for clock skew); offline: sent while the bot was
   * offline, recent enough to answer; stale: older than that.
   */
  private backlogAge(msg: Message, loginAt: number): BacklogAge {
    const sentAt = msg.date().getTime();
    if (sentAt >= loginAt - (this.opts.loginGraceMs ?? 60_000)) return 'live';
    return Date.now() - sentAt <= OFFLINE_MAX_AGE_MS ? 'offline' : 'stale';
  }

  /** Only admins' and registered filers' group files are kept by the pipeline (Bot.holdFile): nobody else's is fetched. */
  private async mayShareFile(userId: string): Promise<boolean> {
    const member = await getMember(this.app.db, 'wechat', userId);
    return isAdmin(this.app.config, member, 'wechat', userId) || Boolean(member?.unit);
  }

  /** Runs the pipeline on an incoming message and sends its replies; a failure is logged and apologised for. */
  private async answer(incoming: IncomingMessage, offline = false): Promise<void> {
    let replies;
    try {
      replies = await this.bot.handleMessage(incoming);
    } catch (err) {
      this.app.log.error({ err, chatId: incoming.chatId, eventId: incoming.eventId }, 'WeChat message handling failed');
      replies = [text(SORRY)];
    }
    if (offline && replies.length) replies = withOfflineNote(replies);
    if (replies.length) await this.sender.send(incoming.chatId, replies);
  }

  /**
   * A command or template older than OFFLINE_MAX_AGE_MS: not processed, and its sender named in one
   * note per chat, once per login. The event is claimed, so a replay is not listed again.
   */
  private async missedWhileOffline(m: { eventId: string; chatId: string; chatType: 'group' | 'p2p'; userName: string }): Promise<void> {
    if (!(await claimEvent(this.app.db, 'wechat', m.eventId))) return;
    this.app.log.info({ chatId: m.chatId, eventId: m.eventId }, 'a WeChat command or template sent more than 12 hours ago, while the bot was offline, was not processed');
    if (this.offlineNoted.has(m.chatId)) return;
    const entry = this.missed.get(m.chatId) ?? { chatType: m.chatType, names: [] };
    if (!entry.names.includes(m.userName)) entry.names.push(m.userName);
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      this.sendMissedNote(m.chatId).catch((err: Error) => this.app.log.warn({ err, chatId: m.chatId }, 'could not send the WeChat offline note'));
    }, this.opts.offlineNoteDelayMs ?? OFFLINE_NOTE_DELAY_MS);
    entry.timer.unref();
    this.missed.set(m.chatId, entry);
  }

  private async sendMissedNote(chatId: string): Promise<void> {
    const entry = this.missed.get(chatId);
    if (!entry) return;
    this.missed.delete(chatId);
    this.offlineNoted.add(chatId);
    await this.sender.send(chatId, [text(entry.chatType === 'group' ? missedInGroup(entry.names) : MISSED_IN_PRIVATE)]);
  }

  /** Notes not sent yet are dropped (logged out, stopping, or a new login starts its own). */
  private forgetMissed(): void {
    for (const entry of this.missed.values()) if (entry.timer) clearTimeout(entry.timer);
    this.missed.clear();
  }

  /** A template wechat4u cut at "标签:" whose full text is gone: say so, instead of field errors about half a message. */
  private async explainCut(incoming: IncomingMessage, label: string): Promise<void> {
    if (!(await claimEvent(this.app.db, 'wechat', incoming.eventId))) return;
    this.app.log.warn({ chatId: incoming.chatId, eventId: incoming.eventId, label }, 'a WeChat template arrived cut after a line ending in ":" and its full text was not available; the sender was told');
    await this.sender.send(incoming.chatId, [text(cutText(label), [{ userId: incoming.userId, userName: incoming.userName }])]);
  }

  /**
   * An error, a new QR code or a logout while logged out. Many within a short window is a puppet
   * restarting itself in a loop (puppet-wechat4u's logout handler calls wechat4u.start() at once,
   * which fails at once without a network, and so on): stop it and retry on Saiwu's own backoff.
   */
  private restartSignal(): void {
    if (this.halted || this.stopped || this.loggedIn()) return;
    const now = Date.now();
    this.storm.push(now);
    while (this.storm.length && this.storm[0] <= now - STORM_WINDOW_MS) this.storm.shift();
    if (this.storm.length > STORM_SIGNALS) {
      this.haltStorm().catch((err: Error) => this.app.log.error({ err }, 'could not stop the WeChat puppet'));
    }
  }

  private async haltStorm(): Promise<void> {
    this.halted = true;
    const signals = this.storm.length;
    this.storm = [];
    // Without puppet-wechat4u's logout handler the loop ends after the restart already in flight.
    await this.stopPuppet();
    if (this.stopped) return;
    const delay = RECOVERY_MS[Math.min(this.attempts, RECOVERY_MS.length - 1)];
    const error = `微信连接反复失败（${STORM_WINDOW_MS / 1000} 秒内 ${signals} 次，网络不通？），已暂停，${Math.round(delay / 60_000)} 分钟后重试`;
    Object.assign(this.state, { status: 'error', error });
    this.app.log.error({ signals, windowMs: STORM_WINDOW_MS, lastError: this.lastError?.message, retryInMs: delay }, 'WeChat puppet kept restarting while logged out (is the network reachable?); stopped it, Saiwu retries later');
    this.scheduleRecovery();
  }

  /** After a logout or a failed start: if no new QR code shows up, restart the puppet, backing off. */
  private scheduleRecovery(): void {
    if (this.stopped) return;
    if (this.recovery) clearTimeout(this.recovery);
    const delay = RECOVERY_MS[Math.min(this.attempts, RECOVERY_MS.length - 1)];
    this.attempts += 1;
    this.recovery = setTimeout(() => {
      if (this.stopped || this.loggedIn() || this.state.status === 'waiting-scan' || this.state.status === 'scanned') return;
      this.app.log.warn({ attempt: this.attempts }, 'WeChat still not logged in; restarting the puppet');
      void (async () => {
        await this.stopPuppet();
        await this.start();
      })();
    }, delay);
    this.recovery.unref();
  }
}
