// /restore 恢复 <计划编号> | 进度 <进度编号> | 年报: undoes /withdraw. For the unit's filer or an admin.
import { defineCommand } from '../src/commands/registry.js';
import { runWithdrawal } from '../src/services/withdraw-command.js';

export default defineCommand({
  name: 'restore',
  aliases: ['恢复'],
  usage: '/恢复 <计划编号> | 进度 <进度编号> | 年报',
  summary: '恢复撤回的计划、进度或年报',
  access: ['filer'],
  group: 'filing',
  run: (ctx) => runWithdrawal(ctx, false),
});
