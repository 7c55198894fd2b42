// A local stand-in for WeCom's 智能机器人 long-connection server, speaking the frames the real
// @wecom/aibot-node-sdk 1.0.7 sends and expects (read from its source and checked against it):
// - client frames are { cmd, headers: { req_id }, body }; the server answers each with
//   { headers: { req_id }, errcode: 0, errmsg: 'ok', body? } — errcode a number, no cmd;
// - aibot_subscribe { bot_id, secret } → 0, or 853000 "invalid bot_id or secret" (the real answer);
// - ping → 0; callbacks go out as { cmd: 'aibot_msg_callback' | 'aibot_event_callback', headers, body }
//   with body.msgtype, chatid only in groups, and a group text that still starts with "@机器人名";
// - uploads go over the socket: aibot_upload_media_init → { upload_id }, _chunk (0-based, base64),
//   _finish → { media_id }; aibot_send_msg accepts chat_type present or absent;
// - files sent to the bot are served over HTTP, AES-256-CBC with the callback's aeskey (IV = its first
//   16 bytes, PKCS#7 to 32-byte blocks), the name in Content-Disposition.
// It refuses what the real server refuses that our code could get wrong: a wrong secret, a reply of
// msgtype text (40008), markdown over 20,480 bytes, a push to a chat that never talked to the bot.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export const WECOM_BOT_ID = 'aib-test-bot';
export const WECOM_SECRET = 'wecom-test-secret-0123456789';
export const WECOM_BOT_NAME = '赛务助手';

export interface Frame {
  cmd?: string;
  headers: { req_id: string };
  body?: Record<string, any>;
}

const MAX_MARKDOWN_BYTES = 20_480;

export interface FakeWecom {
  url: string;
  /** Every frame the client sent, in order. */
  frames: Frame[];
  /** Successful authentications so far. */
  authenticated: number;
  /** Files uploaded, by media_id. */
  media: Map<string, { type: string; filename: string; data: Buffer }>;
  /** The next frame with this cmd (and, given `when`, this body) is answered with this error instead. */
  failNext(cmd: string, errcode: number, errmsg: string, when?: (body: Record<string, any>) => boolean): void;
  /** Sends a message callback; returns its req_id (replies carry it back). */
  message(body: Record<string, unknown>): string;
  /** Sends an event callback. */
  event(body: Record<string, unknown>): string;
  /** Serves `data` encrypted under a new aeskey; returns the url and key for a file callback. */
  serveFile(fileName: string, data: Buffer): { url: string; aeskey: string };
  /** Replies to one callback (aibot_respond_msg frames with its req_id). */
  repliesTo(reqId: string): Frame[];
  /** Markdown texts of the replies to one callback. */
  textsOf(reqId: string): string[];
  /** Pushes (aibot_send_msg) so far. */
  pushes(): Frame[];
  /** Closes every connection (the client should reconnect). */
  drop(): void;
  close(): Promise<void>;
}

export function wecomEncrypt(plain: Buffer, aesKeyB64: string): Buffer {
  const key = Buffer.from(aesKeyB64, 'base64');
  const pad = 32 - (plain.length % 32);
  const c = crypto.createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  c.setAutoPadding(false);
  return Buffer.concat([c.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), c.final()]);
}

export async function startFakeWecom(): Promise<FakeWecom> {
  const files = new Map<string, { name: string; data: Buffer }>();
  const web = http.createServer((req, res) => {
    const f = files.get(req.url ?? '');
    if (!f) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(f.name)}` });
    res.end(f.data);
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  const webPort = (web.address() as AddressInfo).port;

  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', r));
  const port = (wss.address() as AddressInfo).port;

  const frames: Frame[] = [];
  const media = new Map<string, { type: string; filename: string; data: Buffer }>();
  const uploads = new Map<string, { type: string; filename: string; chunks: Buffer[] }>();
  const failures = new Map<string, { errcode: number; errmsg: string; when?: (body: Record<string, any>) => boolean }>();
  // Chats that have talked to the bot (a push elsewhere is refused, as the docs say).
  const talked = new Set<string>();
  let live: WebSocket | null = null;
  let seq = 0;

  const answer = (ws: WebSocket, reqId: string, errcode = 0, errmsg = 'ok', body?: object) =>
    ws.send(JSON.stringify({ headers: { req_id: reqId }, errcode, errmsg, ...(body ? { body } : {}) }));

  wss.on('connection', (ws) => {
    ws.on('message', (raw) => {
      const f = JSON.parse(raw.toString()) as Frame;
      frames.push(f);
      const id = f.headers?.req_id;
      const failure = f.cmd ? failures.get(f.cmd) : undefined;
      if (failure && f.cmd && (!failure.when || failure.when(f.body ?? {}))) {
        failures.delete(f.cmd);
        return answer(ws, id, failure.errcode, failure.errmsg);
      }
      switch (f.cmd) {
        case 'aibot_subscribe':
          if (f.body?.bot_id !== WECOM_BOT_ID || f.body?.secret !== WECOM_SECRET) return answer(ws, id, 853000, 'invalid bot_id or secret');
          // One connection per bot: a newer one replaces the older.
          if (live && live !== ws) live.close();
          live = ws;
          fake.authenticated++;
          return answer(ws, id);
        case 'ping':
          return answer(ws, id);
        case 'aibot_upload_media_init': {
          const upload = `up_${++seq}`;
          uploads.set(upload, { type: f.body?.type, filename: f.body?.filename, chunks: [] });
          return answer(ws, id, 0, 'ok', { upload_id: upload });
        }
        case 'aibot_upload_media_chunk': {
          const u = uploads.get(f.body?.upload_id);
          if (!u) return answer(ws, id, 40001, 'invalid upload_id');
          u.chunks[f.body?.chunk_index] = Buffer.from(f.body?.base64_data ?? '', 'base64');
          return answer(ws, id);
        }
        case 'aibot_upload_media_finish': {
          const u = uploads.get(f.body?.upload_id);
          if (!u) return answer(ws, id, 40001, 'invalid upload_id');
          const mediaId = `media_${++seq}`;
          media.set(mediaId, { type: u.type, filename: u.filename, data: Buffer.concat(u.chunks) });
          return answer(ws, id, 0, 'ok', { type: u.type, media_id: mediaId, created_at: String(Math.floor(Date.now() / 1000)) });
        }
        case 'aibot_respond_msg':
        case 'aibot_send_msg': {
          const body = f.body ?? {};
          if (body.msgtype === 'text') return answer(ws, id, 40008, 'invalid message type');
          if (body.msgtype === 'markdown' && Buffer.byteLength(body.markdown?.content ?? '') > MAX_MARKDOWN_BYTES) return answer(ws, id, 40058, 'markdown content exceed max length');
          if (f.cmd === 'aibot_send_msg' && !talked.has(body.chatid)) return answer(ws, id, 93006, 'chat not available for this bot');
          return answer(ws, id);
        }
        case 'aibot_respond_welcome_msg':
        case 'aibot_respond_update_msg':
          return answer(ws, id);
        default:
          return answer(ws, id, 40001, `unknown cmd ${f.cmd}`);
      }
    });
  });

  const callback = (cmd: string, body: Record<string, unknown>) => {
    // Never a req_id starting with "ping" or "aibot_subscribe": the SDK routes those by prefix.
    const reqId = `cb_${++seq}_${crypto.randomBytes(4).toString('hex')}`;
    const from = (body.from as { userid?: string } | undefined)?.userid;
    talked.add(String(body.chatid ?? from));
    if (!live) throw new Error('the bot is not connected to the fake WeCom server');
    live.send(JSON.stringify({ cmd, headers: { req_id: reqId }, body: { aibotid: WECOM_BOT_ID, ...body } }));
    return reqId;
  };

  const fake: FakeWecom = {
    url: `ws://127.0.0.1:${port}`,
    frames,
    authenticated: 0,
    media,
    failNext: (cmd, errcode, errmsg, when) => void failures.set(cmd, { errcode, errmsg, when }),
    message: (body) => callback('aibot_msg_callback', body),
    event: (body) => callback('aibot_event_callback', { msgtype: 'event', ...body }),
    serveFile(fileName, data) {
      const aeskey = crypto.randomBytes(32).toString('base64');
      const path = `/f/${crypto.randomBytes(6).toString('hex')}`;
      files.set(path, { name: fileName, data: wecomEncrypt(data, aeskey) });
      return { url: `http://127.0.0.1:${webPort}${path}`, aeskey };
    },
    repliesTo: (reqId) => frames.filter((f) => f.cmd === 'aibot_respond_msg' && f.headers.req_id === reqId),
    textsOf: (reqId) => fake.repliesTo(reqId).filter((f) => f.body?.msgtype === 'markdown').map((f) => String(f.body?.markdown?.content)),
    pushes: () => frames.filter((f) => f.cmd === 'aibot_send_msg'),
    drop: () => wss.clients.forEach((c) => c.terminate()),
    async close() {
      wss.clients.forEach((c) => c.terminate());
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => web.close(() => r()));
    },
  };
  return fake;
}
