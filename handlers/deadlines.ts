import { defineCommand } from '../src/commands/registry.js';
import { text } from '../src/core/messages.js';
import { DEADLINE_FORMS, DEADLINE_LABELS, campaignName, daysLeft, deadlineOf, describeDaysLeft } from '../src/services/campaigns.js';
import { currentCampaign } from '../src/services/current-campaign.js';
import { chineseDateWithWeekday } from '../src/util/dates.js';
import { loadCalendar } from '../jobs/working-days.js';
import { NO_CAMPAIGN } from '../src/core/wording.js';

export default defineCommand({
  name: 'deadlines',
  aliases: ['截止'],
  usage: '/截止',
  summary: '查看本年度各项截止日期和剩余天数',
  access: 'anyone',
  group: 'query',
  async run(ctx) {
    const campaign = await currentCampaign(ctx);
    if (!campaign) return [text(NO_CAMPAIGN)];
    const now = ctx.app.now();
    const calendar = await loadCalendar(ctx.app.db);
    const lines = [`${campaignName(campaign)}截止日期：`];
    for (const form of DEADLINE_FORMS) {
      const date = deadlineOf(campaign, form);
      const year = Number(date.slice(0, 4));
      // Reminders around a date in a year without the official notice follow an estimate: say so.
      const estimated = calendar.yearSource(year) === 'estimate' ? `（${year}年放假安排尚未公布，按预估）` : '';
      lines.push(`· ${DEADLINE_LABELS[form]}：${chineseDateWithWeekday(date)}${estimated}，${describeDaysLeft(daysLeft(date, now))}`);
    }
    lines.push('截止日当天 24:00 前提交都算按时；逾期也可以提交，会标注为逾期。');
    return [text(lines.join('\n'))];
  },
});
