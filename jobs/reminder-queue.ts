// The reminder queues: job shapes, deterministic job ids and the options every job carries.
// A 'stage' job per (campaign, form, deadline, stage) fires at the stage's time in the planning queue
// ("reminders") and fans out one 'send' job per bound group (so a group bound mid-year is picked up)
// into that group's platform's own queue ("reminders-lark", "reminders-wechat"…). Sends are queued per
// platform because not every process can send everywhere: only the process holding the WeChat login
// can post to WeChat, while any process can post to Lark. Each process works the queues of the
// platforms it can reach, and a platform's "slow down" pauses that platform's queue alone.
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { App } from '../src/core/app.js';
import type { Platform } from '../src/core/messages.js';
import type { DeadlineForm } from '../src/services/campaigns.js';
import type { HolidayNotice } from './reminder-schedule.js';

export const QUEUE_NAME = 'reminders';

export interface StageJobData {
  kind: 'stage';
  campaignId: number;
  form: DeadlineForm;
  deadline: string;
  stage: string;
  fireAt: string;
}

export interface SendJobData {
  kind: 'send';
  campaignId: number;
  form: DeadlineForm;
  deadline: string;
  stage: string;
  platform: Platform;
  chatId: string;
  catchUp?: boolean;
  holiday?: HolidayNotice;
}

/** A message to a federation's group that a year's holidays are only estimated (calendar-alerts.ts). */
export interface AlertJobData {
  kind: 'alert';
  campaignId: number;
  year: number;
  occasion: 'weekly' | 'soon';
  /** The Monday naming a weekly message, so one week's message is queued once. */
  week: string;
  platform: Platform;
  chatId: string;
}

export interface ReconcileJobData {
  kind: 'reconcile';
}

export type ReminderJobData = StageJobData | SendJobData | AlertJobData | ReconcileJobData;
export type ReminderQueue = Queue<ReminderJobData>;

// BullMQ ids may not contain ':' nor be all digits; chat ids can contain anything, so they are
// base64url-encoded (letters, digits, '-' and '_'), which also keeps the id reversible.
const chatPart = (platform: Platform, chatId: string) => `${platform}_${Buffer.from(chatId, 'utf8').toString('base64url')}`;

export function stageJobId(d: Pick<StageJobData, 'campaignId' | 'form' | 'deadline' | 'stage'>): string {
  return `stage_${d.campaignId}_${d.form}_${d.deadline}_${d.stage}`;
}

export function sendJobId(d: Pick<SendJobData, 'campaignId' | 'form' | 'deadline' | 'stage' | 'platform' | 'chatId'>): string {
  return `send_${d.campaignId}_${d.form}_${d.deadline}_${d.stage}_${chatPart(d.platform, d.chatId)}`;
}

/** The ReminderDelivery key: one row per (deadline, stage, chat), so each goes out at most once. */
export function deliveryKey(d: Pick<SendJobData, 'campaignId' | 'form' | 'deadline' | 'stage' | 'platform' | 'chatId'>): string {
  return `${d.campaignId}|${d.form}|${d.deadline}|${d.stage}|${d.platform}|${d.chatId}`;
}

const alertPart = (d: Pick<AlertJobData, 'year' | 'occasion' | 'week'>) => `${d.year}_${d.occasion === 'soon' ? 'soon' : `w${d.week}`}`;

export function alertJobId(d: Omit<AlertJobData, 'kind'>): string {
  return `alert_${d.campaignId}_${alertPart(d)}_${chatPart(d.platform, d.chatId)}`;
}

/** Calendar messages share the delivery table: form "calendar", stage "<year>_soon" or "<year>_w<monday>". */
export const ALERT_FORM = 'calendar';
export function alertStage(d: Pick<AlertJobData, 'year' | 'occasion' | 'week'>): string {
  return alertPart(d);
}

export function alertDeliveryKey(d: Omit<AlertJobData, 'kind'>): string {
  return `${d.campaignId}|${ALERT_FORM}|${alertPart(d)}|${d.platform}|${d.chatId}`;
}

const DAY = 86_400_000;

/** Completed stage jobs stay long enough that the hourly reconciler's re-add of the current stage is ignored. */
export const STAGE_JOB_OPTS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 10_000, jitter: 0.5 },
  removeOnComplete: { age: (90 * DAY) / 1000 },
  removeOnFail: { age: (90 * DAY) / 1000 },
};

export const SEND_JOB_OPTS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 },
  removeOnComplete: { age: (30 * DAY) / 1000, count: 50_000 },
  removeOnFail: { age: (60 * DAY) / 1000 },
};

export function createReminderQueue(connection: Redis, prefix: string): ReminderQueue {
  return new Queue<ReminderJobData>(QUEUE_NAME, { connection, prefix });
}

/** The queue of one platform's sends (roll-calls and calendar messages). */
export function sendQueueName(platform: Platform): string {
  return `${QUEUE_NAME}-${platform}`;
}

/** The planning queue and each platform's send queue, opened on first use. */
export class ReminderQueues {
  readonly planner: ReminderQueue;
  private readonly sends = new Map<Platform, ReminderQueue>();

  /** Errors of any queue's connection (Redis down): the connection's own log says it once a minute. */
  private readonly onError: (err: Error) => void;

  constructor(private readonly connection: Redis, readonly prefix: string, platforms: readonly Platform[] = [], onError?: (err: Error) => void) {
    this.onError = onError ?? (() => undefined);
    this.planner = createReminderQueue(connection, prefix);
    // Without a listener BullMQ prints every such error to stderr.
    this.planner.on('error', this.onError);
    for (const p of platforms) this.send(p);
  }

  /** Where sends to `platform`'s chats wait. */
  send(platform: Platform): ReminderQueue {
    let queue = this.sends.get(platform);
    if (!queue) {
      queue = new Queue<ReminderJobData>(sendQueueName(platform), { connection: this.connection, prefix: this.prefix });
      queue.on('error', this.onError);
      this.sends.set(platform, queue);
    }
    return queue;
  }

  /** Every queue opened so far: the planner first. */
  all(): ReminderQueue[] {
    return [this.planner, ...this.sends.values()];
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((q) => q.close()));
  }
}

/** What handlers reach through the app: the running queue and the reconciler. */
export interface ReminderRuntime {
  queues: ReminderQueues;
  reconcileAll(): Promise<void>;
}

const runtimes = new WeakMap<App, ReminderRuntime>();

export function setReminderRuntime(app: App, runtime: ReminderRuntime | null): void {
  if (runtime) runtimes.set(app, runtime);
  else runtimes.delete(app);
}

export function reminderRuntime(app: App): ReminderRuntime | undefined {
  return runtimes.get(app);
}
