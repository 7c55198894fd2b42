// /units: the units under this group's unit and who is registered for each.
import { defineCommand } from '../src/commands/registry.js';
import { text } from '../src/core/messages.js';
import { filersByUnit } from '../src/services/members.js';
import { descendantsOf } from '../src/services/units.js';

export default defineCommand({
  name: 'units',
  aliases: ['单位列表', '单位名单'],
  usage: '/units',
  summary: '查看本群单位下属的各单位和已登记的联络员',
  access: 'anyone',
  group: 'query',
  async run(ctx) {
    const db = ctx.app.db;
    const root = ctx.binding?.unit ?? null;
    const units = await descendantsOf(db, root?.id ?? null);
    if (!units.length) return [text(root ? `「${root.name}」下面还没有单位。管理员可发送：/unit add 名称 上级=${root.name}` : '还没有添加任何单位。管理员可发送：/unit add 名称')];
    const filers = await filersByUnit(db, units.map((u) => u.id));
    const depth = new Map<number, number>();
    const lines = [root ? `「${root.name}」下属单位（${units.length}个）：` : `全部单位（${units.length}个）：`];
    for (const u of units) {
      const d = u.parentId !== null && depth.has(u.parentId) ? depth.get(u.parentId)! + 1 : 0;
      depth.set(u.id, d);
      const names = (filers.get(u.id) ?? []).map((m) => m.name);
      const headcount = u.headcount !== null ? `，职工${u.headcount}人` : '';
      lines.push(`${'　'.repeat(d)}· ${u.name}${headcount}：${names.length ? names.join('、') : '未登记联络员'}`);
    }
    return [text(lines.join('\n'))];
  },
});
