// All configuration comes from the environment, validated once at start with messages that say
// which variable is wrong and how to fix it. Secrets never get logged (see src/logger.ts).
import path from 'node:path';
import { z } from 'zod';
import { resolveDatabaseUrl } from './database-url.js';
import { parseStartTime } from './clock.js';
import { ConfigError } from './config-error.js';
import { PLATFORMS, realPlatformsIn } from './platforms/index.js';
import { optionalText } from './platforms/platform.js';

export { ConfigError };

const onOff = z.enum(['on', 'off', 'auto']).default('auto');

const base = z.object({
  // 0 picks a free port (tests).
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: optionalText,
  // redis:// or rediss:// for one server; redis+sentinel:// for a master found through Sentinel (parseRedisUrl).
  REDIS_URL: z.string().superRefine((url, ctx) => {
    try {
      parseRedisUrl(url);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message });
    }
  }).default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'REDIS_PREFIX may only contain letters, digits, _ and -').default('saiwu'),
  REDIS_AUTOSTART: onOff,
  // off: this bot process sends no reminders and plans none (`npm run worker` processes do); it still
  // sends for a platform only it can reach (the WeChat login or WeCom connection it holds).
  REMINDERS: z.enum(['on', 'off'], { message: 'REMINDERS must be on or off' }).default('on'),
  // A platform one process at a time may connect (WeChat, WeCom) is held under a Redis lease of this
  // many seconds, renewed every third of it; a standby process takes over after the holder dies.
  PLATFORM_LEASE_SECONDS: z.coerce.number().int().min(2, 'PLATFORM_LEASE_SECONDS must be at least 2').max(300, 'PLATFORM_LEASE_SECONDS may be at most 300').default(30),
  ADMINS: z.string().default(''),
  ADMIN_TOKEN: optionalText,
  LOCAL_CHAT: onOff,
  BOT_NAME: z.string().default('赛务助手'),
  PUBLIC_BASE_URL: optionalText,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Who must agree before someone files for a unit: when-taken = only when the unit already has a
  // filer, the person switches units, or the unit has units under it; always; never.
  JOIN_APPROVAL: z.enum(['when-taken', 'always', 'never']).default('when-taken'),
  // Download links (/files/…) expire after this many hours and the files are deleted.
  FILE_TTL_HOURS: z.coerce.number().positive('FILE_TTL_HOURS must be a positive number of hours, e.g. 24').max(24 * 90, 'FILE_TTL_HOURS may be at most 2160 (90 days)').default(24),
  // Rehearsal: the bot's clock starts at this moment and runs on (local chat only), e.g. 2027-03-03T10:00:00+08:00.
  SAIWU_NOW: optionalText,
  // Key for signed download links and the dashboard cookie; empty = generated once into DATA_DIR/secret.key.
  SECRET_KEY: z.string().trim().optional().refine((v) => v === undefined || v === '' || v.length >= 32, 'SECRET_KEY must be at least 32 characters (e.g. the output of `openssl rand -hex 32`), or empty'),
});

/** The whole environment: the core's variables and each platform's own (src/platforms/<name>/index.ts). */
export const envSchema = PLATFORMS.reduce<z.ZodObject<z.ZodRawShape>>((s, p) => s.extend(p.env), base);

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string;
  /** REDIS_URL as given; it may hold passwords (the logger redacts it under this key). */
  redisUrl: string;
  /** REDIS_URL parsed: where Redis is (src/redis.ts opens every connection from this). */
  redis: RedisTarget;
  redisPrefix: string;
  redisAutostart: 'on' | 'off' | 'auto';
  /** REMINDERS: whether this process plans and sends reminders (off: a worker process does). */
  reminders: 'on' | 'off';
  /** PLATFORM_LEASE_SECONDS in ms: how long a single-connection platform's holder keeps it unrenewed. */
  leaseMs: number;
  /** `platform:userId` pairs that are admins from the start. */
  admins: { platform: string; userId: string }[];
  adminToken?: string;
  localChat: boolean;
  botName: string;
  publicBaseUrl: string;
  logLevel: string;
  /** Each configured platform's section, by platform name (absent: not configured). */
  platforms: Record<string, unknown>;
  joinApproval: 'when-taken' | 'always' | 'never';
  fileTtlHours: number;
  /** SECRET_KEY from the environment; start.ts falls back to DATA_DIR/secret.key. */
  secretKey?: string;
  /** SAIWU_NOW: the moment the bot's clock starts at (a rehearsal); undefined = the wall clock. */
  startAt?: Date;
}

/** Where Redis is: one server, or the master a set of Sentinels points at (which moves on failover). */
export type RedisTarget =
  | {
    kind: 'server';
    /** The redis:// or rediss:// URL, handed to ioredis as it is. */
    url: string;
    host: string;
    port: number;
  }
  | {
    kind: 'sentinel';
    sentinels: { host: string; port: number }[];
    /** The master's name as the sentinels know it (`sentinel monitor <name> …`). */
    masterName: string;
    db: number;
    /** rediss+sentinel://: TLS to the sentinels and to the master. */
    tls: boolean;
    username?: string;
    password?: string;
    sentinelUsername?: string;
    sentinelPassword?: string;
  };

const SENTINEL_EXAMPLE = 'redis+sentinel://10.0.0.1:26379,10.0.0.2:26379/mymaster';
const SENTINEL_OPTIONS = ['sentinel_username', 'sentinel_password'];

/**
 * Parses REDIS_URL. Besides redis:// and rediss:// (one server), it takes the Sentinel form several
 * Redis clients use (redis-sentinel-url, Prefect, RedisVL): one variable that the bot and the worker
 * share as they share REDIS_URL today, instead of a second set of variables that can disagree with it:
 *
 *   redis+sentinel://[[user]:password@]host[:port][,host[:port]…]/<master name>[/db][?sentinel_password=…&sentinel_username=…]
 *
 * The password in front is the master's (and its replicas'); sentinels that require a password of
 * their own get it as sentinel_password. A sentinel's port defaults to 26379. rediss+sentinel:// uses
 * TLS for both. Messages never repeat the URL or a piece of it: it may hold a password.
 */
export function parseRedisUrl(url: string): RedisTarget {
  const text = url.trim();
  const sentinel = /^(rediss?)\+sentinel:\/\/([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?$/i.exec(text);
  if (sentinel) return parseSentinelUrl(sentinel[1].toLowerCase() === 'rediss', sentinel[2], sentinel[3] ?? '', sentinel[4] ?? '');
  if (!/^rediss?:\/\//i.test(text)) {
    throw new ConfigError(`REDIS_URL must start with redis://, rediss:// or redis+sentinel://, e.g. redis://127.0.0.1:6379, or ${SENTINEL_EXAMPLE} for Redis Sentinel`);
  }
  const authority = /^rediss?:\/\/([^/?#]*)/i.exec(text)![1];
  if (authority.slice(authority.lastIndexOf('@') + 1).includes(',')) throw new ConfigError(`REDIS_URL lists several hosts; for Redis Sentinel write ${SENTINEL_EXAMPLE} (the sentinels, then the master's name)`);
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new ConfigError('REDIS_URL is not a valid URL; write e.g. redis://:password@127.0.0.1:6379/0 (with @ : / % in the password written as %40 %3A %2F %25)');
  }
  return { kind: 'server', url: text, host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || 6379) };
}

function decoded(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new ConfigError(`REDIS_URL: the ${what} has a broken %-escape; write @ : / % in it as %40 %3A %2F %25`);
  }
}

function parseSentinelUrl(tls: boolean, authority: string, pathPart: string, query: string): RedisTarget {
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : '';
  const colon = userinfo.indexOf(':');
  const username = decoded(colon >= 0 ? userinfo.slice(0, colon) : userinfo, 'user name') || undefined;
  const password = colon >= 0 ? decoded(userinfo.slice(colon + 1), 'password') || undefined : undefined;
  const list = authority.slice(at + 1).split(',').map((s) => s.trim()).filter(Boolean);
  if (!list.length) throw new ConfigError(`REDIS_URL names no sentinel; write ${SENTINEL_EXAMPLE}`);
  const sentinels = list.map((entry, i) => {
    const m = /^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]]+)(?::(\d{1,5}))?$/.exec(entry);
    const port = Number(m?.[2] ?? 26379);
    if (!m || port < 1 || port > 65535) throw new ConfigError(`REDIS_URL: sentinel number ${i + 1} is not host or host:port (port 1-65535, 26379 when left out); write ${SENTINEL_EXAMPLE}`);
    return { host: m[1].replace(/^\[|\]$/g, ''), port };
  });
  const [name = '', db = '', ...rest] = pathPart.replace(/^\//, '').split('/');
  const masterName = decoded(name, 'master name');
  if (!masterName) throw new ConfigError(`REDIS_URL must end with the master's name as the sentinels know it (sentinel monitor <name> …), e.g. ${SENTINEL_EXAMPLE}`);
  if ((db && !/^\d+$/.test(db)) || rest.some(Boolean)) throw new ConfigError(`REDIS_URL: after the master's name only a database number may follow, e.g. ${SENTINEL_EXAMPLE}/0`);
  // Not URLSearchParams: it would turn a "+" in a password into a space.
  const params = new Map<string, string>();
  for (const pair of query.split('&').filter(Boolean)) {
    const eq = pair.indexOf('=');
    const key = eq >= 0 ? pair.slice(0, eq) : pair;
    // The option's name is repeated only when it looks like one (not a stray password).
    const named = /^[a-z_]{1,40}$/i.test(key) ? ` "${key}"` : '';
    if (!SENTINEL_OPTIONS.includes(key)) throw new ConfigError(`REDIS_URL: unknown option${named} in a redis+sentinel:// URL; known options: ${SENTINEL_OPTIONS.join(', ')}`);
    params.set(key, decoded(eq >= 0 ? pair.slice(eq + 1) : '', key.replace('_', ' ')));
  }
  return {
    kind: 'sentinel', sentinels, masterName, db: Number(db || 0), tls,
    ...(username ? { username } : {}), ...(password ? { password } : {}),
    ...(params.get('sentinel_username') ? { sentinelUsername: params.get('sentinel_username')! } : {}),
    ...(params.get('sentinel_password') ? { sentinelPassword: params.get('sentinel_password')! } : {}),
  };
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
    ...PLATFORMS.flatMap((p) => (config.platforms[p.name] !== undefined && p.secrets ? p.secrets(config.platforms[p.name]) : [])),
    config.adminToken, config.secretKey, passwordOf(config.databaseUrl), passwordOf(config.redisUrl),
    ...(config.redis.kind === 'sentinel' ? [config.redis.password, config.redis.sentinelPassword] : []),
  ].filter((s): s is string => typeof s === 'string' && s.length >= 4);
}


export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty value (`PORT=` copied from .env.example) means "use the default", not "empty".
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = envSchema.safeParse(given);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration (see .env.example):\n${lines.join('\n')}`);
  }
  const e = parsed.data as z.infer<typeof base> & Record<string, unknown>;
  const admins = e.ADMINS.split(',').map((s) => s.trim()).filter(Boolean).map((pair) => {
    const at = pair.indexOf(':');
    if (at <= 0 || at === pair.length - 1) throw new ConfigError(`ADMINS: "${pair}" must look like platform:userId, e.g. local:zhang or lark:ou_123`);
    return { platform: pair.slice(0, at), userId: pair.slice(at + 1) };
  });
  const platforms: Record<string, unknown> = {};
  for (const p of PLATFORMS) {
    const section = p.configure(e);
    if (section !== undefined) platforms[p.name] = section;
  }
  const real = realPlatformsIn(platforms);
  let startAt: Date | undefined;
  if (e.SAIWU_NOW) {
    startAt = parseStartTime(e.SAIWU_NOW) ?? undefined;
    if (!startAt) throw new ConfigError(`SAIWU_NOW: "${e.SAIWU_NOW}" is not a date-time; write e.g. 2027-03-03T10:00:00+08:00 or 2027-03-03`);
    // A shifted clock would send real reminders on the wrong days to real people.
    if (real.length) throw new ConfigError(`SAIWU_NOW (a rehearsal clock) works only with the local web chat; unset the ${real.map((p) => p.label).join(' and ')} settings, or unset SAIWU_NOW`);
  }
  const localChat = e.LOCAL_CHAT === 'on' || (e.LOCAL_CHAT === 'auto' && !real.length);
  if (!localChat) delete platforms.local;
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databaseUrl: resolveDatabaseUrl({ ...env, DATA_DIR: dataDir }),
    redisUrl: e.REDIS_URL,
    redis: parseRedisUrl(e.REDIS_URL),
    redisPrefix: e.REDIS_PREFIX,
    redisAutostart: e.REDIS_AUTOSTART,
    reminders: e.REMINDERS,
    leaseMs: e.PLATFORM_LEASE_SECONDS * 1000,
    admins,
    adminToken: e.ADMIN_TOKEN,
    localChat,
    botName: e.BOT_NAME,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://${e.HOST === '0.0.0.0' ? '127.0.0.1' : e.HOST}:${e.PORT}`).replace(/\/$/, ''),
    logLevel: e.LOG_LEVEL,
    platforms,
    joinApproval: e.JOIN_APPROVAL,
    fileTtlHours: e.FILE_TTL_HOURS,
    secretKey: e.SECRET_KEY || undefined,
    ...(startAt ? { startAt } : {}),
  };
}
