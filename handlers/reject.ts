// /reject @某人 (拒绝): turns a pending /join down — for an admin or a filer of the unit asked for.
import { defineCommand } from '../src/commands/registry.js';
import { runJoinDecision } from '../src/services/join-decisions.js';

export default defineCommand({
  name: 'reject',
  aliases: ['拒绝', '驳回'],
  usage: '/拒绝 @某人',
  summary: '拒绝某人登记为本单位联络员的申请',
  access: ['filer'],
  group: 'filing',
  run: (ctx) => runJoinDecision(ctx, false),
});
