// What every handler, job and adapter gets: configuration, the database, the logger, the clock and
// the ways out to each chat platform.
import type { Config } from '../config.js';
import type { Db } from '../store/client.js';
import type { Logger } from '../logger.js';
import type { Campaign } from '../store/models.js';
import type { Platform, Reply } from './messages.js';

export interface SendOptions {
  /** A stable key per logical message, so a retried job cannot post twice (Lark's uuid). */
  idempotencyKey?: string;
  /**
   * Called once, right before the first part is handed to the platform (after any pacing wait): the
   * reminder queue claims its delivery row here, so a send still waiting in a platform's queue when
   * the process stops was never claimed and is simply sent after the restart. False: already
   * handled elsewhere, send nothing.
   */
  handOff?: () => Promise<boolean>;
  /**
   * Set when the caller paces its messages in the shared limiter (jobs/send-limiter.ts, the platform's
   * limits across processes). The caller took the first part's slot already; before each further part
   * (a long text split in two) the sender calls this, goes when it resolves, and calls what it returned
   * once the platform has answered. The sender's own pacing must not wait as well: two limiters stacked
   * would halve the rate a reminder fan-out could use, and neither would see every message.
   */
  paced?: NextPart;
  /**
   * The parts of this message the platform took on an earlier attempt (a long roll-call sent in
   * several parts, a later one of which failed): the sender skips a part found here, and notes each
   * part the platform takes. WeCom and WeChat have no idempotency key and would post them twice.
   */
  sentParts?: SentParts;
}

/** Which parts of a message went out, by their place in it and what they say. */
export interface SentParts {
  has(index: number, content: string): boolean;
  add(index: number, content: string): Promise<void>;
}

/** Takes the shared limiter's slot for one more part of a message; resolves with "the platform answered". */
export type NextPart = () => Promise<() => Promise<void>>;

/** A platform's way of posting into a chat outside a reply (reminders, scheduled messages). */
export interface ChatSender {
  platform: Platform;
  send(chatId: string, replies: Reply[], opts?: SendOptions): Promise<void>;
}

/**
 * What became of a campaign change's reminders: rescheduled now, or later (the queue did not answer
 * in time; the change itself is saved and its reminders follow when the queue is back).
 */
export type ScheduleOutcome = 'scheduled' | 'later';

/** Things other parts react to (the reminder scheduler reschedules when deadlines move). */
export interface AppHooks {
  campaignChanged(campaign: Campaign): Promise<ScheduleOutcome>;
}

export interface App {
  config: Config;
  db: Db;
  log: Logger;
  /** The clock; tests move it, nothing else should call Date.now() for business decisions. */
  now(): Date;
  senders: Map<Platform, ChatSender>;
  hooks: AppHooks;
}
