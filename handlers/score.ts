// /score 打分: organisers record a team's score per criterion in a competition:
// /score <竞赛名称> <队伍> 指标=分数 … Every change is kept with who made it.
import { defineCommand } from '../src/commands/registry.js';
import { text } from '../src/core/messages.js';
import { currentCampaign } from '../src/services/current-campaign.js';
import { criteriaOf, recordScores } from '../src/services/leaderboard.js';
import { NO_CAMPAIGN } from '../src/core/wording.js';

const USAGE = '/打分 <竞赛名称> <队伍> 指标=分数 …';

export default defineCommand({
  name: 'score',
  aliases: ['打分', '评分'],
  usage: USAGE,
  summary: '为竞赛队伍按指标打分（管理员和评委；修改会留存记录）',
  access: ['judge'],
  group: 'filing',
  async run(ctx) {
    const campaign = await currentCampaign(ctx);
    if (!campaign) return [text(NO_CAMPAIGN)];
    const [name, ...teamWords] = ctx.args;
    const team = teamWords.join(' ').trim();
    if (!name || !team || !Object.keys(ctx.options).length) return [text(`用法：${USAGE}\n例如：/打分 地铁五比一创 一标段项目部 质量=92 进度=88`)];
    const competition = await ctx.app.db.competition.findUnique({ where: { campaignId_name: { campaignId: campaign.id, name } } });
    if (!competition) {
      const all = await ctx.app.db.competition.findMany({ where: { campaignId: campaign.id }, select: { name: true } });
      return [text(`没有名为“${name}”的竞赛。${all.length ? `现有：${all.map((c) => c.name).join('、')}` : '请管理员先发送“/榜单 添加 竞赛名称 指标=权重”创建。'}`)];
    }
    if ([...team].length > 60) return [text('队伍名称太长，请控制在60字以内。')];
    const criteria = criteriaOf(competition);
    const values: { criterion: string; value: number }[] = [];
    for (const [criterion, raw] of Object.entries(ctx.options)) {
      if (!criteria.some((c) => c.name === criterion)) return [text(`“${competition.name}”没有“${criterion}”这个指标。指标有：${criteria.map((c) => c.name).join('、')}`)];
      const value = Number(raw.replace(/分$/, ''));
      if (!Number.isFinite(value) || value < 0 || value > 1000) return [text(`“${criterion}”的分数请写0到1000之间的数字，例如：${criterion}=90`)];
      values.push({ criterion, value });
    }
    const changes = await recordScores(ctx.app.db, competition, team, values, { platform: ctx.msg.platform, userId: ctx.msg.userId, userName: ctx.msg.userName, eventId: ctx.msg.eventId }, ctx.app.now());
    if (!changes.length) return [text(`分数与上次相同，没有修改：${competition.name} · ${team}`)];
    const lines = [`✅ 已记录 ${competition.name} · ${team}`, ...changes.map((c) => `· ${c.criterion}：${c.value}${c.previous !== null ? `（原为${c.previous}，已留存修改记录）` : ''}`), `发送“/榜单 ${competition.name}”查看榜单。`];
    return [text(lines.join('\n'))];
  },
});
