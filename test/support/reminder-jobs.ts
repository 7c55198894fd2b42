// What the reminder planner has queued, for tests that break or move Redis under a running bot.
import type { StageJobData } from '../../jobs/reminder-queue.js';
import type { TestBot } from './harness.js';

/** The plan-deadline stage jobs waiting in `bot`'s planner, by deadline. */
export async function planStages(bot: TestBot): Promise<Map<string, string[]>> {
  const jobs = await bot.reminders.queues.planner.getJobs(['delayed', 'waiting']);
  const by = new Map<string, string[]>();
  for (const j of jobs) {
    const d = j.data as StageJobData;
    if (d.kind !== 'stage' || d.form !== 'plan') continue;
    by.set(d.deadline, [...(by.get(d.deadline) ?? []), d.stage]);
  }
  return by;
}
