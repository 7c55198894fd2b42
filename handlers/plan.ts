import { defineCommand } from '../src/commands/registry.js';
import { planForm } from '../src/forms/index.js';
import { sendForm } from '../src/services/form-command.js';

export default defineCommand({
  name: 'plan',
  aliases: ['计划'],
  usage: '/plan',
  summary: '备案一项竞赛计划（附件一），可多次发送备案多项',
  access: ['filer'],
  group: 'filing',
  run: (ctx) => sendForm(ctx, planForm),
});
