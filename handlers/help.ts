import { defineCommand } from '../src/commands/registry.js';
import { fullHelp } from '../src/commands/help-text.js';
import { text } from '../src/core/messages.js';

export default defineCommand({
  name: 'help',
  aliases: ['帮助'],
  usage: '/help',
  summary: '查看全部命令',
  access: 'anyone',
  group: 'query',
  run: async (ctx) => [text(fullHelp(ctx.commands, ctx.app.config.botName))],
});
