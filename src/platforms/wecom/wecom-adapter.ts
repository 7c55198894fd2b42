// WeCom (企业微信) 智能机器人 over the official SDK's WebSocket long connection: message callbacks in,
// markdown replies on the same frame out, pushes (reminders) with sendMessage, files through
// uploadMedia / downloadFile. It only translates: every message goes to the bot's one pipeline, and
// forms arrive as text templates and guided filing (WeCom's cards have no text inputs).
// Facts and their sources: README "WeCom"; frames verified against the SDK 1.0.7 in test/support/fake-wecom.ts.
import { WSClient, type WsFrame, type WSClientOptions } from '@wecom/aibot-node-sdk';
import type { App, ChatSender, SendOptions } from '../../core/app.js';
import type { IncomingMessage, Reply } from '../../core/messages.js';
import { renderTableText, splitText } from '../../core/render-text.js';
import type { Bot } from '../../bot.js';
import type { Logger } from '../../logger.js';
import { withoutForms } from '../present.js';
import { atTokens } from '../text-mentions.js';
import wecom, { type WecomSection } from './index.js';
import { InFlight } from '../in-flight.js';
import { pacedParts } from '../paced-parts.js';

/** Longest text in one message (the platform's capability: 20,480 bytes at 3 bytes a Chinese character). */
export const WECOM_MAX_CHARS = wecom.capabilities.maxMessageChars;
/** A table goes out in code blocks of at most this many bytes each (below the 20,480 limit). */
const TABLE_BLOCK_BYTES = 18_000;
/** Files sent to the bot larger than this are not read (a roster or 计划表 is far smaller). */
const MAX_DOWNLOAD_BYTES = 10 * 1024 * 1024;

/** Test and tuning hooks: shorter heartbeat and reconnect timers. */
export type WecomStartOptions = Pick<WSClientOptions, 'heartbeatInterval' | 'reconnectInterval' | 'maxReconnectAttempts' | 'maxAuthFailureAttempts' | 'requestTimeout'>;

/** A callback body, as the long connection delivers it (test/support/fake-wecom.ts sends the same). */
interface CallbackBody {
  msgid?: string;
  chatid?: string;
  chattype?: 'single' | 'group';
  from?: { userid?: string };
  msgtype?: string;
  text?: { content?: string };
  mixed?: { msg_item?: { msgtype?: string; text?: { content?: string } }[] };
  file?: { url?: string; aeskey?: string };
  event?: { eventtype?: string };
}

type Out = { kind: 'markdown'; content: string } | { kind: 'media'; type: 'file' | 'image'; fileName: string; data: Buffer };

/**
 * WeCom renders markdown: a line starting with # is a heading, > a quote. Our texts start lines with
 * "#12 …" (plan numbers); a zero-width space in front keeps them text, and the template parser drops
 * it again when a cadre copies a template back.
 */
function markdown(s: string): string {
  return s.replace(/^([#>])/gm, '\u200B$1');
}

/** Reply → what the bot posts: markdown texts (split to the limit), tables as code blocks, media. */
export function renderForWecom(replies: Reply[]): Out[] {
  const out: Out[] = [];
  const texts = (t: string) => splitText(t, WECOM_MAX_CHARS).forEach((c) => out.push({ kind: 'markdown', content: markdown(c) }));
  // The pipeline has already turned forms into text (present.ts); a push may still carry one.
  for (const r of withoutForms(replies)) {
    switch (r.kind) {
      case 'text':
        // No verified way to @someone from this bot: names go in front, as plain text.
        texts(r.mentions?.length ? `${r.mentions.map((m) => `@${m.userName}`).join(' ')} ${r.text}` : r.text);
        break;
      case 'table': {
        // A phone list when the table has one; else code blocks keep the columns aligned (monospace).
        if (r.lines) {
          texts(renderTableText(r));
          break;
        }
        const [title, ...rest] = renderTableText(r).replaceAll('```', "'''").split('\n');
        let block: string[] = [];
        let first = true;
        const flush = () => {
          if (!block.length) return;
          out.push({ kind: 'markdown', content: `${first ? `${markdown(title)}\n` : ''}\`\`\`\n${block.join('\n')}\n\`\`\`` });
          first = false;
          block = [];
        };
        for (const line of rest) {
          if (Buffer.byteLength([...block, line].join('\n')) > TABLE_BLOCK_BYTES) flush();
          block.push(line);
        }
        flush();
        break;
      }
      case 'file':
        if (r.caption) texts(r.caption);
        out.push({ kind: 'media', type: 'file', fileName: r.fileName, data: r.data });
        break;
      case 'image':
        out.push({ kind: 'media', type: 'image', fileName: r.fileName, data: r.data });
        break;
    }
  }
  return out;
}

/**
 * The SDK rejects with the server's raw answer ({ errcode, errmsg }), not an Error. WeCom documents no
 * error codes for this channel (rate limits, a chat the bot may not post to), so none is read as
 * "slow down" or "never again": every refusal is an ordinary failure the reminder queue retries with
 * backoff and, after its attempts, records as failed.
 */
function sendError(err: unknown): Error {
  if (err instanceof Error) return err;
  const e = err as { errcode?: number; errmsg?: string };
  return new Error(`WeCom refused the message: ${String(e?.errcode)} ${e?.errmsg ?? ''}`.trim());
}

/** Where rendered replies go: on a callback's frame (a reply) or into a chat (a push). */
interface Destination {
  markdown(content: string): Promise<unknown>;
  /** A file or picture: `upload` gives its media id (uploaded when the part is sent). */
  media(part: Extract<Out, { kind: 'media' }>, upload: () => Promise<string>): Promise<unknown>;
}

/** Posts each part in order: markdown as it is, media uploaded as its turn comes; `failed` decides what a failure means. */
async function post(client: WSClient, replies: Reply[], to: Destination, failed: (err: Error, part: Out) => Promise<void>): Promise<void> {
  for (const o of renderForWecom(replies)) {
    try {
      if (o.kind === 'markdown') await to.markdown(o.content);
      else await to.media(o, async () => (await client.uploadMedia(o.data, { type: o.type, filename: o.fileName })).media_id);
    } catch (err) {
      await failed(sendError(err), o);
    }
  }
}

class WecomSender implements ChatSender {
  readonly platform = 'wecom';
  constructor(private readonly client: WSClient) {}

  /** A push (reminders): chatId is a group's chatid, or a user's id for a single chat. */
  async send(chatId: string, replies: Reply[], opts: SendOptions = {}): Promise<void> {
    if (opts.handOff && !(await opts.handOff())) return;
    // A slot per part in the shared limiter (SendOptions.paced); a part sent on an earlier attempt is
    // not sent again (SendOptions.sentParts: WeCom has no idempotency key).
    const part = pacedParts(opts);
    await post(this.client, replies, {
      markdown: (content) => part(content, () => this.client.sendMessage(chatId, { msgtype: 'markdown', markdown: { content } })),
      media: (o, upload) => part(`${o.type}:${o.fileName}:${o.data.length}`, async () => this.client.sendMediaMessage(chatId, o.type, await upload())),
    }, async (err) => {
      // The reminder queue decides: retry later, wait out a limit, or give up for good.
      throw err;
    });
  }
}

export class WecomAdapter {
  readonly client: WSClient;
  readonly sender: WecomSender;
  private readonly log: Logger;
  private readonly inFlight = new InFlight();
  private stopped = false;

  constructor(private readonly app: App, private readonly bot: Bot, cfg: WecomSection, opts: WecomStartOptions = {}) {
    this.log = app.log.child({ platform: 'wecom' });
    const sdkLog = this.log;
    this.client = new WSClient({
      botId: cfg.botId, secret: cfg.secret, ...(cfg.wsUrl ? { wsUrl: cfg.wsUrl } : {}),
      // The SDK reconnects on its own (1 s doubling to 30 s); keep trying for as long as we run, a
      // refused login included (a secret being rotated in the console).
      maxReconnectAttempts: -1,
      maxAuthFailureAttempts: -1,
      ...opts,
      // Its debug lines carry message bodies; only warnings and errors are ours to keep.
      logger: { debug: () => undefined, info: () => undefined, warn: (m: string) => sdkLog.warn({ sdk: m }, 'WeCom SDK'), error: (m: string) => sdkLog.error({ sdk: m }, 'WeCom SDK') },
    });
    this.sender = new WecomSender(this.client);
    this.client.on('authenticated', () => this.log.info('WeCom long connection authenticated'));
    this.client.on('disconnected', (reason: string) => { if (!this.stopped) this.log.warn({ reason }, 'WeCom long connection dropped; the SDK reconnects'); });
    this.client.on('error', (err: Error) => this.log.error({ err: err.message }, 'WeCom long connection error'));
    // Another connection with the same Bot ID took over; the SDK stops (it would only fight it).
    this.client.on('event.disconnected_event', () => this.log.error('WeCom: another connection with the same Bot ID took over, and this instance no longer receives messages. Stop the other instance, then restart this one.'));
    // Nothing new is taken once stopping: it could not be answered before the connection closes.
    this.client.on('message', (frame: WsFrame) => { if (!this.stopped) this.track(this.onMessage(frame)); });
    this.client.on('event.enter_chat', (frame: WsFrame) => this.track(this.onEnterChat(frame)));
  }

  async start(): Promise<void> {
    this.log.warn('WeCom: run only ONE instance of this bot. A second connection with the same Bot ID takes over and this one stops.');
    this.client.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.inFlight.drain(10_000);
    this.client.disconnect();
  }

  /** Resolves when every callback received so far has been handled and answered (tests, shutdown). */
  async idle(): Promise<void> {
    await this.inFlight.idle();
  }

  private track(work: Promise<unknown>): void {
    this.inFlight.add(work, (err) => this.log.error({ err }, 'WeCom callback handling failed'));
  }

  /**
   * A callback → the bot's neutral message (marked unreadable for a picture, voice, or a file that
   * could not be fetched); null when it is not for us.
   */
  private async toIncoming(frame: WsFrame): Promise<IncomingMessage | null> {
    const b = frame.body as CallbackBody;
    const userId = b.from?.userid;
    if (!userId || !b.msgid) return null;
    const group = b.chattype === 'group';
    // A group is its chatid; a single chat is the person (pushes to them use their userid).
    const chatId = group ? b.chatid ?? '' : userId;
    if (!chatId) return null;
    // WeCom gives the bot no names, only stable ids.
    const base: IncomingMessage = { platform: 'wecom', eventId: b.msgid, chatId, chatType: group ? 'group' : 'p2p', userId, userName: userId, text: '', mentions: [], mentionsBot: true };
    const botName = this.app.config.botName;
    // The bot gets the text only: "@张三" inside it says someone was meant, not who.
    const withText = (raw: string): IncomingMessage => {
      const t = stripMention(raw, group, botName);
      return { ...base, text: t, ...(atTokens(t) > 0 ? { mentionsUnresolved: true } : {}) };
    };
    switch (b.msgtype) {
      case 'text':
        return withText(b.text?.content ?? '');
      case 'mixed':
        // Text and pictures: the text parts are the message (a quote is not part of it).
        return withText((b.mixed?.msg_item ?? []).filter((i) => i.msgtype === 'text').map((i) => i.text?.content ?? '').join('\n'));
      case 'file': {
        const file = b.file?.url ? await this.client.downloadFile(b.file.url, b.file.aeskey).catch((err: unknown) => {
          this.log.warn({ err: (err as Error).message }, 'could not download a file sent to the bot');
          return null;
        }) : null;
        if (!file) return { ...base, unreadable: { what: 'file-failed' } };
        if (file.buffer.length > MAX_DOWNLOAD_BYTES) return { ...base, unreadable: { what: 'file-too-big', ...(file.filename ? { fileName: file.filename } : {}), maxMb: MAX_DOWNLOAD_BYTES / 1024 / 1024 } };
        return { ...base, attachment: { fileName: file.filename ?? unnamedFile(file.buffer), data: file.buffer } };
      }
      default:
        return { ...base, unreadable: { what: 'kind' } };
    }
  }

  private async onMessage(frame: WsFrame): Promise<void> {
    const msg = await this.toIncoming(frame);
    if (!msg) return;
    const replies = await this.bot.handleMessage(msg);
    if (replies.length) await this.reply(frame, replies);
  }

  /** The first time a person opens the single chat that day: a short welcome (WeCom allows 5 s). */
  private async onEnterChat(frame: WsFrame): Promise<void> {
    await this.client.replyWelcome(frame, { msgtype: 'text', text: { content: `您好，我是${this.app.config.botName}。发送“/帮助”查看可用的命令；在工作群里 @我 发送命令也可以。` } }).catch((err: unknown) => this.log.warn({ err: sendError(err).message }, 'could not send the WeCom welcome'));
  }

  /** Replies on the callback's frame, in order (the SDK queues them per frame). */
  private async reply(frame: WsFrame, replies: Reply[]): Promise<void> {
    const markdown = (content: string) => this.client.reply(frame, { msgtype: 'markdown', markdown: { content } });
    await post(this.client, replies, { markdown, media: async (o, upload) => this.client.replyMedia(frame, o.type, await upload()) }, async (err, part) => {
      // One part failed (a file too large, a limit): say so instead of leaving the person waiting.
      this.log.warn({ err: err.message }, 'WeCom reply failed');
      const sorry = part.kind === 'media' ? `文件「${part.fileName}」没能发送，请稍后再试。` : '有一部分回复没能发送，请稍后再试，或换个方式查看（例如发送“/导出”下载表格）。';
      await markdown(sorry).catch(() => undefined);
    });
  }
}

/**
 * "@赛务助手 /plan" → "/plan": a group message reaches the bot only when it @mentions it, and the text
 * starts with that @name (its name in WeCom may differ from BOT_NAME); "@赛务助手" elsewhere goes too.
 */
function stripMention(s: string, group: boolean, botName: string): string {
  const named = s.replaceAll(`@${botName}`, ' ');
  return (group ? named.replace(/^\s*@\S+(\s+|$)/, '') : named).trim();
}

/** A file WeCom sent without a name: named by what its first bytes say it is. */
function unnamedFile(data: Buffer): string {
  if (data.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return '表格.xlsx';
  if (data.subarray(0, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0]))) return '表格.xls';
  return '表格.csv';
}
