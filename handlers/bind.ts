// /bind <单位> [年度] (admin): ties this group to a unit and a campaign.
import { defineCommand } from '../src/commands/registry.js';
import { text } from '../src/core/messages.js';
import { latestCampaign, parseYear } from '../src/services/campaigns.js';
import { bindChat } from '../src/services/members.js';
import { findUnitByName, similarUnitNames } from '../src/services/units.js';

export default defineCommand({
  name: 'bind',
  aliases: ['绑定'],
  usage: '/bind <单位> [年度]',
  summary: '把本群绑定到一个单位和竞赛年度（默认最新年度）',
  access: [],
  group: 'setup',
  async run(ctx) {
    const [name, yearText, ...extra] = ctx.args;
    if (!name) return [text('请写要绑定的单位，例如：/bind 某某区总工会 2027')];
    if (ctx.msg.chatType === 'p2p') return [text('请在要绑定的工作群里发送 /bind，私聊不能绑定。')];
    const year = yearText === undefined ? null : parseYear(yearText);
    if (extra.length || (yearText !== undefined && year === null)) {
      return [text(`用法：/bind 单位名称 [年度]，例如：/bind ${name} 2027。单位名称中不要有空格；年度写四位数字。`)];
    }
    const db = ctx.app.db;
    const unit = await findUnitByName(db, name);
    if (unit?.archivedAt) return [text(`「${unit.name}」已删除（归档），不能绑定。要恢复它，请发送 /unit restore ${unit.name}`)];
    if (!unit) {
      const similar = await similarUnitNames(db, name);
      const guess = similar.length ? `您要找的是不是：${similar.join('、')}？` : '';
      return [text(`没有找到单位「${name}」。${guess}请检查名称，或先用 /unit add ${name} 添加。`)];
    }
    const campaign = year !== null ? await db.campaign.findUnique({ where: { year } }) : await latestCampaign(db);
    if (!campaign) return [text(yearText ? `没有${yearText}年度的竞赛，请先 /campaign add ${yearText}` : '还没有竞赛年度，请先发送 /campaign add 年度')];
    const { rebound } = await bindChat(db, { platform: ctx.msg.platform, chatId: ctx.msg.chatId, topic: ctx.msg.chatTitle, unitId: unit.id, campaignId: campaign.id, by: ctx.msg.userId });
    return [text(`✅ 本群${rebound ? '已改为' : '已'}绑定到「${unit.name}」· ${campaign.title}。\n请各单位联络员发送“/join 本单位名称”登记，之后即可用 /plan 备案计划。`)];
  },
});
