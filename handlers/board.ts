// /board 榜单: a competition's leaderboard with its criteria weights. Admins create a competition
// with /board add <名称> 指标1=权重 指标2=权重 …
import { defineCommand, type CommandContext } from '../src/commands/registry.js';
import { text, type Reply } from '../src/core/messages.js';
import { currentCampaign } from '../src/services/current-campaign.js';
import { criteriaOf, describeCriteria, leaderboard } from '../src/services/leaderboard.js';
import { NO_CAMPAIGN } from '../src/core/wording.js';

const USAGE = '/榜单 <竞赛名称> | /榜单 添加 <竞赛名称> 指标1=权重 指标2=权重 …';
const EXAMPLE = '/榜单 添加 地铁五比一创 质量=30 进度=30 安全=25 创新=15';

async function add(ctx: CommandContext, campaignId: number): Promise<Reply[]> {
  const name = ctx.args.slice(1).join(' ').trim();
  if (!name) return [text(`请写竞赛名称和评分指标，例如：${EXAMPLE}`)];
  if ([...name].length > 60) return [text('竞赛名称太长，请控制在60字以内。')];
  const criteria = [];
  for (const [k, raw] of Object.entries(ctx.options)) {
    const weight = Number(raw);
    if (!Number.isFinite(weight) || weight <= 0) return [text(`指标“${k}”的权重请写大于0的数字，例如：${k}=30`)];
    criteria.push({ name: k, weight });
  }
  if (!criteria.length) return [text(`请至少写一个评分指标和权重，例如：${EXAMPLE}`)];
  const exists = await ctx.app.db.competition.findUnique({ where: { campaignId_name: { campaignId, name } } });
  if (exists) return [text(`竞赛“${name}”已经存在，发送“/榜单 ${name}”查看榜单。`)];
  await ctx.app.db.competition.create({ data: { campaignId, name, criteria: JSON.stringify(criteria) } });
  return [text(`✅ 已创建竞赛榜单“${name}”\n评分指标：${describeCriteria(criteria)}\n打分示例：/打分 ${name} 一标段项目部 ${criteria.map((c) => `${c.name}=90`).join(' ')}`)];
}

export default defineCommand({
  name: 'board',
  aliases: ['榜单'],
  usage: USAGE,
  summary: '查看某项竞赛各队伍的得分榜（按指标权重加权）；管理员可创建竞赛',
  access: ['filer', 'judge'],
  subcommands: [{ key: 'add', words: ['添加', '创建', '新建', 'add'], access: [], refusal: '只有管理员可以创建竞赛榜单。' }],
  group: 'query',
  async run(ctx) {
    const campaign = await currentCampaign(ctx);
    if (!campaign) return [text(NO_CAMPAIGN)];
    if (ctx.sub === 'add') return add(ctx, campaign.id);
    const all = await ctx.app.db.competition.findMany({ where: { campaignId: campaign.id }, orderBy: { id: 'asc' } });
    const name = ctx.args.join(' ').trim();
    if (!name) {
      if (!all.length) return [text(`${campaign.year}年度还没有竞赛榜单。管理员可发送：${EXAMPLE}`)];
      return [text(`${campaign.year}年度的竞赛榜单：\n${all.map((c) => `· ${c.name}：${describeCriteria(criteriaOf(c))}`).join('\n')}\n发送“/榜单 竞赛名称”查看榜单。`)];
    }
    const competition = all.find((c) => c.name === name);
    if (!competition) return [text(`没有名为“${name}”的竞赛。${all.length ? `现有：${all.map((c) => c.name).join('、')}` : `管理员可发送：${EXAMPLE}`}`)];
    const board = await leaderboard(ctx.app.db, competition);
    if (!board.rows.length) return [text(`“${competition.name}”还没有打分。评分指标：${describeCriteria(board.criteria)}\n打分：/打分 ${competition.name} 队伍名 ${board.criteria.map((c) => `${c.name}=分数`).join(' ')}`)];
    return [{
      kind: 'table',
      title: `🏆 ${competition.name} 榜单`,
      columns: ['名次', '队伍', ...board.criteria.map((c) => `${c.name}(${c.weight})`), '加权得分'],
      rows: board.rows.map((r) => [r.rank, r.team, ...r.values.map((v) => (v === null ? '—' : v)), r.total]),
      lines: board.rows.map((r) => `${r.rank}. ${r.team} ${r.total}分（${board.criteria.map((c, i) => `${c.name}${r.values[i] ?? '—'}`).join(' ')}）`),
      note: `指标（权重）：${board.criteria.map((c) => `${c.name}(${c.weight})`).join('、')}。加权得分 = Σ(指标得分×权重) ÷ 权重合计；未打分的指标按0计，显示为“—”。同分同名次。`,
    }];
  },
});
