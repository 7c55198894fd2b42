// Runs reminder jobs. A 'stage' job decides, when it fires, whether it is still the stage to send
// (after downtime only the latest passed stage goes out) and fans out one 'send' job per bound
// group. A 'send' job decides who is reminded at that moment, claims a ReminderDelivery row (unique
// key per deadline, stage and chat) before posting and marks it sent after, so a retried or stalled
// job never posts twice. Platform limits come from the shared Redis limiter; a platform's own
// "slow down" pauses the whole queue through BullMQ's rate-limit mechanism.
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { App } from '../src/core/app.js';
import type { Platform } from '../src/core/messages.js';
import { PermanentSendError, RateLimitedError } from '../src/core/send-errors.js';
import { parseCampaignSettings } from '../src/services/campaign-settings.js';
import { DEADLINE_LABELS, deadlineOf } from '../src/services/campaigns.js';
import { groupRollCall, rollCallMessage } from '../src/services/reminders.js';
import { addDays, shanghaiDate, shanghaiDateTime, shanghaiDateTimeText } from '../src/util/dates.js';
import { computeSchedule, currentStage } from './reminder-schedule.js';
import { QUEUE_NAME, SEND_JOB_OPTS, deliveryKey, sendJobId, type ReminderJobData, type ReminderQueue, type SendJobData, type StageJobData } from './reminder-queue.js';
import { reconcileAll } from './reconciler.js';
import type { SendLimiter } from './send-limiter.js';
import { loadCalendar, type Calendar } from './working-days.js';

/** A stage fired more than this late is a catch-up and waits for office hours on a working day. */
const LATE_MS = 60 * 60_000;
const OFFICE_HOURS = { from: '08:00', to: '20:00' };

/** Platforms whose send carries an idempotency key the platform itself honours (Lark's uuid). */
const IDEMPOTENT_PLATFORMS = new Set<Platform>(['lark']);

export interface ReminderWorkerOptions {
  concurrency?: number;
  /** How long a job's lock lasts; a killed worker's jobs are retried after it expires. */
  lockDuration?: number;
  stalledInterval?: number;
}

interface Ctx {
  app: App;
  queue: ReminderQueue;
  limiter: SendLimiter;
}

/** The next moment inside office hours on a working day, at the campaign's reminder time. */
export function nextSendWindow(now: Date, calendar: Calendar, time: string): Date | null {
  const today = shanghaiDate(now);
  const hhmm = shanghaiDateTimeText(now).slice(11);
  if (calendar.isWorkday(today) && hhmm >= OFFICE_HOURS.from && hhmm < OFFICE_HOURS.to) return null;
  let day = calendar.isWorkday(today) && hhmm < OFFICE_HOURS.from ? today : addDays(today, 1);
  for (let i = 0; i < 40 && !calendar.isWorkday(day); i++) day = addDays(day, 1);
  return shanghaiDateTime(day, time);
}

async function fanOut(ctx: Ctx, job: Job<ReminderJobData>, data: StageJobData, token?: string): Promise<string> {
  const { app, queue } = ctx;
  const campaign = await app.db.campaign.findUnique({ where: { id: data.campaignId } });
  if (!campaign) return 'campaign gone';
  if (deadlineOf(campaign, data.form) !== data.deadline) return 'deadline changed';
  const settings = parseCampaignSettings(campaign.settings).reminders;
  if (!settings.enabled) return 'reminders off';
  const calendar = await loadCalendar(app.db);
  const { stages } = computeSchedule({ deadline: data.deadline, settings, calendar });
  const me = stages.find((s) => s.stage === data.stage);
  if (!me) return 'stage no longer in the schedule';
  const now = app.now();
  const current = currentStage(stages, now);
  if (current && current.fireAt.getTime() > me.fireAt.getTime()) return `superseded by ${current.stage}`;
  const catchUp = now.getTime() - me.fireAt.getTime() > LATE_MS;
  if (catchUp) {
    const at = nextSendWindow(now, calendar, settings.time);
    if (at && token) {
      await job.moveToDelayed(at.getTime(), token);
      throw new DelayedError();
    }
  }
  const bindings = await app.db.chatBinding.findMany({ where: { campaignId: campaign.id }, orderBy: { id: 'asc' } });
  const jobs = bindings.map((b) => {
    const send: SendJobData = {
      kind: 'send', campaignId: campaign.id, form: data.form, deadline: data.deadline, stage: data.stage,
      platform: b.platform as Platform, chatId: b.chatId, ...(catchUp ? { catchUp } : {}), ...(me.notice ? { holiday: me.notice } : {}),
    };
    return { name: 'send', data: send as ReminderJobData, opts: { ...SEND_JOB_OPTS, jobId: sendJobId(send) } };
  });
  for (let i = 0; i < jobs.length; i += 500) await queue.addBulk(jobs.slice(i, i + 500));
  app.log.info({ campaign: campaign.year, form: data.form, stage: data.stage, chats: jobs.length, catchUp }, 'reminder stage fanned out');
  return `fanned out to ${jobs.length} chats`;
}

/**
 * Whether a message from an attempt that died between claiming and confirming reached the chat.
 * The local chat keeps its transcript in our database, so we can look; other platforms cannot tell.
 */
async function probeDelivered(app: App, data: SendJobData, since: Date): Promise<boolean | undefined> {
  if (data.platform !== 'local') return undefined;
  const found = await app.db.localChatMessage.findFirst({
    where: { chatId: data.chatId, fromBot: true, createdAt: { gte: new Date(since.getTime() - 1000) }, text: { contains: `【${DEADLINE_LABELS[data.form]}】` } },
  });
  return Boolean(found);
}

type Claim = 'claimed' | 'done';

/** Takes the delivery row for this send; 'done' when it was sent already or must not be re-sent. */
async function claim(app: App, data: SendJobData, key: string): Promise<Claim> {
  const db = app.db;
  try {
    await db.reminderDelivery.create({ data: { key, campaignId: data.campaignId, form: data.form, stage: data.stage, platform: data.platform, chatId: data.chatId, status: 'claimed', attempts: 1 } });
    return 'claimed';
  } catch (err) {
    if ((err as { code?: string }).code !== 'P2002') throw err;
  }
  const row = await db.reminderDelivery.findUnique({ where: { key } });
  if (!row || row.status === 'sent' || row.status === 'uncertain') return 'done';
  if (row.status === 'retry' || row.status === 'failed') {
    // Known not sent (the platform refused or was unreachable): take it again.
    const taken = await db.reminderDelivery.updateMany({ where: { key, status: row.status }, data: { status: 'claimed', attempts: { increment: 1 } } });
    return taken.count ? 'claimed' : 'done';
  }
  // 'claimed': an attempt died between claiming and confirming (worker killed, stalled).
  const delivered = await probeDelivered(app, data, row.updatedAt);
  if (delivered === true) {
    await db.reminderDelivery.update({ where: { key }, data: { status: 'sent', sentAt: new Date() } });
    return 'done';
  }
  if (delivered === false || IDEMPOTENT_PLATFORMS.has(data.platform)) {
    // Either we know it did not arrive, or the platform drops a repeat with the same idempotency key.
    await db.reminderDelivery.update({ where: { key }, data: { attempts: { increment: 1 } } });
    return 'claimed';
  }
  // Cannot know and cannot dedupe: at most once wins; the admin view lists it.
  await db.reminderDelivery.update({ where: { key }, data: { status: 'uncertain', error: 'worker stopped mid-send; not re-sent to avoid a duplicate' } });
  app.log.warn({ key }, 'reminder delivery uncertain after an interrupted send; not re-sent');
  return 'done';
}

async function deliver(ctx: Ctx, job: Job<ReminderJobData>, data: SendJobData, token?: string): Promise<string> {
  const { app, queue, limiter } = ctx;
  const db = app.db;
  const binding = await db.chatBinding.findUnique({ where: { platform_chatId: { platform: data.platform, chatId: data.chatId } }, include: { campaign: true } });
  if (!binding || binding.campaignId !== data.campaignId) return 'chat no longer bound to this campaign';
  const campaign = binding.campaign;
  if (deadlineOf(campaign, data.form) !== data.deadline) return 'deadline changed';
  const key = deliveryKey(data);
  const previous = await db.reminderDelivery.findUnique({ where: { key }, select: { status: true } });
  if (previous?.status === 'sent') return 'already sent';

  const sender = app.senders.get(data.platform);
  if (!sender) throw new Error(`no sender for platform ${data.platform} (adapter not started)`);

  // The platform slot first, so a parked job costs no database work; the slot counts until the
  // platform answers, so the time spent below cannot bunch messages up at the platform's side.
  const slot = await limiter.acquire(data.platform, data.chatId);
  if (slot.wait > 0) {
    if (!token) throw new Error('rate limited');
    // Spread the wake-ups a little so parked jobs do not all retry in the same millisecond.
    await job.moveToDelayed(Date.now() + slot.wait + Math.floor(Math.random() * 50), token);
    throw new DelayedError();
  }
  let message;
  try {
    // Who is reminded is decided now, not when the stage was scheduled.
    const summary = await groupRollCall(db, campaign, binding.unitId, data.form);
    if (!summary.missing.length) {
      await slot.cancel();
      return 'every unit has filed';
    }
    message = rollCallMessage(campaign, summary, { platform: data.platform, now: app.now(), holiday: data.holiday, catchUp: data.catchUp });
    if ((await claim(app, data, key)) === 'done') {
      await slot.cancel();
      return 'already handled';
    }
  } catch (err) {
    await slot.cancel();
    throw err;
  }
  try {
    await sender.send(data.chatId, [message], { idempotencyKey: key });
  } catch (err) {
    await slot.release();
    const msg = (err as Error).message;
    if (err instanceof RateLimitedError) {
      await db.reminderDelivery.update({ where: { key }, data: { status: 'retry', error: msg } });
      app.log.warn({ platform: data.platform, retryAfterMs: err.retryAfterMs }, 'platform rate limit: pausing the reminder queue');
      await queue.rateLimit(err.retryAfterMs);
      throw Worker.RateLimitError();
    }
    if (err instanceof PermanentSendError) {
      await db.reminderDelivery.update({ where: { key }, data: { status: 'failed', error: msg } });
      throw new UnrecoverableError(msg);
    }
    await db.reminderDelivery.update({ where: { key }, data: { status: 'retry', error: msg } });
    throw err;
  }
  await slot.release();
  await db.reminderDelivery.update({ where: { key }, data: { status: 'sent', sentAt: new Date(), error: null } });
  return `sent (${message.mentions?.length ?? 0} mentioned)`;
}

export function createReminderWorker(app: App, connection: Redis, queue: ReminderQueue, limiter: SendLimiter, opts: ReminderWorkerOptions = {}): Worker<ReminderJobData> {
  const ctx: Ctx = { app, queue, limiter };
  const worker = new Worker<ReminderJobData>(QUEUE_NAME, async (job, token) => {
    const data = job.data;
    if (data.kind === 'stage') return fanOut(ctx, job, data, token);
    if (data.kind === 'send') return deliver(ctx, job, data, token);
    await reconcileAll(app, queue);
    return 'reconciled';
  }, {
    connection, prefix: queue.opts.prefix, concurrency: opts.concurrency ?? 20,
    ...(opts.lockDuration ? { lockDuration: opts.lockDuration } : {}),
    ...(opts.stalledInterval ? { stalledInterval: opts.stalledInterval } : {}),
  });
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = err instanceof UnrecoverableError || err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    const data = job.data;
    if (!final) {
      app.log.warn({ jobId: job.id, attempt: job.attemptsMade, err: err.message }, 'reminder job failed; will retry with backoff');
      return;
    }
    app.log.error({ jobId: job.id, err: err.message }, 'reminder job failed for good (see /reminders and /admin/queues)');
    if (data.kind === 'send') {
      void app.db.reminderDelivery.updateMany({ where: { key: deliveryKey(data), NOT: { status: 'sent' } }, data: { status: 'failed', error: err.message } }).catch(() => undefined);
    }
  });
  worker.on('error', (err) => app.log.error({ err: err.message }, 'reminder worker error'));
  return worker;
}
