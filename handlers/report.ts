import { defineCommand } from '../src/commands/registry.js';
import { reportForm } from '../src/forms/index.js';
import { sendForm } from '../src/services/form-command.js';

export default defineCommand({
  name: 'report',
  aliases: ['年报'],
  usage: '/年报',
  summary: '填报本单位年度报告（经验、问题、建议）',
  access: ['filer'],
  group: 'filing',
  run: (ctx) => sendForm(ctx, reportForm),
});
