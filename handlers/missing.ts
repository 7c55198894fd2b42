// /missing 未交 [plan|summary|report]: who of this group's units has not filed, with their filers'
// names and no @mentions (the quiet version of /remind; the standings build on the same roll-call).
import { defineCommand } from '../src/commands/registry.js';
import { text } from '../src/core/messages.js';
import { groupRollCall, missingText, pickForm } from '../src/services/reminders.js';

export default defineCommand({
  name: 'missing',
  aliases: ['未交'],
  usage: '/missing [plan|summary|report]',
  summary: '查看本群哪些单位还没有提交（计划、总结或年报）',
  access: 'anyone',
  group: 'query',
  async run(ctx) {
    const binding = ctx.binding;
    if (!binding) return [text('本群还没有绑定单位。请在已绑定的工作群里发送 /missing，或请管理员先发送“/bind 单位名称”。')];
    const form = pickForm(binding.campaign, ctx.app.now(), ctx.args[0]);
    if (typeof form !== 'string') return [text(form.error)];
    const summary = await groupRollCall(ctx.app.db, binding.campaign, binding.unitId, form);
    return [text(missingText(binding.campaign, summary, ctx.app.now()))];
  },
});
