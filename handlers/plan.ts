// /plan 计划: the plan form (附件一); "/plan 编辑 <计划编号>" (admin) the form of that plan, filled in.
import { defineCommand } from '../src/commands/registry.js';
import { planForm } from '../src/forms/index.js';
import { EDIT_WORDS, sendEditForm, sendForm } from '../src/services/form-command.js';

export default defineCommand({
  name: 'plan',
  aliases: ['计划'],
  usage: '/计划 | /计划 编辑 <计划编号>（管理员）',
  summary: '备案一项竞赛计划（附件一），可多次发送备案多项；管理员可代为修改',
  access: ['filer'],
  subcommands: [{ key: 'edit', words: EDIT_WORDS, access: [], refusal: '只有管理员可以代单位修改计划。联络员要修改本单位的计划，请发送“/计划”按同一竞赛项目重新填报。' }],
  group: 'filing',
  run: (ctx) => (ctx.sub === 'edit' ? sendEditForm(ctx, { ...planForm, name: 'plan' }) : sendForm(ctx, planForm)),
});
