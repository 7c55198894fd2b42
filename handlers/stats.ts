// /stats 统计: filed / on time / late / missing per form, and the year's totals, for this group's unit.
import { defineCommand } from '../src/commands/registry.js';
import { text } from '../src/core/messages.js';
import { formatFen } from '../src/forms/display.js';
import { DEADLINE_LABELS, deadlineOf } from '../src/services/campaigns.js';
import { currentCampaign } from '../src/services/current-campaign.js';
import { reportRoot, scopeOf } from '../src/services/access.js';
import { statsFor } from '../src/services/stats.js';
import { chineseDate } from '../src/util/dates.js';
import { NO_CAMPAIGN } from '../src/core/wording.js';

export default defineCommand({
  name: 'stats',
  aliases: ['统计'],
  usage: '/统计',
  summary: '本群单位的填报统计：各表已交/按时/逾期/未交，竞赛项数、参与人数和经费',
  access: ['filer'],
  group: 'query',
  async run(ctx) {
    const root = await reportRoot(ctx.app.db, scopeOf(ctx.viewer, ctx.binding, ctx.msg.chatType), '统计');
    if ('refusal' in root) return [text(root.refusal)];
    const unit = root.unit;
    const campaign = await currentCampaign(ctx);
    if (!campaign) return [text(NO_CAMPAIGN)];
    const s = await statsFor(ctx.app.db, campaign, unit.id);
    const n = (v: number) => v.toLocaleString('zh-CN');
    const lines = [`📊 ${campaign.year}年度「${unit.name}」填报统计`];
    for (const f of s.forms) {
      lines.push(`${DEADLINE_LABELS[f.form]}（截止${chineseDate(deadlineOf(campaign, f.form))}）：应交${f.expected}个单位，已交${f.filed}（按时${f.onTime}，逾期${f.late}）${f.partial ? `，部分提交${f.partial}` : ''}，未交${f.missing}${f.allLevels ? `；各级合计应交${f.allLevels.expected}个，已交${f.allLevels.filed}（/未交 ${f.form === 'plan' ? '计划' : f.form === 'summary' ? '总结' : '年报'} 全部 查看）` : ''}`);
    }
    lines.push(
      '',
      `竞赛项目：备案${n(s.plans)}项（重点项目${n(s.keyPlans)}项），已交总结${n(s.summaries)}项`,
      ...(s.keyProjects.listed ? [`重点项目名单：${n(s.keyProjects.listed)}个，已有竞赛${n(s.keyProjects.covered)}个，还没有${n(s.keyProjects.listed - s.keyProjects.covered)}个（/重点项目 查看）`] : []),
      `参与人数：计划${n(s.plannedParticipants)}人，实际${n(s.actualParticipants)}人`,
      `经费支出：${formatFen(s.expenditureFen)}`,
      `获奖：${n(s.awards)}项`,
      '未交名单请发送“/未交”，导出表格请发送“/导出”。',
    );
    return [text(lines.join('\n'))];
  },
});
