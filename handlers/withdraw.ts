// /withdraw 撤回 <计划编号> | 进度 <进度编号> | 年报: withdraws a filing (作废) — kept with its history,
// left out of every count until /restore. For the unit's filer or an admin.
import { defineCommand } from '../src/commands/registry.js';
import { runWithdrawal } from '../src/services/withdraw-command.js';

export default defineCommand({
  name: 'withdraw',
  aliases: ['撤回', '作废'],
  usage: '/撤回 <计划编号> | 进度 <进度编号> | 年报',
  summary: '撤回填错或重复的计划（连同进度和总结）、进度或年报；内容保留，可恢复',
  access: ['filer'],
  group: 'filing',
  run: (ctx) => runWithdrawal(ctx, true),
});
