// One logger for the whole process. Secrets never reach the log, errors included: every `err` goes
// through one serializer that keeps what helps to diagnose (type, message, code, HTTP status, stack)
// and drops what an SDK error carries besides (axios's `config` with the request body and the
// Authorization header, `request`, `response` with its body). Known secret values and bearer tokens
// are also scrubbed from every string that is logged, in case an SDK puts one into a message.
import { pino, type DestinationStream, type Logger } from 'pino';

/** Anything that could hold a secret is redacted wherever it appears in a log object. */
export const REDACT_PATHS = [
  'appSecret', '*.appSecret', 'app_secret', '*.app_secret',
  'encryptKey', '*.encryptKey', 'verificationToken', '*.verificationToken',
  'puppetToken', '*.puppetToken', 'token', '*.token', 'adminToken', '*.adminToken',
  'password', '*.password', 'authorization', '*.authorization', 'headers.authorization',
  'tenant_access_token', '*.tenant_access_token', 'redisUrl', '*.redisUrl', 'databaseUrl', '*.databaseUrl',
];
// Also two levels down (e.g. `{ config: { lark: { appSecret } } }`): `*.x` matches one level only.
for (const p of REDACT_PATHS.filter((p) => p.startsWith('*.'))) REDACT_PATHS.push(`*.${p}`);

const CENSOR = '[redacted]';

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
    if (typeof value === 'string') out[key] = scrubText(value, secrets).slice(0, 500);
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
    out[k] = scrubDeep(v, secrets, depth + 1);
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
  return pino(
    {
      level,
      base: { app: 'saiwu' },
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      serializers: { err: (err: unknown) => safeError(err, secrets), error: (err: unknown) => safeError(err, secrets) },
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
}

export type { Logger };
