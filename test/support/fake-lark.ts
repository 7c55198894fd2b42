// A local stand-in for the Lark Open API, for the real SDK to talk to (tests set LARK_DOMAIN to its
// URL). It issues tenant tokens, accepts messages (create, reply, patch), uploads and ephemeral
// cards, keeps one message per uuid for an hour as Lark does, answers with rate limits on demand, and
// records every request so tests can assert what went over the wire.
//
// It is STRICT where real Lark refuses (sources and unverified points are noted at each rule):
// - cards: Card JSON 2.0 with undocumented properties, more than 200 elements, over 30 KB
//   (lark-card-schema.ts); the delayed-update API has its own codes and a 100 KB limit;
// - uuid de-duplication lasts one hour of FAKE time (now()/advance());
// - ephemeral cards only in ordinary groups the bot and the user are in (a model of chats);
// - delayed card updates only after the callback was answered, at most twice, within 30 minutes;
// - private sends to users who blocked the bot (refuseUser);
// - what Lark would deliver at all: group messages without an @bot need im:message.group_msg (deliver()).
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import '@larksuiteoapi/node-sdk';
import { checkCard, type CardProblem } from './lark-card-schema.js';

// The SDK's long-connection frames (protobuf pbbp2.Frame) and the `ws` server, both from the SDK's own
// dependencies; loading the SDK first registers pbbp2 in protobufjs's default root.
const require = createRequire(import.meta.url);
const { WebSocketServer } = require('ws') as { WebSocketServer: new (opts: { server: http.Server; path: string }) => any };
const pbbp2 = (require('protobufjs/minimal') as { roots: Record<string, any> }).roots.default.pbbp2;

export const FAKE_APP_ID = 'cli_a1b2c3d4e5f60718';
export const FAKE_APP_SECRET = 'fake-secret-7Hq2mZ';
export const BOT_OPEN_ID = 'ou_bot0000000000000000000000000001';
export const TENANT_TOKEN = 't-fake-tenant-token';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON, or for multipart uploads the fields (files as { fileName, size, data }). */
  body: any;
  at: number;
}

export interface SentMessage {
  messageId: string;
  /** chat_id or open_id the message went to; for replies, the chat of the replied message when known. */
  to: string;
  via: 'create' | 'reply' | 'ephemeral';
  replyTo?: string;
  openId?: string;
  msgType: string;
  content: any;
  uuid?: string;
  /** When it arrived (real time, ms). */
  at: number;
}

/** A sliding window Lark counts messages in: per chat (the receiving chat) or across the app. */
export interface FakeWindow {
  scope: 'chat' | 'app';
  max: number;
  durationMs: number;
}

/** A message refused for a broken window, and which one. */
export interface RateLimitRecord {
  at: number;
  to: string;
  window: FakeWindow;
}

type Failure = { status: number; code: number; msg: string; resetSeconds?: number };

/** 'group' is an ordinary conversation group (群模式: 对话), 'topic' a topic group (话题群), 'p2p' a private chat. */
export type FakeChatKind = 'group' | 'topic' | 'p2p';

export interface FakeChat {
  chatId: string;
  kind: FakeChatKind;
  name: string;
  /** open_ids of the people in the chat (the bot is tracked by `botIn`). */
  members: Set<string>;
  botIn: boolean;
}

export interface CardUpdateRecord {
  token: string;
  card: any;
  /** Fake time of the update. */
  at: number;
}

/** Scopes the fake tenant granted by default: the ordinary, non-sensitive ones. */
export const DEFAULT_SCOPES = ['im:message', 'im:message:send_as_bot', 'im:message.p2p_msg:readonly', 'im:message.group_at_msg:readonly', 'im:user_agent:read', 'contact:user.base:readonly', 'im:resource'] as const;

/**
 * Messages of the codes refuseUser() can use, from 发送消息 (im/v1/messages create) 错误码 table,
 * all with HTTP 400: https://open.feishu.cn/document/server-docs/im-v1/message/create
 */
export const USER_REFUSALS: Record<number, string> = {
  230013: 'Bot has NO availability to this user.',
  230029: 'User has resigned.',
  230035: 'Send Message Permission deny.',
  230038: 'Cross tenant p2p chat operate forbid.',
  230053: 'The user has stopped the bot from sending messages.',
};

/** Sizes in bytes. 30 KB for cards and posts, 150 KB for text (发送消息: content 注意 / 错误码 230025). */
export const CARD_CONTENT_LIMIT = 30 * 1024;
export const TEXT_CONTENT_LIMIT = 150 * 1024;
/** 延时更新消息卡片: error 100000 "卡片内容转换后超过 100 KB" (the same page's 使用限制 also says 30 KB). */
export const CARD_UPDATE_LIMIT = 100 * 1024;
/** 延时更新消息卡片: "token 有效期为 30 分钟 … 同一个 token 只能使用 2 次" (the Lark-intl page says 3). */
export const CARD_TOKEN_TTL_MS = 30 * 60_000;
export const CARD_TOKEN_USES = 2;
/** 发送消息, uuid: "持有相同 uuid 的请求，在 1 小时内至多成功发送一条消息", at most 50 characters. */
export const UUID_WINDOW_MS = 60 * 60_000;

export interface FakeLark {
  url: string;
  requests: RecordedRequest[];
  messages: SentMessage[];
  uploads: { kind: 'file' | 'image'; fields: Record<string, any>; key: string }[];
  /** The next `n` message sends (create/reply/ephemeral) fail this way. */
  failNext(n: number, how: 'rate-limit-429' | 'rate-limit-230020' | { status: number; code: number; msg: string }, resetSeconds?: number): void;
  /**
   * Enforces these windows from now on, as Lark's gateway does: a message (create or reply) arriving
   * when a window already holds `max` messages within `durationMs` is refused with HTTP 429 and code
   * 99991400, before its uuid is looked at, and is recorded in `rateLimited`. Lark documents 5/s per
   * chat (shared by every bot there), 50/s and 1,000/min per app (发送消息, 频率限制).
   */
  enforceWindows(windows: FakeWindow[]): void;
  rateLimited: RateLimitRecord[];
  /** Ephemeral sends fail as in a topic group (code 18053) until turned back off. */
  ephemeralFails: boolean;
  users: Map<string, string>;
  /** Chat names by chat_id (GET chat). The chat model (kind, members) is chat()/addChat(). */
  chats: Map<string, string>;
  /**
   * The fake's clock (ms): Date.now() plus whatever advance() added. uuid de-duplication and
   * card-update tokens run on it; recorded requests keep real time in `at`.
   */
  now(): number;
  /** Moves the fake clock forward (e.g. advance(60 * 60_000) to let a uuid be used again). */
  advance(ms: number): void;
  /**
   * Adds (or replaces) a chat. Defaults: kind 'group' (ordinary), no members, bot in the chat,
   * name from `chats` or '测试群'. Ephemeral sends need kind 'group', the bot in it and the user a member.
   */
  addChat(chatId: string, opts?: { kind?: FakeChatKind; name?: string; members?: string[]; botIn?: boolean }): FakeChat;
  chat(chatId: string): FakeChat | undefined;
  addMembers(chatId: string, ...openIds: string[]): void;
  removeMembers(chatId: string, ...openIds: string[]): void;
  /**
   * Notes a chat seen in a message event, as Lark knows it: an unknown chat is created (p2p for
   * chat_type p2p, else an ordinary group) with the sender as a member. A known chat is left as it is.
   */
  noteMessageChat(chatId: string, chatType: string, senderOpenId?: string): void;
  /** The scopes the fake tenant granted (DEFAULT_SCOPES; im:message.group_msg is NOT granted by default). */
  scopes: Set<string>;
  grantScope(...scopes: string[]): void;
  revokeScope(...scopes: string[]): void;
  /**
   * An event as Lark would push it to this app, or null when Lark would not push it at all:
   * an im.message.receive_v1 in a group that does not @mention the bot needs im:message.group_msg;
   * p2p needs im:message.p2p_msg(:readonly); user_agent is dropped without im:user_agent:read.
   */
  deliver<T extends object>(payload: T): T | null;
  /** Private sends (create, receive_id_type open_id) to this user are refused with `code` (default 230053, HTTP 400). */
  refuseUser(openId: string, code?: number): void;
  allowUser(openId: string): void;
  /** Records that the card callback carrying `token` was answered (at fake time `at`): delayed updates may follow. */
  cardAnswered(token: string, at?: number): void;
  /** The next `n` delayed card updates fail this way (default: HTTP 200, code 300030, token invalid). */
  failNextCardUpdates(n: number, how?: { status: number; code: number; msg: string }): void;
  /** Delayed card updates that were accepted. */
  cardUpdates: CardUpdateRecord[];
  /** Files people "sent" (by file_key), served by the message-resource download API. */
  files: Map<string, Buffer>;
  /** Delay before the contact API answers (to make a handler slow). */
  contactDelayMs: number;
  /** Cut the connection without an answer, as a dead endpoint does: token requests, message sends. */
  dead: { token: boolean; send: boolean };
  /**
   * The next `n` message sends (create or reply) that Lark takes — the message lands in the chat —
   * are never answered, as when the answer is lost on the way: the request hangs until the client
   * gives up.
   */
  unanswered: number;
  texts(): string[];
  /** Resolves when the SDK's long connection has connected to this server. */
  wsConnected(): Promise<void>;
  /**
   * Pushes an event over the long connection; resolves with the client's ACK (code and decoded body).
   * An event Lark would not deliver (see deliver()) is not pushed: it resolves { code: 0, delivered: false }.
   * A card.action.trigger's token is recorded as answered when its ACK arrives.
   */
  pushEvent(payload: object): Promise<{ code: number; body?: any; delivered?: false }>;
  close(): Promise<void>;
}

function parseMultipart(body: Buffer, contentType: string): Record<string, any> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return {};
  const sep = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const fields: Record<string, any> = {};
  let start = body.indexOf(sep);
  while (start !== -1) {
    const next = body.indexOf(sep, start + sep.length);
    if (next === -1) break;
    const part = body.subarray(start + sep.length + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, headerEnd).toString('utf8');
    const data = part.subarray(headerEnd + 4);
    const name = /name="([^"]+)"/.exec(head)?.[1];
    const fileName = /filename="([^"]*)"/.exec(head)?.[1];
    // The SDK sends Buffers without a filename; the binary parts are `file` and `image`.
    if (name) fields[name] = fileName !== undefined || name === 'file' || name === 'image' ? { fileName, size: data.length, data: Buffer.from(data) } : data.toString('utf8');
    start = next;
  }
  return fields;
}

const logId = () => `2027${randomUUID().replace(/-/g, '').slice(0, 30).toUpperCase()}`;

/** Lark's error body: code, msg and an `error` with the log id (as im/v1 answers carry). */
const errorBody = (code: number, msg: string) => ({ code, msg, error: { log_id: logId() } });

/** Lark's ErrPath for a card problem, inside the 230099 ext text (发送消息, 230099 子错误码). */
function cardProblemText(p: CardProblem): string {
  return `ErrPath: ${p.path}; ErrMsg: ${p.detail}`;
}

const BOT_MENTION_SCOPES = ['im:message.group_at_msg', 'im:message.group_at_msg:readonly', 'im:message.group_msg'];
const P2P_SCOPES = ['im:message.p2p_msg', 'im:message.p2p_msg:readonly'];

export async function startFakeLark(): Promise<FakeLark> {
  const requests: RecordedRequest[] = [];
  const messages: SentMessage[] = [];
  const uploads: FakeLark['uploads'] = [];
  const byUuid = new Map<string, { messageId: string; at: number }>();
  const failures: Failure[] = [];
  const cardUpdateFailures: Failure[] = [];
  const chatModel = new Map<string, FakeChat>();
  const refusedUsers = new Map<string, number>();
  const tokens = new Map<string, { answeredAt: number; uses: number }>();
  const cardUpdates: CardUpdateRecord[] = [];
  let windows: FakeWindow[] = [];
  // Per window, arrival times of accepted messages (per chat, or under "" for the app).
  let arrivals: Map<string, number[]>[] = [];
  const rateLimited: RateLimitRecord[] = [];
  const brokenWindow = (to: string, at: number): FakeWindow | undefined => windows.find((w, i) => {
    const log = arrivals[i].get(w.scope === 'chat' ? to : '') ?? [];
    while (log.length && log[0] <= at - w.durationMs) log.shift();
    return log.length >= w.max;
  });
  const countArrival = (to: string, at: number) => windows.forEach((w, i) => {
    const key = w.scope === 'chat' ? to : '';
    arrivals[i].set(key, [...(arrivals[i].get(key) ?? []), at]);
  });
  let offset = 0;
  let seq = 0;
  const now = () => Date.now() + offset;
  const fake = {
    ephemeralFails: false,
    contactDelayMs: 0,
    dead: { token: false, send: false },
    unanswered: 0,
    files: new Map<string, Buffer>(),
    users: new Map<string, string>(),
    chats: new Map<string, string>(),
    scopes: new Set<string>(DEFAULT_SCOPES),
  };
  const addChat = (chatId: string, opts: { kind?: FakeChatKind; name?: string; members?: string[]; botIn?: boolean } = {}): FakeChat => {
    const chat: FakeChat = { chatId, kind: opts.kind ?? 'group', name: opts.name ?? fake.chats.get(chatId) ?? '测试群', members: new Set(opts.members ?? []), botIn: opts.botIn ?? true };
    chatModel.set(chatId, chat);
    if (opts.name) fake.chats.set(chatId, opts.name);
    return chat;
  };

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  /**
   * Why Lark would refuse an interactive message's content (create/reply), or null. Codes from
   * 发送消息 错误码 (HTTP 400): 230025 "The length of the message content reaches its limit." (cards
   * and posts ≤ 30 KB, text ≤ 150 KB); 230099 "Failed to create card content" with sub-codes: 11310
   * "element exceeds the limit" (> 200 elements), 200621 "parse card json err" (bad JSON).
   * NOT VERIFIED: the sub-code Lark uses for an unknown property in a 2.0 card (the 2.0 release notes
   * say only "传入不支持的属性将报错"); 200621 with the property's ErrPath is the documented closest.
   */
  const refuseMessageContent = (msgType: string, content: unknown): { code: number; msg: string } | null => {
    if (typeof content !== 'string') return { code: 230001, msg: 'Your request contains an invalid request parameter. content must be a JSON string' };
    const bytes = Buffer.byteLength(content);
    if (msgType === 'text' && bytes > TEXT_CONTENT_LIMIT) return { code: 230025, msg: 'The length of the message content reaches its limit.' };
    if ((msgType === 'interactive' || msgType === 'post') && bytes > CARD_CONTENT_LIMIT) return { code: 230025, msg: 'The length of the message content reaches its limit.' };
    if (msgType !== 'interactive') return null;
    let card: unknown;
    try {
      card = JSON.parse(content);
    } catch {
      return { code: 230099, msg: 'Failed to create card content, ext=ErrCode: 200621; ErrMsg: parse card json err, please check whether the card json is correct; ErrorValue: content is not JSON' };
    }
    const check = checkCard(card);
    const tooMany = check.problems.find((p) => p.kind === 'too-many-elements');
    if (tooMany) return { code: 230099, msg: `Failed to create card content, ext=ErrCode: 11310; ErrMsg: element exceeds the limit; ErrorValue: ${tooMany.detail}; code:230099` };
    const bad = check.problems[0];
    if (bad) return { code: 230099, msg: `Failed to create card content, ext=ErrCode: 200621; ${cardProblemText(bad)}; ErrorValue: ${bad.kind}` };
    return null;
  };

  /**
   * The `card` of an ephemeral send. 发送仅特定人可见的消息卡片 lists no codes of its own ("参考服务端
   * 错误码说明"); from that generic table: 19036 "The message exceeds the size limit of 30KB" and
   * 11246 "create message content fail" (card errors, with the sub-code). NOT VERIFIED against a real
   * ephemeral send; answered with HTTP 200 and the code, as that older API family does (see ephemeral).
   */
  const refuseEphemeralCard = (card: unknown): { code: number; msg: string } | null => {
    if (!card || typeof card !== 'object') return { code: 10001, msg: 'Your request contains an invalid request parameter: card must be an object' };
    if (Buffer.byteLength(JSON.stringify(card)) > CARD_CONTENT_LIMIT) return { code: 19036, msg: 'The message exceeds the size limit of 30KB' };
    const check = checkCard(card);
    const tooMany = check.problems.find((p) => p.kind === 'too-many-elements');
    if (tooMany) return { code: 11246, msg: `create message content fail, ErrCode: 11310; ErrMsg: element exceeds the limit; ErrorValue: ${tooMany.detail}` };
    const bad = check.problems[0];
    if (bad) return { code: 11246, msg: `create message content fail, ErrCode: 200621; ${cardProblemText(bad)}` };
    return null;
  };

  /**
   * 延时更新消息卡片 (POST /open-apis/interactive/v1/card/update), 错误码 table of
   * https://open.feishu.cn/document/server-docs/im-v1/message-card/delay-update-message-card:
   * 300020 token 格式错误, 300030 token 失效 (30 minutes), 300040 超过使用限制次数 (2), 100000 卡片内容
   * 转换后超过 100 KB, 10002 card 参数校验错误, 11311 卡片格式不符合要求. The page lists no HTTP status;
   * answered with HTTP 200 and the code. An update before the callback was answered "会出现更新失败或
   * 更新后立即复原" with no documented code: refused with 300030 (plausible, NOT VERIFIED).
   */
  const cardUpdate = (body: any): { status: number; body: object } => {
    const forced = cardUpdateFailures.shift();
    if (forced) return { status: forced.status, body: errorBody(forced.code, forced.msg) };
    const token = body?.token;
    if (typeof token !== 'string' || !/^c-[0-9A-Za-z_-]+$/.test(token)) return { status: 200, body: errorBody(300020, 'card update token format is invalid') };
    const state = tokens.get(token);
    if (!state) return { status: 200, body: errorBody(300030, 'card update token is invalid (fake-lark: the callback carrying it has not been answered yet; an update must follow the answer)') };
    if (now() - state.answeredAt > CARD_TOKEN_TTL_MS) return { status: 200, body: errorBody(300030, 'card update token is expired (valid for 30 minutes)') };
    if (state.uses >= CARD_TOKEN_USES) return { status: 200, body: errorBody(300040, `card update token exceeded its usage limit (${CARD_TOKEN_USES})`) };
    const card = body?.card;
    if (!card || typeof card !== 'object') return { status: 200, body: errorBody(10002, 'card is invalid: card must be an object') };
    if (Buffer.byteLength(JSON.stringify(card)) > CARD_UPDATE_LIMIT) return { status: 200, body: errorBody(100000, 'card content exceeds 100 KB after conversion') };
    const check = checkCard(card);
    const tooMany = check.problems.find((p) => p.kind === 'too-many-elements');
    if (tooMany) return { status: 200, body: errorBody(11311, `card format is invalid: element exceeds the limit (${tooMany.detail})`) };
    const bad = check.problems[0];
    if (bad) return { status: 200, body: errorBody(10002, `card is invalid: ${cardProblemText(bad)}`) };
    state.uses += 1;
    cardUpdates.push({ token, card, at: now() });
    return { status: 200, body: { code: 0, msg: 'ok' } };
  };

  /**
   * 发送仅特定人可见的消息卡片: "仅支持群模式为对话的普通群，不支持话题群"; the bot must be in the
   * chat; the card goes to a user in the chat. Codes: 18053 "chat can not be thread" for topic groups
   * and p2p chats (third-party, observed on the real API: deepcoldy/botmux PR #63, src/im/lark/client.ts
   * LARK_CODE_EPHEMERAL_NOT_GROUP, which reads it from an HTTP-200 body); from 服务端通用错误码:
   * 11231 "chat not found", 10002 "Bot can NOT be out of the chat", 11206 "user not in chat"
   * (NOT VERIFIED for this API).
   */
  const refuseEphemeral = (body: any): { code: number; msg: string } | null => {
    if (fake.ephemeralFails) return { code: 18053, msg: 'chat can not be thread' };
    if (body?.msg_type !== 'interactive') return { code: 10001, msg: 'Your request contains an invalid request parameter: msg_type must be interactive' };
    const openId = body?.open_id;
    if (!openId && !body?.user_id && !body?.email) return { code: 10001, msg: 'Your request contains an invalid request parameter: open_id, user_id or email is required' };
    const chat = chatModel.get(body?.chat_id);
    if (!chat) return { code: 11231, msg: 'chat not found' };
    if (chat.kind !== 'group') return { code: 18053, msg: 'chat can not be thread' };
    if (!chat.botIn) return { code: 10002, msg: 'Bot can NOT be out of the chat' };
    if (openId && !chat.members.has(openId)) return { code: 11206, msg: 'user not in chat' };
    return refuseEphemeralCard(body?.card);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://fake');
      const contentType = String(req.headers['content-type'] ?? '');
      let body: any = undefined;
      if (contentType.startsWith('multipart/form-data')) body = parseMultipart(raw, contentType);
      else if (raw.length) {
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          body = raw.toString('utf8');
        }
      }
      const path = url.pathname;
      const query = Object.fromEntries(url.searchParams);
      requests.push({ method: req.method ?? 'GET', path, query, headers: req.headers, body, at: Date.now() });

      if (path === '/callback/ws/endpoint') {
        if (body?.AppID !== FAKE_APP_ID || body?.AppSecret !== FAKE_APP_SECRET) return send(res, 200, { code: 1000040351, msg: 'incorrect app secret' });
        return send(res, 200, { code: 0, msg: 'ok', data: { URL: `ws://127.0.0.1:${port}/ws?device_id=dev1&service_id=42`, ClientConfig: { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 120, ReconnectNonce: 30 } } });
      }
      if (path === '/open-apis/auth/v3/tenant_access_token/internal' && fake.dead.token) return void req.socket.destroy();
      if (/^\/open-apis\/im\/v1\/messages/.test(path) && req.method === 'POST' && fake.dead.send) return void req.socket.destroy();
      if (path === '/open-apis/auth/v3/tenant_access_token/internal') {
        if (body?.app_id !== FAKE_APP_ID || body?.app_secret !== FAKE_APP_SECRET) return send(res, 200, { code: 10014, msg: 'app secret invalid' });
        return send(res, 200, { code: 0, msg: 'ok', tenant_access_token: TENANT_TOKEN, expire: 7200 });
      }
      if (req.headers.authorization !== `Bearer ${TENANT_TOKEN}`) return send(res, 400, { code: 99991663, msg: 'Invalid access token for authorization.' });
      if (path === '/open-apis/bot/v3/info') return send(res, 200, { code: 0, msg: 'ok', bot: { open_id: BOT_OPEN_ID, app_name: '赛务助手', activate_status: 2 } });

      const userMatch = /^\/open-apis\/contact\/v3\/users\/([^/]+)$/.exec(path);
      if (userMatch) {
        const name = fake.users.get(userMatch[1]);
        if (fake.contactDelayMs) return void setTimeout(() => send(res, 200, { code: 0, data: { user: { open_id: userMatch[1], name: name ?? '某人' } } }), fake.contactDelayMs);
        return name ? send(res, 200, { code: 0, data: { user: { open_id: userMatch[1], name } } }) : send(res, 400, { code: 41050, msg: 'no user authority error' });
      }
      const chatMatch = /^\/open-apis\/im\/v1\/chats\/([^/]+)$/.exec(path);
      if (chatMatch && req.method === 'GET') {
        const chat = chatModel.get(chatMatch[1]);
        return send(res, 200, { code: 0, data: { name: fake.chats.get(chatMatch[1]) ?? chat?.name ?? '测试群', chat_mode: chat?.kind ?? 'group', ...(chat ? { user_count: String(chat.members.size) } : {}) } });
      }

      if (path === '/open-apis/im/v1/files' || path === '/open-apis/im/v1/images') {
        const kind = path.endsWith('files') ? 'file' : 'image';
        const key = `${kind === 'file' ? 'file_v3_' : 'img_v3_'}${++seq}`;
        uploads.push({ kind, fields: body ?? {}, key });
        return send(res, 200, { code: 0, msg: 'success', data: kind === 'file' ? { file_key: key } : { image_key: key } });
      }
      if (path === '/open-apis/interactive/v1/card/update' && req.method === 'POST') {
        const answer = cardUpdate(body);
        return send(res, answer.status, answer.body);
      }

      const replyMatch = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/reply$/.exec(path);
      const isCreate = path === '/open-apis/im/v1/messages' && req.method === 'POST';
      const isEphemeral = path === '/open-apis/ephemeral/v1/send';
      if (replyMatch || isCreate || isEphemeral) {
        const failure = failures.shift();
        if (failure) return send(res, failure.status, { code: failure.code, msg: failure.msg }, failure.resetSeconds !== undefined ? { 'x-ogw-ratelimit-limit': '5', 'x-ogw-ratelimit-reset': String(failure.resetSeconds) } : {});
        const arrivedAt = Date.now();
        const to = String(replyMatch ? replyMatch[1] : body?.receive_id ?? body?.chat_id);
        const broken = isEphemeral ? undefined : brokenWindow(to, arrivedAt);
        if (broken) {
          rateLimited.push({ at: arrivedAt, to, window: broken });
          return send(res, 429, errorBody(99991400, 'request trigger frequency limit'), { 'x-ogw-ratelimit-limit': String(broken.max), 'x-ogw-ratelimit-reset': String(Math.ceil(broken.durationMs / 1000)) });
        }
        if (isEphemeral) {
          const refusal = refuseEphemeral(body);
          if (refusal) return send(res, 200, errorBody(refusal.code, refusal.msg));
          const messageId = `om_eph_${++seq}`;
          messages.push({ messageId, to: body.chat_id, via: 'ephemeral', openId: body.open_id, msgType: body.msg_type, content: body.card, at: arrivedAt });
          return send(res, 200, { code: 0, msg: 'ok', data: { message_id: messageId } });
        }
        // Field validation (uuid ≤ 50 characters) answers as the platform gateway does.
        if (typeof body?.uuid === 'string' && body.uuid.length > 50) {
          return send(res, 400, { code: 99992402, msg: 'field validation failed', error: { log_id: logId(), field_violations: [{ field: 'uuid', value: body.uuid, description: 'the max len is 50' }] } });
        }
        if (isCreate && query.receive_id_type === 'open_id' && refusedUsers.has(body?.receive_id)) {
          const code = refusedUsers.get(body.receive_id)!;
          return send(res, 400, errorBody(code, USER_REFUSALS[code] ?? 'The user can not receive messages from the bot.'));
        }
        // A group the bot is not in (removed, or never added): 230002 (发送消息 错误码).
        const group = isCreate && query.receive_id_type === 'chat_id' ? chatModel.get(body?.receive_id) : undefined;
        if (group && !group.botIn) return send(res, 400, errorBody(230002, 'Bot/User can NOT be out of the chat.'));
        const refusal = refuseMessageContent(String(body?.msg_type ?? ''), body?.content);
        if (refusal) return send(res, 400, errorBody(refusal.code, refusal.msg));
        const seen = body?.uuid ? byUuid.get(body.uuid) : undefined;
        if (seen && now() - seen.at < UUID_WINDOW_MS) return send(res, 200, { code: 0, msg: 'success', data: { message_id: seen.messageId } });
        const messageId = `om_bot_${++seq}`;
        if (body?.uuid) byUuid.set(body.uuid, { messageId, at: now() });
        countArrival(to, arrivedAt);
        let content: any = body?.content;
        try {
          content = JSON.parse(body.content);
        } catch {
          /* keep the string */
        }
        messages.push({
          messageId, via: replyMatch ? 'reply' : 'create', to: replyMatch ? replyMatch[1] : body.receive_id, replyTo: replyMatch?.[1],
          msgType: body.msg_type, content, uuid: body.uuid, at: arrivedAt,
        });
        if (fake.unanswered > 0) {
          fake.unanswered -= 1;
          return;
        }
        return send(res, 200, { code: 0, msg: 'success', data: { message_id: messageId, msg_type: body.msg_type } });
      }
      const resourceMatch = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/resources\/([^/]+)$/.exec(path);
      if (resourceMatch && req.method === 'GET') {
        const file = fake.files.get(resourceMatch[2]);
        if (!file) return send(res, 400, { code: 234003, msg: 'File not in msg.' });
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return void res.end(file);
      }
      const patchMatch = /^\/open-apis\/im\/v1\/messages\/([^/]+)$/.exec(path);
      if (patchMatch && req.method === 'PATCH') {
        // 更新应用发送的消息卡片: the same 30 KB and card checks as a send (230025, 230099).
        const refusal = refuseMessageContent('interactive', body?.content);
        if (refusal) return send(res, 400, errorBody(refusal.code, refusal.msg));
        return send(res, 200, { code: 0, msg: 'success' });
      }
      return send(res, 404, { code: 404, msg: `fake lark: no route ${req.method} ${path}` });
    });
  });
  // The long connection: the client ACKs each event frame by sending it back with a JSON payload.
  const wss = new WebSocketServer({ server, path: '/ws' });
  let socket: any = null;
  const connectedWaiters: (() => void)[] = [];
  const acks = new Map<string, (ack: { code: number; body?: any }) => void>();
  wss.on('connection', (ws: any) => {
    ws.on('message', (buf: Buffer) => {
      const frame = pbbp2.Frame.decode(buf);
      const headers = Object.fromEntries(frame.headers.map((h: { key: string; value: string }) => [h.key, h.value]));
      // The client listens for frames only after its first ping; events pushed earlier would be lost.
      if (frame.method === 0 && headers.type === 'ping' && socket !== ws) {
        socket = ws;
        setTimeout(() => connectedWaiters.splice(0).forEach((f) => f()), 20);
      }
      if (frame.method !== 1 || !acks.has(headers.message_id)) return;
      const resp = JSON.parse(Buffer.from(frame.payload).toString('utf8')) as { code: number; data?: string };
      acks.get(headers.message_id)!({ code: resp.code, ...(resp.data ? { body: JSON.parse(Buffer.from(resp.data, 'base64').toString('utf8')) } : {}) });
      acks.delete(headers.message_id);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const api: Omit<FakeLark, keyof typeof fake> = {
    url: `http://127.0.0.1:${port}`,
    requests,
    messages,
    uploads,
    cardUpdates,
    enforceWindows(w) {
      windows = w;
      arrivals = w.map(() => new Map());
    },
    rateLimited,
    failNext(n, how, resetSeconds) {
      for (let i = 0; i < n; i++) {
        if (how === 'rate-limit-429') failures.push({ status: 429, code: 99991400, msg: 'request trigger frequency limit', resetSeconds: resetSeconds ?? 1 });
        else if (how === 'rate-limit-230020') failures.push({ status: 400, code: 230020, msg: 'This operation triggers the frequency limit.', resetSeconds });
        else failures.push(how);
      }
    },
    now,
    advance(ms) {
      if (!(ms >= 0)) throw new Error('fake-lark: advance() takes a non-negative number of ms');
      offset += ms;
    },
    addChat,
    chat: (chatId) => chatModel.get(chatId),
    addMembers(chatId, ...openIds) {
      const chat = chatModel.get(chatId) ?? addChat(chatId);
      for (const id of openIds) chat.members.add(id);
    },
    removeMembers(chatId, ...openIds) {
      const chat = chatModel.get(chatId);
      for (const id of openIds) chat?.members.delete(id);
    },
    noteMessageChat(chatId, chatType, senderOpenId) {
      if (!chatId || chatModel.has(chatId)) return;
      addChat(chatId, { kind: chatType === 'p2p' ? 'p2p' : 'group', members: senderOpenId ? [senderOpenId] : [] });
    },
    grantScope(...scopes) {
      for (const s of scopes) fake.scopes.add(s);
    },
    revokeScope(...scopes) {
      for (const s of scopes) fake.scopes.delete(s);
    },
    deliver<T extends object>(payload: T): T | null {
      const p = payload as any;
      const eventType = p?.header?.event_type ?? p?.event_type;
      if (eventType !== 'im.message.receive_v1') return payload;
      const event = p.event ?? p;
      const message = event?.message;
      // 接收消息 (im.message.receive_v1), 注意事项: what is pushed depends on the app's scopes; bots' own
      // messages are never pushed. https://open.feishu.cn/document/server-docs/im-v1/message/events/receive
      if (event?.sender?.sender_type && event.sender.sender_type !== 'user') return null;
      const has = (list: string[]) => list.some((s) => fake.scopes.has(s));
      if (message?.chat_type === 'p2p') {
        if (!has(P2P_SCOPES)) return null;
      } else {
        const mentionsBot = (message?.mentions ?? []).some((m: any) => m?.id?.open_id === BOT_OPEN_ID);
        if (!fake.scopes.has('im:message.group_msg') && !(mentionsBot && has(BOT_MENTION_SCOPES))) return null;
      }
      if (message && 'user_agent' in message && !fake.scopes.has('im:user_agent:read')) {
        const { user_agent: _ua, ...rest } = message;
        return { ...p, ...(p.event ? { event: { ...event, message: rest } } : { message: rest }) };
      }
      return payload;
    },
    refuseUser(openId, code = 230053) {
      refusedUsers.set(openId, code);
    },
    allowUser(openId) {
      refusedUsers.delete(openId);
    },
    cardAnswered(token, at = now()) {
      if (!token || tokens.has(token)) return;
      tokens.set(token, { answeredAt: at, uses: 0 });
    },
    failNextCardUpdates(n, how = { status: 200, code: 300030, msg: 'card update token is invalid' }) {
      for (let i = 0; i < n; i++) cardUpdateFailures.push(how);
    },
    texts: () => messages.filter((m) => m.msgType === 'text').map((m) => m.content.text as string),
    wsConnected: () => new Promise<void>((resolve) => (socket ? resolve() : connectedWaiters.push(resolve))),
    pushEvent(payload: object) {
      const delivered = api.deliver(payload);
      if (!delivered) return Promise.resolve({ code: 0, delivered: false as const });
      const p = delivered as any;
      const event = p.event ?? p;
      if ((p.header?.event_type ?? p.event_type) === 'im.message.receive_v1') api.noteMessageChat(event?.message?.chat_id, event?.message?.chat_type, event?.sender?.sender_id?.open_id);
      const messageId = randomUUID();
      const frame = {
        SeqID: ++seq, LogID: seq, service: 42, method: 1,
        headers: [{ key: 'type', value: 'event' }, { key: 'message_id', value: messageId }, { key: 'sum', value: '1' }, { key: 'seq', value: '0' }, { key: 'trace_id', value: randomUUID() }],
        payload: Buffer.from(JSON.stringify(delivered)),
      };
      return new Promise<{ code: number; body?: any }>((resolve) => {
        acks.set(messageId, (ack) => {
          // The callback is answered when its ACK reaches Lark: a delayed update may follow.
          if ((p.header?.event_type ?? p.event_type) === 'card.action.trigger' && ack.code === 200) api.cardAnswered(event?.token);
          resolve(ack);
        });
        socket.send(pbbp2.Frame.encode(frame).finish());
      });
    },
    close: () => new Promise<void>((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
  return Object.assign(fake, api);
}
