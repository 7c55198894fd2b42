// What a chat platform is to the rest of Saiwu: one value per folder under src/platforms/<name>/,
// listed once in src/platforms/index.ts. It says how the platform is configured (its environment
// variables, composed into config.ts's schema), what it can do (capabilities: jobs and handlers read
// these, never a platform's name), and how to start and stop it. Adapters only translate between the
// platform and the bot's neutral messages (src/core/messages.ts); the bot's pipeline does the rest.
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { App, ChatSender } from '../core/app.js';
import type { Bot } from '../bot.js';
import type { FileStore } from '../files.js';

/** A send window the shared limiter enforces (jobs/send-limiter.ts): per chat, or per app. */
export interface SendWindow {
  max: number;
  durationMs: number;
  scope: 'chat' | 'app';
}

export interface Capabilities {
  /** cards: forms arrive as interactive cards or HTML forms; text: as text templates (and /填表). */
  forms: 'cards' | 'text';
  /** A form asked for in a group can be shown to the asker alone. */
  ephemeral: boolean;
  /** The platform drops a repeated send that carries the same idempotency key within this time (0: it does not). */
  idempotentSendMs: number;
  /** Limits on sending outside replies (reminders), enforced across worker processes. */
  sendWindows: SendWindow[];
  /** Longest text sent as one message; longer text is split. */
  maxMessageChars: number;
  /**
   * many: every bot process may connect (Lark spreads events among an app's connections; the local
   * chat is HTTP). one: a second connection replaces the first or the account is one login (WeChat,
   * WeCom), so the bot processes elect one holder by a Redis lease (src/platforms/lease.ts).
   */
  connections: 'many' | 'one';
}

/** Everything a platform may need to start: the app, the bot to hand messages to, the HTTP server for its routes. */
export interface PlatformContext {
  app: App;
  bot: Bot;
  server: FastifyInstance;
  redis: Redis;
  files: FileStore;
  /** Test hooks for this platform (a mock puppet, pacing), from StartOptions.platformOptions. */
  options?: unknown;
}

export interface RunningPlatform {
  /** Posts into a chat outside a reply (reminders, scheduled messages). */
  sender: ChatSender;
  /** Connects; called once the HTTP server listens. */
  start(): Promise<void>;
  /** Finishes what is in flight and disconnects. */
  stop(): Promise<void>;
  /**
   * Shutdown begins: sends still waiting in the platform's own queue give up at once (NotSentError,
   * nothing of theirs went out), so the reminder worker can put them back before it closes.
   */
  quiesce?(): void;
  /** The adapter itself, for its own routes and for tests. */
  adapter: unknown;
}

export interface PlatformDef<Section = unknown> {
  name: string;
  /** How people call it in logs and the start-up line ("Feishu/Lark"). */
  label: string;
  /** How cadres call it in replies ("飞书"). */
  chineseName: string;
  /** A platform real people are on (not the local web chat): a rehearsal clock is refused with it. */
  real: boolean;
  /** Its environment variables, merged into config.ts's schema (documented in .env.example). */
  env: z.ZodRawShape;
  /** Its configuration section from the parsed environment; undefined when not configured. Throws ConfigError. */
  configure(env: Record<string, unknown>): Section | undefined;
  /** Values of its section that must never be logged. */
  secrets?(section: Section): (string | undefined)[];
  capabilities: Capabilities;
  /**
   * Whether a message from an attempt that died between claiming and confirming reached the chat
   * (looking for `marker` in what the bot posted since `since`); only a platform that keeps its own
   * transcript can tell.
   */
  probeDelivered?(app: App, chatId: string, marker: string, since: Date): Promise<boolean>;
  /**
   * How the first admin is made, told to `userId` on an installation with no admin at all. Default:
   * the installer sets ADMINS=<platform>:<userId>.
   */
  firstAdminHow?(userId: string): string;
  /**
   * A sender usable from a worker process without the platform's connection (jobs/worker-main.ts):
   * only a platform whose sends need no connection of its own (`connections: 'many'`) has one.
   */
  standaloneSender?(app: App, files: FileStore, section: Section): Promise<ChatSender>;
  create(ctx: PlatformContext, section: Section): Promise<RunningPlatform>;
}

/** A setting that may be left empty (`KEY=` copied from .env.example): empty means not set. */
export const optionalText = z.string().trim().optional().transform((v) => (v === '' ? undefined : v));

/** Declares a platform with its section type checked. */
export function definePlatform<Section>(def: PlatformDef<Section>): PlatformDef<Section> {
  return def;
}
