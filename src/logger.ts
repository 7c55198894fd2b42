// One logger for the whole process. Secrets never reach the log, errors included: every `err` goes
// through one serializer that keeps what helps to diagnose (type, message, code, HTTP status, stack)
// and drops what an SDK error carries besides (axios's `config` with the request body and the
// Authorization header, `request`, `response` with its body). Known secret values and bearer tokens
// are also scrubbed from every string that is logged, in case an SDK puts one into a message.
import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * Keys whose values are secrets, redacted wherever they sit in a logged object, at any depth and in
 * any letter case (an SDK's `Authorization` header as well as our config's `appSecret`).
 */
const SECRET_KEYS = new Set([
  'appsecret', 'app_secret', 'encryptkey', 'verificationtoken', 'puppettoken', 'token', 'admintoken', 'password',
  'authorization', 'tenant_access_token', 'redisurl', 'databaseurl', 'secretkey', 'secret',
]);

const CENSOR = '[redacted]';

const isSecretKey = (key: string) => SECRET_KEYS.has(key.toLowerCase());

// Bearer tokens in headers or messages, Lark access tokens (t-…, u-…, a-…) and "app_secret":"…" pairs.
const TOKEN_PATTERNS: [RegExp, string][] = [
  [/(Bearer|Basic)\s+[\w.~+/=-]+/gi, `$1 ${CENSOR}`],
  [/\b[tua]-[0-9A-Za-z_]{16,}\b/g, CENSOR],
  [/("?(?:app_secret|app_access_token|tenant_access_token|user_access_token|secret|password|token)"?\s*[:=]\s*)"[^"]*"/gi, `$1"${CENSOR}"`],
];

/** Replaces known secret values and token-looking strings in `s`. */
export function scrubText(s: string, secrets: readonly string[]): string {
  let out = s;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join(CENSOR);
  for (const [re, by] of TOKEN_PATTERNS) out = out.replace(re, by);
  return out;
}

// Keys under which SDK errors carry requests, responses and their bodies.
const DROPPED_KEYS = new Set(['config', 'request', 'response', 'headers', 'data', 'body', 'options', 'req', 'res', 'socket', 'agent', '_events']);

/**
 * A log-safe view of an error: type, message, stack, code, HTTP status (when an HTTP client threw it)
 * and the platform's own error code, recursively for `cause`. Request and response bodies and headers
 * never survive, whatever the SDK.
 */
export function safeError(err: unknown, secrets: readonly string[] = [], depth = 0): Record<string, unknown> | string {
  if (err === null || err === undefined) return String(err);
  if (typeof err !== 'object') return scrubText(String(err), secrets);
  const e = err as Record<string, unknown> & { response?: { status?: unknown; data?: unknown } };
  const out: Record<string, unknown> = {};
  out.type = err instanceof Error ? err.constructor?.name || err.name : 'Object';
  if (typeof e.message === 'string') out.message = scrubText(e.message, secrets);
  if (typeof e.stack === 'string') out.stack = scrubText(e.stack, secrets);
  for (const [key, value] of Object.entries(e)) {
    if (DROPPED_KEYS.has(key) || key === 'message' || key === 'stack' || key === 'cause') continue;
    if (isSecretKey(key)) out[key] = CENSOR;
    else if (typeof value === 'string') out[key] = scrubText(value, secrets).slice(0, 500);
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = value;
  }
  // What matters of an HTTP failure: the status and the platform's error code, not the body.
  if (typeof e.response?.status === 'number') out.status = e.response.status;
  const body = e.response?.data as { code?: unknown; msg?: unknown } | undefined;
  if (body && typeof body === 'object' && typeof body.code === 'number') out.platformCode = body.code;
  if (e.cause !== undefined && depth < 3) out.cause = safeError(e.cause, secrets, depth + 1);
  return out;
}

/**
 * Every logged object, whatever its keys: errors go through safeError (formatters run before
 * serializers, and an Error's message and stack are not enumerable), request/response-shaped keys
 * are dropped, buffers are summarised, strings scrubbed, and anything deeper than a few levels cut.
 */
function scrubDeep(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value, secrets);
  if (!value || typeof value !== 'object') return value;
  if (value instanceof Error) return safeError(value, secrets);
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${(value as { byteLength: number }).byteLength} bytes]`;
  if (depth > 4) return '[nested too deep to log]';
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => scrubDeep(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (DROPPED_KEYS.has(k) && depth > 0) continue;
    out[k] = isSecretKey(k) ? CENSOR : scrubDeep(v, secrets, depth + 1);
  }
  return out;
}

export interface LoggerOptions {
  /** Values that must never appear in the log (app secrets, tokens, passwords from URLs). */
  secrets?: (string | undefined | null)[];
  /** Where lines go (tests capture them); stdout by default. */
  destination?: DestinationStream;
}

export function createLogger(level = 'info', opts: LoggerOptions = {}): Logger {
  const secrets = (opts.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 4);
  const logger = pino(
    {
      level,
      base: { app: 'saiwu' },
      serializers: { err: (err: unknown) => safeError(err, secrets), error: (err: unknown) => safeError(err, secrets) },
      // One walk over every logged object redacts secret keys at any depth and scrubs every string;
      // pino's path-based redaction would be a second, shallower walk that cost six times as much.
      formatters: { log: (obj) => scrubDeep(obj, secrets) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          // The message string (and printf arguments) are scrubbed like the object.
          const clean = args.map((a) => (typeof a === 'string' ? scrubText(a, secrets) : a)) as typeof args;
          return method.apply(this, clean);
        },
      },
    },
    opts.destination,
  );
  // A child logger's bindings are written with every line it logs, and pino's formatters do not see
  // them: they are scrubbed as the child is made. Children are made from their parent's prototype,
  // so they make theirs this way too.
  const child = logger.child;
  Reflect.defineProperty(logger, 'child', { value: function (this: Logger, bindings: Record<string, unknown>, options?: unknown) {
    return Reflect.apply(child, this, [scrubDeep(bindings, secrets), options]) as Logger;
  } });
  return logger;
}

export type { Logger };
