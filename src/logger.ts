import { pino, type Logger } from 'pino';

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

export function createLogger(level = 'info'): Logger {
  return pino({ level, base: { app: 'saiwu' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}

export type { Logger };
