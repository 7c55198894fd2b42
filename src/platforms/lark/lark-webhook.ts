// LARK_MODE=http: events and card callbacks both arrive at POST /webhook/lark. The SDK checks a
// signature only when an Encrypt Key is set and never checks the verification token, so this route
// does both itself, on the raw body as Lark signed it: unencrypted or badly signed requests are
// refused before anything is dispatched. The URL-verification challenge is answered after
// decrypting it (only the holder of the Encrypt Key can produce one that decrypts).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import * as lark from '@larksuiteoapi/node-sdk';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../logger.js';

export interface WebhookKeys {
  encryptKey: string;
  verificationToken?: string;
}

/** A signed request older or newer than this is refused: a captured request cannot be replayed later. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

export type WebhookVerdict =
  | { ok: false; status: number; body: { error: string } }
  | { ok: true; challenge: string }
  | { ok: true; payload: Record<string, unknown> };

function header(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return Array.isArray(v) ? v[0] ?? '' : v ?? '';
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const refuse = (status: number, error: string): WebhookVerdict => ({ ok: false, status, body: { error } });

/** Checks one webhook request; returns the body to dispatch, a challenge to answer, or a refusal. */
export function verifyWebhook(rawBody: string, headers: IncomingHttpHeaders, keys: WebhookKeys, now = Date.now()): WebhookVerdict {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(rawBody) as Record<string, unknown>;
  } catch {
    return refuse(400, 'body is not JSON');
  }
  if (typeof body?.encrypt !== 'string') return refuse(400, 'unencrypted request refused: set the Encrypt Key in the app console (事件与回调 → 加密策略)');
  let inner: Record<string, unknown>;
  try {
    inner = JSON.parse(new lark.AESCipher(keys.encryptKey).decrypt(body.encrypt)) as Record<string, unknown>;
  } catch {
    return refuse(400, 'cannot decrypt the request with LARK_ENCRYPT_KEY');
  }
  const headerToken = (inner.header as { token?: unknown } | undefined)?.token ?? inner.token;
  const tokenOk = !keys.verificationToken || headerToken === keys.verificationToken;
  if (inner.type === 'url_verification') {
    if (!tokenOk) return refuse(401, 'verification token mismatch');
    return { ok: true, challenge: String(inner.challenge ?? '') };
  }
  const timestamp = header(headers, 'x-lark-request-timestamp');
  const nonce = header(headers, 'x-lark-request-nonce');
  const signature = header(headers, 'x-lark-signature');
  if (!timestamp || !nonce || !signature) return refuse(401, 'missing signature headers');
  const expected = createHash('sha256').update(timestamp + nonce + keys.encryptKey + rawBody).digest('hex');
  if (!sameText(expected, signature)) return refuse(401, 'bad signature');
  if (!tokenOk) return refuse(401, 'verification token mismatch');
  // The timestamp is covered by the signature, so only its age needs checking.
  const sentAt = Number(timestamp) * 1000;
  if (!Number.isFinite(sentAt) || Math.abs(now - sentAt) > MAX_CLOCK_SKEW_MS) return refuse(401, 'request timestamp is more than 5 minutes from now (replayed, or the clock is wrong)');
  return { ok: true, payload: body };
}

/** Registers POST /webhook/lark; `dispatch` runs the SDK's EventDispatcher on a verified body. */
export function registerLarkWebhook(server: FastifyInstance, keys: WebhookKeys, dispatch: (payload: Record<string, unknown>, headers: IncomingHttpHeaders) => Promise<unknown>, log?: Logger): void {
  void server.register(async (scope) => {
    // The signature covers the exact bytes Lark sent, so this route keeps the body as a string.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    scope.post('/webhook/lark', async (req, reply) => {
      const verdict = verifyWebhook(typeof req.body === 'string' ? req.body : '', req.headers, keys);
      if (!verdict.ok) {
        // Never the body: it may be a forged or replayed event with someone's message in it.
        log?.warn({ status: verdict.status, reason: verdict.body.error, timestamp: header(req.headers, 'x-lark-request-timestamp').slice(0, 20) }, 'Lark webhook request refused');
        return reply.code(verdict.status).send(verdict.body);
      }
      if ('challenge' in verdict) return { challenge: verdict.challenge };
      const result = await dispatch(verdict.payload, req.headers);
      // Card callbacks answer with a toast/card; everything else with an empty object.
      return result && typeof result === 'object' ? result : {};
    });
  });
}
