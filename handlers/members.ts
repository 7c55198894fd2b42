// /members 成员 [单位]: who files for a unit (the asker's own, or one they may see);
// /members remove @某人 (admin): takes a person off their unit (they can /join again).
import { defineCommand } from '../src/commands/registry.js';
import { text } from '../src/core/messages.js';
import { canSeeUnit, scopeOf } from '../src/services/access.js';
import { actorOf, filersByUnit } from '../src/services/members.js';
import { mentionedPeople } from '../src/services/mentions.js';
import { leaveUnit } from '../src/services/members.js';
import { findUnitByName } from '../src/services/units.js';
import { shanghaiDateTimeText } from '../src/util/dates.js';
import { platformDef } from '../src/platforms/index.js';

const REMOVE = ['移除', '删除', 'remove'];

export default defineCommand({
  name: 'members',
  aliases: ['成员', '联络员'],
  usage: '/成员 [单位] | /成员 移除 @某人（管理员）',
  summary: '查看某单位已登记的联络员；管理员可移除联络员',
  access: ['filer'],
  subcommands: [{ key: 'remove', words: REMOVE, access: [], refusal: '只有管理员可以移除联络员。' }],
  group: 'query',
  async run(ctx) {
    const db = ctx.app.db;
    if (ctx.sub === 'remove') {
      const people = mentionedPeople(ctx.msg, '移除');
      if ('refusal' in people) return [text(people.refusal)];
      const lines: string[] = [];
      for (const p of people.list) {
        const was = await leaveUnit(db, ctx.msg.platform, p.userId, actorOf(ctx.msg));
        lines.push(was ? `✅ 已把 ${p.userName} 从「${(await db.unit.findUnique({ where: { id: was.unitId! } }))?.name}」的联络员中移除（可重新发送“/加入 单位名称”登记，记录已保留）。` : `${p.userName} 没有登记任何单位。`);
      }
      return [text(lines.join('\n'))];
    }
    const name = ctx.args.join('');
    const unit = name ? await findUnitByName(db, name) : ctx.viewer.unit ?? ctx.binding?.unit ?? null;
    if (!unit || !(await canSeeUnit(db, scopeOf(ctx.viewer, ctx.binding, ctx.msg.chatType), unit.id))) {
      return [text(name ? `没有找到您能查看的单位「${name}」。请写完整的单位名称（发送“/单位列表”查看）。` : '请写单位名称，例如：/成员 东城街道工会')];
    }
    const filers = (await filersByUnit(db, [unit.id])).get(unit.id) ?? [];
    if (!filers.length) return [text(`「${unit.name}」还没有登记联络员。该单位同志可在工作群里发送“/加入 ${unit.name}”登记。`)];
    const lines = [`「${unit.name}」的联络员（${filers.length}人）：`];
    for (const m of filers) lines.push(`· ${m.name}（${platformDef(m.platform)?.chineseName ?? m.platform}，${shanghaiDateTimeText(m.createdAt).slice(0, 10)}登记）`);
    if (ctx.isAdmin) lines.push('移除：/成员 移除 @某人');
    return [text(lines.join('\n'))];
  },
});
