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

/** An API client for this app (sending, uploads, lookups); events come through the adapter. */
export function createLarkClient(cfg: LarkSection, log: Logger): lark.Client {
  const logger = sdkLogger(log, [cfg.appSecret, cfg.encryptKey ?? '', cfg.verificationToken ?? '']);
  return new lark.Client({
    appId: cfg.appId, appSecret: cfg.appSecret, domain: resolveLarkDomain(cfg.domain), logger, loggerLevel: lark.LoggerLevel.warn,
    // Our own token cache: the SDK's default one is shared by every Client in the process.
    cache: new lark.DefaultCache(),
  });
}
