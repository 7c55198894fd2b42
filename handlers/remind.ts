// /remind 催交 [plan|summary|report] (admin): the reminder, now, in this group: the roll-call and
// @mentions of the filers of the units that have not filed.
import { defineCommand } from '../src/commands/registry.js';
import { text } from '../src/core/messages.js';
import { DEADLINE_LABELS } from '../src/services/campaigns.js';
import { groupRollCall, pickForm, rollCallMessage } from '../src/services/reminders.js';

export default defineCommand({
  name: 'remind',
  aliases: ['催交'],
  usage: '/remind [plan|summary|report]',
  summary: '立即在本群催交：列出未交单位并@其联络员',
  access: [],
  group: 'setup',
  async run(ctx) {
    const binding = ctx.binding;
    if (!binding) return [text('本群还没有绑定单位，无法催交。请先发送“/bind 单位名称”。')];
    const now = ctx.app.now();
    const form = pickForm(binding.campaign, now, ctx.args[0]);
    if (typeof form !== 'string') return [text(form.error.replace('/missing', '/remind'))];
    const summary = await groupRollCall(ctx.app.db, binding.campaign, binding.unitId, form);
    if (!summary.total) return [text('本群单位下面还没有需要填报的单位。管理员可用 /unit add 单位名称 上级=本单位 添加。')];
    if (!summary.missing.length) return [text(`✅ 全部 ${summary.total} 个单位都已提交${DEADLINE_LABELS[form]}，无需催交。`)];
    return [rollCallMessage(binding.campaign, summary, { platform: ctx.msg.platform, now })];
  },
});
