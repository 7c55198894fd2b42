import { defineCommand } from '../src/commands/registry.js';
import { summaryForm } from '../src/forms/index.js';
import { sendForm } from '../src/services/form-command.js';

export default defineCommand({
  name: 'summary',
  aliases: ['总结'],
  usage: '/summary',
  summary: '填报一项竞赛的总结（附件二：经费支出、获奖情况）',
  access: ['filer'],
  group: 'filing',
  run: (ctx) => sendForm(ctx, summaryForm),
});
