// Makes Redis agree with the database: for every campaign deadline, the stage jobs that should be
// waiting exist (deterministic ids, so adding twice is harmless) and stage or send jobs for a
// deadline or settings that no longer apply are removed. The database is the source of truth: this
// runs at start, every 10 minutes, at once when Redis comes back empty (jobs/start-reminders.ts), and
// whenever a campaign, its reminder settings or the holiday calendar change. The current stage (time passed,
// next one not yet) is re-added too: after downtime that is the single catch-up reminder, and the
// delivery table keeps chats that already got it from getting it again.
import type { App } from '../src/core/app.js';
import type { Campaign } from '../src/store/models.js';
import { parseCampaignSettings } from '../src/services/campaign-settings.js';
import { DEADLINE_FORMS, deadlineOf } from '../src/services/campaigns.js';
import { computeSchedule, currentStage, nextSendWindow } from './reminder-schedule.js';
import type { Platform } from '../src/core/messages.js';
import { ALERT_FORM, SEND_JOB_OPTS, STAGE_JOB_OPTS, alertJobId, alertStage, stageJobId, type AlertJobData, type ReminderJobData, type ReminderQueues, type StageJobData } from './reminder-queue.js';
import { alertsDue, calendarGaps, weekOf } from './calendar-alerts.js';
import { loadCalendar, type Calendar } from './working-days.js';

/** A passed stage older than this is not caught up on (the next overdue stage will come). */
const CATCH_UP_HORIZON_MS = 7 * 86_400_000;

export interface ReconcileResult {
  added: string[];
  removed: string[];
  estimatedYears: number[];
}

/** Stage jobs this campaign should have right now. */
export function desiredStageJobs(campaign: Campaign, calendar: Calendar, now: Date): { jobs: StageJobData[]; estimatedYears: number[] } {
  const settings = parseCampaignSettings(campaign.settings).reminders;
  const jobs: StageJobData[] = [];
  const unknown = new Set<number>();
  if (!settings.enabled) return { jobs, estimatedYears: [] };
  for (const form of DEADLINE_FORMS) {
    const deadline = deadlineOf(campaign, form);
    const { stages, estimatedYears } = computeSchedule({ deadline, settings, calendar });
    estimatedYears.forEach((y) => unknown.add(y));
    const current = currentStage(stages, now);
    for (const s of stages) {
      const future = s.fireAt.getTime() > now.getTime();
      const catchUp = s === current && now.getTime() - s.fireAt.getTime() < CATCH_UP_HORIZON_MS;
      if (future || catchUp) jobs.push({ kind: 'stage', campaignId: campaign.id, form, deadline, stage: s.stage, fireAt: s.fireAt.toISOString() });
    }
  }
  return { jobs, estimatedYears: [...unknown].sort() };
}

const PENDING = ['delayed', 'waiting', 'prioritized', 'paused', 'waiting-children'] as const;

export async function reconcileCampaign(app: App, queues: ReminderQueues, campaign: Campaign, calendar?: Calendar): Promise<ReconcileResult> {
  const now = app.now();
  const cal = calendar ?? (await loadCalendar(app.db));
  const { jobs, estimatedYears } = desiredStageJobs(campaign, cal, now);
  const wanted = new Map(jobs.map((j) => [stageJobId(j), j]));
  const deadlines = new Set(DEADLINE_FORMS.map((f) => `${f}|${deadlineOf(campaign, f)}`));

  const removed: string[] = [];
  const pending = (await Promise.all(queues.all().map((q) => q.getJobs([...PENDING])))).flat();
  for (const job of pending) {
    const d = job.data as ReminderJobData;
    if (!job.id || d.kind === 'reconcile' || d.campaignId !== campaign.id) continue;
    if (d.kind === 'alert') continue; // decided when it runs (calendar-alerts.ts)
    // A stage whose time moved (new time of day, holidays entered) keeps its id but must be re-added.
    const stale = d.kind === 'stage' ? wanted.get(job.id)?.fireAt !== d.fireAt : !deadlines.has(`${d.form}|${d.deadline}`);
    if (!stale) {
      // A stage whose time has come by our clock but still waits in Redis (clock moved, Redis delay
      // computed earlier): let it run now.
      if (d.kind === 'stage' && Date.parse(d.fireAt) <= now.getTime() && (await job.getState()) === 'delayed') await job.promote().catch(() => undefined);
      continue;
    }
    try {
      await job.remove();
      removed.push(job.id);
    } catch (err) {
      app.log.warn({ jobId: job.id, err: (err as Error).message }, 'could not remove a stale reminder job (running?)');
    }
  }

  const added: string[] = [];
  const existing = new Set(pending.map((j) => j.id).filter((id) => !removed.includes(id!)));
  const toAdd = jobs.filter((j) => !existing.has(stageJobId(j)));
  if (toAdd.length) {
    await queues.planner.addBulk(toAdd.map((data) => ({
      name: 'stage', data,
      opts: { ...STAGE_JOB_OPTS, jobId: stageJobId(data), delay: Math.max(0, Date.parse(data.fireAt) - now.getTime()) },
    })));
    added.push(...toAdd.map(stageJobId));
  }
  if (estimatedYears.length) {
    app.log.warn({ campaign: campaign.year, years: estimatedYears }, 'no official holiday calendar for these years: reminders follow the estimate until an admin pastes the notice with /holiday import');
  }
  added.push(...(await queueCalendarAlerts(app, queues, campaign, cal, now)));
  if (added.length || removed.length) app.log.info({ campaign: campaign.year, added: added.length, removed: removed.length }, 'reminder jobs reconciled');
  return { added, removed, estimatedYears };
}

/** When a group last got a calendar message about `year` from this campaign. */
export async function lastCalendarMessage(app: App, campaignId: number, year: number, platform: string, chatId: string): Promise<Date | null> {
  const row = await app.db.reminderDelivery.findFirst({
    where: { campaignId, form: ALERT_FORM, platform, chatId, status: 'sent', stage: { startsWith: `${year}_` } },
    orderBy: { sentAt: 'desc' }, select: { sentAt: true },
  });
  return row?.sentAt ?? null;
}

/**
 * The groups that hear about the calendar: those bound to the unit running the campaign (for an
 * unowned older campaign, to a top-level unit); enterprises' groups are not where the notice gets pasted.
 */
async function federationGroups(app: App, campaign: Campaign) {
  const bindings = await app.db.chatBinding.findMany({ where: { campaignId: campaign.id }, include: { unit: true }, orderBy: { id: 'asc' } });
  const own = bindings.filter((b) => (campaign.unitId === null ? b.unit.parentId === null : b.unitId === campaign.unitId));
  return own.length ? own : bindings;
}

/**
 * The calendar messages this campaign has sent, per group and year: when the latest went out, and
 * whether the "soon" one did. One query for every group: the reconciler asks for all of them every
 * 10 minutes, and a federation may have bound a thousand groups.
 */
async function calendarMessagesSent(app: App, campaignId: number): Promise<Map<string, { last: Date | null; soonSent: boolean }>> {
  const rows = await app.db.reminderDelivery.findMany({ where: { campaignId, form: ALERT_FORM, status: 'sent' }, select: { platform: true, chatId: true, stage: true, sentAt: true } });
  const out = new Map<string, { last: Date | null; soonSent: boolean }>();
  for (const r of rows) {
    const year = Number(r.stage.slice(0, r.stage.indexOf('_')));
    const key = sentKey(r.platform, r.chatId, year);
    const seen = out.get(key) ?? { last: null, soonSent: false };
    if (r.sentAt && (!seen.last || r.sentAt > seen.last)) seen.last = r.sentAt;
    if (r.stage === alertStage({ year, occasion: 'soon', week: '' })) seen.soonSent = true;
    out.set(key, seen);
  }
  return out;
}

const sentKey = (platform: string, chatId: string, year: number) => `${year}|${platform}|${chatId}`;

/** Queues the calendar messages due now (calendar-alerts.ts); each is re-decided when it runs. */
async function queueCalendarAlerts(app: App, queues: ReminderQueues, campaign: Campaign, calendar: Calendar, now: Date): Promise<string[]> {
  const gaps = calendarGaps(campaign, calendar);
  if (!gaps.length) return [];
  const settings = parseCampaignSettings(campaign.settings).reminders;
  const at = nextSendWindow(now, calendar, settings.time);
  const delay = at ? Math.max(0, at.getTime() - now.getTime()) : 0;
  const sent = await calendarMessagesSent(app, campaign.id);
  const jobs: AlertJobData[] = [];
  for (const b of await federationGroups(app, campaign)) {
    for (const gap of gaps) {
      const before = sent.get(sentKey(b.platform, b.chatId, gap.year));
      for (const occasion of alertsDue(gap, now, before?.last ?? null, before?.soonSent ?? false)) {
        jobs.push({ kind: 'alert', campaignId: campaign.id, year: gap.year, occasion, week: weekOf(now), platform: b.platform as Platform, chatId: b.chatId });
      }
    }
  }
  if (!jobs.length) return [];
  for (const platform of new Set(jobs.map((j) => j.platform))) {
    const mine = jobs.filter((j) => j.platform === platform);
    await queues.send(platform).addBulk(mine.map((data) => ({ name: 'alert', data: data as ReminderJobData, opts: { ...SEND_JOB_OPTS, jobId: alertJobId(data), delay } })));
  }
  return jobs.map(alertJobId);
}

/** Campaigns whose deadlines can still produce reminders (this year's and later, plus last year's). */
export async function reconcileAll(app: App, queues: ReminderQueues): Promise<void> {
  const year = Number(app.now().toISOString().slice(0, 4));
  const campaigns = await app.db.campaign.findMany({ where: { year: { gte: year - 1 } } });
  const calendar = await loadCalendar(app.db);
  for (const c of campaigns) await reconcileCampaign(app, queues, c, calendar);
}
