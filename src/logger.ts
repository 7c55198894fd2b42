import { pino, type Logger } from 'pino';

/** Anything that could hold a secret is redacted wherever it appears in a log object. */
export const REDACT_PATHS = [
  'appSecret', '*.appSecret', 'app_secret', '*.app_secret',
  'encryptKey', '*.encryptKey', 'verificationToken', '*.verificationToken',
  'puppetToken', '*.puppetToken', 'token', '*.token', 'adminToken', '*.adminToken',
  'password', '*.password', 'authorization', '*.authorization', 'headers.authorization',
  'tenant_access_token', '*.tenant_access_token', 'redisUrl', '*.redisUrl', 'databaseUrl', '*.databaseUrl',
];

export function createLogger(level = 'info'): Logger {
  return pino({ level, base: { app: 'saiwu' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}

export type { Logger };
