// A local stand-in for the Lark Open API, for the real SDK to talk to (tests set LARK_DOMAIN to its
// URL). It issues tenant tokens, accepts messages (create, reply, patch), uploads and ephemeral
// cards, keeps one message per uuid as Lark does, answers with rate limits on demand, and records
// every request so tests can assert what went over the wire.
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import '@larksuiteoapi/node-sdk';

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
}

type Failure = { status: number; code: number; msg: string; resetSeconds?: number };

export interface FakeLark {
  url: string;
  requests: RecordedRequest[];
  messages: SentMessage[];
  uploads: { kind: 'file' | 'image'; fields: Record<string, any>; key: string }[];
  /** The next `n` message sends (create/reply/ephemeral) fail this way. */
  failNext(n: number, how: 'rate-limit-429' | 'rate-limit-230020' | { status: number; code: number; msg: string }, resetSeconds?: number): void;
  /** Ephemeral sends fail (e.g. a topic group) until turned back on. */
  ephemeralFails: boolean;
  users: Map<string, string>;
  chats: Map<string, string>;
  /** Files people "sent" (by file_key), served by the message-resource download API. */
  files: Map<string, Buffer>;
  /** Delay before the contact API answers (to make a handler slow). */
  contactDelayMs: number;
  /** Cut the connection without an answer, as a dead endpoint does: token requests, message sends. */
  dead: { token: boolean; send: boolean };
  texts(): string[];
  /** Resolves when the SDK's long connection has connected to this server. */
  wsConnected(): Promise<void>;
  /** Pushes an event over the long connection; resolves with the client's ACK (code and decoded body). */
  pushEvent(payload: object): Promise<{ code: number; body?: any }>;
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

export async function startFakeLark(): Promise<FakeLark> {
  const requests: RecordedRequest[] = [];
  const messages: SentMessage[] = [];
  const uploads: FakeLark['uploads'] = [];
  const byUuid = new Map<string, string>();
  const failures: Failure[] = [];
  let seq = 0;
  const fake = {
    ephemeralFails: false,
    contactDelayMs: 0,
    dead: { token: false, send: false },
    files: new Map<string, Buffer>(),
    users: new Map<string, string>(),
    chats: new Map<string, string>(),
  };

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
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
      requests.push({ method: req.method ?? 'GET', path, query: Object.fromEntries(url.searchParams), headers: req.headers, body, at: Date.now() });

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
      if (chatMatch && req.method === 'GET') return send(res, 200, { code: 0, data: { name: fake.chats.get(chatMatch[1]) ?? '测试群', chat_mode: 'group' } });

      if (path === '/open-apis/im/v1/files' || path === '/open-apis/im/v1/images') {
        const kind = path.endsWith('files') ? 'file' : 'image';
        const key = `${kind === 'file' ? 'file_v3_' : 'img_v3_'}${++seq}`;
        uploads.push({ kind, fields: body ?? {}, key });
        return send(res, 200, { code: 0, msg: 'success', data: kind === 'file' ? { file_key: key } : { image_key: key } });
      }
      if (path === '/open-apis/interactive/v1/card/update') return send(res, 200, { code: 0, msg: 'ok' });

      const replyMatch = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/reply$/.exec(path);
      const isCreate = path === '/open-apis/im/v1/messages' && req.method === 'POST';
      const isEphemeral = path === '/open-apis/ephemeral/v1/send';
      if (replyMatch || isCreate || isEphemeral) {
        const failure = failures.shift();
        if (failure) return send(res, failure.status, { code: failure.code, msg: failure.msg }, failure.resetSeconds !== undefined ? { 'x-ogw-ratelimit-limit': '5', 'x-ogw-ratelimit-reset': String(failure.resetSeconds) } : {});
        if (isEphemeral) {
          if (fake.ephemeralFails) return send(res, 400, { code: 230001, msg: 'chat type not support' });
          const messageId = `om_eph_${++seq}`;
          messages.push({ messageId, to: body.chat_id, via: 'ephemeral', openId: body.open_id, msgType: body.msg_type, content: body.card });
          return send(res, 200, { code: 0, msg: 'ok', data: { message_id: messageId } });
        }
        if (body?.uuid && byUuid.has(body.uuid)) return send(res, 200, { code: 0, msg: 'success', data: { message_id: byUuid.get(body.uuid) } });
        const messageId = `om_bot_${++seq}`;
        if (body?.uuid) byUuid.set(body.uuid, messageId);
        let content: any = body?.content;
        try {
          content = JSON.parse(body.content);
        } catch {
          /* keep the string */
        }
        messages.push({
          messageId, via: replyMatch ? 'reply' : 'create', to: replyMatch ? replyMatch[1] : body.receive_id, replyTo: replyMatch?.[1],
          msgType: body.msg_type, content, uuid: body.uuid,
        });
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
      if (patchMatch && req.method === 'PATCH') return send(res, 200, { code: 0, msg: 'success' });
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

  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    requests,
    messages,
    uploads,
    failNext(n: number, how: 'rate-limit-429' | 'rate-limit-230020' | { status: number; code: number; msg: string }, resetSeconds?: number) {
      for (let i = 0; i < n; i++) {
        if (how === 'rate-limit-429') failures.push({ status: 429, code: 99991400, msg: 'request trigger frequency limit', resetSeconds: resetSeconds ?? 1 });
        else if (how === 'rate-limit-230020') failures.push({ status: 400, code: 230020, msg: 'This operation triggers the frequency limit.', resetSeconds });
        else failures.push(how);
      }
    },
    texts: () => messages.filter((m) => m.msgType === 'text').map((m) => m.content.text as string),
    wsConnected: () => new Promise<void>((resolve) => (socket ? resolve() : connectedWaiters.push(resolve))),
    pushEvent(payload: object) {
      const messageId = randomUUID();
      const frame = {
        SeqID: ++seq, LogID: seq, service: 42, method: 1,
        headers: [{ key: 'type', value: 'event' }, { key: 'message_id', value: messageId }, { key: 'sum', value: '1' }, { key: 'seq', value: '0' }, { key: 'trace_id', value: randomUUID() }],
        payload: Buffer.from(JSON.stringify(payload)),
      };
      return new Promise<{ code: number; body?: any }>((resolve) => {
        acks.set(messageId, resolve);
        socket.send(pbbp2.Frame.encode(frame).finish());
      });
    },
    close: () => new Promise<void>((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  });
}
