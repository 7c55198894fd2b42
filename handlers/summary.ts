// /summary 总结: the summary form (附件二); "/summary 编辑 <计划编号>" (admin) that summary, filled in.
import { defineCommand } from '../src/commands/registry.js';
import { summaryForm } from '../src/forms/index.js';
import { EDIT_WORDS, sendEditForm, sendForm } from '../src/services/form-command.js';

export default defineCommand({
  name: 'summary',
  aliases: ['总结'],
  usage: '/总结 | /总结 编辑 <计划编号>（管理员）',
  summary: '填报一项竞赛的总结（附件二：经费支出、获奖情况）；管理员可代为修改',
  access: ['filer'],
  subcommands: [{ key: 'edit', words: EDIT_WORDS, access: [], refusal: '只有管理员可以代单位修改总结。联络员要修改，请发送“/总结”对同一计划重新填报。' }],
  group: 'filing',
  run: (ctx) => (ctx.sub === 'edit' ? sendEditForm(ctx, { ...summaryForm, name: 'summary' }) : sendForm(ctx, summaryForm)),
});
