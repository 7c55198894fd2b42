// /missing 未交 [plan|summary|report] [all|全部]: who of this group's units has not filed, with their
// filers' names and no @mentions (the quiet version of /remind). With 全部: every level below the
// group's unit, grouped by the unit above each.
import { defineCommand } from '../src/commands/registry.js';
import { text } from '../src/core/messages.js';
import { campaignTag, formOf, groupSummary, missingAllText, missingText, pickForm } from '../src/services/reminders.js';
import { currentCampaign } from '../src/services/current-campaign.js';
import { reportRoot, scopeOf } from '../src/services/access.js';
import { groupRollCall } from '../src/services/roll-call.js';
import { NO_CAMPAIGN } from '../src/core/wording.js';

const ALL_WORDS = ['all', '全部', '所有', '全部层级'];

export default defineCommand({
  name: 'missing',
  aliases: ['未交'],
  usage: '/未交 [计划|总结|年报] [全部]',
  summary: '查看本群哪些单位还没有提交（计划、总结或年报）；加“全部”看各级下属单位',
  access: ['filer'],
  group: 'query',
  async run(ctx) {
    const root = await reportRoot(ctx.app.db, scopeOf(ctx.viewer, ctx.binding, ctx.msg.chatType), '未交名单');
    if ('refusal' in root) return [text(root.refusal)];
    const campaign = await currentCampaign(ctx);
    if (!campaign) return [text(NO_CAMPAIGN)];
    const all = ctx.args.some((a) => ALL_WORDS.includes(a.toLowerCase()));
    const words = ctx.args.filter((a) => !ALL_WORDS.includes(a.toLowerCase()));
    if (words.length > 1 || (words[0] && !formOf(words[0]))) {
      const bad = words.find((w) => !formOf(w)) ?? words[1];
      return [text(`不认识「${bad}」。用法：/未交 [计划|总结|年报] [全部]，例如：/未交 计划 全部`)];
    }
    const now = ctx.app.now();
    const form = await pickForm(ctx.app.db, campaign, root.unit.id, now, words[0]);
    if (typeof form !== 'string') return [text(form.error)];
    if (all) {
      const rows = await groupRollCall(ctx.app.db, campaign, root.unit.id, 'all');
      // The units above the rows are the group's unit or rows themselves: no second load of every unit.
      const names = new Map<number, string>([[root.unit.id, root.unit.name]]);
      for (const r of rows) if (r.unit.parentId !== null && r.parentName) names.set(r.unit.parentId, r.parentName);
      return [text(missingAllText(campaign, rows, form, now, names, await campaignTag(ctx.app.db, campaign)))];
    }
    return [text(missingText(campaign, await groupSummary(ctx.app.db, campaign, root.unit.id, form), now, await campaignTag(ctx.app.db, campaign)))];
  },
});
