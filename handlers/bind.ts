// /bind <单位> [年度] (admin): ties this group to a unit and a campaign.
import { defineCommand } from '../src/commands/registry.js';
import { text } from '../src/core/messages.js';
import { latestCampaign } from '../src/services/campaigns.js';
import { bindChat } from '../src/services/members.js';
import { findUnitByName } from '../src/services/units.js';

export default defineCommand({
  name: 'bind',
  aliases: ['绑定'],
  usage: '/bind <单位> [年度]',
  summary: '把本群绑定到一个单位和竞赛年度（默认最新年度）',
  access: 'admin',
  group: 'setup',
  async run(ctx) {
    const [name, yearText] = ctx.args;
    if (!name) return [text('请写要绑定的单位，例如：/bind 某某区总工会 2027')];
    const db = ctx.app.db;
    const unit = await findUnitByName(db, name);
    if (!unit) return [text(`没有找到单位「${name}」。请检查名称，或先用 /unit add ${name} 添加。`)];
    const campaign = yearText ? await db.campaign.findUnique({ where: { year: Number(yearText) } }) : await latestCampaign(db);
    if (!campaign) return [text(yearText ? `没有${yearText}年度的竞赛，请先 /campaign add ${yearText}` : '还没有竞赛年度，请先发送 /campaign add 年度')];
    const { rebound } = await bindChat(db, { platform: ctx.msg.platform, chatId: ctx.msg.chatId, topic: ctx.msg.chatTitle, unitId: unit.id, campaignId: campaign.id, by: ctx.msg.userId });
    return [text(`✅ 本群${rebound ? '已改为' : '已'}绑定到「${unit.name}」· ${campaign.title}。\n请各单位联络员发送“/join 本单位名称”登记，之后即可用 /plan 备案计划。`)];
  },
});
