// /remind 催交 [plan|summary|report] (admin): the reminder, now, in this group: the roll-call and
// @mentions of the filers of the units that have not filed. For a deadline more than 30 days away
// nobody is @mentioned: the roll-call comes with the date the automatic reminders start.
import { defineCommand } from '../src/commands/registry.js';
import { text } from '../src/core/messages.js';
import { parseCampaignSettings } from '../src/services/campaign-settings.js';
import { DEADLINE_LABELS, daysLeft, deadlineOf } from '../src/services/campaigns.js';
import { campaignTag, groupSummary, missingText, noneAskedText, pickForm, rollCallMessage } from '../src/services/reminders.js';
import { chineseDateWithWeekday, shanghaiDate } from '../src/util/dates.js';
import { computeSchedule } from '../jobs/reminder-schedule.js';
import { loadCalendar } from '../jobs/working-days.js';
import { unboundGroup } from '../src/core/wording.js';

/** Further ahead than this, @mentioning people is nagging, not reminding. */
const MENTION_WITHIN_DAYS = 30;

export default defineCommand({
  name: 'remind',
  aliases: ['催交'],
  usage: '/催交 [计划|总结|年报]',
  summary: '立即在本群催交：列出未交单位并@其联络员',
  access: [],
  group: 'setup',
  async run(ctx) {
    const binding = ctx.binding;
    if (!binding) return [text(unboundGroup('无法催交'))];
    const now = ctx.app.now();
    const campaign = binding.campaign;
    const form = await pickForm(ctx.app.db, campaign, binding.unitId, now, ctx.args[0]);
    if (typeof form !== 'string') return [text(form.error.replace('/未交', '/催交'))];
    const summary = await groupSummary(ctx.app.db, campaign, binding.unitId, form);
    if (!summary.total) return [text(noneAskedText(campaign, form))];
    if (!summary.missing.length) return [text(`✅ 全部 ${summary.total} 个单位都已提交${DEADLINE_LABELS[form]}，无需催交。`)];
    const deadline = deadlineOf(campaign, form);
    const days = daysLeft(deadline, now);
    if (days > MENTION_WITHIN_DAYS) {
      const settings = parseCampaignSettings(campaign.settings).reminders;
      const first = settings.enabled ? computeSchedule({ deadline, settings, calendar: await loadCalendar(ctx.app.db) }).stages.find((s) => s.fireAt > now) : undefined;
      const when = !settings.enabled ? '自动催交已关闭（发送“/提醒 开启”开启）' : first ? `自动催交将于${chineseDateWithWeekday(shanghaiDate(first.fireAt))}开始` : '届时会自动催交';
      return [text(`${missingText(campaign, summary, now, await campaignTag(ctx.app.db, campaign))}\n\n距截止还有 ${days} 天，现在不@各单位。${when}；需要时可在截止前 ${MENTION_WITHIN_DAYS} 天内再发送“/催交”。`)];
    }
    return [rollCallMessage(campaign, summary, { platform: ctx.msg.platform, now, tag: await campaignTag(ctx.app.db, campaign) })];
  },
});
