// All configuration comes from the environment, validated once at start with messages that say
// which variable is wrong and how to fix it. Secrets never get logged (see src/logger.ts).
import path from 'node:path';
import { z } from 'zod';
import { resolveDatabaseUrl } from './database-url.js';
import { parseStartTime } from './clock.js';

const onOff = z.enum(['on', 'off', 'auto']).default('auto');
const optional = z.string().trim().optional().transform((v) => (v === '' ? undefined : v));

const schema = z.object({
  // 0 picks a free port (tests).
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: optional,
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'REDIS_PREFIX may only contain letters, digits, _ and -').default('saiwu'),
  REDIS_AUTOSTART: onOff,
  ADMINS: z.string().default(''),
  ADMIN_TOKEN: optional,
  LOCAL_CHAT: onOff,
  BOT_NAME: z.string().default('赛务助手'),
  PUBLIC_BASE_URL: optional,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LARK_APP_ID: optional,
  LARK_APP_SECRET: optional,
  // feishu (open.feishu.cn), lark (open.larksuite.com), or the base URL of a private deployment.
  LARK_DOMAIN: z.string().trim().default('feishu').refine((v) => /^(feishu|lark)$/i.test(v) || /^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(v), 'LARK_DOMAIN must be feishu, lark, or a base URL such as https://open.example.gov.cn'),
  LARK_MODE: z.enum(['ws', 'http']).default('ws'),
  LARK_ENCRYPT_KEY: optional,
  LARK_VERIFICATION_TOKEN: optional,
  WECHAT_ENABLED: z.enum(['0', '1', 'true', 'false', '']).default('0').transform((v) => v === '1' || v === 'true'),
  WECHATY_PUPPET: z.string().default('wechaty-puppet-wechat4u'),
  WECHATY_PUPPET_SERVICE_TOKEN: optional,
  WECHATY_NAME: z.string().default('saiwu'),
  // Who must agree before someone files for a unit: when-taken = only when the unit already has a
  // filer, the person switches units, or the unit has units under it; always; never.
  JOIN_APPROVAL: z.enum(['when-taken', 'always', 'never']).default('when-taken'),
  // Download links (/files/…) expire after this many hours and the files are deleted.
  FILE_TTL_HOURS: z.coerce.number().positive('FILE_TTL_HOURS must be a positive number of hours, e.g. 24').max(24 * 90, 'FILE_TTL_HOURS may be at most 2160 (90 days)').default(24),
  // Rehearsal: the bot's clock starts at this moment and runs on (local chat only), e.g. 2027-03-03T10:00:00+08:00.
  SAIWU_NOW: optional,
  // Key for signed download links and the dashboard cookie; empty = generated once into DATA_DIR/secret.key.
  SECRET_KEY: z.string().trim().optional().refine((v) => v === undefined || v === '' || v.length >= 32, 'SECRET_KEY must be at least 32 characters (e.g. the output of `openssl rand -hex 32`), or empty'),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  redisAutostart: 'on' | 'off' | 'auto';
  /** `platform:userId` pairs that are admins from the start. */
  admins: { platform: string; userId: string }[];
  adminToken?: string;
  localChat: boolean;
  botName: string;
  publicBaseUrl: string;
  logLevel: string;
  lark?: { appId: string; appSecret: string; domain: string; mode: 'ws' | 'http'; encryptKey?: string; verificationToken?: string };
  wechat?: { puppet: string; puppetToken?: string; name: string };
  joinApproval: 'when-taken' | 'always' | 'never';
  fileTtlHours: number;
  /** SECRET_KEY from the environment; start.ts falls back to DATA_DIR/secret.key. */
  secretKey?: string;
  /** SAIWU_NOW: the moment the bot's clock starts at (a rehearsal); undefined = the wall clock. */
  startAt?: Date;
}

/** Every configured value that must never be logged (logger.ts scrubs them from every line). */
export function secretsOf(config: Config): string[] {
  const passwordOf = (url: string) => {
    try {
      return decodeURIComponent(new URL(url).password);
    } catch {
      return '';
    }
  };
  return [
    config.lark?.appSecret, config.lark?.encryptKey, config.lark?.verificationToken, config.wechat?.puppetToken,
    config.adminToken, config.secretKey, passwordOf(config.databaseUrl), passwordOf(config.redisUrl),
  ].filter((s): s is string => typeof s === 'string' && s.length >= 4);
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty value (`PORT=` copied from .env.example) means "use the default", not "empty".
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = schema.safeParse(given);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration (see .env.example):\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const admins = e.ADMINS.split(',').map((s) => s.trim()).filter(Boolean).map((pair) => {
    const at = pair.indexOf(':');
    if (at <= 0 || at === pair.length - 1) throw new ConfigError(`ADMINS: "${pair}" must look like platform:userId, e.g. local:zhang or lark:ou_123`);
    return { platform: pair.slice(0, at), userId: pair.slice(at + 1) };
  });
  if ((e.LARK_APP_ID && !e.LARK_APP_SECRET) || (!e.LARK_APP_ID && e.LARK_APP_SECRET)) {
    throw new ConfigError('LARK_APP_ID and LARK_APP_SECRET must be set together');
  }
  if (e.LARK_APP_ID && e.LARK_MODE === 'http' && !e.LARK_ENCRYPT_KEY) {
    throw new ConfigError('LARK_MODE=http requires LARK_ENCRYPT_KEY, so that forged requests are refused');
  }
  const lark = e.LARK_APP_ID && e.LARK_APP_SECRET
    ? { appId: e.LARK_APP_ID, appSecret: e.LARK_APP_SECRET, domain: e.LARK_DOMAIN, mode: e.LARK_MODE, encryptKey: e.LARK_ENCRYPT_KEY, verificationToken: e.LARK_VERIFICATION_TOKEN }
    : undefined;
  const wechat = e.WECHAT_ENABLED ? { puppet: e.WECHATY_PUPPET, puppetToken: e.WECHATY_PUPPET_SERVICE_TOKEN, name: e.WECHATY_NAME } : undefined;
  const realPlatform = Boolean(lark || wechat);
  let startAt: Date | undefined;
  if (e.SAIWU_NOW) {
    startAt = parseStartTime(e.SAIWU_NOW) ?? undefined;
    if (!startAt) throw new ConfigError(`SAIWU_NOW: "${e.SAIWU_NOW}" is not a date-time; write e.g. 2027-03-03T10:00:00+08:00 or 2027-03-03`);
    // A shifted clock would send real reminders on the wrong days to real people.
    if (realPlatform) throw new ConfigError('SAIWU_NOW (a rehearsal clock) works only with the local web chat; unset LARK_APP_ID/WECHAT_ENABLED, or unset SAIWU_NOW');
  }
  const localChat = e.LOCAL_CHAT === 'on' || (e.LOCAL_CHAT === 'auto' && !realPlatform);
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databaseUrl: resolveDatabaseUrl({ ...env, DATA_DIR: dataDir }),
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    redisAutostart: e.REDIS_AUTOSTART,
    admins,
    adminToken: e.ADMIN_TOKEN,
    localChat,
    botName: e.BOT_NAME,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://${e.HOST === '0.0.0.0' ? '127.0.0.1' : e.HOST}:${e.PORT}`).replace(/\/$/, ''),
    logLevel: e.LOG_LEVEL,
    lark,
    wechat,
    joinApproval: e.JOIN_APPROVAL,
    fileTtlHours: e.FILE_TTL_HOURS,
    secretKey: e.SECRET_KEY || undefined,
    ...(startAt ? { startAt } : {}),
  };
}
