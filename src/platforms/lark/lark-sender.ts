// Everything Saiwu posts into Lark goes through here: text with <at> mentions, cards, files, images,
// ephemeral cards. Every message carries a `uuid` derived from the caller's idempotency key, so a
// retried job cannot post twice (Lark keeps one message per uuid for an hour). Lark answers many
// failures with HTTP 200 and a non-zero `code`; both shapes become the errors in send-errors.ts.
import { createHash, randomUUID } from 'node:crypto';
import type * as lark from '@larksuiteoapi/node-sdk';
import type { ChatSender, NextPart, SendOptions, SentParts } from '../../core/app.js';
import type { FormReply, Reply, TextReply } from '../../core/messages.js';
import { renderTableText, splitText } from '../../core/render-text.js';
import { PermanentSendError, RateLimitedError } from '../../core/send-errors.js';
import type { Logger } from '../../logger.js';
import { renderFormCard, renderTableCard, type Card, type FormButtonValue } from './lark-cards.js';
import type { LarkRateLimiter } from './lark-rate-limit.js';
import larkPlatform from './index.js';
import { pacedParts } from '../paced-parts.js';

export type LarkTarget =
  | { kind: 'chat'; chatId: string }
  /** `p2pUser`: the reply is in a private chat, with this person (one rate-limit key per private chat). */
  | { kind: 'reply'; messageId: string; chatId: string; p2pUser?: string }
  | { kind: 'user'; openId: string };

interface Outgoing {
  msg_type: 'text' | 'interactive' | 'file' | 'image';
  content: string;
}

/**
 * Retrying cannot help with these: the 发送消息 page's codes that a retry does not change (bot not in
 * the chat, no permission, chat dissolved, a bad or too long card, the person blocked the bot or left
 * the organisation…), each with what an admin is told in /reminders.
 */
const PERMANENT_CODES = new Map<number, string>([
  [230001, '请求参数有误'],
  [230002, '机器人不在该群中，请把机器人拉回群里'],
  [230006, '应用未启用机器人能力'],
  [230013, '对方不在应用的可用范围内，请在飞书管理后台调整应用可用范围'],
  [230017, '飞书拒绝发送（230017）'],
  [230018, '飞书拒绝发送（230018）'],
  [230025, '消息内容过长'],
  [230027, '机器人没有发消息的权限'],
  [230028, '消息被数据防泄漏策略拦截'],
  [230029, '对方已离职'],
  [230034, '飞书拒绝发送（230034）'],
  [230035, '机器人在该群被禁言或没有发言权限'],
  [230038, '飞书拒绝发送（230038）'],
  [230053, '对方已屏蔽机器人（停止接收其消息）'],
  [230054, '飞书拒绝发送（230054）'],
  [230055, '文件类型与消息类型不符'],
  [230075, '飞书拒绝发送（230075）'],
  [230099, '卡片内容有误'],
  [232009, '该群已解散'],
  [234001, '文件上传参数有误'],
]);
const RATE_LIMIT_CODES = new Set([99991400, 230020]);
/** Longest a direct reply waits out rate limits before giving up. */
const MAX_PATIENCE_MS = 60_000;
/** Longest text in one message: the platform's capability (src/platforms/lark/index.ts). */
const TEXT_CHUNK = larkPlatform.capabilities.maxMessageChars;

export class LarkApiError extends Error {
  constructor(readonly what: string, readonly code: number | undefined, readonly status: number | undefined, msg: string) {
    super(`Lark ${what} failed: ${code !== undefined ? `code ${code}` : `HTTP ${status ?? '?'}`} ${msg}`.trim());
    this.name = 'LarkApiError';
  }
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const h = headers as { get?: (n: string) => unknown } & Record<string, unknown>;
  const v = typeof h.get === 'function' ? h.get(name) : h[name];
  return v === undefined || v === null ? undefined : String(v);
}

/** Turns an SDK throw (axios, for non-2xx) or a non-zero `code` body into the error the caller needs. */
export function larkError(what: string, err: unknown): Error {
  if (err instanceof RateLimitedError || err instanceof PermanentSendError || err instanceof LarkApiError) return err;
  const e = err as { response?: { status?: number; data?: unknown; headers?: unknown }; code?: unknown; msg?: unknown; message?: string };
  const fromBody = e.response?.data && typeof e.response.data === 'object' ? (e.response.data as { code?: unknown; msg?: unknown }) : undefined;
  const code = typeof fromBody?.code === 'number' ? fromBody.code : typeof e.code === 'number' ? e.code : undefined;
  const msg = String(fromBody?.msg ?? e.msg ?? e.message ?? '');
  const status = e.response?.status;
  if (status === 429 || (code !== undefined && RATE_LIMIT_CODES.has(code))) {
    const reset = Number(headerValue(e.response?.headers, 'x-ogw-ratelimit-reset'));
    const waitMs = Number.isFinite(reset) && reset > 0 ? Math.ceil(reset * 1000) : 1000;
    return new RateLimitedError(waitMs, `Lark ${what} rate limited (${code ?? status}), retry after ${waitMs} ms`);
  }
  if (code !== undefined && PERMANENT_CODES.has(code)) return new PermanentSendError(`Lark ${what} refused: code ${code} ${msg}`, PERMANENT_CODES.get(code));
  if (code === undefined && status === undefined) return err instanceof Error ? err : new Error(String(err));
  return new LarkApiError(what, code, status, msg);
}

/**
 * A uuid (≤ 50 chars, as Lark requires) that is the same every time for the same key, part and text:
 * a retried job's part that went out already is dropped by Lark as a repeat, while a part whose text
 * changed since (a roll-call rebuilt after a unit filed) goes out — with the same uuid it would be
 * dropped too, and the names that moved into it never posted.
 */
export function idempotentUuid(key: string, part: number, content = ''): string {
  const h = createHash('sha256').update(`${key}#${part}#${content}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn`, waiting out rate limits the platform reports (direct replies must still arrive). */
export async function patiently<T>(fn: () => Promise<T>, log?: Logger): Promise<T> {
  let waited = 0;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof RateLimitedError) || waited + err.retryAfterMs > MAX_PATIENCE_MS) throw err;
      log?.warn({ retryAfterMs: err.retryAfterMs }, 'Lark rate limit hit; waiting before retrying');
      waited += err.retryAfterMs;
      await sleep(err.retryAfterMs);
    }
  }
}

function larkFileType(fileName: string): 'xls' | 'pdf' | 'doc' | 'ppt' | 'mp4' | 'stream' {
  const ext = fileName.toLowerCase().split('.').pop() ?? '';
  if (ext === 'xlsx' || ext === 'xls') return 'xls';
  if (ext === 'docx' || ext === 'doc') return 'doc';
  if (ext === 'pptx' || ext === 'ppt') return 'ppt';
  if (ext === 'pdf' || ext === 'mp4') return ext;
  return 'stream';
}

/** `<at user_id="ou_…">Name</at>`: the id goes in an attribute, so only id characters survive. */
export function atTag(userId: string, userName: string): string {
  const id = userId.replace(/[^A-Za-z0-9_-]/g, '');
  return `<at user_id="${id}">${userName.replace(/[<>&]/g, '')}</at>`;
}

/**
 * Text for a Lark text message, where `<at user_id="all">` pings everyone and `[文字](链接)` becomes a
 * link: a reply carries what cadres typed (receipts, rejections, /mine), so `<`, `>` and `&` are
 * escaped and a link's `](` is broken by an invisible space. Only the bot's own mentions become tags.
 */
export function larkPlainText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\]\(/g, ']\u200B(');
}

function textMessages(r: TextReply): Outgoing[] {
  const at = (r.mentions ?? []).map((m) => atTag(m.userId, m.userName)).join(' ');
  return splitText(r.text, TEXT_CHUNK).map((chunk, i) => ({
    msg_type: 'text' as const,
    content: JSON.stringify({ text: i === 0 && at ? `${at} ${larkPlainText(chunk)}` : larkPlainText(chunk) }),
  }));
}

/**
 * The rate-limit key of where a message goes. A private chat is keyed by the person whichever way it
 * is addressed (a new message names the open_id, a reply names the chat), so both share its budget.
 */
export function limitKey(target: LarkTarget): string {
  if (target.kind === 'user') return `user:${target.openId}`;
  if (target.kind === 'reply' && target.p2pUser) return `user:${target.p2pUser}`;
  return target.chatId;
}

const cardMessage = (card: Card): Outgoing => ({ msg_type: 'interactive', content: JSON.stringify(card) });

export class LarkSender implements ChatSender {
  readonly platform = 'lark' as const;

  constructor(private readonly client: lark.Client, private readonly limiter: LarkRateLimiter, private readonly log: Logger) {}

  /** For jobs (reminders, scheduled posts): a rate limit is thrown as RateLimitedError for the queue. */
  async send(chatId: string, replies: Reply[], opts: SendOptions = {}): Promise<void> {
    await this.deliver({ kind: 'chat', chatId }, replies, { key: opts.idempotencyKey, ...(opts.handOff ? { handOff: opts.handOff } : {}), ...(opts.paced ? { paced: opts.paced } : {}), ...(opts.sentParts ? { sentParts: opts.sentParts } : {}) });
  }

  /**
   * Posts replies in order. `patient` waits out platform rate limits (direct replies); otherwise
   * they are thrown. `formValue` says whom a form card's submit button belongs to.
   */
  async deliver(target: LarkTarget, replies: Reply[], opts: { key?: string; patient?: boolean; formValue?: (r: FormReply) => FormButtonValue; handOff?: () => Promise<boolean>; paced?: NextPart; sentParts?: SentParts } = {}): Promise<void> {
    let part = 0;
    const pace = pacedParts(opts);
    for (const reply of replies) {
      const messages = await this.render(reply, target, opts);
      for (const m of messages) {
        const content = `${m.msg_type}:${m.content}`;
        const uuid = opts.key ? idempotentUuid(opts.key, part, content) : randomUUID();
        if (part === 0 && opts.handOff && !(await opts.handOff())) return;
        part += 1;
        // Paced by the shared limiter (SendOptions.paced), a slot per part; otherwise every part
        // waits in this process's limiter (post).
        const post = () => this.post(target, m, uuid, Boolean(opts.paced));
        await pace(content, () => (opts.patient ? patiently(post, this.log) : post()));
      }
    }
  }

  private async render(reply: Reply, target: LarkTarget, opts: { patient?: boolean; formValue?: (r: FormReply) => FormButtonValue }): Promise<Outgoing[]> {
    const retry = <T>(fn: () => Promise<T>) => (opts.patient ? patiently(fn, this.log) : fn());
    switch (reply.kind) {
      case 'text':
        return textMessages(reply);
      case 'table': {
        // A private chat: a reply there, or a message to a person.
        const card = renderTableCard(reply, target.kind === 'user' || (target.kind === 'reply' && target.p2pUser) ? 'p2p' : 'group');
        return card ? [cardMessage(card)] : textMessages({ kind: 'text', text: renderTableText(reply) });
      }
      case 'form': {
        const chatId = target.kind === 'user' ? '' : target.chatId;
        const value = opts.formValue?.(reply) ?? { saiwu: 'form', form: reply.form, chat_id: chatId, chat_type: target.kind === 'user' ? 'p2p' : 'group', user_id: '', user_name: '' };
        return [cardMessage(renderFormCard(reply, value))];
      }
      case 'file': {
        const fileKey = await retry(() => this.uploadFile(reply.fileName, reply.data));
        const file: Outgoing = { msg_type: 'file', content: JSON.stringify({ file_key: fileKey }) };
        return reply.caption ? [file, ...textMessages({ kind: 'text', text: reply.caption })] : [file];
      }
      case 'image': {
        const imageKey = await retry(() => this.uploadImage(reply.data));
        return [{ msg_type: 'image', content: JSON.stringify({ image_key: imageKey }) }];
      }
    }
  }

  private async post(target: LarkTarget, m: Outgoing, uuid: string, paced = false): Promise<string | undefined> {
    if (paced) this.limiter.record(limitKey(target));
    else await this.limiter.acquire(limitKey(target));
    if (target.kind === 'reply') {
      const res = await this.call('im.message.reply', () => this.client.im.message.reply({ path: { message_id: target.messageId }, data: { ...m, uuid } }));
      return res.data?.message_id;
    }
    const receive = target.kind === 'user' ? { type: 'open_id' as const, id: target.openId } : { type: 'chat_id' as const, id: target.chatId };
    const res = await this.call('im.message.create', () => this.client.im.message.create({ params: { receive_id_type: receive.type }, data: { receive_id: receive.id, ...m, uuid } }));
    return res.data?.message_id;
  }

  /** Calls the SDK and treats both a throw and an HTTP-200 body with `code ≠ 0` as failures. */
  private async call<T extends { code?: number; msg?: string }>(what: string, fn: () => Promise<T>): Promise<T> {
    let res: T;
    try {
      res = await fn();
    } catch (err) {
      throw larkError(what, err);
    }
    if (res && typeof res.code === 'number' && res.code !== 0) throw larkError(what, { code: res.code, msg: res.msg });
    return res;
  }

  async uploadFile(fileName: string, data: Buffer): Promise<string> {
    let up: { file_key?: string } | null;
    try {
      up = await this.client.im.file.create({ data: { file_type: larkFileType(fileName), file_name: fileName, file: data } });
    } catch (err) {
      throw larkError('im.file.create', err);
    }
    // The SDK returns `data` only, so a refusal with HTTP 200 arrives as null.
    if (!up?.file_key) throw new LarkApiError('im.file.create', undefined, 200, 'no file_key returned');
    return up.file_key;
  }

  async uploadImage(data: Buffer): Promise<string> {
    let up: { image_key?: string } | null;
    try {
      up = await this.client.im.image.create({ data: { image_type: 'message', image: data } });
    } catch (err) {
      throw larkError('im.image.create', err);
    }
    if (!up?.image_key) throw new LarkApiError('im.image.create', undefined, 200, 'no image_key returned');
    return up.image_key;
  }

  /** Posts a card as it is (a receipt that could not replace its form in place). */
  async sendCard(target: LarkTarget, card: Card, key: string): Promise<void> {
    await patiently(() => this.post(target, cardMessage(card), idempotentUuid(key, 0)), this.log);
  }

  /** A card only `openId` sees in the group (no SDK method for this API). */
  async sendEphemeral(chatId: string, openId: string, card: Card): Promise<void> {
    await this.limiter.acquire(chatId);
    await this.call('ephemeral.send', () =>
      this.client.request<{ code?: number; msg?: string }>({ method: 'POST', url: '/open-apis/ephemeral/v1/send', data: { chat_id: chatId, open_id: openId, msg_type: 'interactive', card } }),
    );
  }

  /** Replaces a card after its callback was already answered (the answer took too long). */
  async updateCardLater(token: string, card: Card): Promise<void> {
    await this.call('interactive.card.update', () =>
      this.client.request<{ code?: number; msg?: string }>({ method: 'POST', url: '/open-apis/interactive/v1/card/update', data: { token, card } }),
    );
  }
}
