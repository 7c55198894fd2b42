// /units: the units under this group's unit and who is registered for each.
import { defineCommand } from '../src/commands/registry.js';
import { text } from '../src/core/messages.js';
import { filersByUnit } from '../src/services/members.js';
import { descendantsOf } from '../src/services/units.js';
import { scopeOf } from '../src/services/access.js';

export default defineCommand({
  name: 'units',
  aliases: ['单位列表', '单位名单'],
  usage: '/单位列表',
  summary: '查看本群单位下属的各单位和已登记的联络员',
  access: ['filer'],
  group: 'query',
  async run(ctx) {
    const db = ctx.app.db;
    const scope = scopeOf(ctx.viewer, ctx.binding, ctx.msg.chatType);
    if (scope?.kind === 'own') {
      // A filer outside a bound group sees their own unit only.
      const names = ((await filersByUnit(db, [scope.unit.id])).get(scope.unit.id) ?? []).map((m) => m.name);
      const headcount = scope.unit.headcount !== null ? `，职工${scope.unit.headcount}人` : '';
      const where = ctx.msg.chatType === 'p2p' ? '私聊中' : '本群还没有绑定单位，这里';
      return [text(`本单位：${scope.unit.name}${headcount}：${names.join('、') || '未登记联络员'}\n（${where}只显示本单位；要查看下属各单位，请在绑定到本单位的工作群里发送“/单位列表”。）`)];
    }
    if (scope?.kind === 'all' && ctx.msg.chatType === 'group') {
      // An unbound group may hold anyone; the whole organisation is listed in a private chat only.
      return [text('本群还没有绑定单位，不在群里列出全部单位。请私聊机器人发送“/单位列表”查看，或先发送“/绑定 单位名称”绑定本群。')];
    }
    const root = scope?.kind === 'group' ? scope.root : null;
    const units = await descendantsOf(db, root?.id ?? null);
    if (!units.length) return [text(root ? `「${root.name}」下面还没有单位。管理员可发送：/单位 添加 名称 上级=${root.name}` : '还没有添加任何单位。管理员可发送：/单位 添加 名称')];
    const filers = await filersByUnit(db, units.map((u) => u.id));
    const depth = new Map<number, number>();
    const lines = [root ? `「${root.name}」下属单位（${units.length}个）：` : `全部单位（${units.length}个）：`];
    for (const u of units) {
      const d = u.parentId !== null && depth.has(u.parentId) ? depth.get(u.parentId)! + 1 : 0;
      depth.set(u.id, d);
      const names = (filers.get(u.id) ?? []).map((m) => m.name);
      const headcount = u.headcount !== null ? `，职工${u.headcount}人` : '';
      // The roster's contact person and phone are for admins only.
      const contact = ctx.isAdmin && (u.contactName || u.contactPhone) ? `〔联系人：${[u.contactName, u.contactPhone].filter(Boolean).join(' ')}〕` : '';
      lines.push(`${'　'.repeat(d)}· ${u.name}${headcount}：${names.length ? names.join('、') : '未登记联络员'}${contact}`);
    }
    return [text(lines.join('\n'))];
  },
});
