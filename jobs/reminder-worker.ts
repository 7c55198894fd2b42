// Runs reminder jobs. The planner works the planning queue: a 'stage' job decides, when it fires,
// whether it is still the stage to send (after downtime only the latest passed stage goes out) and
// fans out one 'send' job per bound group into the group's platform's queue. A send worker works
// one platform's queue, in a process that can post there: a 'send' job decides who is reminded at
// that moment, claims a ReminderDelivery row (unique key per deadline, stage and chat) before posting
// and marks it sent after, so a retried or stalled job never posts twice. Platform limits come from
// the shared Redis limiter; a platform's own "slow down" pauses that platform's queue through
// BullMQ's rate-limit mechanism. A fan-out sends thousands of these, so the statements every send
// runs are hand-written (store/sql.ts), as on the message path.
import { createHash } from 'node:crypto';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { App, SentParts } from '../src/core/app.js';
import { text, type Platform, type TextReply } from '../src/core/messages.js';
import { NotSentError, PermanentSendError, RateLimitedError } from '../src/core/send-errors.js';
import { parseCampaignSettings } from '../src/services/campaign-settings.js';
import { DEADLINE_LABELS, deadlineOf } from '../src/services/campaigns.js';
import { campaignTag, groupSummary, rollCallMessage } from '../src/services/reminders.js';
import { computeSchedule, currentStage, nextSendWindow } from './reminder-schedule.js';
import { ALERT_FORM, QUEUE_NAME, SEND_JOB_OPTS, sendQueueName, alertDeliveryKey, alertStage, deliveryKey, sendJobId, type AlertJobData, type ReminderJobData, type ReminderQueues, type SendJobData, type StageJobData } from './reminder-queue.js';
import { WEEKLY_GAP_MS, calendarAlertText, calendarGaps } from './calendar-alerts.js';
import { lastCalendarMessage, reconcileAll } from './reconciler.js';
import type { SendLimiter } from './send-limiter.js';
import { loadCalendar } from './working-days.js';
import { capabilitiesOf, platformDef } from '../src/platforms/index.js';
import { throttled } from '../src/redis.js';
import { getBinding } from '../src/services/members.js';
import { sql } from '../src/store/sql.js';

/** A stage fired more than this late is a catch-up and waits for office hours on a working day. */
const LATE_MS = 60 * 60_000;


export interface ReminderWorkerOptions {
  /**
   * Jobs run at once by each worker. A send worker's default is as many as the platform allows in
   * its shortest app-wide window (Lark: 50 a second), at least 20: each waits in the process for its
   * own next free slot, so a second's worth of them keeps every slot used.
   */
  concurrency?: number;
  /** How long a job's lock lasts; a killed worker's jobs are retried after it expires. */
  lockDuration?: number;
  stalledInterval?: number;
}

interface Ctx {
  app: App;
  queues: ReminderQueues;
  limiter: SendLimiter;
}

async function fanOut(ctx: Ctx, job: Job<ReminderJobData>, data: StageJobData, token?: string): Promise<string> {
  const { app, queues } = ctx;
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
  for (const platform of new Set(bindings.map((b) => b.platform as Platform))) {
    const mine = jobs.filter((j) => (j.data as SendJobData).platform === platform);
    for (let i = 0; i < mine.length; i += 500) await queues.send(platform).addBulk(mine.slice(i, i + 500));
  }
  app.log.info({ campaign: campaign.year, form: data.form, stage: data.stage, chats: jobs.length, catchUp }, 'reminder stage fanned out');
  return `fanned out to ${jobs.length} chats`;
}

/** One message to one chat, at most once: the ReminderDelivery row it claims and what to look for in a transcript. */
interface Delivery {
  key: string;
  campaignId: number;
  /** A deadline form, or "calendar" for calendar messages. */
  form: string;
  stage: string;
  platform: Platform;
  chatId: string;
  /** Text every such message carries, to recognise it in the local chat's transcript. */
  marker: string;
}

/**
 * Whether a message from an attempt that died between claiming and confirming reached the chat: only
 * a platform that keeps its own transcript can tell (the local chat); others leave it unknown.
 */
async function probeDelivered(app: App, d: Delivery, since: Date): Promise<boolean | undefined> {
  const probe = platformDef(d.platform)?.probeDelivered;
  return probe ? probe(app, d.chatId, d.marker, since) : undefined;
}

type Claim = 'claimed' | 'done';

/**
 * The parts of a delivery the platform took (ReminderDelivery.sentParts: "index:hash" each), so that a
 * retry after a later part failed posts only the rest. A part is known by its place and by what it
 * says: when the roll-call changed since (a unit filed meanwhile), its parts are new and go out.
 */
function sentPartsOf(app: App, key: string, noted: string): SentParts {
  const taken = new Set(noted.split(' ').filter(Boolean));
  const token = (index: number, content: string) => `${index}:${createHash('sha256').update(content).digest('hex').slice(0, 16)}`;
  return {
    has: (index, content) => taken.has(token(index, content)),
    async add(index, content) {
      taken.add(token(index, content));
      // The part went out whatever happens here: failing the send would post it again on the retry.
      // Unnoted, it is posted again only if a later part fails as well.
      await sql(app.db)`UPDATE "ReminderDelivery" SET "sentParts" = ${[...taken].join(' ')} WHERE "key" = ${key}`.catch((err: unknown) => {
        app.log.warn({ key, part: index, err }, 'could not note a sent part of a reminder');
      });
    },
  };
}

/** A reminder the platform could not hand over before stopping is tried again this much later. */
const NOT_SENT_RETRY_MS = 5_000;
/**
 * Longest a message waits for its slot in the process (a timer) rather than parked (moveToDelayed).
 * A waiting job holds one of the worker's places (ReminderWorkerOptions.concurrency); the rest of a
 * fan-out waits in the queue, not polling. Longer waits (a full minute window) are parked.
 */
const WAIT_IN_PROCESS_MS = 2000;
/** Longest a further part of a message (its first part sent) waits for its slot: a full minute window. */
const PART_WAIT_MS = 65_000;
/** A parked job comes back this long before its slot, for BullMQ to bring it back and the message to be built. */
const BACK_EARLY_MS = 200;

/** Takes the delivery row for this send; 'done' when it was sent already or must not be re-sent. */
async function claim(app: App, d: Delivery): Promise<Claim> {
  const db = app.db;
  const { key } = d;
  // The first attempt, by far the most common, is one statement (see store/sql.ts); a row that
  // exists already is left alone and looked at below.
  const now = new Date();
  const created = await sql(db)<{ id: number }>`
    INSERT INTO "ReminderDelivery" ("key", "campaignId", "form", "stage", "platform", "chatId", "status", "attempts", "createdAt", "updatedAt")
    VALUES (${key}, ${d.campaignId}, ${d.form}, ${d.stage}, ${d.platform}, ${d.chatId}, 'claimed', 1, ${now}, ${now})
    ON CONFLICT ("key") DO NOTHING RETURNING "id"`;
  if (created.length) return 'claimed';
  const row = await db.reminderDelivery.findUnique({ where: { key } });
  if (!row || row.status === 'sent' || row.status === 'uncertain') return 'done';
  if (row.status === 'retry' || row.status === 'failed') {
    // Known not sent (the platform refused or was unreachable): take it again.
    const taken = await db.reminderDelivery.updateMany({ where: { key, status: row.status }, data: { status: 'claimed', attempts: { increment: 1 } } });
    return taken.count ? 'claimed' : 'done';
  }
  // 'claimed': an attempt died between claiming and confirming (worker killed, stalled).
  const delivered = await probeDelivered(app, d, row.updatedAt);
  if (delivered === true) {
    await db.reminderDelivery.update({ where: { key }, data: { status: 'sent', sentAt: app.now() } });
    return 'done';
  }
  // The platform drops a repeat only within its window from the first attempt (the row's creation; wall-clock
  // time, like the platform's own).
  if (delivered === false || Date.now() - row.createdAt.getTime() < capabilitiesOf(d.platform).idempotentSendMs) {
    // Either we know it did not arrive, or the platform drops a repeat with the same idempotency key.
    await db.reminderDelivery.update({ where: { key }, data: { attempts: { increment: 1 } } });
    return 'claimed';
  }
  // Cannot know and cannot dedupe: at most once wins; the admin view lists it.
  await db.reminderDelivery.update({ where: { key }, data: { status: 'uncertain', error: 'worker stopped mid-send; not re-sent to avoid a duplicate' } });
  app.log.warn({ key }, 'reminder delivery uncertain after an interrupted send; not re-sent');
  return 'done';
}

/**
 * Sends what `build` decides at this moment (a string is the reason to send nothing), under the
 * platform's rate limit, claiming the delivery row first so a retried or stalled job never posts twice.
 */
async function sendOnce(ctx: Ctx, job: Job<ReminderJobData>, token: string | undefined, d: Delivery, build: () => Promise<TextReply | string>): Promise<string> {
  const { app, queues, limiter } = ctx;
  const db = app.db;
  const { key } = d;
  const [previous] = await sql(db)<{ status: string; sentParts: string }>`SELECT "status", "sentParts" FROM "ReminderDelivery" WHERE "key" = ${key}`;
  if (previous?.status === 'sent') return 'already sent';

  const sender = app.senders.get(d.platform);
  if (!sender) throw new Error(`no sender for platform ${d.platform} (adapter not started)`);

  // The message is built first, so the database work is not in the gap between two messages' slots
  // (a waiting message's slot frees at a moment known in advance; it is ready to go then). A job
  // parked for a long wait builds it again when it is back: who is reminded is decided then.
  const built = await build();
  if (typeof built === 'string') return built;
  const message: TextReply = built;
  // The slot counts until the platform answers, so the time spent below cannot bunch messages up at
  // the platform's side. A short wait for it is spent here; a long one (a full minute window) parks
  // the job, which keeps its place among this process's waiting messages.
  const slot = await limiter.take(d.platform, d.chatId, `${job.id}`, WAIT_IN_PROCESS_MS);
  if (slot.wait > 0) {
    if (!token) throw new Error('rate limited');
    await job.moveToDelayed(Date.now() + slot.wait - BACK_EARLY_MS, token);
    throw new DelayedError();
  }
  // The delivery row is claimed when the sender hands the message over (after any pacing wait of its
  // own), so a send still waiting when the process stops was never claimed and goes out after the restart.
  let claimed: Claim | null = null;
  // The first part's slot is given back (stamped with its answer) once, whichever comes first: the
  // next part asking for its own — the sender asks only after the first part was answered, and a
  // message holding its slot while waiting for another could, with enough such messages, hold every
  // slot of a window — or the end of the send.
  let firstReleased = false;
  const releaseFirst = async () => {
    if (firstReleased) return;
    firstReleased = true;
    await slot.release();
  };
  // A message the platform takes in several parts (a long roll-call) spends a slot per part.
  let parts = 1;
  const nextPart = async () => {
    await releaseFirst();
    const more = await limiter.take(d.platform, d.chatId, `${job.id}#${parts++}`, PART_WAIT_MS);
    if (more.wait > 0) throw new RateLimitedError(more.wait, `no ${d.platform} send slot for the next part within ${PART_WAIT_MS} ms`);
    return more.release;
  };
  const handOff = async () => (claimed ??= await claim(app, d)) === 'claimed';
  try {
    await sender.send(d.chatId, [message], { idempotencyKey: key, handOff, paced: nextPart, sentParts: sentPartsOf(app, key, previous?.sentParts ?? '') });
  } catch (err) {
    await releaseFirst();
    const msg = (err as Error).message;
    const handedOver = claimed === 'claimed';
    // The row records what happened to a message that was handed over; one that never was (a refusal
    // before its turn) gets a row only when an admin must see it.
    const settle = (status: 'retry' | 'failed', error: string) => (handedOver
      ? db.reminderDelivery.update({ where: { key }, data: { status, error } })
      : db.reminderDelivery.upsert({ where: { key }, create: { key, campaignId: d.campaignId, form: d.form, stage: d.stage, platform: d.platform, chatId: d.chatId, status, error, attempts: 0 }, update: { status, error } }));
    if (err instanceof NotSentError && !handedOver && token) {
      // The platform is stopping and nothing was handed over: back a little later, no attempt spent.
      app.log.info({ key }, 'reminder not sent before shutdown; it goes out after the restart');
      await job.moveToDelayed(Date.now() + NOT_SENT_RETRY_MS, token);
      throw new DelayedError();
    }
    if (err instanceof RateLimitedError) {
      if (handedOver) await settle('retry', msg);
      app.log.warn({ platform: d.platform, retryAfterMs: err.retryAfterMs }, 'platform rate limit: pausing its reminder queue');
      await queues.send(d.platform).rateLimit(err.retryAfterMs);
      throw Worker.RateLimitError();
    }
    if (err instanceof PermanentSendError) {
      // What an admin acts on goes first (shown by /reminders); the platform's own words follow for the
      // log. The job fails with the same text, which the 'failed' handler stores again.
      const error = err.reason ? `${err.reason}｜${msg}` : msg;
      await settle('failed', error);
      throw new UnrecoverableError(error);
    }
    if (handedOver) await settle('retry', msg);
    throw err;
  }
  await releaseFirst();
  if (claimed === null) throw new Error(`the ${d.platform} sender returned without handing the message over (SendOptions.handOff not called)`);
  if (claimed === 'done') return 'already handled';
  await sql(db)`UPDATE "ReminderDelivery" SET "status" = 'sent', "sentAt" = ${app.now()}, "error" = NULL, "updatedAt" = ${new Date()} WHERE "key" = ${key}`;
  return `sent (${message.mentions?.length ?? 0} mentioned)`;
}

async function deliver(ctx: Ctx, job: Job<ReminderJobData>, data: SendJobData, token?: string): Promise<string> {
  const { app } = ctx;
  // The group's unit is archived: it is unbound as far as its members see (getBinding), so no reminder.
  const binding = await getBinding(app.db, data.platform, data.chatId);
  if (!binding || binding.campaignId !== data.campaignId) return 'chat no longer bound to this campaign';
  const campaign = binding.campaign;
  if (deadlineOf(campaign, data.form) !== data.deadline) return 'deadline changed';
  const d: Delivery = { key: deliveryKey(data), campaignId: data.campaignId, form: data.form, stage: data.stage, platform: data.platform, chatId: data.chatId, marker: `【${DEADLINE_LABELS[data.form]}】` };
  return sendOnce(ctx, job, token, d, async () => {
    // Who is reminded is decided now, not when the stage was scheduled.
    const summary = await groupSummary(app.db, campaign, binding.unitId, data.form);
    if (!summary.missing.length) return 'every unit has filed';
    return rollCallMessage(campaign, summary, { platform: data.platform, now: app.now(), holiday: data.holiday, catchUp: data.catchUp, tag: await campaignTag(app.db, campaign) });
  });
}

async function deliverAlert(ctx: Ctx, job: Job<ReminderJobData>, data: AlertJobData, token?: string): Promise<string> {
  const { app } = ctx;
  const binding = await app.db.chatBinding.findUnique({ where: { platform_chatId: { platform: data.platform, chatId: data.chatId } }, include: { campaign: true } });
  if (!binding || binding.campaignId !== data.campaignId) return 'chat no longer bound to this campaign';
  const d: Delivery = { key: alertDeliveryKey(data), campaignId: data.campaignId, form: ALERT_FORM, stage: alertStage(data), platform: data.platform, chatId: data.chatId, marker: '【放假安排】' };
  return sendOnce(ctx, job, token, d, async () => {
    // Decided now: the notice may have been pasted, or another message gone out, since it was queued.
    const calendar = await loadCalendar(app.db);
    const gap = calendarGaps(binding.campaign, calendar).find((g) => g.year === data.year);
    if (!gap) return 'calendar settled';
    if (data.occasion === 'weekly') {
      const last = await lastCalendarMessage(app, data.campaignId, data.year, data.platform, data.chatId);
      if (last && app.now().getTime() - last.getTime() < WEEKLY_GAP_MS) return 'told recently';
    }
    return text(calendarAlertText(binding.campaign, [gap], data.occasion));
  });
}

/** What a failed job leaves behind: a retry is logged, a final failure is written to its delivery row. */
function onFailed(app: App, worker: Worker<ReminderJobData>): void {
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = err instanceof UnrecoverableError || err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    const data = job.data;
    if (!final) {
      app.log.warn({ jobId: job.id, attempt: job.attemptsMade, err: err.message }, 'reminder job failed; will retry with backoff');
      return;
    }
    app.log.error({ jobId: job.id, err: err.message }, 'reminder job failed for good (see /reminders and /admin/queues)');
    if (data.kind === 'send' || data.kind === 'alert') {
      const key = data.kind === 'send' ? deliveryKey(data) : alertDeliveryKey(data);
      void app.db.reminderDelivery.updateMany({ where: { key, NOT: { status: 'sent' } }, data: { status: 'failed', error: err.message } }).catch(() => undefined);
    }
  });
  // A worker whose Redis is gone reports it on every retry; the connection's own log says it once a minute.
  const complain = throttled(60_000);
  worker.on('error', (err) => complain((repeats) => app.log.error({ err: err.message, queue: worker.name, ...(repeats ? { repeats } : {}) }, 'reminder worker error')));
}

function workerOptions(queues: ReminderQueues, connection: Redis, opts: ReminderWorkerOptions, concurrency = 20) {
  return {
    connection, prefix: queues.prefix, concurrency: opts.concurrency ?? concurrency,
    ...(opts.lockDuration ? { lockDuration: opts.lockDuration } : {}),
    ...(opts.stalledInterval ? { stalledInterval: opts.stalledInterval } : {}),
  };
}

/** Works the planning queue: stages fan out into the platforms' send queues. Any process may run one. */
export function createPlannerWorker(app: App, connection: Redis, queues: ReminderQueues, limiter: SendLimiter, opts: ReminderWorkerOptions = {}): Worker<ReminderJobData> {
  const ctx: Ctx = { app, queues, limiter };
  const worker = new Worker<ReminderJobData>(QUEUE_NAME, async (job, token) => {
    const data = job.data;
    if (data.kind === 'stage') return fanOut(ctx, job, data, token);
    // Sends queued here by an older version go out from here, once.
    if (data.kind === 'send') return deliver(ctx, job, data, token);
    if (data.kind === 'alert') return deliverAlert(ctx, job, data, token);
    await reconcileAll(app, queues);
    return 'reconciled';
  }, workerOptions(queues, connection, opts));
  onFailed(app, worker);
  return worker;
}

/** Works `platform`'s send queue: run it only where that platform's sender is (app.senders). */
export function createSendWorker(app: App, connection: Redis, queues: ReminderQueues, platform: Platform, limiter: SendLimiter, opts: ReminderWorkerOptions = {}): Worker<ReminderJobData> {
  const ctx: Ctx = { app, queues, limiter };
  queues.send(platform);
  const worker = new Worker<ReminderJobData>(sendQueueName(platform), async (job, token) => {
    const data = job.data;
    if (data.kind === 'send') return deliver(ctx, job, data, token);
    if (data.kind === 'alert') return deliverAlert(ctx, job, data, token);
    return `not a send job (${data.kind})`;
  }, workerOptions(queues, connection, opts, Math.max(20, limiter.burst(platform))));
  onFailed(app, worker);
  return worker;
}
