// /join <单位>: registers the sender as a filer of a unit under this group's unit.
import { defineCommand } from '../src/commands/registry.js';
import { text } from '../src/core/messages.js';
import { joinUnit } from '../src/services/members.js';
import { childrenOf, findUnitByName, isWithin } from '../src/services/units.js';

export default defineCommand({
  name: 'join',
  aliases: ['加入', '登记'],
  usage: '/join <单位>',
  summary: '登记自己为某单位的填报联络员',
  access: 'anyone',
  group: 'filing',
  async run(ctx) {
    const name = ctx.args[0];
    const db = ctx.app.db;
    if (!ctx.binding) return [text('本群还没有绑定单位，请管理员先发送“/bind 单位名称”。')];
    if (!name) {
      const children = await childrenOf(db, ctx.binding.unit.id);
      const hint = children.length ? `可选单位：${children.map((u) => u.name).join('、')}` : '';
      return [text(`请写您所在的单位，例如：/join ${children[0]?.name ?? '东城街道工会'}\n${hint}`)];
    }
    const unit = await findUnitByName(db, name);
    if (!unit) return [text(`没有找到单位「${name}」。请检查名称是否与 /units 列出的完全一致，或请管理员先添加。`)];
    if (!(await isWithin(db, unit.id, ctx.binding.unit.id))) {
      return [text(`「${unit.name}」不属于本群的「${ctx.binding.unit.name}」，不能在本群登记。请到对应的工作群登记。`)];
    }
    const { previousUnitId } = await joinUnit(db, ctx.msg.platform, ctx.msg.userId, ctx.msg.userName, unit.id);
    const moved = previousUnitId && previousUnitId !== unit.id ? '（已从原单位改为此单位）' : '';
    return [text(`✅ ${ctx.msg.userName} 已登记为「${unit.name}」的联络员${moved}。发送 /plan 备案竞赛计划，发送 /mine 查看本单位情况。`)];
  },
});
