// Starts the reminder machinery in a process: the queues (every process adds jobs), the planner
// (stage jobs fan out into the platforms' send queues) where this process plans, a send worker per
// platform this process can post to, and the reconciler. The database is the source of truth: the
// reconciler recreates every job that should exist at start, every 10 minutes, and at once when Redis
// comes back empty (a restart without persistence, a flush), so losing Redis loses no reminder. While
// Redis is down a changed deadline is saved and answered at once; its jobs follow when Redis is back.
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { App, ScheduleOutcome } from '../src/core/app.js';
import type { Platform } from '../src/core/messages.js';
import type { Campaign } from '../src/store/models.js';
import { ReminderQueues, setReminderRuntime, type ReminderJobData, type ReminderQueue } from './reminder-queue.js';
import { createPlannerWorker, createSendWorker, type ReminderWorkerOptions } from './reminder-worker.js';
import { reconcileAll, reconcileCampaign } from './reconciler.js';
import { SendLimiter } from './send-limiter.js';
import { PLATFORMS } from '../src/platforms/index.js';
import { throttled } from '../src/redis.js';

export interface RemindersHandle {
  /** The planning queue (stage jobs). */
  queue: ReminderQueue;
  /** The planning queue and every platform's send queue. */
  queues: ReminderQueues;
  /** Starts working `platform`'s send queue here (its sender is in app.senders); idempotent. */
  sendOn(platform: Platform): Promise<void>;
  /** Stops working `platform`'s send queue here, after the message in flight. */
  stopSending(platform: Platform): Promise<void>;
  /** Finishes the messages in flight, then stops. */
  close(): Promise<void>;
}

export interface StartRemindersOptions extends ReminderWorkerOptions {
  /** Whether this process runs the planner and the reconciler (REMINDERS=on); producers always run. */
  plan?: boolean;
  /** The platforms whose send queues this process works from the start. */
  sendOn?: Platform[];
  /** How often every job is reconciled with the database (default 10 minutes). */
  reconcileEveryMs?: number;
  /** How often Redis is checked for having lost its data (default 10 s). */
  watchEveryMs?: number;
  /** The shared limiter (tests and benches replace its windows). */
  limiter?: SendLimiter;
}

/**
 * Tuning knobs from the environment, read the same way by bot and worker processes: how long a dead
 * process's jobs stay locked (REMINDER_LOCK_MS), how many jobs run at once (REMINDER_CONCURRENCY; by
 * default 20, and for a send worker as many as its platform allows in a second, Lark's 50, since each
 * waits in the process for its own slot), and a pace for the local chat (REMINDER_LOCAL_PER_SECOND),
 * which has no platform limit of its own.
 */
export function reminderTuning(app: App, redis: Redis, env: NodeJS.ProcessEnv = process.env): Pick<StartRemindersOptions, 'lockDuration' | 'stalledInterval' | 'concurrency' | 'limiter'> {
  const lockDuration = Number(env.REMINDER_LOCK_MS) || undefined;
  const localPerSecond = Number(env.REMINDER_LOCAL_PER_SECOND) || 0;
  return {
    ...(lockDuration ? { lockDuration, stalledInterval: lockDuration } : {}),
    ...(Number(env.REMINDER_CONCURRENCY) ? { concurrency: Number(env.REMINDER_CONCURRENCY) } : {}),
    limiter: new SendLimiter(redis, {
      prefix: app.config.redisPrefix,
      limits: localPerSecond ? { local: [{ scope: 'app', max: localPerSecond, durationMs: 1000 }] } : undefined,
      margin: 0,
    }),
  };
}

const RECONCILE_EVERY_MS = 10 * 60_000;
const WATCH_EVERY_MS = 10_000;
/** How long a command waits for its reminders to be rescheduled before it answers anyway. */
const RESCHEDULE_WAIT_MS = 2000;

export async function startReminders(app: App, connection: Redis, opts: StartRemindersOptions = {}): Promise<RemindersHandle> {
  const prefix = app.config.redisPrefix;
  const complain = throttled(60_000);
  const queues = new ReminderQueues(connection, prefix, PLATFORMS.map((p) => p.name), (err) => complain((repeats) => app.log.debug({ err: err.message, ...(repeats ? { repeats } : {}) }, 'reminder queue error')));
  const limiter = opts.limiter ?? new SendLimiter(connection, { prefix });
  const planner = opts.plan === false ? null : createPlannerWorker(app, connection, queues, limiter, opts);
  const senders = new Map<Platform, Worker<ReminderJobData>>();
  const sendOn = async (platform: Platform) => {
    if (senders.has(platform)) return;
    const worker = createSendWorker(app, connection, queues, platform, limiter, opts);
    senders.set(platform, worker);
    // Closing a worker whose blocking connection is still initialising leaves an unhandled rejection
    // ("Connection is closed") behind: a stop right after a start (a crash loop, a quick test) must be clean.
    await worker.waitUntilReady();
  };
  await planner?.waitUntilReady();
  for (const p of opts.sendOn ?? []) await sendOn(p);

  const runtime = { queues, reconcileAll: () => reconcileAll(app, queues) };
  setReminderRuntime(app, runtime);
  // Sentinel of a Redis that still holds our jobs: gone after a restart without persistence or a flush.
  const kept = `${prefix}:reminders:kept`;
  let behind = false; // a change could not be scheduled (Redis down): reconcile everything when it is back
  const reconcileEverything = async (why: string) => {
    try {
      await reconcileAll(app, queues);
      await connection.set(kept, new Date().toISOString());
      behind = false;
    } catch (err) {
      behind = true;
      app.log.error({ err: (err as Error).message, why }, 'reminder reconcile failed; will retry');
    }
  };
  app.hooks.campaignChanged = async (campaign: Campaign): Promise<ScheduleOutcome> => {
    if (connection.status !== 'ready') {
      behind = true;
      return 'later';
    }
    const work = reconcileCampaign(app, queues, campaign).then(() => 'scheduled' as const, (err) => {
      behind = true;
      app.log.error({ campaign: campaign.year, err: (err as Error).message }, 'rescheduling reminders failed; will retry when the queue answers');
      return 'later' as const;
    });
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([work, new Promise<'later'>((r) => { timer = setTimeout(() => r('later'), RESCHEDULE_WAIT_MS); })]);
    clearTimeout(timer);
    if (outcome === 'later') behind = true;
    return outcome;
  };
  // Jobs scheduled by an older version: the reconciler now runs on a timer in the planning processes,
  // which survives Redis losing its data (a job scheduler would be lost with it).
  await queues.planner.removeJobScheduler('reconcile').catch(() => undefined);

  const timers: NodeJS.Timeout[] = [];
  let closed = false;
  let watching = Promise.resolve();
  if (planner) {
    await reconcileEverything('start');
    timers.push(setInterval(() => void reconcileEverything('every 10 minutes'), opts.reconcileEveryMs ?? RECONCILE_EVERY_MS));
    const watch = async () => {
      if (closed || connection.status !== 'ready') return;
      try {
        if (behind) return await reconcileEverything('queue back after changes it missed');
        if (!(await connection.exists(kept))) {
          app.log.warn('Redis came back without the reminder jobs (restarted without persistence, or flushed): recreating them from the database');
          await reconcileEverything('redis empty');
        }
      } catch {
        // Redis went away between the status check and the command: the next look will tell.
      }
    };
    timers.push(setInterval(() => { watching = watching.then(watch); }, opts.watchEveryMs ?? WATCH_EVERY_MS));
    connection.on('ready', () => { watching = watching.then(watch); });
  }
  for (const t of timers) t.unref();

  return {
    queue: queues.planner,
    queues,
    sendOn,
    async stopSending(platform) {
      const worker = senders.get(platform);
      senders.delete(platform);
      await worker?.close();
    },
    async close() {
      closed = true;
      for (const t of timers) clearInterval(t);
      await watching;
      setReminderRuntime(app, null);
      // With Redis down a worker would wait for it forever to finish cleanly: then it stops at once
      // (a job it held is retried by another process once its lock runs out; its delivery row keeps
      // it from going out twice).
      const force = connection.status !== 'ready';
      if (force) app.log.warn('stopping the reminder workers without Redis: jobs in flight will be retried');
      await Promise.all([planner, ...senders.values()].map((w) => w?.close(force)));
      await queues.close();
    },
  };
}
