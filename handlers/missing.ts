// /missing 未交 [plan|summary|report]: who of this group's units has not filed, with their filers'
// names and no @mentions (the quiet version of /remind; the standings build on the same roll-call).
import { defineCommand } from '../src/commands/registry.js';
import { text } from '../src/core/messages.js';
import { groupRollCall, missingText, pickForm } from '../src/services/reminders.js';
import { currentCampaign } from '../src/services/current-campaign.js';
import { reportRoot, scopeOf } from '../src/services/access.js';

export default defineCommand({
  name: 'missing',
  aliases: ['未交'],
  usage: '/missing [plan|summary|report]',
  summary: '查看本群哪些单位还没有提交（计划、总结或年报）',
  access: ['filer'],
  group: 'query',
  async run(ctx) {
    const root = await reportRoot(ctx.app.db, scopeOf(ctx.viewer, ctx.binding, ctx.msg.chatType), '未交名单');
    if ('refusal' in root) return [text(root.refusal)];
    const campaign = await currentCampaign(ctx);
    if (!campaign) return [text('还没有创建竞赛年度，请管理员先发送“/campaign add 年度”。')];
    const form = pickForm(campaign, ctx.app.now(), ctx.args[0]);
    if (typeof form !== 'string') return [text(form.error)];
    const summary = await groupRollCall(ctx.app.db, campaign, root.unit.id, form);
    return [text(missingText(campaign, summary, ctx.app.now()))];
  },
});
