// Starts the reminder machinery next to the bot: the queue, the worker, the shared limiter and the
// reconciler (now and hourly), and wires the campaign hook so a changed deadline reschedules.
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { App } from '../src/core/app.js';
import { createReminderQueue, setReminderRuntime, type ReminderJobData, type ReminderQueue } from './reminder-queue.js';
import { createReminderWorker, type ReminderWorkerOptions } from './reminder-worker.js';
import { reconcileAll, reconcileCampaign } from './reconciler.js';
import { SendLimiter } from './send-limiter.js';

export interface RemindersHandle {
  queue: ReminderQueue;
  worker: Worker<ReminderJobData> | null;
  /** Finishes the messages in flight, then stops. */
  close(): Promise<void>;
}

export interface StartRemindersOptions extends ReminderWorkerOptions {
  /** False runs only the producer side (a separate process runs the worker). */
  worker?: boolean;
}

const RECONCILE_EVERY_MS = 3600_000;

export async function startReminders(app: App, connection: Redis, opts: StartRemindersOptions = {}): Promise<RemindersHandle> {
  const prefix = app.config.redisPrefix;
  const queue = createReminderQueue(connection, prefix);
  const worker = opts.worker === false ? null : createReminderWorker(app, connection, queue, new SendLimiter(connection, { prefix }), opts);
  // Closing a worker whose blocking connection is still initialising leaves an unhandled rejection
  // ("Connection is closed") behind: a stop right after a start (a crash loop, a quick test) must be clean.
  await worker?.waitUntilReady();
  const runtime = { queue, reconcileAll: () => reconcileAll(app, queue) };
  setReminderRuntime(app, runtime);
  app.hooks.campaignChanged = async (campaign) => {
    // A Redis hiccup must not fail the admin's command; the hourly reconcile catches up.
    await reconcileCampaign(app, queue, campaign).catch((err) => app.log.error({ campaign: campaign.year, err: (err as Error).message }, 'rescheduling reminders failed; will retry within the hour'));
  };
  await queue.upsertJobScheduler('reconcile', { every: RECONCILE_EVERY_MS }, { name: 'reconcile', data: { kind: 'reconcile' }, opts: { removeOnComplete: 24, removeOnFail: 100 } });
  await reconcileAll(app, queue).catch((err) => app.log.error({ err: (err as Error).message }, 'reminder reconcile at start failed'));
  return {
    queue,
    worker,
    async close() {
      setReminderRuntime(app, null);
      await worker?.close();
      await queue.close();
    },
  };
}
