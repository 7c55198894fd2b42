// /bind <单位> [年度|标题|编号] (admin): ties this group to a unit and one of the campaigns that unit
// takes part in (run by it or a unit above it). Without a choice: the latest, when that is clear.
import { defineCommand } from '../src/commands/registry.js';
import { text } from '../src/core/messages.js';
import { campaignLabel, campaignsForUnit, parseYear, pickCampaign } from '../src/services/campaigns.js';
import { bindChat } from '../src/services/members.js';
import { findUnitByName, similarUnitNames } from '../src/services/units.js';

export default defineCommand({
  name: 'bind',
  aliases: ['绑定'],
  usage: '/绑定 <单位> [年度|编号|标题]',
  summary: '把本群绑定到一个单位和一项竞赛（默认最新年度）',
  access: [],
  group: 'setup',
  async run(ctx) {
    const [name, ...rest] = ctx.args;
    if (!name) return [text('请写要绑定的单位，例如：/绑定 某某区总工会 2027')];
    if (ctx.msg.chatType === 'p2p') return [text('请在要绑定的工作群里发送“/绑定 单位名称”，私聊不能绑定。')];
    const choice = rest.join(' ').trim();
    const db = ctx.app.db;
    const unit = await findUnitByName(db, name);
    if (unit?.archivedAt) return [text(`「${unit.name}」已删除（归档），不能绑定。要恢复它，请发送 /单位 恢复 ${unit.name}`)];
    if (!unit) {
      if (rest.length && (await findUnitByName(db, name + rest.join('')))) return [text(`单位名称中不要有空格，请写：/绑定 ${name + rest.join('')}`)];
      const similar = await similarUnitNames(db, name);
      const guess = similar.length ? `您要找的是不是：${similar.join('、')}？` : '';
      return [text(`没有找到单位「${name}」。${guess}请检查名称，或先发送“/单位 添加 ${name}”添加。`)];
    }
    const candidates = await campaignsForUnit(db, unit.id);
    if (!candidates.length) return [text(choice && parseYear(choice) !== null ? `没有${parseYear(choice)}年度的竞赛，请先发送“/竞赛 创建 ${parseYear(choice)}”` : `「${unit.name}」还没有可参加的竞赛，请先发送“/竞赛 创建 年度”`)];
    let campaign = candidates[0];
    if (choice) {
      const picked = pickCampaign(candidates, choice);
      if ('error' in picked) return [text(`${picked.error}\n用法：/绑定 ${unit.name} 2027（或 #编号）。单位名称中不要有空格。`)];
      campaign = picked.campaign;
    } else {
      const latest = candidates.filter((c) => c.year === candidates[0].year);
      if (latest.length > 1) return [text(`${candidates[0].year}年度有 ${latest.length} 项竞赛，请写明绑定哪一项，例如 /绑定 ${unit.name} #${latest[0].id}：\n${latest.map((c) => `· ${campaignLabel(c)}`).join('\n')}`)];
    }
    const { rebound } = await bindChat(db, { platform: ctx.msg.platform, chatId: ctx.msg.chatId, topic: ctx.msg.chatTitle, unitId: unit.id, campaignId: campaign.id, by: ctx.msg.userId });
    return [text(`✅ 本群${rebound ? '已改为' : '已'}绑定到「${unit.name}」· ${campaign.title}。\n请各单位联络员发送“/加入 本单位名称”登记，之后即可发送“/计划”备案计划。`)];
  },
});
