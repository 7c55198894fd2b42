// /approve @某人 (同意): lets a pending /join through — for an admin or a filer of the unit asked for.
import { defineCommand } from '../src/commands/registry.js';
import { runJoinDecision } from '../src/services/join-decisions.js';

export default defineCommand({
  name: 'approve',
  aliases: ['同意', '批准'],
  usage: '/同意 @某人',
  summary: '同意某人登记为本单位联络员（本单位联络员或管理员）；不带@则列出待处理的申请',
  access: ['filer'],
  group: 'filing',
  run: (ctx) => runJoinDecision(ctx, true),
});
