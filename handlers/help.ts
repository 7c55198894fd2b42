// /help 帮助: what the asker may use; "/帮助 管理" the admin commands; "/帮助 计划" one command.
import { defineCommand } from '../src/commands/registry.js';
import { adminHelp, commandHelp, fullHelp } from '../src/commands/help-text.js';
import { text } from '../src/core/messages.js';

const ADMIN_WORDS = ['管理', '管理员', '设置', 'admin'];

export default defineCommand({
  name: 'help',
  aliases: ['帮助'],
  usage: '/帮助 [管理 | 命令名]',
  summary: '查看能用的命令；“/帮助 管理”看管理员命令，“/帮助 命令名”看一个命令的用法',
  access: 'anyone',
  group: 'query',
  async run(ctx) {
    const word = ctx.args[0]?.replace(/^[/／]/, '');
    if (!word) return [text(fullHelp(ctx.commands, ctx.app.config.botName, ctx.viewer))];
    if (ADMIN_WORDS.includes(word.toLowerCase())) return [text(adminHelp(ctx.commands, ctx.viewer))];
    const spec = ctx.commands.find(word);
    if (!spec) return [text(`没有“${word}”这个命令。${fullHelp(ctx.commands, ctx.app.config.botName, ctx.viewer)}`)];
    return [text(commandHelp(spec))];
  },
});
