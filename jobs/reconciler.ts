// Makes Redis agree with the database: for every campaign deadline, the stage jobs that should be
// waiting exist (deterministic ids, so adding twice is harmless) and stage or send jobs for a
// deadline or settings that no longer apply are removed. Runs at start, hourly, and whenever a
// campaign, its reminder settings or the holiday calendar change. The current stage (time passed,
// next one not yet) is re-added too: after downtime that is the single catch-up reminder, and the
// delivery table keeps chats that already got it from getting it again.
import type { App } from '../src/core/app.js';
import type { Campaign } from '../src/generated/sqlite/index.js';
import { parseCampaignSettings } from '../src/services/campaign-settings.js';
import { DEADLINE_FORMS, deadlineOf } from '../src/services/campaigns.js';
import { computeSchedule, currentStage } from './reminder-schedule.js';
import { STAGE_JOB_OPTS, stageJobId, type ReminderJobData, type ReminderQueue, type StageJobData } from './reminder-queue.js';
import { loadCalendar, type Calendar } from './working-days.js';

/** A passed stage older than this is not caught up on (the next overdue stage will come). */
const CATCH_UP_HORIZON_MS = 7 * 86_400_000;

export interface ReconcileResult {
  added: string[];
  removed: string[];
  unknownYears: number[];
}

/** Stage jobs this campaign should have right now. */
export function desiredStageJobs(campaign: Campaign, calendar: Calendar, now: Date): { jobs: StageJobData[]; unknownYears: number[] } {
  const settings = parseCampaignSettings(campaign.settings).reminders;
  const jobs: StageJobData[] = [];
  const unknown = new Set<number>();
  if (!settings.enabled) return { jobs, unknownYears: [] };
  for (const form of DEADLINE_FORMS) {
    const deadline = deadlineOf(campaign, form);
    const { stages, unknownYears } = computeSchedule({ deadline, settings, calendar });
    unknownYears.forEach((y) => unknown.add(y));
    const current = currentStage(stages, now);
    for (const s of stages) {
      const future = s.fireAt.getTime() > now.getTime();
      const catchUp = s === current && now.getTime() - s.fireAt.getTime() < CATCH_UP_HORIZON_MS;
      if (future || catchUp) jobs.push({ kind: 'stage', campaignId: campaign.id, form, deadline, stage: s.stage, fireAt: s.fireAt.toISOString() });
    }
  }
  return { jobs, unknownYears: [...unknown].sort() };
}

const PENDING = ['delayed', 'waiting', 'prioritized', 'paused', 'waiting-children'] as const;

export async function reconcileCampaign(app: App, queue: ReminderQueue, campaign: Campaign, calendar?: Calendar): Promise<ReconcileResult> {
  const now = app.now();
  const cal = calendar ?? (await loadCalendar(app.db));
  const { jobs, unknownYears } = desiredStageJobs(campaign, cal, now);
  const wanted = new Map(jobs.map((j) => [stageJobId(j), j]));
  const deadlines = new Set(DEADLINE_FORMS.map((f) => `${f}|${deadlineOf(campaign, f)}`));

  const removed: string[] = [];
  const pending = await queue.getJobs([...PENDING]);
  for (const job of pending) {
    const d = job.data as ReminderJobData;
    if (!job.id || d.kind === 'reconcile' || d.campaignId !== campaign.id) continue;
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
    await queue.addBulk(toAdd.map((data) => ({
      name: 'stage', data,
      opts: { ...STAGE_JOB_OPTS, jobId: stageJobId(data), delay: Math.max(0, Date.parse(data.fireAt) - now.getTime()) },
    })));
    added.push(...toAdd.map(stageJobId));
  }
  if (unknownYears.length) {
    app.log.warn({ campaign: campaign.year, years: unknownYears }, 'no holiday calendar for these years: reminders use weekends only until an admin adds holidays with /holiday');
  }
  if (added.length || removed.length) app.log.info({ campaign: campaign.year, added: added.length, removed: removed.length }, 'reminder jobs reconciled');
  return { added, removed, unknownYears };
}

/** Campaigns whose deadlines can still produce reminders (this year's and later, plus last year's). */
export async function reconcileAll(app: App, queue: ReminderQueue): Promise<void> {
  const year = Number(app.now().toISOString().slice(0, 4));
  const campaigns = await app.db.campaign.findMany({ where: { year: { gte: year - 1 } } });
  const calendar = await loadCalendar(app.db);
  for (const c of campaigns) await reconcileCampaign(app, queue, c, calendar);
}
