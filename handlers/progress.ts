import { defineCommand } from '../src/commands/registry.js';
import { progressForm } from '../src/forms/index.js';
import { sendForm } from '../src/services/form-command.js';

export default defineCommand({
  name: 'progress',
  aliases: ['进度'],
  usage: '/进度',
  summary: '报告一项竞赛的进展',
  access: ['filer'],
  group: 'filing',
  run: (ctx) => sendForm(ctx, progressForm),
});
