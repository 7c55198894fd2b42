// /join <单位>: registers the sender as a filer of a unit under this group's unit — at once when
// nobody files for it yet, else as a request that the unit's filers or an admin approve with
// /approve (see src/services/join-requests.ts for the rules and JOIN_APPROVAL).
import { defineCommand } from '../src/commands/registry.js';
import { text } from '../src/core/messages.js';
import { requestJoin } from '../src/services/join-requests.js';
import { actorOf } from '../src/services/members.js';
import { childrenOf, findUnitByName, isWithin, similarUnitNames } from '../src/services/units.js';

export default defineCommand({
  name: 'join',
  aliases: ['加入', '登记'],
  usage: '/加入 <单位>',
  summary: '登记自己为某单位的填报联络员（已有联络员的单位需同意）',
  access: 'anyone',
  group: 'filing',
  async run(ctx) {
    const name = ctx.args[0];
    const db = ctx.app.db;
    if (!ctx.binding) {
      return [text(ctx.msg.chatType === 'p2p' ? '请在本单位所在的工作群里发送“/加入 单位名称”登记。' : '本群还没有绑定单位，请管理员先发送“/绑定 单位名称”。')];
    }
    if (ctx.args.length > 1) return [text(`单位名称中不要有空格，例如：/加入 ${ctx.args.join('')}`)];
    if (!name) {
      const children = await childrenOf(db, ctx.binding.unit.id);
      const hint = children.length ? `可选单位：${children.map((u) => u.name).join('、')}` : '';
      return [text(`请写您所在的单位，例如：/加入 ${children[0]?.name ?? ctx.binding.unit.name}\n${hint}`.trim())];
    }
    const unit = await findUnitByName(db, name);
    // A unit outside this group gets the same answer as one that does not exist: asking must not tell
    // a stranger which units the organisation has elsewhere.
    if (!unit || unit.archivedAt || !(await isWithin(db, unit.id, ctx.binding.unit.id))) {
      const similar = await similarUnitNames(db, name, ctx.binding.unit.id);
      const guess = similar.length ? `您要找的是不是：${similar.join('、')}？` : '';
      return [text(`本群的「${ctx.binding.unit.name}」下面没有「${name}」。${guess}单位名称要与本群单位名单完全一致；如果您的单位属于其他地区或系统，请到对应的工作群登记；如果还没有添加，请管理员先添加。`)];
    }
    const who = ctx.msg.userName;
    if (ctx.member?.unitId === unit.id) return [text(`✅ ${who} 已经是「${unit.name}」的联络员，无需重复登记。发送“/我的”查看本单位情况。`)];
    const outcome = await requestJoin(db, ctx.app.config, {
      platform: ctx.msg.platform, chatId: ctx.msg.chatId, userId: ctx.msg.userId, userName: who, unit,
      member: ctx.member, isAdmin: ctx.isAdmin, actor: actorOf(ctx.msg),
    });
    if (outcome.kind === 'joined') {
      const moved = outcome.previousUnitId && outcome.previousUnitId !== unit.id ? `（已从「${ctx.member?.unit?.name ?? '原单位'}」改为此单位，原单位已填报的内容不受影响）` : '';
      return [text(`✅ ${who} 已登记为「${unit.name}」的联络员${moved}。发送“/计划”备案竞赛计划，发送“/我的”查看本单位情况。`)];
    }
    // Waiting for a yes: the unit's filers in this chat are asked (an admin only, for some units).
    const { request, filers } = outcome;
    const askFilers = !request.adminOnly ? filers.filter((m) => m.platform === ctx.msg.platform).map((m) => ({ userId: m.userId, userName: m.name })) : [];
    const deciders = request.adminOnly ? '管理员' : `「${unit.name}」已登记的联络员或管理员`;
    const meanwhile = ctx.member?.unit ? `同意之前，${who} 仍为「${ctx.member.unit.name}」填报，不能为「${unit.name}」填报。` : `同意之前，${who} 还不能为「${unit.name}」填报。`;
    const lines = [
      `📝 ${who} 申请登记为「${unit.name}」的联络员，需要${deciders}同意。`,
      `同意请发送：/同意 @${who}　　拒绝请发送：/拒绝 @${who}`,
      meanwhile,
    ];
    return [text(lines.join('\n'), askFilers)];
  },
});
