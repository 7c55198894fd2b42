// /history <计划编号>: every version of a plan and its summary, so nothing filed is ever out of sight.
import { defineCommand } from '../src/commands/registry.js';
import { text } from '../src/core/messages.js';
import { toHalfWidth } from '../src/forms/coerce.js';
import { planHistory } from '../src/services/revision-history.js';
import { canSeeUnit, scopeOf } from '../src/services/access.js';

export default defineCommand({
  name: 'history',
  aliases: ['修改记录', '历史'],
  usage: '/history <计划编号>',
  summary: '查看一项计划及其总结的全部修改记录',
  access: ['filer'],
  group: 'query',
  async run(ctx) {
    const id = Number(toHalfWidth(ctx.args[0] ?? '').replace(/^#/, ''));
    if (!Number.isInteger(id) || id <= 0) return [text('请写计划编号，例如：/history 12（编号见回执或 /mine）')];
    const db = ctx.app.db;
    const plan = await db.plan.findUnique({ where: { id } });
    // Admins see every plan; in a bound group, the plans under its unit; in a private chat, one's own
    // unit's. A plan one may not see gets the same answer as one that does not exist.
    if (!plan || !(await canSeeUnit(db, scopeOf(ctx.viewer, ctx.binding, ctx.msg.chatType), plan.unitId))) {
      return [text(ctx.binding
        ? `本群单位之下没有编号为 ${id} 的计划。请用 /mine 查看本单位的计划编号。`
        : `私聊中只能查看本单位的计划，本单位没有编号为 ${id} 的计划。请用 /mine 查看本单位的计划编号；其他单位的计划请到工作群里查看。`)];
    }
    return [text((await planHistory(db, plan)).join('\n'))];
  },
});
