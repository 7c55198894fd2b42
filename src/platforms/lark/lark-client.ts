// The Lark SDK's API client, set up once for the adapter and for a worker process that only sends
// (jobs/worker-main.ts): the domain, a logger that cannot leak the app secret, its own token cache.
import * as lark from '@larksuiteoapi/node-sdk';
import { safeError, scrubText, type Logger } from '../../logger.js';
import type { LarkSection } from './index.js';

/** LARK_DOMAIN: "feishu", "lark", or the base URL of a private deployment. */
export function resolveLarkDomain(domain: string): lark.Domain | string {
  const d = domain.trim().toLowerCase();
  if (d === 'feishu') return lark.Domain.Feishu;
  if (d === 'lark') return lark.Domain.Lark;
  return domain.trim().replace(/\/+$/, '');
}

/**
 * The SDK logs whole axios errors (the token request's config carries the app secret, a send's the
 * Authorization header and the message): every argument goes through the one error serializer.
 */
export function sdkLogger(log: Logger, secrets: string[]): lark.Logger {
  const clean = (args: unknown[]) => scrubText(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(safeError(a, secrets)))).join(' '), secrets).slice(0, 2000);
  return {
    error: (...a: unknown[]) => log.warn({ sdk: 'lark' }, clean(a)),
    warn: (...a: unknown[]) => log.warn({ sdk: 'lark' }, clean(a)),
    info: (...a: unknown[]) => log.debug({ sdk: 'lark' }, clean(a)),
    debug: (...a: unknown[]) => log.trace({ sdk: 'lark' }, clean(a)),
    trace: (...a: unknown[]) => log.trace({ sdk: 'lark' }, clean(a)),
  };
}

/** Uploads (an Excel export, a chart) may take this many times as long as a call. */
const UPLOAD_TIMEOUT_FACTOR = 6;

/**
 * The SDK's HTTP client with a time limit on every request (LARK_HTTP_TIMEOUT_MS; uploads six times
 * as long). The SDK sets none: a request Lark never answers would hang its sender for ever — a
 * reminder job stuck as active, its slot in the send limiter lapsing after 30 s while the request
 * might still land. Timed out, the send fails and the job is retried with the same uuid, which Lark
 * drops if the first one did arrive.
 */
// The SDK types its default instance as axios's, but its response interceptor makes every call resolve
// with the body, which is what HttpInstance says.
export function timedHttp(timeoutMs: number, base = lark.defaultHttpInstance as unknown as lark.HttpInstance): lark.HttpInstance {
  type Opts = lark.HttpRequestOptions<unknown> | undefined;
  const limited = (opts: Opts, url = opts?.url): lark.HttpRequestOptions<unknown> => ({
    ...opts,
    timeout: opts?.timeout ?? (/\/im\/v1\/(files|images)(\?|$)/.test(url ?? '') ? timeoutMs * UPLOAD_TIMEOUT_FACTOR : timeoutMs),
  });
  return {
    request: (opts) => base.request(limited(opts)),
    get: (url, opts) => base.get(url, limited(opts, url)),
    delete: (url, opts) => base.delete(url, limited(opts, url)),
    head: (url, opts) => base.head(url, limited(opts, url)),
    options: (url, opts) => base.options(url, limited(opts, url)),
    post: (url, data, opts) => base.post(url, data, limited(opts, url)),
    put: (url, data, opts) => base.put(url, data, limited(opts, url)),
    patch: (url, data, opts) => base.patch(url, data, limited(opts, url)),
  } as lark.HttpInstance;
}

/** An API client for this app (sending, uploads, lookups); events come through the adapter. */
export function createLarkClient(cfg: LarkSection, log: Logger): lark.Client {
  const logger = sdkLogger(log, [cfg.appSecret, cfg.encryptKey ?? '', cfg.verificationToken ?? '']);
  return new lark.Client({
    appId: cfg.appId, appSecret: cfg.appSecret, domain: resolveLarkDomain(cfg.domain), logger, loggerLevel: lark.LoggerLevel.warn,
    httpInstance: timedHttp(cfg.httpTimeoutMs),
    // Our own token cache: the SDK's default one is shared by every Client in the process.
    cache: new lark.DefaultCache(),
  });
}
