// /weights 权重: view the standings weights of this campaign; admins change them with
// /weights set 计划按时=10 参与率=25 …
import { defineCommand } from '../src/commands/registry.js';
import { text } from '../src/core/messages.js';
import { parseCampaignSettings, scoreWeightsSchema, withScoreWeights, type ScoreWeights } from '../src/services/campaign-settings.js';
import { currentCampaign } from '../src/services/current-campaign.js';
import { describeMethod, describeWeights } from '../src/services/standings.js';
import { NO_CAMPAIGN } from '../src/core/wording.js';

/** The Chinese names admins type for each weight. */
export const WEIGHT_NAMES: Record<string, keyof ScoreWeights> = {
  计划按时: 'onTimePlan',
  总结按时: 'onTimeSummary',
  每项竞赛: 'perCompetition',
  竞赛上限: 'competitionsCap',
  重点项目: 'keyProjectCoverage',
  参与率: 'participationRate',
  全国: 'awardNational',
  省级: 'awardProvincial',
  市级: 'awardCity',
  区级: 'awardDistrict',
  获奖上限: 'awardsCap',
  年报按时: 'onTimeReport',
  逾期系数: 'lateFactor',
};
const EXAMPLE = '/权重 设置 参与率=25 市级=8 逾期系数=0.3';

export default defineCommand({
  name: 'weights',
  aliases: ['权重', '计分权重'],
  usage: '/权重 [说明 | 设置 名称=数值 …]',
  summary: '查看排名计分权重和计分办法（说明）；管理员可修改',
  access: ['filer'],
  subcommands: [
    { key: 'set', words: ['设置', '修改', 'set'], access: [], refusal: '只有管理员可以修改计分权重。' },
    { key: 'method', words: ['说明', '办法', 'method'] },
  ],
  onlySubcommands: true,
  group: 'setup',
  async run(ctx) {
    const campaign = await currentCampaign(ctx);
    if (!campaign) return [text(NO_CAMPAIGN)];
    const settings = parseCampaignSettings(campaign.settings);
    // The method in plain words, so a unit can recompute its own score.
    if (ctx.sub === 'method') {
      return [text(`${campaign.year}年度排名计分办法：\n${describeMethod(settings.scoreWeights).join('\n')}`)];
    }
    if (ctx.sub !== 'set') {
      return [text(`${campaign.year}年度排名计分权重：\n${describeWeights(settings.scoreWeights)}\n计分办法：发送“/权重 说明”\n可修改的名称：${Object.keys(WEIGHT_NAMES).join('、')}\n管理员修改示例：${EXAMPLE}`)];
    }
    const entries = Object.entries(ctx.options);
    if (!entries.length) return [text(`请写要修改的权重，例如：${EXAMPLE}`)];
    const next: Record<string, number> = { ...settings.scoreWeights };
    for (const [name, raw] of entries) {
      const key = WEIGHT_NAMES[name];
      if (!key) return [text(`没有“${name}”这项权重。可修改的名称：${Object.keys(WEIGHT_NAMES).join('、')}`)];
      const value = Number(raw);
      if (!Number.isFinite(value) || value < 0) return [text(`“${name}”请写不小于0的数字，例如：${name}=10`)];
      if (key === 'lateFactor' && value > 1) return [text('“逾期系数”请写0到1之间的数字，例如：逾期系数=0.5（逾期提交得按时分的一半）')];
      if (key === 'competitionsCap' && !Number.isInteger(value)) return [text('“竞赛上限”请写整数，例如：竞赛上限=5')];
      next[key] = value;
    }
    const weights = scoreWeightsSchema.parse(next);
    await ctx.app.db.campaign.update({ where: { id: campaign.id }, data: { settings: withScoreWeights(campaign.settings, weights) } });
    ctx.app.log.info({ campaignId: campaign.id, by: ctx.msg.userId, weights }, 'score weights changed');
    return [text(`✅ 已修改${campaign.year}年度排名计分权重：\n${describeWeights(weights)}`)];
  },
});
